"""A loopback web server for the fixture news sites of config/samples/www/.

The file ``config/samples/www/<sitekey>/<path>`` is served at
``http://127.0.0.1:PORT/<sitekey>/<path>``. Text files have every ``{{BASE}}`` replaced by the
server's base URL and every ``{{OTHER}}`` by the same server reached under another host name
(``http://localhost:PORT``: links a crawler must not follow). A source file ``X.tmpl`` is served
at ``X`` and, when ``X`` ends in ``.gz``, its substituted text is gzipped. A directory is served
from its ``index.html`` / ``index.xml`` / ``index.rss``. ``config/samples/routes.toml`` overrides
status, headers, content type or body of single paths (a WAF challenge, a redirect, a 503).

Every 200 answer carries an ETag and a Last-Modified; ``If-None-Match`` / ``If-Modified-Since``
give 304. ``hits`` counts requests per path (query string dropped).

Used by the tests and by ``presswatch demo``; by hand: ``python -m config.samples.site [--port N]``.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import re
import threading
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from config import CONFIG_DIR

__all__ = ["SampleSite", "SAMPLES_DIR", "main"]

SAMPLES_DIR = CONFIG_DIR / "samples"  # package data of config.samples

_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".gz": "application/x-gzip",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".tpo": "text/html; charset=utf-8",
    ".vnp": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".jpg": "image/jpeg",
    ".png": "image/png",
}
_TEXT_SUFFIXES = {".xml", ".rss", ".atom", ".html", ".htm", ".tpo", ".vnp", ".txt", ".json", ".css",
                  ".js", ""}
_INDEX_FILES = ("index.html", "index.xml", "index.rss")
_SERVER_HEADER = "presswatch-samplesite/1"


def _content_type(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _TYPES.get(suffix, "text/html; charset=utf-8" if not suffix else "application/octet-stream")


def _http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


@dataclass
class _Route:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    modified: float = 0.0

    def __post_init__(self) -> None:
        self.etag = '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'
        # whole seconds: Last-Modified / If-Modified-Since have second resolution
        self.modified = float(int(self.modified or time.time()))


# the newest sample article is from this day (config/samples/expected.toml)
REFERENCE_DAY = date(2026, 11, 20)
_ISO_DAY = re.compile(r"(?<![\d/-])(20\d\d)-(\d\d)-(\d\d)(?=[T\s\"'<,]|$)", re.M)
_DMY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(20\d\d)(?![\d/])")
_RFC = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) "
                  r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (20\d\d)\b")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def shift_dates(text: str, delta: timedelta) -> str:
    """Every date in ``text`` written as 2026-11-20 (ISO), 20/11/2026 or 'Fri, 20 Nov 2026' (RSS)
    moved by ``delta``; times, offsets and URLs (no such dates in them) unchanged."""
    def iso(m: re.Match[str]) -> str:
        try:
            return (date(int(m[1]), int(m[2]), int(m[3])) + delta).isoformat()
        except ValueError:
            return m[0]

    def dmy(m: re.Match[str]) -> str:
        try:
            d = date(int(m[3]), int(m[2]), int(m[1])) + delta
        except ValueError:
            return m[0]
        return f"{d.day:0{len(m[1])}d}/{d.month:0{len(m[2])}d}/{d.year}"

    def rfc(m: re.Match[str]) -> str:
        d = date(int(m[4]), _MONTHS.index(m[3]) + 1, int(m[2])) + delta
        return f"{_DAYS[d.weekday()]}, {d.day:02d} {_MONTHS[d.month - 1]} {d.year}"

    return _RFC.sub(rfc, _DMY.sub(dmy, _ISO_DAY.sub(iso, text)))


class SampleSite:
    """The fixture sites on a loopback port. ``with SampleSite() as site: ... site.base ...``"""

    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", port: int = 0,
                 today: date | None = None):
        # today: serve every date shifted so that the newest sample article is from ``today``
        # (``presswatch demo``: every "today" / "7 days" window has content); None = as written
        self.shift = timedelta(days=(today - REFERENCE_DAY).days) if today else timedelta(0)
        self.root = Path(root) if root else SAMPLES_DIR
        self.www = self.root / "www"
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._routes: dict[str, _Route] = {}
        self._thread: threading.Thread | None = None
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self.host = host
        self.port = self._httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        # the same server under a host name that is not in the fixture specs' domains
        self.other = f"http://localhost:{self.port}"
        self._load()

    # ---- content -------------------------------------------------------------------------------

    def substitute(self, text: str) -> str:
        text = text.replace("{{BASE}}", self.base).replace("{{OTHER}}", self.other)
        return shift_dates(text, self.shift) if self.shift else text

    def _load(self) -> None:
        routes: dict[str, _Route] = {}
        if self.www.is_dir():
            for f in sorted(self.www.rglob("*")):
                if not f.is_file() or f.name.startswith(".") or f.name == "__init__.py" \
                        or "__pycache__" in f.parts:
                    continue
                rel = f.relative_to(self.www).as_posix()
                templated = rel.endswith(".tmpl")
                if templated:
                    rel = rel[: -len(".tmpl")]
                path = "/" + rel
                raw = f.read_bytes()
                suffix = Path(rel).suffix.lower()
                if templated or suffix in _TEXT_SUFFIXES:
                    raw = self.substitute(raw.decode("utf-8")).encode("utf-8")
                    if templated and suffix == ".gz":
                        raw = gzip.compress(raw, mtime=0)
                route = _Route(raw, content_type=_content_type(path), modified=f.stat().st_mtime)
                routes[path] = route
                if f.name in _INDEX_FILES and templated is False:
                    parent = path[: -len(f.name)]
                    routes.setdefault(parent, route)
        overrides = self.root / "routes.toml"
        if overrides.is_file():
            data = tomllib.loads(overrides.read_text(encoding="utf-8"))
            for path, spec in data.get("routes", {}).items():
                routes[path] = self._override(path, routes.get(path), spec)
        with self._lock:
            self._routes = routes

    def _override(self, path: str, route: _Route | None, spec: dict[str, Any]) -> _Route:
        if "body" in spec:
            body = self.substitute(spec["body"]).encode("utf-8")
        else:
            body = route.body if route else b""
        headers = {str(k): self.substitute(str(v)) for k, v in spec.get("headers", {}).items()}
        if "location" in spec:
            headers["Location"] = self.substitute(spec["location"])
        ctype = spec.get("content_type") or (route.content_type if route else _content_type(path))
        return _Route(body, status=int(spec.get("status", 200)), content_type=ctype, headers=headers)

    def set(self, path: str, body: bytes | str, status: int = 200, headers: dict | None = None,
            content_type: str | None = None) -> None:
        """Add or replace a route at run time; text bodies get {{BASE}} substituted."""
        if isinstance(body, str):
            body = self.substitute(body).encode("utf-8")
        with self._lock:
            old = self._routes.get(path)
            # a replaced route is always newer than the one it replaces (If-Modified-Since)
            modified = max(time.time(), old.modified + 1 if old else 0.0)
            self._routes[path] = _Route(body, status=status,
                                        content_type=content_type or _content_type(path),
                                        headers={str(k): str(v) for k, v in (headers or {}).items()},
                                        modified=modified)

    def remove(self, path: str) -> None:
        with self._lock:
            self._routes.pop(path, None)

    def paths(self) -> list[str]:
        with self._lock:
            return sorted(self._routes)

    def url(self, path: str) -> str:
        return self.base + path

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def sites_toml(self) -> str:
        """config/samples/sites.toml with {{BASE}} replaced: a sites file for these fixtures."""
        return self.substitute((self.root / "sites.toml").read_text(encoding="utf-8"))

    def expected(self) -> dict:
        """config/samples/expected.toml parsed, every string with {{BASE}} replaced."""
        data = tomllib.loads((self.root / "expected.toml").read_text(encoding="utf-8"))
        return self._subst_all(data)

    def _subst_all(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.substitute(value)
        if isinstance(value, list):
            return [self._subst_all(v) for v in value]
        if isinstance(value, dict):
            return {self._subst_all(k): self._subst_all(v) for k, v in value.items()}
        return value

    # ---- serving -------------------------------------------------------------------------------

    def _lookup(self, path: str) -> _Route | None:
        with self._lock:
            self.hits[path] += 1
            return self._routes.get(path)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, head_only: bool) -> None:
                path = unquote(urlsplit(self.path).path) or "/"
                route = site._lookup(path)
                if route is None:
                    body = b"<!DOCTYPE html><html><head><title>404</title></head>" \
                           b"<body><h1>404 Not Found</h1></body></html>"
                    self._send(404, "text/html; charset=utf-8", body, {}, head_only)
                    return
                headers = dict(route.headers)
                if route.status == 200:
                    headers.setdefault("ETag", route.etag)
                    headers.setdefault("Last-Modified", _http_date(route.modified))
                    if self._not_modified(route):
                        self._send(304, None, b"", headers, head_only=True)
                        return
                self._send(route.status, route.content_type, route.body, headers, head_only)

            def _not_modified(self, route: _Route) -> bool:
                inm = self.headers.get("If-None-Match")
                if inm is not None:
                    tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
                    return "*" in tags or route.etag in tags
                ims = self.headers.get("If-Modified-Since")
                if ims:
                    try:
                        since = email.utils.parsedate_to_datetime(ims).timestamp()
                    except (TypeError, ValueError, IndexError, OverflowError):
                        return False
                    return route.modified <= since
                return False

            def _send(self, status: int, ctype: str | None, body: bytes, headers: dict[str, str],
                      head_only: bool) -> None:
                self.send_response_only(status)
                lower = {k.lower() for k in headers}
                if "server" not in lower:
                    self.send_header("Server", _SERVER_HEADER)
                self.send_header("Date", self.date_time_string())
                if ctype and "content-type" not in lower:
                    self.send_header("Content-Type", ctype)
                for k, v in headers.items():
                    self.send_header(k, v)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head_only and body:
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                self._answer(head_only=False)

            def do_HEAD(self) -> None:  # noqa: N802
                self._answer(head_only=True)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler

    # ---- lifecycle -----------------------------------------------------------------------------

    def start(self) -> SampleSite:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="samplesite",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SampleSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m config.samples.site",
                                 description="Serve the fixture news sites on 127.0.0.1.")
    ap.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--root", type=Path, default=None, help="samples folder (default: the bundled one)")
    ap.add_argument("--write-sites", type=Path, default=None,
                    help="also write the sites TOML for this server to this file")
    args = ap.parse_args(argv)
    site = SampleSite(args.root, host=args.host, port=args.port).start()
    if args.write_sites:
        args.write_sites.write_text(site.sites_toml(), encoding="utf-8")
    print(site.base, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
