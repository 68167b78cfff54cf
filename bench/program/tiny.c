/* The process every workload starts: it sleeps until a signal comes.
 * `tiny term` exits 0 on SIGTERM; `tiny ignore` ignores SIGTERM, so only SIGKILL ends it.
 * No output, no children, no allocation: what is measured is the supervisor, not the program. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void exit_cleanly(int signal_number) {
  (void)signal_number;
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "ignore") == 0) signal(SIGTERM, SIG_IGN);
  else signal(SIGTERM, exit_cleanly);
  for (;;) pause();
}
