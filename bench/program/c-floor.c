/* The C floor: a supervisor with no JavaScript and no runtime of its own, for what the kernel alone
 * costs the workloads on this machine. It does the kernel work every contender does for a process
 * (a session of its own, stdout and stderr piped and read, SIGTERM, SIGKILL to the group at the
 * deadline, the stop done once the process is reaped and both pipes have ended) in one poll loop.
 *
 * The bench drives it with one command per line on stdin, one answer per line on stdout:
 *   start GROUP MODE COUNT    spawn COUNT `PROGRAM MODE` (answered once all have exec'd)
 *   stop GROUP TIMEOUT_MS     SIGTERM each, SIGKILL to each group at TIMEOUT_MS (answered when
 *                             every process is reaped and its pipes have ended)
 *   reset GROUP               forget the group's ended processes
 * Answers: "ok", or "error MESSAGE". End of stdin: SIGKILL every process left, reap, exit.
 * Usage: c-floor -- PROGRAM [ARGS...]   (MODE is appended to ARGS; the `--` keeps PROGRAM out of
 * argv[1], where the bench's sweep of stray processes looks for the program's path) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct child {
  char group[64];
  pid_t pid;
  int out, err; /* read ends, -1 once ended */
  int reaped;
};

static struct child *children;
static size_t count, capacity;
static char **program_argv;
static int program_argc;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void answer(const char *text) {
  fputs(text, stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

static struct child *add_child(void) {
  if (count == capacity) {
    capacity = capacity ? capacity * 2 : 256;
    children = realloc(children, capacity * sizeof *children);
    if (!children) { perror("c-floor: realloc"); exit(1); }
  }
  return &children[count++];
}

static int ended(const struct child *c) { return c->reaped && c->out < 0 && c->err < 0; }

static void drain(int *fd) {
  static char buffer[64 * 1024];
  ssize_t n = read(*fd, buffer, sizeof buffer);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    close(*fd);
    *fd = -1;
  }
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < count; i++) {
      if (children[i].pid == pid) {
        children[i].reaped = 1;
        kill(-pid, SIGKILL); /* what the main process left in its group */
      }
    }
  }
}

static int start(const char *group, const char *mode, int n) {
  char *argv[64];
  int argc = 0;
  for (int i = 0; i < program_argc && argc < 62; i++) argv[argc++] = program_argv[i];
  argv[argc++] = (char *)mode;
  argv[argc] = NULL;
  for (int i = 0; i < n; i++) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return errno;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawnattr_init(&attributes);
    /* The parent blocks SIGCHLD for its signalfd; the child starts with the default mask. */
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    /* glibc's posix_spawn returns once the child has exec'd (or failed to): "running". */
    int failed = posix_spawn(&pid, argv[0], &actions, &attributes, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(out[1]);
    close(err[1]);
    if (failed) {
      close(out[0]);
      close(err[0]);
      return failed;
    }
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    struct child *c = add_child();
    snprintf(c->group, sizeof c->group, "%s", group);
    c->pid = pid;
    c->out = out[0];
    c->err = err[0];
    c->reaped = 0;
  }
  return 0;
}

/* The commands read and not yet run (a stop holds back the ones after it until it is answered). */
static char line[512];
static size_t line_length;
/* The group of the stop in progress ("" when none), and when its SIGKILL is due (monotonic ms;
 * -1 once it was sent, or for a negative timeout). */
static char stopping[64];
static double deadline = -1;

static void run_commands(void) {
  char *newline;
  while (!stopping[0] && (newline = strchr(line, '\n')) != NULL) {
    *newline = '\0';
    char verb[16] = "", group[64] = "", third[32] = "";
    int number = 0;
    int fields = sscanf(line, "%15s %63s %31s %d", verb, group, third, &number);
    if (strcmp(verb, "start") == 0 && fields == 4) {
      int failed = start(group, third, number);
      if (failed) {
        char message[200];
        snprintf(message, sizeof message, "error cannot start %s: %s", program_argv[0], strerror(failed));
        answer(message);
      } else {
        answer("ok");
      }
    } else if (strcmp(verb, "stop") == 0 && fields == 3) {
      int timeout_ms = atoi(third);
      for (size_t i = 0; i < count; i++) {
        if (strcmp(children[i].group, group) == 0 && !children[i].reaped) kill(children[i].pid, SIGTERM);
      }
      snprintf(stopping, sizeof stopping, "%s", group);
      deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    } else if (strcmp(verb, "reset") == 0 && fields == 2) {
      size_t kept = 0;
      for (size_t i = 0; i < count; i++) {
        if (strcmp(children[i].group, group) == 0 && ended(&children[i])) continue;
        children[kept++] = children[i];
      }
      count = kept;
      answer("ok");
    } else {
      answer("error expected start GROUP MODE COUNT, stop GROUP TIMEOUT_MS or reset GROUP");
    }
    size_t rest = line_length - (size_t)(newline + 1 - line);
    memmove(line, newline + 1, rest + 1);
    line_length = rest;
  }
}

