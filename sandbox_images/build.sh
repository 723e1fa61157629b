#!/usr/bin/env bash
# Build a sandbox image: sandbox_images/<name>/Dockerfile -> fixer-sandbox:<name>.
# Makes the debian:bookworm-slim base offline first when it is missing (no registry needed).
# An image whose Dockerfile starts FROM fixer-sandbox:<other> gets <other> built first.
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

PARENT=$(sed -nE 's/^FROM +fixer-sandbox:([A-Za-z0-9_.-]+).*/\1/p' "$CONTEXT/Dockerfile" | head -1)
if [ -n "$PARENT" ]; then
  bash "$HERE/build.sh" "$PARENT" >/dev/null
fi

# What the build itself trusts for downloads (uv from PyPI, corepack from npm): the sandbox
# CA setting, else the host's own bundle, which trusts a TLS-inspecting proxy when the host does.
CA_OUT="$CONTEXT/build-ca.pem"
: > "$CA_OUT.tmp"
for src in "${FIXER_SANDBOX_CA_CERTS:-}" "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt; do
  if [ -n "$src" ] && [ -d "$src" ]; then
    cat /etc/ssl/certs/ca-certificates.crt "$src"/*.pem "$src"/*.crt 2>/dev/null >> "$CA_OUT.tmp" || true
    break
  elif [ -n "$src" ] && [ -f "$src" ]; then
    cat "$src" >> "$CA_OUT.tmp"
    break
  fi
done
# Only replace the file when it changed, so docker's layer cache still holds.
if cmp -s "$CA_OUT.tmp" "$CA_OUT" 2>/dev/null; then rm -f "$CA_OUT.tmp"; else mv "$CA_OUT.tmp" "$CA_OUT"; fi

# npm's release tarball for images that install npm from it (see default/Dockerfile), packed
# once per version by the host's npm; without one the image falls back to Debian's package.
NPM_VERSION=$(sed -nE 's/^ARG NPM_VERSION=([0-9.]+).*/\1/p' "$CONTEXT/Dockerfile" | head -1)
if [ -n "$NPM_VERSION" ]; then
  mkdir -p "$CONTEXT/npm-pack"
  if [ ! -s "$CONTEXT/npm-pack/npm-$NPM_VERSION.tgz" ] && command -v npm >/dev/null 2>&1; then
    (cd "$CONTEXT/npm-pack" && npm pack --silent "npm@$NPM_VERSION" >/dev/null 2>&1) \
      || echo "build: could not pack npm@$NPM_VERSION; using Debian's npm" >&2
  fi
fi

# An image that prepares the sandbox home at build time says so with the script's digest;
# Fixer then skips that work when a container starts (images built FROM it inherit the label).
LABELS=()
if [ -f "$CONTEXT/init-home.sh" ]; then
  LABELS=(--label "fixer.sandbox.home=$(sha256sum "$CONTEXT/init-home.sh" | cut -c1-16)")
fi

# --pull=false: the base is local by design; pulling would need a registry that is not there.
docker build --pull=false "${LABELS[@]}" -t "fixer-sandbox:$NAME" "$CONTEXT" >&2
echo "fixer-sandbox:$NAME"
