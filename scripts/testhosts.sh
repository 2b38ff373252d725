#!/usr/bin/env bash
# Local test hosts: a Docker engine that answers, and systemd base images built from debootstrap.
#
#   scripts/testhosts.sh engine          make sure a Docker engine answers (start Debian's docker.io if none does)
#   scripts/testhosts.sh images [NAME..] build and cache base images (default: debian12 debian13, plus
#                                        ubuntu2204 ubuntu2404 when UBUNTU_MIRROR is set)
#   scripts/testhosts.sh image-name NAME print the image tag for NAME
#   scripts/testhosts.sh run-args        print the docker run options that let systemd run as PID 1
#
# The images are plain distributions (systemd, python3, sudo, ca-certificates): everything the service
# needs is installed by the playbooks from the distribution's archive, so a host depends on nothing that
# only this machine has. Images are cached by tag; bump IMAGE_REVISION when the recipe changes.
set -euo pipefail

IMAGE_REPO=${IMAGE_REPO:-segserve-host}
IMAGE_REVISION=r1
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
UBUNTU_MIRROR=${UBUNTU_MIRROR:-}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/segserve-dockerd.log}
INCLUDE=systemd,systemd-sysv,python3,sudo,ca-certificates

log() { printf '[testhosts] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

engine_answers() { docker info >/dev/null 2>&1; }

ensure_engine() {
  engine_answers && return 0
  if ! command -v dockerd >/dev/null 2>&1; then
    log "no Docker engine answers and dockerd is missing: installing Debian's docker.io"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  engine_answers && return 0
  log "starting dockerd in the background (log: $DOCKERD_LOG)"
  as_root sh -c "nohup setsid dockerd >'$DOCKERD_LOG' 2>&1 </dev/null &"
  for _ in $(seq 1 60); do
    engine_answers && { log "Docker engine answers"; return 0; }
    sleep 1
  done
  tail -n 20 "$DOCKERD_LOG" >&2 || true
  die "dockerd did not answer within 60 s"
}

image_name() {
  case "$1" in
    debian12 | debian13 | ubuntu2204 | ubuntu2404) echo "$IMAGE_REPO:$1-$IMAGE_REVISION" ;;
    *) die "unknown host image '$1' (debian12, debian13, ubuntu2204, ubuntu2404)" ;;
  esac
}

build_image() {
  local name=$1 suite mirror extra=() tag
  tag=$(image_name "$name")
  if docker image inspect "$tag" >/dev/null 2>&1; then
    log "$tag is cached"
    return 0
  fi
  case "$name" in
    debian12) suite=bookworm mirror=$DEBIAN_MIRROR ;;
    debian13) suite=trixie mirror=$DEBIAN_MIRROR ;;
    ubuntu2204 | ubuntu2404)
      [ -n "$UBUNTU_MIRROR" ] || die "$name needs UBUNTU_MIRROR (an Ubuntu archive mirror URL)"
      suite=$([ "$name" = ubuntu2204 ] && echo jammy || echo noble)
      mirror=$UBUNTU_MIRROR
      [ -f /usr/share/keyrings/ubuntu-archive-keyring.gpg ] ||
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ubuntu-keyring >/dev/null
      extra=(--keyring /usr/share/keyrings/ubuntu-archive-keyring.gpg --components main,universe)
      ;;
  esac
  command -v debootstrap >/dev/null 2>&1 || {
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  local root
  root=$(mktemp -d "${TMPDIR:-/tmp}/segserve-$name.XXXXXX")
  trap 'as_root rm -rf "$root"' RETURN
  log "building $tag: debootstrap $suite from $mirror"
  as_root debootstrap --variant=minbase --include="$INCLUDE" "${extra[@]}" "$suite" "$root" "$mirror" \
    >"$root.log" 2>&1 || { tail -n 30 "$root.log" >&2; die "debootstrap $suite failed"; }
  rm -f "$root.log"
  # A container has no consoles or hardware to wait for; keep the journal in memory.
  as_root rm -f "$root"/etc/machine-id "$root"/var/lib/dbus/machine-id
  as_root touch "$root"/etc/machine-id
  as_root apt-get -o RootDir="$root" clean >/dev/null 2>&1 || true
  as_root tar -C "$root" -c . | docker import --change 'CMD ["/lib/systemd/systemd"]' - "$tag" >/dev/null
  log "built $tag"
}

run_args() {
  # systemd as PID 1 without --privileged (CAP_SYS_RESOURCE is not in this sandbox's bounding set).
  echo "--cap-add SYS_ADMIN --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw" \
    "--tmpfs /run --tmpfs /run/lock --security-opt seccomp=unconfined"
}

default_images() {
  echo debian12 debian13
  [ -z "$UBUNTU_MIRROR" ] || echo ubuntu2204 ubuntu2404
}

cmd=${1:-}
shift || true
case "$cmd" in
  engine) ensure_engine ;;
  images)
    ensure_engine
    # shellcheck disable=SC2046
    [ $# -gt 0 ] || set -- $(default_images)
    for name in "$@"; do build_image "$name"; done
    ;;
  image-name) image_name "${1:?image-name NAME}" ;;
  run-args) run_args ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
