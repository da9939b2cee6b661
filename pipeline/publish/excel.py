"""CSV that Excel opens: Datasette's ``.csv`` answers get a UTF-8 BOM and JSON lists become "a; b".

Excel reads a CSV file without a byte-order mark as the machine's ANSI code page, so Vietnamese
comes out garbled; a BOM makes it read UTF-8. Cells holding a JSON list of strings (provinces,
countries, outlets) are written as the items joined with "; ". JSON answers are not touched. The
wrapper buffers one CSV answer (Datasette caps a CSV download at ``max_csv_mb``, 100 MB).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
BOM = "\ufeff"


def _cell(value: str) -> str:
    if len(value) >= 2 and value[0] == "[" and value[-1] == "]":
        try:
            items = json.loads(value)
        except ValueError:
            return value
        if isinstance(items, list) and all(isinstance(x, str | int | float) for x in items):
            return "; ".join(str(x) for x in items)
    return value


def excel_csv(data: bytes) -> bytes:
    """Datasette's CSV bytes as Excel wants them: BOM first, JSON lists joined with "; "."""
    text = data.decode("utf-8", errors="replace").lstrip(BOM)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        w.writerow([_cell(c) for c in row])
    return (BOM + out.getvalue()).encode("utf-8")


def asgi_wrapper(app: ASGIApp) -> ASGIApp:
    """Rewrites the body of every ``text/csv`` answer with ``excel_csv`` (others pass untouched)."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or not (scope.get("path") or "").endswith(".csv"):
            await app(scope, receive, send)
            return
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers") or []).get(b"content-type", b"")
                if not ctype.startswith(b"text/csv") and not ctype.startswith(b"text/plain"):
                    await send(message)
                    start = {"passthrough": True}
                    return
                start = message
                return
            if start is not None and start.get("passthrough"):
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            assert start is not None
            body = b"".join(chunks)
            if not body.startswith(BOM.encode()):
                body = excel_csv(body)
            headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapped
