#!/bin/sh
# Writes Redis's ACL file from the mounted secrets, then starts the server
# through the base image's entrypoint. Only SHA-256 hashes of the passwords are
# written, to a tmpfs, never to the data volume or the command line.
#   default  off: a client that does not authenticate can run nothing. Its
#            permissions matter only to Redis itself, which replays the
#            append-only file as this user: Redis 7 checks them again at each
#            EXEC, so with none it silently drops every transaction (every
#            script's effects) on restart (redis/redis#14541; found by the
#            fault matrix). It gets the app's, and stays off.
#   app      the API: every command except @dangerous (FLUSHALL, CONFIG, KEYS,
#            DEBUG, SHUTDOWN, ACL, …); INFO is allowed for the client's ready check
#   admin    operators and the backup script: everything
set -eu

app_file=${REDIS_PASSWORD_FILE:-/run/secrets/redis_password}
admin_file=${REDIS_ADMIN_PASSWORD_FILE:-/run/secrets/redis_admin_password}
acl_file=/run/redis/users.acl

sha256_of() {
  [ -s "$1" ] || { echo "redis-entrypoint: $1 is missing or empty" >&2; exit 1; }
  # Drops one trailing newline, as the API does when it reads the same file.
  printf '%s' "$(cat "$1")" | sha256sum | cut -d' ' -f1
}

app_hash=$(sha256_of "$app_file")
admin_hash=$(sha256_of "$admin_file")
umask 077
cat >"$acl_file" <<ACL
user default off resetpass ~* resetchannels +@all -@dangerous
user app on #$app_hash ~* resetchannels +@all -@dangerous +info
user admin on #$admin_hash ~* &* +@all
ACL

# How often the append-only file is fsynced (redis.conf's default: everysec).
# What a Redis crash can lose is README "Redis durability".
fsync=${REDIS_APPENDFSYNC:-everysec}
case $fsync in
  always | everysec | no) ;;
  *) echo "redis-entrypoint: REDIS_APPENDFSYNC must be always, everysec or no (got '$fsync')" >&2; exit 1 ;;
esac

if [ "${1:-}" = redis-server ]; then set -- "$@" --appendfsync "$fsync"; fi
exec docker-entrypoint.sh "$@"
