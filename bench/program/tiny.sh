#!/bin/sh
# The fallback for machines without a C compiler: the same contract as tiny.c (exit 0 on SIGTERM,
# or ignore it), but the shell waits on a `sleep` child, so each container is two processes.
if [ "$1" = flood ]; then # W6's noisy neighbour, slower than tiny.c's: the shell's printf in a loop
  trap 'exit 0' TERM
  lines=$(yes | head -n 4096)
  while :; do printf '%s\n' "$lines"; done
fi
if [ "$1" = ignore ]; then trap '' TERM; else trap 'exit 0' TERM; fi
while :; do sleep 3600 & wait $!; done
