"""Amazon Bedrock's runtime API in front of a ``ScriptedModel``: InvokeModel, its streaming
twin and CountTokens, with SigV4 (or Bedrock API key) authentication checked.

Routes (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html,
…/API_runtime_InvokeModelWithResponseStream.html, …/API_runtime_CountTokens.html):
``POST /model/{modelId}/invoke``, ``/invoke-with-response-stream`` (AWS event-stream
framing, ``devtools.aws_eventstream``) and ``/count-tokens``. The body is the Messages API
request without ``model`` and ``stream`` and with ``anthropic_version: bedrock-2023-05-31``
(https://platform.claude.com/docs/en/build-with-claude/claude-on-amazon-bedrock-legacy: the
SDK's default ``2026-10-21`` is refused with a 400 by the ARN-versioned models).

SigV4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
the credential scope must be ``KEY/DATE/REGION/bedrock/aws4_request`` for a known key, the
date that of ``X-Amz-Date`` and within 5 minutes of now (AWS allows 15 of clock skew;
strict), the session
token present when the key has one, and the signature the one botocore computes from the
signed headers, the path and the payload with the key's secret. Errors carry AWS's JSON
``{"message": …}`` with the ``x-amzn-ErrorType`` header.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devtools import aws_eventstream
from devtools.scripted_model import RecordedRequest, ScriptedModel, WireResponse

PATH = re.compile(
    r"^/model/(?P<model>[^/]+)/(?P<op>invoke|invoke-with-response-stream|count-tokens)$"
)
AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<signed>[^,]+), ?"
    r"Signature=(?P<sig>[0-9a-f]{64})$"
)
VERSION = "bedrock-2023-05-31"
ERROR_TYPES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


@dataclass(frozen=True)
class AwsKey:
    """An access key the emulation accepts."""

    access_key_id: str
    secret: str
    session_token: str | None = None


@dataclass
class BedrockFront:
    model: ScriptedModel
    region: str = "us-east-1"
    keys: list[AwsKey] = field(default_factory=list)
    api_keys: list[str] = field(default_factory=list)
    """Bedrock API keys (``Authorization: Bearer``)."""
    requests: list[RecordedRequest] = field(default_factory=list)
    """Every request as Bedrock received it (path with the model id, raw body)."""

    def respond(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> WireResponse:
        lowered = {k.lower(): v for k, v in headers.items()}
        body: dict[str, Any] = json.loads(raw or b"{}")
        self.requests.append(RecordedRequest(method, path, lowered, body))
        route = PATH.match(path.split("?")[0])
        if method != "POST" or route is None:
            return _aws_error(404, "UnknownOperationException", "")
        if problem := self._auth_problem(method, path, lowered, raw):
            return problem
        model_id = route.group("model").replace("%3A", ":")
        from agents.model_catalog import catalog

        if catalog().find(model_id) is None or "anthropic." not in model_id:
            return _aws_error(
                400, "ValidationException", "The provided model identifier is invalid."
            )
        if route.group("op") == "count-tokens":
            inner = json.loads(base64.b64decode(body["input"]["invokeModel"]["body"]))
            return _json(200, {"inputTokens": max(1, len(json.dumps(inner)) // 4)})
        for key in ("model", "stream"):
            if key in body:
                return _aws_error(
                    400,
                    "ValidationException",
                    f"Malformed input request: #: extraneous key [{key}] is not permitted, "
                    "please reformat your input and try again.",
                )
        if body.get("anthropic_version") != VERSION:
            return _aws_error(
                400,
                "ValidationException",
                f"Malformed input request: anthropic_version {body.get('anthropic_version')!r} "
                f"is not supported by {model_id}; use {VERSION!r}",
            )
        stream = route.group("op") == "invoke-with-response-stream"
        forwarded = {k: v for k, v in body.items() if k != "anthropic_version"}
        forwarded.update(model=model_id, stream=stream)
        wire = self.model.respond("POST", "/v1/messages", headers, json.dumps(forwarded).encode())
        if wire.status != 200:
            error = json.loads(wire.body).get("error", {})
            status = 503 if wire.status == 529 else wire.status
            kind = ERROR_TYPES.get(status, "InternalServerException")
            return _aws_error(status, kind, str(error.get("message")))
        if not stream:
            return wire
        return WireResponse(
            200,
            {
                "content-type": aws_eventstream.CONTENT_TYPE,
                "x-amzn-bedrock-content-type": "application/json",
                "x-amzn-requestid": "bedrock-scripted",
            },
            aws_eventstream.from_sse(wire.body),
        )

    def _auth_problem(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> WireResponse | None:
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer "):
            if auth[7:] in self.api_keys:
                return None
            return _aws_error(403, "UnrecognizedClientException", "Invalid API Key format")
        found = AUTH.match(auth)
        if found is None:
            return _aws_error(
                403, "MissingAuthenticationTokenException", "Missing Authentication Token"
            )
        key = next((k for k in self.keys if k.access_key_id == found.group("key")), None)
        if key is None:
            return _aws_error(
                403,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        amz_date = headers.get("x-amz-date", "")
        scope_ok = (
            found.group("service") == "bedrock"
            and found.group("region") == self.region
            and amz_date.startswith(found.group("date"))
        )
        signed = found.group("signed").split(";")
        if not scope_ok or "host" not in signed or "x-amz-date" not in signed:
            return _aws_error(
                403,
                "InvalidSignatureException",
                f"Credential should be scoped to a valid region ({self.region}) and service "
                "'bedrock', on the day of X-Amz-Date; host and x-amz-date must be signed.",
            )
        when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if abs((datetime.now(UTC) - when).total_seconds()) > 300:
            return _aws_error(403, "InvalidSignatureException", "Signature expired")
        if (
            key.session_token is not None
            and headers.get("x-amz-security-token") != key.session_token
        ):
            return _aws_error(
                403,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        if _signature(key, self.region, method, path, headers, signed, raw) != found.group("sig"):
            return _aws_error(
                403,
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.",
            )
        return None


def _signature(
    key: AwsKey,
    region: str,
    method: str,
    path: str,
    headers: dict[str, str],
    signed: list[str],
    raw: bytes,
) -> str:
    """The SigV4 signature of the request, computed by botocore as AWS would."""
    from botocore.auth import SigV4Auth  # type: ignore[import-untyped]
    from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
    from botocore.credentials import Credentials  # type: ignore[import-untyped]

    request = AWSRequest(
        method=method,
        url=f"http://{headers['host']}{path}",
        headers={name: headers[name] for name in signed if name in headers},
        data=raw,
    )
    request.context["timestamp"] = headers["x-amz-date"]
    signer = SigV4Auth(
        Credentials(key.access_key_id, key.secret, key.session_token), "bedrock", region
    )
    canonical = signer.canonical_request(request)
    signature: str = signer.signature(signer.string_to_sign(request, canonical), request)
    return signature


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> WireResponse:
    return WireResponse(
        status,
        {
            "content-type": "application/json",
            "x-amzn-requestid": "bedrock-scripted",
            **(headers or {}),
        },
        json.dumps(body).encode(),
    )


def _aws_error(status: int, kind: str, message: str) -> WireResponse:
    return _json(
        status,
        {"message": message},
        {"x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"},
    )
