"""Google Vertex AI and Microsoft Foundry in front of a ``ScriptedModel``, as the Anthropic
SDK's ``AsyncAnthropicVertex`` and ``AsyncAnthropicFoundry`` reach them.

Vertex (https://platform.claude.com/docs/en/build-with-claude/claude-on-vertex-ai,
https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/count-tokens):
``POST /v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:
streamRawPredict`` (or ``:rawPredict``), ``Authorization: Bearer`` with an OAuth access token,
the model in the path and not the body, ``anthropic_version: vertex-2023-10-16`` in the body;
``…/models/count-tokens:rawPredict`` counts for free with the model in the body. Errors use
Google's ``{"error": {"code", "message", "status"}}``. ``POST /token`` mints access tokens for
a service-account JWT (RFC 7523), the flow google-auth runs for GOOGLE_APPLICATION_CREDENTIALS,
checking the JWT's RS256 signature with the account's public key.

Foundry (https://platform.claude.com/docs/en/build-with-claude/claude-in-microsoft-foundry):
the Messages API under ``https://{resource}.services.ai.azure.com/anthropic/``, the key in
``api-key`` (or an Entra ID token as ``Authorization: Bearer``); Azure's 401 otherwise.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from devtools.scripted_model import RecordedRequest, ScriptedModel, WireResponse

VERTEX_PATH = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<region>[^/]+)/publishers/anthropic/"
    r"models/(?P<model>[^/:]+):(?P<verb>streamRawPredict|rawPredict)$"
)
VERTEX_VERSION = "vertex-2023-10-16"
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential."
)


def _json(status: int, body: dict[str, Any]) -> WireResponse:
    return WireResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())


def _google_error(code: int, status: str, message: str) -> WireResponse:
    return _json(code, {"error": {"code": code, "message": message, "status": status}})


@dataclass
class VertexFront:
    model: ScriptedModel
    project: str = "fixer-test"
    region: str = "us-east5"
    tokens: set[str] = field(default_factory=set)
    """Access tokens accepted (given out by ``/token`` or set by the test)."""
    service_account_certs: dict[str, str] = field(default_factory=dict)
    """key id → PEM certificate/public key of the service accounts ``/token`` accepts."""
    requests: list[RecordedRequest] = field(default_factory=list)

    def respond(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> WireResponse:
        lowered = {k.lower(): v for k, v in headers.items()}
        if path.split("?")[0] == "/token":
            return self._token(raw)
        body: dict[str, Any] = json.loads(raw or b"{}")
        self.requests.append(RecordedRequest(method, path, lowered, body))
        route = VERTEX_PATH.match(path.split("?")[0])
        if method != "POST" or route is None:
            return _google_error(404, "NOT_FOUND", f"The requested URL {path} was not found.")
        auth = lowered.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return _google_error(401, "UNAUTHENTICATED", UNAUTHENTICATED)
        if route.group("project") != self.project or route.group("region") != self.region:
            return _google_error(
                403,
                "PERMISSION_DENIED",
                f"Permission 'aiplatform.endpoints.predict' denied on resource "
                f"'projects/{route.group('project')}/locations/{route.group('region')}'",
            )
        model = route.group("model")
        if model == "count-tokens":
            return self._count(body, route.group("verb"))
        from agents.model_catalog import catalog

        facts = catalog().find(model)
        if facts is None or facts.vertex != model:
            return _google_error(
                404,
                "NOT_FOUND",
                f"Publisher Model `projects/{self.project}/locations/{self.region}/publishers/"
                f"anthropic/models/{model}` not found.",
            )
        if "model" in body:
            return _google_error(400, "INVALID_ARGUMENT", "model: Extra inputs are not permitted")
        if body.get("anthropic_version") != VERTEX_VERSION:
            return _google_error(
                400,
                "INVALID_ARGUMENT",
                f"anthropic_version: Input should be {VERTEX_VERSION!r}; "
                f"got {body.get('anthropic_version')!r}",
            )
        streaming = route.group("verb") == "streamRawPredict"
        if bool(body.get("stream")) != streaming:
            return _google_error(
                400, "INVALID_ARGUMENT", "stream must be true for streamRawPredict only"
            )
        forwarded = {k: v for k, v in body.items() if k != "anthropic_version"}
        forwarded["model"] = model
        return self.model.respond("POST", "/v1/messages", headers, json.dumps(forwarded).encode())

    def _count(self, body: dict[str, Any], verb: str) -> WireResponse:
        if verb != "rawPredict" or "model" not in body:
            return _google_error(400, "INVALID_ARGUMENT", "count-tokens needs rawPredict and model")
        return _json(200, {"input_tokens": max(1, len(json.dumps(body["messages"])) // 4)})

    def _token(self, raw: bytes) -> WireResponse:
        """RFC 7523 JWT bearer grant, as google-auth's service-account credentials send it."""
        from google.auth import jwt

        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return _json(400, {"error": "unsupported_grant_type"})
        try:
            claims = jwt.decode(  # type: ignore[no-untyped-call]
                form.get("assertion", ""), certs=self.service_account_certs
            )
        except ValueError as exc:
            return _json(400, {"error": "invalid_grant", "error_description": str(exc)})
        if "cloud-platform" not in str(claims.get("scope")):
            return _json(400, {"error": "invalid_scope"})
        token = "ya29.scripted-" + secrets.token_hex(8)
        self.tokens.add(token)
        return _json(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})


@dataclass
class FoundryFront:
    model: ScriptedModel
    api_keys: set[str] = field(default_factory=set)
    entra_tokens: set[str] = field(default_factory=set)
    requests: list[RecordedRequest] = field(default_factory=list)

    def respond(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> WireResponse:
        lowered = {k.lower(): v for k, v in headers.items()}
        self.requests.append(RecordedRequest(method, path, lowered, json.loads(raw or b"{}")))
        route = path.split("?")[0]
        if not route.startswith("/anthropic/v1/"):
            return _json(404, {"error": {"code": "404", "message": "Resource not found"}})
        auth = lowered.get("authorization", "")
        entra = auth.startswith("Bearer ") and auth[7:] in self.entra_tokens
        if lowered.get("api-key") not in self.api_keys and not entra:
            return _json(
                401,
                {
                    "error": {
                        "code": "401",
                        "message": "Access denied due to invalid subscription key or wrong API "
                        "endpoint. Make sure to provide a valid key for an active subscription "
                        "and use a correct regional API endpoint for your resource.",
                    }
                },
            )
        return self.model.respond(method, route.removeprefix("/anthropic"), headers, raw)
