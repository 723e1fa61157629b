#!/usr/bin/env bash
# Build a sandbox image: sandbox_images/<name>/Dockerfile -> fixer-sandbox:<name>.
# Makes the debian:bookworm-slim base offline first when it is missing (no registry needed).
# Idempotent: docker's layer cache makes a repeated build a no-op.
set -euo pipefail
NAME="${1:-default}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONTEXT="$HERE/$NAME"

if [ ! -f "$CONTEXT/Dockerfile" ]; then
  echo "build: no Dockerfile at $CONTEXT/Dockerfile" >&2
  exit 2
fi

if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  bash "$HERE/offline-base.sh" debian:bookworm-slim
fi

# --pull=false: the base is local by design; pulling would need a registry that is not there.
docker build --pull=false -t "fixer-sandbox:$NAME" "$CONTEXT" >&2
echo "fixer-sandbox:$NAME"
