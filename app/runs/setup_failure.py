"""What a failed setup command says on the issue and in Slack: the command, its exit code,
the last lines of its output, and the likely fix when the output shows a known cause."""

from __future__ import annotations

import re

TAIL_LINES = 20
TAIL_CHARS = 2000

# (pattern in the output, what to do): the first match wins, most specific first.
HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SELF_SIGNED_CERT_IN_CHAIN|"
            r"self[- ]signed certificate|unable to get local issuer certificate|"
            r"UNABLE_TO_GET_ISSUER_CERT|x509: certificate signed by unknown authority|"
            r"PKIX path building failed|invalid peer certificate",
            re.IGNORECASE,
        ),
        "the sandbox does not trust the TLS certificate it was shown, usually a company proxy's. "
        "Set FIXER_SANDBOX_CA_CERTS to that CA's PEM file (or a directory of them) and retry.",
    ),
    (
        re.compile(
            r"Temporary failure in name resolution|Could not resolve host|getaddrinfo|"
            r"ENOTFOUND|EAI_AGAIN|Network is unreachable|Connection timed out|ETIMEDOUT|"
            r"Failed to establish a new connection|proxyconnect",
            re.IGNORECASE,
        ),
        "setup could not reach the network. Behind a proxy, set FIXER_SANDBOX_PROXY; with an "
        "internal mirror, FIXER_SANDBOX_PIP_INDEX_URL or FIXER_SANDBOX_NPM_REGISTRY.",
    ),
    (
        re.compile(r"externally-managed-environment", re.IGNORECASE),
        "the command installs into the image's system Python; use `pip install` as is (a "
        "virtual environment is active), not `sudo` or `--target` outside the home.",
    ),
    (
        re.compile(r"(?:^|\s)(go|cargo|rustc|java|javac|mvn|gradle): (?:command )?not found"),
        "the default image has no Go, Rust or Java: add `image: universal` to "
        ".github/fixer.yml (or name a custom image that has the tool).",
    ),
    (
        re.compile(r": (?:command )?not found", re.IGNORECASE),
        "a tool the command needs is not in the sandbox image: add it in a custom image "
        "(FROM fixer-sandbox:default) and name it with `image:` in .github/fixer.yml.",
    ),
    (
        re.compile(r"No space left on device|ENOSPC", re.IGNORECASE),
        "the Docker host ran out of disk: `fixer sandbox prune` removes dependency caches.",
    ),
)


def hint(output: str) -> str | None:
    """The likely fix for a setup failure with this output, or None."""
    for pattern, advice in HINTS:
        if pattern.search(output):
            return advice
    return None


def describe(command: str, exit_code: int, output: str, timed_out: bool = False) -> str:
    """Markdown for the status comment and Slack."""
    lines = output.rstrip().splitlines()[-TAIL_LINES:]
    tail = "\n".join(lines)[-TAIL_CHARS:].replace("```", "ʼʼʼ")
    how = "timed out" if timed_out else f"failed with exit code {exit_code}"
    text = f"setup command `{command}` {how}.\n\nLast lines of its output:\n```\n{tail}\n```"
    advice = hint(output)
    return f"{text}\nLikely fix: {advice}" if advice else text
