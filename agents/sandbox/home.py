"""The sandbox user's home: an active virtual environment, a login profile, setup trust.

The home is a per-run volume (the root filesystem is read-only), so what setup installs
there lives as long as the run's container; a rebuilt container runs setup again, which
reinstalls quickly from the repository's dependency cache at ``~/.cache``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from agents.errors import SandboxError
from agents.sandbox import environment as env
from agents.sandbox.workspace_archive import pack_files

if TYPE_CHECKING:
    from agents.sandbox.docker import DockerSandbox

# `python3 -m venv` with pip takes seconds (ensurepip unpacks wheels); without pip it takes
# milliseconds, and Debian's own pip wheel, put on the venv's path, installs into the venv.
# Images without that wheel get the ordinary venv. Debian's /etc/profile resets PATH for
# login shells, so the profile puts the venv (and toolchain bins) back in front.
INIT_SCRIPT = f"""set -e
venv={env.VENV}
if command -v python3 >/dev/null 2>&1 && [ ! -x "$venv/bin/python" ]; then
  whl=$(ls /usr/share/python-wheels/pip-*.whl 2>/dev/null | head -1)
  if [ -n "$whl" ]; then
    python3 -m venv --without-pip "$venv"
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
    printf '%s\\n' "$whl" > "$site/fixer-pip.pth"
    for name in pip pip3; do
      shim="$venv/bin/$name"
      {{ printf '#!%s/bin/python\\nimport sys\\n' "$venv"
        printf 'from pip._internal.cli.main import main\\nsys.exit(main())\\n'; }} > "$shim"
      chmod 755 "$shim"
    done
  else
    python3 -m venv "$venv"
  fi
fi
mkdir -p {env.FIXER_DIR}
cat > {env.HOME}/.bash_profile <<'PROFILE'
# Written by Fixer: the run's virtual environment and toolchains come first on PATH.
[ -f ~/.profile ] && . ~/.profile
case ":$PATH:" in
  *":{env.VENV}/bin:"*) ;;
  *) PATH="{env.TOOL_BINS}:$PATH" ;;
esac
export PATH
PROFILE
"""

# Debian's bundle plus the extra certificates; a Java trust store when a JDK is there.
CA_SCRIPT = f"""set -e
system=/etc/ssl/certs/ca-certificates.crt
{{ [ -f "$system" ] && cat "$system"; cat {env.CA_EXTRA}; }} > {env.CA_BUNDLE}
if command -v keytool >/dev/null 2>&1; then
  store={env.JAVA_TRUSTSTORE}
  rm -f "$store"
  java=/etc/ssl/certs/java/cacerts
  [ -f "$java" ] && cp "$java" "$store" && chmod 600 "$store"
  dir=$(mktemp -d)
  awk -v dir="$dir" '/BEGIN CERTIFICATE/ {{n++}} n {{print > (dir "/" n ".pem")}}' {env.CA_EXTRA}
  for pem in "$dir"/*.pem; do
    [ -f "$pem" ] || continue
    keytool -importcert -noprompt -storepass changeit -keystore "$store" \\
      -alias "fixer-$(basename "$pem" .pem)" -file "$pem" >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
fi
"""


# The sandbox images run INIT_SCRIPT at build time (sandbox_images/default/init-home.sh is
# this script, checked by a test) and carry its digest in this label: a new home volume is
# filled from the image's /home/fixer, so a container of such an image needs no init exec.
HOME_LABEL = "fixer.sandbox.home"
IMAGE_SCRIPT = "sandbox_images/default/init-home.sh"


def script_digest() -> str:
    """What ``HOME_LABEL`` says on an image whose home INIT_SCRIPT made at build time."""
    return hashlib.sha256(INIT_SCRIPT.encode()).hexdigest()[:16]


def built_in(image_labels: Mapping[str, str] | None) -> bool:
    """True when the image's home (and its mount points) were prepared at build time."""
    return (image_labels or {}).get(HOME_LABEL) == script_digest()


def init_home(sandbox: DockerSandbox) -> None:
    """Create the venv and the login profile (idempotent; run once per new container)."""
    outcome = sandbox.run_script(INIT_SCRIPT, timeout=120, cap=8192)
    if outcome.exit_code != 0:
        text = outcome.output.render()[0].decode(errors="replace").strip()
        raise SandboxError(f"could not prepare the home of the sandbox {sandbox.name}: {text}")


def install_ca(sandbox: DockerSandbox, pem: bytes) -> None:
    """Trust ``pem`` in setup: a bundle for OpenSSL-based tools, a Java trust store."""
    archive = pack_files({"extra-ca.pem": (pem, 0o644)})
    if not sandbox.container.put_archive(env.FIXER_DIR, archive):
        raise SandboxError(f"could not copy the CA certificates into {sandbox.name}")
    outcome = sandbox.run_script(CA_SCRIPT, timeout=120, cap=8192)
    if outcome.exit_code != 0:
        text = outcome.output.render()[0].decode(errors="replace").strip()
        raise SandboxError(f"could not install the CA certificates in {sandbox.name}: {text}")
