#!/usr/bin/env bash
# Build the base image debian:bookworm-slim without an image registry:
# debootstrap a minimal bookworm from the Debian mirror apt already uses, then
# `docker import` it under the tag the sandbox Dockerfiles start FROM.
# Idempotent: does nothing when the tag exists.
set -euo pipefail
TAG="${1:-debian:bookworm-slim}"

if docker image inspect "$TAG" >/dev/null 2>&1; then
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq debootstrap >/dev/null
fi

# The mirror apt is configured with (deb822 or one-line sources).
MIRROR=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
if [ -z "$MIRROR" ]; then
  MIRROR=$(grep -hoE '^deb +\S+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
fi
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

ROOTFS=$(mktemp -d /tmp/fixer-rootfs.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT
echo "offline-base: debootstrap bookworm from $MIRROR" >&2
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/tmp/fixer-debootstrap.log 2>&1 \
  || { tail -20 /tmp/fixer-debootstrap.log >&2; exit 1; }
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
tar -C "$ROOTFS" -c . | docker import - "$TAG" >/dev/null
echo "offline-base: imported $TAG" >&2
