"""Serving to a team: logins (datasette-auth-passwords) and per-subscription feed tokens.

Accounts are ``user:hash`` pairs (the PBKDF2 hashes of datasette-auth-passwords: ``datasette
hash-password``, or ``presswatch`` prints none itself) read by config.settings from
``$PRESSWATCH_AUTH_FILE`` (one pair a line, ``#`` comments) or ``$PRESSWATCH_AUTH_USERS``
(pairs separated by spaces or commas); they go into the metadata the server reads (a temporary
file), never into the database. With accounts configured, ``asgi_wrapper`` lets through only:

- requests carrying a valid ``ds_actor`` cookie (set by ``/-/login``),
- the login page and static files,
- the Atom feed of one alert subscription with that subscription's token
  (``/<db>/alert_NAME.atom?token=...``: an HMAC of the name keyed by the accounts, so feed readers
  work without a login; changing a password changes the tokens).

Everything else, pages, JSON, CSV and feeds, gets a redirect to ``/-/login`` (HTML) or a 401.
Without accounts nothing is checked: ``presswatch serve`` refuses a non-loopback host then.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
PLUGIN = "datasette-auth-passwords"
OPEN_PATHS = re.compile(r"^/-/(login|static/|static-plugins/)")
FEED_PATH = re.compile(r"^/[^/]+/alert_([a-z0-9][a-z0-9_-]*)\.atom$")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'; False for any other address or name (0.0.0.0 too)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plugin_config(users: dict[str, str]) -> dict[str, Any]:
    """The datasette-auth-passwords configuration (``NAME_password_hash`` keys) for ``users``."""
    return {f"{name}_password_hash": h for name, h in sorted(users.items())}


def _key(users: dict[str, str]) -> bytes:
    text = "\n".join(f"{n}:{h}" for n, h in sorted(users.items()))
    return hashlib.sha256(b"presswatch-feed-token\n" + text.encode()).digest()


def feed_token(subscription: str, users: dict[str, str]) -> str:
    """The token of one subscription's Atom feed (hex, 32 characters) for these accounts."""
    return hmac.new(_key(users), subscription.encode(), hashlib.sha256).hexdigest()[:32]


def _users(datasette: Any) -> dict[str, str]:
    cfg = datasette.plugin_config(PLUGIN) or {}
    return {k[: -len("_password_hash")]: str(v) for k, v in cfg.items() if k.endswith("_password_hash")}


def _logged_in(datasette: Any, scope: dict[str, Any], users: dict[str, str]) -> bool:
    cookies: dict[str, str] = {}
    for k, v in scope.get("headers") or []:
        if k == b"cookie":
            for part in v.decode("latin-1").split(";"):
                name, _, value = part.strip().partition("=")
                cookies[name] = value
    raw = cookies.get("ds_actor")
    if not raw:
        return False
    try:
        actor = (datasette.unsign(raw, "actor") or {}).get("a") or {}
    except Exception:  # itsdangerous.BadSignature and friends: not logged in
        return False
    return isinstance(actor, dict) and actor.get("id") in users


def _feed_ok(scope: dict[str, Any], users: dict[str, str]) -> bool:
    m = FEED_PATH.match(scope.get("path") or "")
    if not m:
        return False
    token = (parse_qs((scope.get("query_string") or b"").decode("latin-1")).get("token") or [""])[0]
    return hmac.compare_digest(token, feed_token(m.group(1), users))


def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    """Wraps Datasette's app: with accounts configured, only logged-in requests, the login page,
    static files and token-carrying subscription feeds get through (see the module docstring)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            users = _users(datasette)
            if scope.get("type") != "http" or not users:
                await app(scope, receive, send)
                return
            path = scope.get("path") or ""
            if OPEN_PATHS.match(path) or _logged_in(datasette, scope, users) or _feed_ok(scope, users):
                await app(scope, receive, send)
                return
            accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
            if "text/html" in accept:
                status, headers, body = 302, [(b"location", b"/-/login")], b""
            else:
                status, body = 401, "Cần đăng nhập / login required: /-/login\n".encode()
                headers = [(b"content-type", b"text/plain; charset=utf-8")]
            await send({"type": "http.response.start", "status": status,
                        "headers": [*headers, (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": body})

        return guarded

    return wrap
