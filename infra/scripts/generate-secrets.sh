#!/bin/sh
# Creates the secrets prod.yml (and tls.yml) mounts as Compose secrets:
#   infra/scripts/generate-secrets.sh [DIR]     (default: infra/compose/secrets)
# Existing files are kept: Postgres stores its passwords when the volume is first
# initialised, so replacing a file later would lock a service out. Values are
# never printed, only the files' names.
#
# Each file is readable by its owner only (0400). Compose bind-mounts a file
# secret unchanged, so a container can read it only as the file's owner: run as
# root, the script gives each file to the uid of the one service that reads it
# (api and migrate 1000, postgres and redis 999, nginx 101, grafana 472). A
# password both a client and the server that checks it read is written twice,
# NAME for the client and NAME.server for the server, with the same value.
# Not root, the files stay yours (a rootless engine maps you to the containers).
set -eu

dir=${1:-$(dirname "$0")/../compose/secrets}
mkdir -p "$dir"
chmod 700 "$dir"
umask 077

API=1000 POSTGRES=999 REDIS=999 NGINX=101 GRAFANA=472

give() { # FILE UID: owner-only, owned by its reader when we may
  chmod 400 "$1"
  if [ "$(id -u)" = 0 ]; then chown "$2:$2" "$1"; fi
}

secret() { # NAME UID [SERVER_UID]
  file=$dir/$1
  if [ -s "$file" ]; then
    echo "kept      $file"
  else
    # 32 random bytes as 64 hex characters: safe inside URLs and config files.
    value=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    [ "$1" = admin_token ] && value="admin:$value"
    printf '%s' "$value" >"$file"
    echo "generated $file"
  fi
  give "$file" "$2"
  if [ $# -eq 3 ]; then
    [ -s "$file.server" ] || cat "$file" >"$file.server"
    give "$file.server" "$3"
  fi
}

# The database superuser's (operators, backups); the role migrations run as
# (it owns the schema); the role the api connects as (read, insert, delete).
secret postgres_password "$POSTGRES"
secret db_migrator_password "$API" "$POSTGRES"
secret db_api_password "$API" "$POSTGRES"
secret redis_password "$API" "$REDIS"
secret redis_admin_password "$REDIS"
# cursor_secret signs the list cursors; admin_token is the moderators' bearer
# tokens, one `id:token` per line (add a line to rotate).
secret cursor_secret "$API"
secret admin_token "$API"
# Grafana's admin login (prod.yml, profile monitoring).
secret grafana_admin_password "$GRAFANA"

# A self-signed certificate for TLS at the edge on this machine (tls.yml);
# put a real certificate and key in these two files for anything else.
if [ -s "$dir/tls_cert" ] && [ -s "$dir/tls_key" ]; then
  echo "kept      $dir/tls_cert, $dir/tls_key"
elif command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
    -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
    -keyout "$dir/tls_key" -out "$dir/tls_cert" 2>/dev/null
  echo "generated $dir/tls_cert, $dir/tls_key (self-signed, localhost)"
else
  echo "skipped   tls_cert, tls_key: no openssl (only tls.yml needs them)"
fi
if [ -s "$dir/tls_key" ]; then
  give "$dir/tls_key" "$NGINX"
  give "$dir/tls_cert" "$NGINX"
fi
