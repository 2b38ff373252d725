#!/usr/bin/env bash
# make demo / make demo-down: one Debian 12 container host provisioned by site.yml through inventories/local.
#   scripts/demo.sh up     start (or reuse) the container, run site.yml, wait until the service answers
#   scripts/demo.sh down   remove the container
set -euo pipefail
cd "$(dirname "$0")/.."

DEMO_PORT=${DEMO_PORT:-8080}
DEMO_IMAGE=${DEMO_IMAGE:-debian12}
NAME=segserve-demo
VENV=${VENV:-.venv}

log() { printf '[demo] %s\n' "$*" >&2; }

wait_for_systemd() {
  local state
  for _ in $(seq 1 60); do
    state=$(docker exec "$1" systemctl is-system-running 2>/dev/null || true)
    case "$state" in running | degraded) return 0 ;; esac
    sleep 1
  done
  log "systemd in $1 did not finish booting (state: ${state:-none})"
  return 1
}

up() {
  scripts/testhosts.sh images "$DEMO_IMAGE"
  local image published
  image=$(scripts/testhosts.sh image-name "$DEMO_IMAGE")
  published=$(docker port "$NAME" 80/tcp 2>/dev/null | head -n1 || true)
  if [ -n "$published" ] && [ "$published" != "127.0.0.1:$DEMO_PORT" ]; then
    log "$NAME publishes $published, not 127.0.0.1:$DEMO_PORT: recreating it"
    docker rm -f "$NAME" >/dev/null
  fi
  if ! docker container inspect "$NAME" >/dev/null 2>&1; then
    log "starting $NAME from $image on 127.0.0.1:$DEMO_PORT"
    # shellcheck disable=SC2046
    docker run -d --name "$NAME" --hostname "$NAME" $(scripts/testhosts.sh run-args) \
      -p "127.0.0.1:$DEMO_PORT:80" "$image" /lib/systemd/systemd >/dev/null
  elif [ "$(docker container inspect -f '{{.State.Running}}' "$NAME")" != true ]; then
    docker start "$NAME" >/dev/null
  fi
  wait_for_systemd "$NAME"
  "$VENV/bin/ansible-playbook" site.yml -i inventories/local/hosts.yml
  for _ in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:$DEMO_PORT/readyz" >/dev/null 2>&1; then
      cat <<TXT

The segmentation service answers on http://127.0.0.1:$DEMO_PORT
  curl -s -H 'Content-Type: image/png' --data-binary @app/examples/shapes.png \\
       'http://127.0.0.1:$DEMO_PORT/infer?format=png' -o mask.png
  curl -s 'http://127.0.0.1:$DEMO_PORT/pisqrt?a=25'
  curl -s http://127.0.0.1:$DEMO_PORT/version
Remove it with: make demo-down
TXT
      return 0
    fi
    sleep 1
  done
  log "the service did not answer on 127.0.0.1:$DEMO_PORT/readyz"
  return 1
}

case "${1:-}" in
  up) up ;;
  down) docker rm -f "$NAME" >/dev/null 2>&1 && log "removed $NAME" || log "$NAME was not running" ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
