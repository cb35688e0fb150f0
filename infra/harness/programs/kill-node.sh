#!/bin/sh
# Runs inside an api container (docker exec -i <id> sh -s [SIGNAL] < this file):
# sends SIGNAL (default KILL, as a crash) to every node process, without Docker
# being asked to stop anything, so the restart policy applies.
signal=${1:-KILL}
for p in /proc/[0-9]*; do
  if [ "$(readlink "$p/exe")" = /usr/local/bin/node ]; then kill -"$signal" "$(basename "$p")"; fi
done
true
