"""Who may see the pages (DESIGN §3, ``FIXER_UI_TOKEN``).

With a token set: ``Authorization: Bearer <token>``, or the cookie a ``?token=`` visit sets
(HttpOnly; the redirect drops the token from the address bar and history). Without one, only
loopback clients are served: the pages show code, plans and costs, so a service that is
reachable from other hosts must be given a token.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.config import Settings

COOKIE = "fixer_ui_token"
NO_TOKEN_MESSAGE = (
    "The run pages are served to loopback clients only because FIXER_UI_TOKEN is not set: "
    "set FIXER_UI_TOKEN and visit with ?token=<token> (or send Authorization: Bearer <token>)."
)


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host == "localhost"


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def refusal(request: Request, settings: Settings) -> Response | None:
    """None when the request may see the page; else the response to send instead."""
    secret = settings.fixer_ui_token
    if secret is None or not secret.get_secret_value():
        if is_loopback(request.client.host if request.client else None):
            return None
        return JSONResponse({"detail": NO_TOKEN_MESSAGE}, status_code=403)
    token = secret.get_secret_value()
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and _same(header[7:].strip(), token):
        return None
    if _same(request.cookies.get(COOKIE), token):
        return None
    if _same(request.query_params.get("token"), token):
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
        # The raw path keeps a run id's %23 (``#``) encoded, so the redirect finds the run.
        path = request.scope.get("raw_path", b"").decode() or quote(request.url.path)
        target = path + (f"?{query}" if query else "")
        redirect = RedirectResponse(target, status_code=303)
        redirect.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            max_age=30 * 24 * 3600,
        )
        return redirect
    return JSONResponse(
        {"detail": "Fixer's pages need FIXER_UI_TOKEN: open them with ?token=<token>."},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )
