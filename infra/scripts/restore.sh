#!/bin/sh
# Restores a backup made by backup.sh into the running production stack,
# replacing what PostgreSQL and Redis hold now. One command:
#   infra/scripts/restore.sh DIR
# The API replicas are stopped meanwhile and started again at the end.
set -eu
# shellcheck source=lib/compose.sh
. "$(dirname "$0")/lib/compose.sh"

dir=${1:?usage: infra/scripts/restore.sh BACKUP_DIR}
for file in postgres.dump redis-aof.tar; do
  [ -s "$dir/$file" ] || { echo "missing $dir/$file" >&2; exit 1; }
done
db=$(container_of db)
redis=$(container_of redis)

echo "stopping the API"
compose stop api

echo "restoring PostgreSQL"
# --clean drops each object of the dump before recreating it; one transaction,
# so a failure leaves the database as it was.
docker exec -i "$db" pg_restore --username=app --dbname=app --clean --if-exists \
  --single-transaction --no-owner --exit-on-error <"$dir/postgres.dump"

echo "restoring Redis"
compose stop redis
volume=$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}' "$redis")
image=$(docker inspect -f '{{.Config.Image}}' "$redis")
# A throwaway container on the stopped server's volume, without network.
docker run --rm -i --network none --user 999:999 --entrypoint sh -v "$volume:/data" "$image" \
  -ec 'find /data -mindepth 1 -delete; tar -C /data -xf -' <"$dir/redis-aof.tar"
compose start redis
wait_healthy redis 60
# Cached pages and their revisions are derived from Postgres, and were saved at
# a slightly different moment: drop them so no page can outlive the restore.
redis=$(container_of redis)
docker exec "$redis" sh -ec '
  export REDISCLI_AUTH="$(cat /run/secrets/redis_admin_password)"
  for pattern in "*:cache:*" "*:revision:*"; do
    redis-cli --no-auth-warning --user admin --scan --pattern "$pattern" |
      xargs -r redis-cli --no-auth-warning --user admin del >/dev/null
  done'

echo "starting the API"
compose start api
wait_healthy api 90
echo "restored from $dir"
