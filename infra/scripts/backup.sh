#!/bin/sh
# Backs up the running production stack: PostgreSQL (pg_dump, custom format)
# and Redis (its append-only file, compacted first). One command:
#   infra/scripts/backup.sh [DIR]          (default: backups/<UTC time>)
# Use the COMPOSE_PROJECT_NAME (and SECRETS_DIR, COMPOSE_FILE) you run the stack with.
set -eu
# shellcheck source=lib/compose.sh
. "$(dirname "$0")/lib/compose.sh"

out=${1:-$root/backups/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
chmod 700 "$out"
db=$(container_of db)
redis=$(container_of redis)

# A consistent snapshot while the API keeps serving. Local socket inside the
# container: no password leaves it.
docker exec "$db" pg_dump --username=app --dbname=app --format=custom >"$out/postgres.dump.partial"
mv "$out/postgres.dump.partial" "$out/postgres.dump"

# Rewrite the AOF into one RDB base (plus an empty increment), wait for the
# rewrite, then archive the AOF folder. Writes landing during the copy go to the
# increment; Redis replays it, or drops a torn last command (aof-load-truncated).
docker exec "$redis" sh -ec '
  export REDISCLI_AUTH="$(cat /run/secrets/redis_admin_password)"
  cli() { redis-cli --no-auth-warning --user admin "$@"; }
  cli BGREWRITEAOF >/dev/null
  while cli INFO persistence | grep -Eq "^aof_rewrite_(in_progress|scheduled):1"; do sleep 0.2; done
  cli INFO persistence | grep -q "^aof_last_bgrewrite_status:ok"
' || { echo "Redis AOF rewrite failed" >&2; exit 1; }
docker exec "$redis" tar -C /data -cf - appendonlydir >"$out/redis-aof.tar.partial"
mv "$out/redis-aof.tar.partial" "$out/redis-aof.tar"

echo "backup written to $out"
ls -l "$out"
