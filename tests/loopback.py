"""The test suite's one loopback web server (``LoopServer``), plus Vietnamese prose, page and feed
builders and crawl helpers for the robustness tests and bench/faults.py.

A stdlib ThreadingHTTPServer on 127.0.0.1, port 0, serving routes registered per test, recording
every request. tests/conftest.py exposes it as fixtures; tests/loopnews.py builds a news site on it.
Nothing here ever listens on or connects to any other address.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

# --- Vietnamese prose ---------------------------------------------------------------------------

PROVINCES = ["Đà Nẵng", "Hải Phòng", "Quảng Ninh", "Cần Thơ", "Thừa Thiên Huế", "Lào Cai", "Bình Dương",
             "Khánh Hòa", "Nghệ An", "Lâm Đồng", "Bắc Ninh", "An Giang"]
PARTNERS = ["Hàn Quốc", "Nhật Bản", "Lào", "Campuchia", "Pháp", "Đức", "Australia", "Singapore", "Thái Lan",
            "Hoa Kỳ", "Ấn Độ", "New Zealand"]

SENTENCES = [
    "Sáng nay, lãnh đạo Ủy ban nhân dân tỉnh {p} đã tiếp đoàn công tác của {c} do ngài Đại sứ dẫn đầu.",
    "Hai bên đã trao đổi cởi mở về kết quả hợp tác trong thời gian qua và định hướng quan hệ trong những năm tới.",
    "Phát biểu tại buổi tiếp, Chủ tịch tỉnh khẳng định địa phương luôn coi trọng công tác đối ngoại "
    "và mong muốn mở rộng quan hệ hữu nghị với các đối tác quốc tế.",
    "Theo báo cáo của Sở Ngoại vụ, trong chín tháng đầu năm, tỉnh đã đón hơn ba mươi đoàn khách quốc tế "
    "đến làm việc, tìm hiểu cơ hội đầu tư và trao đổi văn hóa.",
    "Ngài Đại sứ đánh giá cao môi trường đầu tư ngày càng thông thoáng của {p} và cho biết nhiều doanh "
    "nghiệp {c} đang quan tâm đến lĩnh vực năng lượng tái tạo, logistics và nông nghiệp công nghệ cao.",
    "Hai bên thống nhất sẽ sớm ký kết biên bản ghi nhớ về hợp tác giáo dục, đào tạo nguồn nhân lực và "
    "giao lưu nhân dân, đặc biệt là giữa thanh niên và sinh viên.",
    "Trong khuôn khổ chuyến thăm, đoàn đã đến thăm khu công nghiệp, bệnh viện đa khoa và một số di tích "
    "lịch sử tiêu biểu của địa phương.",
    "Lãnh đạo tỉnh đề nghị phía bạn tiếp tục hỗ trợ trong việc xúc tiến thương mại, quảng bá du lịch và "
    "kết nối các hiệp hội doanh nghiệp của hai nước.",
    "Cũng tại buổi làm việc, hai bên đã trao đổi về công tác bảo hộ công dân và hỗ trợ người lao động "
    "đang sinh sống, học tập và làm việc tại {c}.",
    "Theo kế hoạch, một diễn đàn hợp tác địa phương sẽ được tổ chức vào đầu năm sau với sự tham gia của "
    "nhiều tỉnh, thành phố và tổ chức quốc tế.",
    "Đại diện Sở Công Thương cho biết kim ngạch xuất khẩu của tỉnh sang thị trường {c} tăng khá so với "
    "cùng kỳ năm trước, chủ yếu là thủy sản, nông sản chế biến và hàng dệt may.",
    "Kết thúc buổi tiếp, hai bên đã trao quà lưu niệm và chụp ảnh chung, khẳng định quyết tâm đưa quan hệ "
    "hợp tác đi vào chiều sâu, thiết thực và hiệu quả.",
]


def prose(n: int, min_words: int = 320) -> tuple[str, list[str]]:
    """A headline and paragraphs (≥ min_words words) of Vietnamese news prose, different for each n."""
    p, c = PROVINCES[n % len(PROVINCES)], PARTNERS[(n // len(PROVINCES) + n) % len(PARTNERS)]
    title = f"{p} tăng cường hợp tác đối ngoại với {c} (bài số {n})"
    paras: list[str] = []
    words = 0
    i = n
    while words < min_words:
        s = SENTENCES[i % len(SENTENCES)].format(p=p, c=c)
        nxt = SENTENCES[(i + 1) % len(SENTENCES)].format(p=p, c=c)
        para = f"{s} {nxt} Đây là nội dung số {n}.{len(paras)} của bản tin."
        paras.append(para)
        words += len(para.split())
        i += 2
    return title, paras


def article_html(n: int, *, charset: str | None = "utf-8", lang: str = "vi") -> str:
    title, paras = prose(n)
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "\n".join(f"<p>{x}</p>" for x in paras)
    return (f'<!DOCTYPE html><html lang="{lang}"><head>{meta}<title>{title}</title></head><body>'
            f'<header><nav><a href="/">Trang chủ</a></nav></header><article><h1>{title}</h1>\n{body}'
            f"</article><footer>Bản quyền thuộc về tòa soạn</footer></body></html>")


ENGLISH = ("The provincial People's Committee received a delegation from the embassy this morning. Both sides "
           "discussed cooperation in education, trade, tourism and renewable energy, and agreed to sign a "
           "memorandum of understanding early next year. ")


def english_html() -> str:
    paras = "\n".join(f"<p>{ENGLISH} Paragraph {i} of the report.</p>" for i in range(8))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Province meets envoy</title>'
            f"</head><body><article><h1>Province meets envoy</h1>{paras}</article></body></html>")


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 bytes as legacy Vietnamese software writes them: base letters precomposed where the
    code page has them, tone marks as combining characters."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(x for x in d if x not in _TONES))
        out += base.encode("cp1258") + "".join(x for x in d if x in _TONES).encode("cp1258")
    return bytes(out)


def rss(links: Iterable[str], title: str = "Tin mới") -> bytes:
    items = "".join(f"<item><title>{title} {i}</title><link>{u}</link></item>" for i, u in enumerate(links))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"{items}</channel></rss>").encode()


def urlset(links: Iterable[str]) -> bytes:
    urls = "".join(f"<url><loc>{u}</loc><lastmod>2026-11-20</lastmod></url>" for u in links)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>").encode()


# --- the server -----------------------------------------------------------------------------------
# The one loopback web server of the test suite (tests/conftest.py exposes it as the ``loop_site``
# fixtures; tests/loopnews.py and the webhook receiver of test_alerts build on it).


@dataclass
class Route:
    """What the server answers for a path. A callable ``body`` is streamed chunk by chunk (no
    Content-Length unless ``length``). With ``etag`` and/or ``last_modified`` set, a conditional GET
    (If-None-Match, or If-Modified-Since when no If-None-Match) that matches answers 304."""

    body: bytes | Callable[[], Iterable[bytes]] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    length: int | None = None  # Content-Length to announce for a streamed body
    etag: str | None = None
    last_modified: str | None = None


# a queued one-off answer: (status, headers, body); Content-Type defaults to text/html
Forced = tuple[int, dict[str, str], bytes]

DEFAULT_404 = Route(b"<html><body><h1>404</h1></body></html>", status=404, headers={"Content-Type": "text/html"})


class Handler(BaseHTTPRequestHandler):
    server: LoopServer  # type: ignore[assignment]

    @property
    def protocol_version(self) -> str:  # type: ignore[override]  # per server: HTTP/1.0 (close after each answer) or HTTP/1.1
        return self.server.protocol

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._answer(self._record())

    def do_POST(self) -> None:  # noqa: N802
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path = self._record()
        with self.server.lock:
            self.server.posts.append((self.path, dict(self.headers), body))
        self._answer(path)

    def _record(self) -> str:
        srv = self.server
        path = urlsplit(self.path).path
        with srv.lock:
            srv.hits[self.path] += 1
            srv.path_hits[path] += 1
            srv.hosts[self.headers.get("Host", "")] += 1
            srv.log.append((self.headers.get("Host", ""), self.path))
            srv.request_headers.append(str(self.headers))
        return path

    def _answer(self, path: str) -> None:
        srv = self.server
        with srv.lock:
            queued = srv.forced.get(path)
            forced = queued.pop(0) if queued else None
        if srv.on_hit is not None:
            srv.on_hit(path)
        if path in srv.hang:
            srv.closing.wait(120)
            return
        if forced is not None:
            status, headers, body = forced
            headers = {"Content-Type": "text/html", **headers}
            self._send(path, status, body, headers)
            return
        route = srv.find(self.path)
        if route.delay:
            srv.closing.wait(route.delay)
        if callable(route.body):
            self._stream(path, route)
            return
        headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
        if route.etag is not None or route.last_modified is not None:
            validators = {k: v for k, v in (("ETag", route.etag), ("Last-Modified", route.last_modified)) if v}
            inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            if (route.etag is not None and inm == route.etag) or (
                    not inm and route.last_modified is not None and ims == route.last_modified):
                self._send(path, 304, b"", validators, with_body=False)
                return
            headers.update(validators)
        self._send(path, route.status, route.body, headers)
        with srv.lock:
            srv.completed[self.path] += 1

    def _stream(self, path: str, route: Route) -> None:
        srv = self.server
        assert callable(route.body)
        with srv.lock:
            srv.statuses[(path, route.status)] += 1
        self.send_response(route.status)
        for k, v in route.headers.items():
            self.send_header(k, v)
        if route.length is not None:
            self.send_header("Content-Length", str(route.length))
        self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        try:
            for chunk in route.body():
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        with srv.lock:
            srv.streamed[self.path] = max(srv.streamed[self.path], sent)
        self.close_connection = True

    def _send(self, path: str, status: int, body: bytes, headers: dict[str, str], with_body: bool = True) -> None:
        with self.server.lock:
            self.server.statuses[(path, status)] += 1
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if with_body:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class LoopServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1, port 0, serving registered routes (``add``), recording
    every request: ``hits`` (by path with query), ``path_hits`` (without query), ``hosts`` (Host
    header), ``log``, ``request_headers``, ``posts`` (path, headers, body), ``statuses`` ((path,
    status) sent), ``completed`` (full bodies written), ``streamed`` (bytes of streamed bodies).

    Misbehaviour: ``delay`` per route, ``hang`` (paths that never answer until the server closes),
    ``forced`` (path -> queued one-off answers, served before the route), conditional GET through a
    route's ``etag``/``last_modified`` (``add(..., conditional=True)`` derives both), redirects and
    any status through ``status``/``headers``, streamed bodies. Routes are looked up by the request
    path with query, then without query, then without ``;params``; then ``resolver(path)`` (for
    content that changes with the test), then ``default``; else ``not_found``."""

    daemon_threads = True

    def __init__(self, *, protocol: str = "HTTP/1.0", not_found: Route = DEFAULT_404,
                 default: Route | None = None,
                 resolver: Callable[[str], Route | None] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.protocol = protocol
        self.not_found = not_found
        self.default = default
        self.resolver = resolver
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.path_hits: Counter[str] = Counter()
        self.hosts: Counter[str] = Counter()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.completed: Counter[str] = Counter()  # full bodies written
        self.streamed: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []
        self.request_headers: list[str] = []
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        self.hang: set[str] = set()
        self.forced: dict[str, list[Forced]] = {}
        self.on_hit: Callable[[str], None] | None = None
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str | Callable[[], Iterable[bytes]] = b"", *,
            conditional: bool = False, **kw: Any) -> str:
        """Serve ``body`` at ``path`` (Route fields as keywords); returns the absolute URL. The path
        ``"*"`` sets the answer for every path without a route of its own (``default``)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if conditional and isinstance(body, bytes):
            kw.setdefault("etag", '"' + hashlib.sha1(body).hexdigest()[:16] + '"')  # noqa: S324
            kw.setdefault("last_modified", formatdate(time.time(), usegmt=True))
        route = Route(body=body, **kw)
        if path == "*":
            self.default = route
            return self.base + "/"
        self.routes[path] = route
        return self.url(path)

    def force(self, path: str, status: int, headers: dict[str, str] | None = None, body: bytes = b"",
              times: int = 1) -> None:
        """Answer the next ``times`` requests for ``path`` with this, whatever the route says."""
        with self.lock:
            self.forced.setdefault(path, []).extend([(status, dict(headers or {}), body)] * times)

    def find(self, raw_path: str) -> Route:
        path = raw_path.split("?")[0]
        for key in (raw_path, path, path.split(";")[0]):
            if key in self.routes:
                return self.routes[key]
        if self.resolver is not None:
            got = self.resolver(path)
            if got is not None:
                return got
        return self.default if self.default is not None else self.not_found

    def reset_counts(self) -> None:
        with self.lock:
            for c in (self.hits, self.path_hits, self.hosts, self.statuses, self.completed, self.streamed):
                c.clear()
            self.log.clear()
            self.request_headers.clear()
            self.posts.clear()

    def start(self) -> LoopServer:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self.closing.set()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
            self._thread = None
        self.server_close()

    def __enter__(self) -> LoopServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()


FixtureServer = LoopServer  # the name tests/faultlib.py and bench/faults.py know


# --- crawl helpers --------------------------------------------------------------------------------


def site_toml(key: str, *, feeds: Iterable[str] = (), sitemaps: Iterable[str] = (), sections: Iterable[str] = (),
              pattern: str = r"/a/\d+\.htm$", domains: Iterable[str] = ("127.0.0.1",), extra: str = "") -> str:
    def arr(xs: Iterable[str]) -> str:
        return "[" + ", ".join(f"'{x}'" for x in xs) + "]"

    return (f"[sites.{key}]\nname = \"{key}\"\ndomains = {arr(domains)}\nfeeds = {arr(feeds)}\n"
            f"sitemaps = {arr(sitemaps)}\nsections = {arr(sections)}\narticle_pattern = '{pattern}'\n"
            f"obey_robots = false\n{extra}\n")


def crawl_cmd(sites_file: str | Path, db: str | Path) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(sites_file), "--db", str(db), "-v"]


def crawl_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSWATCH_")}
    env["PYTHONPATH"] = str(ROOT)
    env.setdefault("PRESSWATCH_DOWNLOAD_TIMEOUT", "3")
    env.update(extra)
    return env


def run_crawl(sites_file: str | Path, db: str | Path, *, timeout: float = 120,
              **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(crawl_cmd(sites_file, db), cwd=ROOT, env=crawl_env(**env), capture_output=True,
                          text=True, timeout=timeout)


def rows(db: str | Path, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        return conn.execute(sql, list(params)).fetchall()
    finally:
        conn.close()
