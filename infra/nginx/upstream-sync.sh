#!/bin/sh
# Keeps nginx's upstream list (/tmp/upstream/api-servers.conf) equal to the api
# replicas that are not draining, and reloads nginx when it changes. Run by the
# nginx image's entrypoint from /docker-entrypoint.d/: it writes the list once,
# before nginx starts, then checks again every UPSTREAM_SYNC_INTERVAL seconds
# in the background.
#
#   API_UPSTREAM            host:port of the replicas (a name that resolves to
#                           every replica: `api` under Compose, `tasks.api` under Swarm)
#   UPSTREAM_SYNC_INTERVAL  seconds between checks (default 1; keep it well
#                           below the api's SHUTDOWN_DRAIN_MS)
set -eu

upstream=${API_UPSTREAM:-api:3000}
host=${upstream%:*}
port=${upstream##*:}
interval=${UPSTREAM_SYNC_INTERVAL:-1}
dir=/tmp/upstream
list=$dir/api-servers.conf

# A replica that is shutting down answers readiness with this header: it must
# get no new request before it closes. Any other answer (ready, or not ready
# because Postgres or Redis is away) keeps it: an outage is the api's to report.
draining() {
  curl -s -o /dev/null --max-time 1 -w '%header{x-replica-state}' "http://$1:$port/health/ready" 2>/dev/null |
    grep -qx draining
}

servers() {
  addresses=$(getent ahostsv4 "$host" 2>/dev/null | awk '{ print $1 }' | sort -u)
  kept=""
  for address in $addresses; do
    draining "$address" || kept="$kept $address"
  done
  # Nothing left (every replica draining at once): keep them all rather than none.
  [ -n "$kept" ] || kept=$addresses
  if [ -z "$kept" ]; then
    # No replica resolves yet: a server that refuses, so nginx answers 503 at once.
    echo "server 127.0.0.1:1 max_fails=0;"
    return
  fi
  for address in $kept; do
    echo "server $address:$port max_fails=1 fail_timeout=2s;"
  done
}

write_list() {
  mkdir -p "$dir"
  servers >"$list.new"
  if cmp -s "$list.new" "$list"; then
    rm -f "$list.new"
    return 1
  fi
  mv "$list.new" "$list"
}

watch() {
  while sleep "$interval"; do
    if write_list && [ -f /tmp/nginx.pid ]; then
      echo "upstream-sync: api replicas now $(grep -c '^server' "$list"): reloading" >&2
      nginx -s reload 2>/dev/null || true
    fi
  done
}

write_list || true
watch &
