"""Loopback fixture web server and crawl helpers for the robustness tests and bench/faults.py.

A stdlib ThreadingHTTPServer on 127.0.0.1, port 0, serving routes registered per test, counting
every hit (path and Host header). Nothing here ever listens on or connects to any other address.
"""

from __future__ import annotations

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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

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


@dataclass
class Route:
    body: bytes | Callable[[], Iterable[bytes]] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    length: int | None = None  # Content-Length to announce for a streamed body


class Handler(BaseHTTPRequestHandler):
    server: FixtureServer  # type: ignore[assignment]

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        srv = self.server
        path = self.path
        with srv.lock:
            srv.hits[path] += 1
            srv.hosts[self.headers.get("Host", "")] += 1
            srv.log.append((self.headers.get("Host", ""), path))
            srv.request_headers.append(str(self.headers))
        route = srv.routes.get(path)
        if route is None:
            route = srv.routes.get(path.split("?")[0])
        if route is None:
            self._send(404, b"<html><body><h1>404</h1></body></html>", {"Content-Type": "text/html"})
            return
        if route.delay:
            time.sleep(route.delay)
        if callable(route.body):
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
                srv.streamed[path] = max(srv.streamed[path], sent)
            self.close_connection = True
            return
        headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
        self._send(route.status, route.body, headers)
        with srv.lock:
            srv.completed[path] += 1

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.hosts: Counter[str] = Counter()
        self.completed: Counter[str] = Counter()  # full bodies written
        self.streamed: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []
        self.request_headers: list[str] = []
        self.lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str | Callable[[], Iterable[bytes]] = b"", **kw: Any) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **kw)
        return self.url(path)

    def __enter__(self) -> FixtureServer:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()


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
