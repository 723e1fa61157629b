"""The AWS event-stream binary framing, as Bedrock's InvokeModelWithResponseStream sends it.

Each message: a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes),
headers (name length, name, value type 7 = string, value length, value), the payload, and a
CRC32 of everything before it
(https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html, the same
framing; https://docs.aws.amazon.com/bedrock/latest/APIReference/
API_runtime_InvokeModelWithResponseStream.html). A Messages API event travels base64-encoded
in a ``chunk`` event's ``bytes`` field; a failure is an ``exception`` message whose
``:exception-type`` names it. botocore's ``EventStreamBuffer`` (what the Anthropic SDK
decodes with) checks both CRCs, so a framing mistake here fails the test that uses it.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

STRING = 7
CONTENT_TYPE = "application/vnd.amazon.eventstream"


def message(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message."""
    encoded = b"".join(
        bytes([len(name.encode())])
        + name.encode()
        + bytes([STRING])
        + struct.pack(">H", len(value.encode()))
        + value.encode()
        for name, value in headers.items()
    )
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return body + struct.pack(">I", zlib.crc32(body))


def chunk(event: dict[str, Any]) -> bytes:
    """A Messages API stream event inside a Bedrock ``chunk`` event."""
    data = base64.b64encode(json.dumps(event).encode()).decode()
    payload = json.dumps({"bytes": data, "p": "abcdefghijklmnopqrstuvwxyzABCDEF"}).encode()
    return message(
        {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"},
        payload,
    )


def exception(kind: str, text: str) -> bytes:
    """A stream that ends in an error (``throttlingException``, ``modelStreamErrorException``…)."""
    return message(
        {
            ":exception-type": kind,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": text}).encode(),
    )


def from_sse(sse: bytes) -> bytes:
    """The Anthropic SSE body ``sse`` re-framed as Bedrock streams it (``ping`` events are not
    forwarded; an ``error`` event becomes the exception Bedrock sends under load)."""
    out = []
    for block in sse.decode().split("\n\n"):
        data = next((line[6:] for line in block.splitlines() if line.startswith("data: ")), None)
        if data is None:
            continue
        event = json.loads(data)
        if event.get("type") == "ping":
            continue
        if event.get("type") == "error":
            error = event["error"]
            kind = {
                "overloaded_error": "serviceUnavailableException",
                "rate_limit_error": "throttlingException",
            }.get(error["type"], "modelStreamErrorException")
            out.append(exception(kind, error["message"]))
            break
        out.append(chunk(event))
    return b"".join(out)
