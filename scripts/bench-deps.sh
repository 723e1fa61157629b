#!/usr/bin/env bash
# What `make bench` needs on the host besides the venv and the sandbox images: command-line
# tools from Debian's packages, installed with apt when missing (a fresh machine has none).
# Idempotent: does nothing when every tool is already on PATH.
set -euo pipefail

# One line per tool: "<command on PATH> <Debian package that provides it>  # who needs it".
# Add a tool by adding a line here.
NEEDED=(
  "rg ripgrep"  # bench/sandbox.py: the host ripgrep the grep tool is compared with
  "wrk wrk"  # bench/ingest.py: the HTTP load generator (the figure is the server's, not a client's)
)

missing=()
for entry in "${NEEDED[@]}"; do
  read -r cmd pkg <<<"$entry"
  if ! command -v "$cmd" >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "bench-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (an unattended upgrade, a parallel setup) instead of failing.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=300 -qq)
"${APT[@]}" update
"${APT[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null

for entry in "${NEEDED[@]}"; do
  read -r cmd pkg <<<"$entry"
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "bench-deps: $pkg is installed but '$cmd' is not on PATH" >&2
    exit 1
  fi
done
