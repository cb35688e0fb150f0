#!/bin/sh
# Writes Redis's ACL file from the mounted password, then starts Redis. Only
# the password's SHA-256 is written, to a memory volume, never to the data
# volume or the command line (as infra/redis/redis-entrypoint.sh).
#   default  off: a client that does not authenticate can run nothing
#   app      the api: everything but @dangerous commands; INFO for its ready check
set -eu
password_file=/run/secrets/redis/password
[ -s "$password_file" ] || { echo "start.sh: $password_file is missing or empty" >&2; exit 1; }
# Drops one trailing newline, as the api does when it reads a secret file.
hash=$(printf '%s' "$(cat "$password_file")" | sha256sum | cut -d' ' -f1)
umask 077
cat >/run/redis/users.acl <<ACL
user default off resetpass resetkeys resetchannels -@all
user app on #$hash ~* resetchannels +@all -@dangerous +info
ACL
exec redis-server /etc/redis/redis.conf
