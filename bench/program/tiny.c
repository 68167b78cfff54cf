/* The process every workload starts: it sleeps until a signal comes.
 * `tiny term` exits 0 on SIGTERM; `tiny ignore` ignores SIGTERM, so only SIGKILL ends it.
 * No output, no children, no allocation: what is measured is the supervisor, not the program.
 * `tiny flood` is W6's noisy neighbour: it writes "y\n" as fast as it can (as `yes` does) and
 * exits 0 on SIGTERM. */
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
  if (argc > 1 && strcmp(argv[1], "flood") == 0) {
    static char lines[64 * 1024];
    for (size_t i = 0; i < sizeof lines; i += 2) memcpy(lines + i, "y\n", 2);
    for (;;) if (write(1, lines, sizeof lines) < 0) _exit(1);
  }
  for (;;) pause();
}
