"""One command in a running container: two API round-trips, a deadline, bounded memory.

``exec_run`` from the SDK costs three round-trips (create, start, inspect) and buffers all
output. Here the wrapper prints the exit status as a sentinel after the command, so reading
stops at the sentinel (even while a backgrounded child still holds stdout open) and no
``exec_inspect`` is needed on the hot path.
"""

from __future__ import annotations

import re
import select
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from docker.errors import APIError, NotFound

from agents.errors import CommandTimeout, SandboxError, SandboxLost

# The command runs under `timeout` (which makes itself a process-group leader and kills the
# whole group on expiry) in one bash that prints the exit status from its EXIT trap: two
# processes per command, because every extra exec costs milliseconds on the hot path.
# The TERM trap turns `timeout`'s SIGTERM into status 124, which bash otherwise loses.
# The sentinel goes to both streams: docker relays them through separate pipes, so only once
# both have delivered it is all the command's output in.
WRAPPER = """trap 's=$?; printf "\\0FIXER-EXIT:%d\\0" $s; printf "\\0FIXER-EXIT:%d\\0" $s >&2' EXIT
trap 'exit 124' TERM
eval "$1"
"""


def wrapped(command: str, timeout: float, grace: float, *, login: bool) -> list[str]:
    """argv that runs ``command`` under ``timeout`` and prints the exit-status sentinel."""
    flag = "-lc" if login else "-c"
    return ["timeout", "-k", f"{grace:g}", f"{timeout:g}", "bash", flag, WRAPPER, "fixer", command]


SENTINEL = re.compile(rb"\x00FIXER-EXIT:(-?\d+)\x00$")
TIMEOUT_EXIT_CODES = (124, 137)


@dataclass
class CapturedOutput:
    """Output kept as head + tail when it outgrows ``cap`` (``None`` keeps everything)."""

    cap: int | None
    split_stderr: bool = False
    """Keep stderr apart in ``errors`` (for internal scripts whose stdout is data)."""
    errors: bytearray = field(default_factory=bytearray)
    head: bytearray = field(default_factory=bytearray)
    tail: bytearray = field(default_factory=bytearray)
    total: int = 0
    newlines: int = 0
    stream_tails: dict[int, bytes] = field(default_factory=lambda: {1: b"", 2: b""})

    def add(self, stream: int, data: bytes) -> None:
        self.stream_tails[stream] = (self.stream_tails.get(stream, b"") + data)[-64:]
        if stream == 2 and self.split_stderr:
            self.errors += data[: 65536 - len(self.errors)]
            return
        self.total += len(data)
        self.newlines += data.count(b"\n")
        if self.cap is None or len(self.head) < self.cap // 2:
            room = len(data) if self.cap is None else self.cap // 2 - len(self.head)
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            half = (self.cap or 0) // 2
            if len(self.tail) > 2 * half + 4096:
                del self.tail[: len(self.tail) - half - 64]

    def finished(self) -> re.Match[bytes] | None:
        """The sentinel, once both streams end with it."""
        found = [SENTINEL.search(self.stream_tails.get(n, b"")) for n in (1, 2)]
        return found[0] if found[0] and found[1] else None

    def strip_sentinel(self, sentinel: bytes) -> None:
        if self.errors.endswith(sentinel):
            del self.errors[-len(sentinel) :]
        for _ in range(1 if self.split_stderr else 2):
            self._strip_one(sentinel)

    def _strip_one(self, sentinel: bytes) -> None:
        for buf in (self.tail, self.head):
            at = buf.rfind(sentinel)
            if at >= 0:
                del buf[at : at + len(sentinel)]
                self.total -= len(sentinel)
                return

    def render(self) -> tuple[bytes, int, int]:
        """(kept bytes with a cut note in the middle, bytes cut, lines cut)."""
        half = (self.cap or 0) // 2
        tail = bytes(self.tail[-half:]) if self.cap is not None else bytes(self.tail)
        cut = self.total - len(self.head) - len(tail)
        if cut <= 0:
            return bytes(self.head) + bytes(self.tail), 0, 0
        kept_lines = self.head.count(b"\n") + tail.count(b"\n")
        lines = max(self.newlines - kept_lines, 0)
        note = (
            f"\n[... output truncated: {cut} bytes ({lines} lines) cut from the middle of "
            f"{self.total} bytes; redirect to a file and read parts of it ...]\n"
        ).encode()
        return bytes(self.head) + note + tail, cut, lines


@dataclass
class ExecOutcome:
    """What came back from one exec."""

    exit_code: int
    output: CapturedOutput
    duration_ms: float


def run_exec(
    api: Any,
    container_id: str,
    argv: list[str],
    *,
    user: str,
    workdir: str,
    deadline_s: float,
    cap: int | None,
    split_stderr: bool = False,
    environment: dict[str, str] | None = None,
) -> ExecOutcome:
    """Run ``argv`` (already wrapped or not) and collect its frames until EOF or sentinel."""
    started = time.monotonic()
    try:
        exec_id = api.exec_create(
            container_id, argv, user=user, workdir=workdir, environment=environment
        )["Id"]
        raw = api.exec_start(exec_id, socket=True)
    except Exception as exc:
        if _gone(exc):
            raise SandboxLost(f"the sandbox container {container_id[:12]} is gone: {exc}") from exc
        raise SandboxError(
            f"could not start a command in container {container_id[:12]}: {exc}"
        ) from exc
    sock: socket.socket = getattr(raw, "_sock", raw)
    captured = CapturedOutput(cap, split_stderr)
    match: re.Match[bytes] | None = None
    try:
        for stream, chunk in _frames(sock, started + deadline_s):
            captured.add(stream, chunk)
            if chunk.endswith(b"\x00"):
                match = captured.finished()
                if match:
                    break
    finally:
        _close(raw)
    duration = (time.monotonic() - started) * 1000
    if match:
        captured.strip_sentinel(match.group(0))
        return ExecOutcome(int(match.group(1)), captured, duration)
    code = api.exec_inspect(exec_id).get("ExitCode")
    # No sentinel: the command died, or the whole container did (then no result is true).
    try:
        running = api.inspect_container(container_id)["State"]["Running"]
    except NotFound:
        running = False
    if not running:
        raise SandboxLost(f"the sandbox container {container_id[:12]} stopped during a command")
    return ExecOutcome(-1 if code is None else int(code), captured, duration)


def _gone(exc: Exception) -> bool:
    """Docker's answer for a removed (404) or stopped (409 "is not running") container."""
    return isinstance(exc, NotFound) or (
        isinstance(exc, APIError) and exc.status_code == 409 and "not running" in str(exc)
    )


def _close(raw: Any) -> None:
    """Close the hijacked connection; the HTTP response wrapping it first, then the socket."""
    response = getattr(raw, "_response", None)
    for closable in (response, raw):
        try:
            if closable is not None:
                closable.close()
        except (OSError, ValueError):
            pass


def _frames(sock: socket.socket, deadline: float) -> Any:
    """Docker's multiplexed frames ``(stream, payload)``; raises past ``deadline``."""
    buf = bytearray()
    want = 8
    header: tuple[int, int] | None = None
    while True:
        while len(buf) < want:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                raise CommandTimeout(
                    "the command's output stayed open past its deadline (a background process "
                    "kept stdout open?); redirect background output to a file"
                )
            data = sock.recv(65536)
            if not data:
                return
            buf += data
        if header is None:
            stream, size = struct.unpack(">BxxxL", bytes(buf[:8]))
            del buf[:8]
            header = (stream, size)
            want = size
            continue
        yield header[0], bytes(buf[:want])
        del buf[:want]
        header = None
        want = 8
