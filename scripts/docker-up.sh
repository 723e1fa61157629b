#!/usr/bin/env bash
# Make a Docker engine available on this Debian machine: install docker.io if the
# daemon is missing, start dockerd in the background, wait for the socket.
# Idempotent: does nothing when the engine already answers.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker-up: installing docker.io" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "docker-up: starting dockerd" >&2
  mkdir -p /var/log
  nohup dockerd >/var/log/dockerd.log 2>&1 &
fi

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "docker-up: engine ready" >&2
    exit 0
  fi
  sleep 1
done
echo "docker-up: dockerd did not come up within 60 s; see /var/log/dockerd.log" >&2
exit 1
