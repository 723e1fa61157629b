"""The environment every sandbox command sees, and the extra one setup commands get.

Every command: a Python virtual environment at ``~/.venv`` is active (so ``pip install`` and
``uv sync`` never meet Debian's "externally managed" Python), and every package manager keeps
its downloads under ``~/.cache``, the repository's cache volume. Setup commands also get the
set-up network settings: extra CA certificates, a proxy, package index mirrors. None of these
is a secret; they are gone once setup is over.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from agents.sandbox.config import SetupNetwork

HOME = "/home/fixer"
VENV = f"{HOME}/.venv"
CACHE = f"{HOME}/.cache"
FIXER_DIR = f"{HOME}/.fixer"
CA_EXTRA = f"{FIXER_DIR}/extra-ca.pem"
CA_BUNDLE = f"{FIXER_DIR}/ca-bundle.pem"
JAVA_TRUSTSTORE = f"{FIXER_DIR}/cacerts"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TOOL_BINS = f"{VENV}/bin:{CACHE}/cargo/bin:{HOME}/go/bin:{HOME}/.local/bin"

# Nothing from the host's environment: only what a shell needs to behave predictably, plus
# where each toolchain installs and caches.
COMMAND_ENV = {
    "PATH": f"{TOOL_BINS}:{SYSTEM_PATH}",
    "HOME": HOME,
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    # Bytecode caches would show up as untracked files in the run's patch.
    "PYTHONDONTWRITEBYTECODE": "1",
    "TERM": "dumb",
    "PAGER": "cat",
    "GIT_PAGER": "cat",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "VIRTUAL_ENV": VENV,
    "UV_PROJECT_ENVIRONMENT": VENV,
    "PIP_CACHE_DIR": f"{CACHE}/pip",
    "UV_CACHE_DIR": f"{CACHE}/uv",
    # The cache and the venv are different volumes: hard links cannot cross them.
    "UV_LINK_MODE": "copy",
    "npm_config_cache": f"{CACHE}/npm",
    "npm_config_update_notifier": "false",
    "npm_config_fund": "false",
    "npm_config_audit": "false",
    "npm_config_store_dir": f"{CACHE}/pnpm-store",
    "YARN_CACHE_FOLDER": f"{CACHE}/yarn",
    "COREPACK_HOME": f"{CACHE}/corepack",
    "COREPACK_ENABLE_DOWNLOAD_PROMPT": "0",
    "GOPATH": f"{HOME}/go",
    "GOMODCACHE": f"{CACHE}/go-mod",
    "GOCACHE": f"{CACHE}/go-build",
    "CARGO_HOME": f"{CACHE}/cargo",
    "MAVEN_OPTS": f"-Dmaven.repo.local={CACHE}/m2",
    "GRADLE_USER_HOME": f"{CACHE}/gradle",
}


def setup_env(network: SetupNetwork, *, has_ca: bool) -> dict[str, str]:
    """Variables added to setup commands only (trust, proxy, mirrors)."""
    env: dict[str, str] = {}
    java: list[str] = []
    if has_ca:
        for name in (
            "SSL_CERT_FILE",
            "REQUESTS_CA_BUNDLE",
            "CURL_CA_BUNDLE",
            "PIP_CERT",
            "GIT_SSL_CAINFO",
            "CARGO_HTTP_CAINFO",
            "npm_config_cafile",
        ):
            env[name] = CA_BUNDLE
        env["NODE_EXTRA_CA_CERTS"] = CA_EXTRA
        java += [
            f"-Djavax.net.ssl.trustStore={JAVA_TRUSTSTORE}",
            "-Djavax.net.ssl.trustStorePassword=changeit",
        ]
    if network.proxy:
        no_proxy = network.no_proxy or "localhost,127.0.0.1"
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env[name] = network.proxy
        env["NO_PROXY"] = env["no_proxy"] = no_proxy
        java += _java_proxy(network.proxy, no_proxy)
    if network.pip_index_url:
        env["PIP_INDEX_URL"] = env["UV_INDEX_URL"] = network.pip_index_url
        env["UV_DEFAULT_INDEX"] = network.pip_index_url
        parts = urlsplit(network.pip_index_url)
        if parts.scheme == "http" and parts.hostname:
            # pip refuses a plain-HTTP index unless its host is named as trusted.
            env["PIP_TRUSTED_HOST"] = parts.hostname
    if network.npm_registry:
        for name in ("npm_config_registry", "YARN_NPM_REGISTRY_SERVER", "COREPACK_NPM_REGISTRY"):
            env[name] = network.npm_registry
    if java:
        env["JAVA_TOOL_OPTIONS"] = " ".join(java)
    return env


def _java_proxy(proxy: str, no_proxy: str) -> list[str]:
    parts = urlsplit(proxy)
    if not parts.hostname:
        return []
    port = str(parts.port or (443 if parts.scheme == "https" else 80))
    hosts = "|".join(h.strip() for h in no_proxy.split(",") if h.strip())
    flags = [f"-D{scheme}.proxyHost={parts.hostname}" for scheme in ("http", "https")]
    flags += [f"-D{scheme}.proxyPort={port}" for scheme in ("http", "https")]
    return [*flags, f"-Dhttp.nonProxyHosts={hosts}"] if hosts else flags
