#!/bin/sh
# Healthy when the app user can authenticate and PING (the password is passed
# through the environment, not the command line).
set -eu
REDISCLI_AUTH=$(cat "${REDIS_PASSWORD_FILE:-/run/secrets/redis_password}")
export REDISCLI_AUTH
[ "$(redis-cli --no-auth-warning --user app ping)" = PONG ]