int main(int argc, char **argv) {
  if (argc < 3 || strcmp(argv[1], "--") != 0) {
    fprintf(stderr, "usage: c-floor -- PROGRAM [ARGS...]\n");
    return 2;
  }
  program_argv = argv + 2;
  program_argc = argc - 2;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);

  int input_open = 1;
  struct pollfd *fds = NULL;
  size_t fds_capacity = 0;

  /* Each turn: settle the stop in progress (answer it, or SIGKILL at its deadline), then wait for
   * an exit, output, a command, or the deadline. */
  for (;;) {
    if (stopping[0]) {
      int done = 1;
      for (size_t i = 0; i < count; i++) if (strcmp(children[i].group, stopping) == 0 && !ended(&children[i])) done = 0;
      if (done) {
        stopping[0] = '\0';
        if (!input_open) break; /* the processes left at the end of stdin are gone */
        answer("ok");
        run_commands();
        continue;
      }
      if (deadline >= 0 && now_ms() >= deadline) {
        for (size_t i = 0; i < count; i++) if (strcmp(children[i].group, stopping) == 0 && !children[i].reaped) kill(-children[i].pid, SIGKILL);
        deadline = -1;
      }
    }
    size_t needed = 2 + 2 * count;
    if (needed > fds_capacity) {
      fds_capacity = needed * 2;
      fds = realloc(fds, fds_capacity * sizeof *fds);
      if (!fds) { perror("c-floor: realloc"); return 1; }
    }
    size_t nfds = 0;
    fds[nfds++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
    /* One command at a time: the next is read once the stop in progress is answered. */
    fds[nfds++] = (struct pollfd){ .fd = input_open && !stopping[0] ? 0 : -1, .events = POLLIN };
    for (size_t i = 0; i < count; i++) {
      fds[nfds++] = (struct pollfd){ .fd = children[i].out, .events = POLLIN };
      fds[nfds++] = (struct pollfd){ .fd = children[i].err, .events = POLLIN };
    }
    struct timespec wait, *timeout = NULL;
    if (stopping[0] && deadline >= 0) {
      double left = deadline - now_ms();
      if (left < 0) left = 0;
      wait.tv_sec = (time_t)(left / 1e3);
      wait.tv_nsec = (long)((left - wait.tv_sec * 1e3) * 1e6);
      timeout = &wait;
    }
    if (ppoll(fds, nfds, timeout, NULL) < 0 && errno != EINTR) {
      perror("c-floor: ppoll");
      return 1;
    }
    if (fds[0].revents) {
      struct signalfd_siginfo info;
      while (read(sigfd, &info, sizeof info) == sizeof info) {}
      reap();
    }
    for (size_t i = 0; i < count; i++) {
      if (children[i].out >= 0 && fds[2 + 2 * i].revents) drain(&children[i].out);
      if (children[i].err >= 0 && fds[3 + 2 * i].revents) drain(&children[i].err);
    }
    if (!fds[1].revents) continue;
    ssize_t n = read(0, line + line_length, sizeof line - 1 - line_length);
    if (n <= 0) {
      input_open = 0;
      for (size_t i = 0; i < count; i++) if (!children[i].reaped) kill(-children[i].pid, SIGKILL);
      snprintf(stopping, sizeof stopping, "%s", "*");
      for (size_t i = 0; i < count; i++) snprintf(children[i].group, sizeof children[i].group, "%s", "*");
      continue;
    }
    line_length += (size_t)n;
    line[line_length] = '\0';
    run_commands();
    if (line_length >= sizeof line - 1) line_length = 0; /* a line too long: dropped */
  }
  return 0;
}
