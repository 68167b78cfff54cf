// Last-resort cleanup: the daemons the bench started, by pid, so a Ctrl-C or a crash between a
// contender's open and close still leaves nothing running (the contenders' own close is the
// normal path).
const daemons = new Set<number>();

/** Remembers a daemon (PM2's God process, supervisord) this run started. */
export function trackDaemon(pid: number): void {
  daemons.add(pid);
}

export function untrackDaemon(pid: number): void {
  daemons.delete(pid);
}

/** SIGKILLs every tracked daemon. */
export function killTrackedDaemons(): void {
  for (const pid of daemons) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  daemons.clear();
}
