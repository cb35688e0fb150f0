# shellcheck shell=sh
# Sourced by the scripts beside it: `compose` runs Compose v2 (`docker compose`)
# or v1 (`docker-compose`) on the production stack, or on COMPOSE_FILE when set.
# The project is Compose's own choice: COMPOSE_PROJECT_NAME, else "compose".

root=$(cd "$(dirname "$0")/../.." && pwd)

if docker compose version >/dev/null 2>&1; then
  compose_cmd="docker compose"
elif command -v docker-compose >/dev/null 2>&1; then
  compose_cmd="docker-compose"
else
  echo "neither 'docker compose' nor 'docker-compose' is installed" >&2
  exit 1
fi

compose() {
  if [ -n "${COMPOSE_FILE:-}" ]; then
    $compose_cmd "$@"
  else
    $compose_cmd -f "$root/infra/compose/prod.yml" "$@"
  fi
}

# The id of the service's (first) running container, or a clear error.
container_of() {
  id=$(compose ps -q "$1" | head -n 1)
  if [ -z "$id" ]; then
    echo "service '$1' has no container: is the stack up (same COMPOSE_PROJECT_NAME)?" >&2
    exit 1
  fi
  echo "$id"
}

# Waits until every container of the service reports healthy.
wait_healthy() {
  service=$1
  deadline=$(($(date +%s) + ${2:-90}))
  while :; do
    unhealthy=0
    for id in $(compose ps -q "$service"); do
      status=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id")
      [ "$status" = healthy ] || unhealthy=$((unhealthy + 1))
    done
    [ "$unhealthy" -eq 0 ] && return 0
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "$service is not healthy after waiting" >&2
      return 1
    fi
    sleep 1
  done
}
