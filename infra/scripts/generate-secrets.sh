#!/bin/sh
# Creates the random passwords prod.yml mounts as Compose secrets:
#   infra/scripts/generate-secrets.sh [DIR]     (default: infra/compose/secrets)
# Existing files are kept: Postgres stores its password when the volume is first
# initialised, so replacing the file later would lock the API out.
set -eu

dir=${1:-$(dirname "$0")/../compose/secrets}
mkdir -p "$dir"
# Only the owner may list the folder. The files themselves are world-readable
# because Compose bind-mounts them unchanged into containers running as other
# users (api 1000, postgres and redis 999).
chmod 700 "$dir"

for name in postgres_password redis_password redis_admin_password; do
  file=$dir/$name
  if [ -s "$file" ]; then
    echo "kept      $file"
    continue
  fi
  # 32 random bytes as 64 hex characters: safe inside URLs and config files.
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$file"
  chmod 644 "$file"
  echo "generated $file"
done
