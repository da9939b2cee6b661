"""A loopback news site for the scheduler tests and bench/incremental.py: an RSS feed (ETag and
Last-Modified, 304 on a match), article pages of Vietnamese prose, a hit counter per path, and
switches for misbehaviour (429 + Retry-After, hanging pages)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PROVINCES = ["Đà Nẵng", "Quảng Ninh", "Cần Thơ", "Lào Cai", "Thừa Thiên Huế", "Bình Dương", "Hải Phòng",
             "Khánh Hòa", "Nghệ An", "Lâm Đồng"]
PARTNERS = ["Hàn Quốc", "Nhật Bản", "Lào", "Australia", "Pháp", "Singapore", "Hoa Kỳ", "Đức", "Ấn Độ",
            "New Zealand"]

PARAGRAPHS = [
    "Sáng nay, Ủy ban nhân dân tỉnh {p} đã tiếp đoàn công tác của {c} do ngài Đại sứ dẫn đầu nhân dịp "
    "kỷ niệm quan hệ hợp tác giữa hai bên. Tại buổi tiếp, lãnh đạo tỉnh cảm ơn sự hỗ trợ quý báu mà các "
    "đối tác đã dành cho địa phương trong nhiều năm qua, đặc biệt trong các lĩnh vực giáo dục, y tế và "
    "phát triển nông thôn bền vững.",
    "Theo báo cáo của Sở Ngoại vụ, trong năm qua tỉnh đã đón tiếp hơn {n} đoàn khách quốc tế, ký kết "
    "nhiều bản ghi nhớ về hợp tác thương mại, du lịch và đào tạo nguồn nhân lực. Kim ngạch xuất khẩu "
    "sang thị trường {c} tăng đáng kể so với cùng kỳ, chủ yếu là nông sản, thủy sản và hàng dệt may.",
    "Phát biểu tại buổi làm việc, Chủ tịch Ủy ban nhân dân tỉnh nhấn mạnh rằng công tác đối ngoại địa "
    "phương là cầu nối quan trọng để thu hút đầu tư, mở rộng thị trường và quảng bá hình ảnh quê hương "
    "đến bạn bè quốc tế. Tỉnh sẵn sàng tạo mọi điều kiện thuận lợi để doanh nghiệp nước ngoài đến tìm "
    "hiểu cơ hội và triển khai dự án lâu dài.",
    "Về phần mình, ngài Đại sứ đánh giá cao tiềm năng phát triển của {p}, đồng thời cho biết thời gian "
    "tới sẽ tiếp tục thúc đẩy các chương trình trao đổi sinh viên, học bổng và hợp tác giữa các trường "
    "đại học. Hai bên cũng thống nhất sẽ tổ chức diễn đàn xúc tiến đầu tư vào quý tới với sự tham gia "
    "của nhiều tập đoàn lớn.",
    "Cũng trong chuyến thăm, đoàn đã đến tham quan khu công nghiệp, làng nghề truyền thống và một số "
    "di tích lịch sử văn hóa tiêu biểu của địa phương. Nhiều thành viên trong đoàn bày tỏ ấn tượng với "
    "sự thân thiện, mến khách của người dân cũng như tốc độ phát triển hạ tầng giao thông của tỉnh.",
    "Các chuyên gia cho rằng việc tăng cường hợp tác với {c} sẽ giúp {p} tiếp cận công nghệ hiện đại, "
    "nâng cao năng lực quản lý và chất lượng nguồn nhân lực. Đây cũng là cơ hội để địa phương học hỏi "
    "kinh nghiệm về chuyển đổi số, bảo vệ môi trường và ứng phó với biến đổi khí hậu.",
    "Kết thúc buổi làm việc, hai bên đã trao đổi quà lưu niệm và chụp ảnh chung. Sở Ngoại vụ được giao "
    "chủ trì, phối hợp với các sở, ngành liên quan xây dựng kế hoạch cụ thể để triển khai các nội dung "
    "đã thống nhất, bảo đảm hiệu quả thiết thực và đúng tiến độ đề ra trong bản ghi nhớ số {n}.",
]


def article_html(i: int) -> bytes:
    p, c = PROVINCES[i % len(PROVINCES)], PARTNERS[(i * 3) % len(PARTNERS)]
    title = f"{p} tăng cường hợp tác đối ngoại với {c} (bài {i})"
    paras = "\n".join(f"<p>{t.format(p=p, c=c, n=10 + i)}</p>" for t in PARAGRAPHS)
    return (
        f"<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{title}</title></head>"
        f"<body><nav><a href=\"/\">Trang chủ</a></nav><article><h1>{title}</h1>{paras}</article>"
        f"<footer>Bản quyền thuộc về báo Thử nghiệm</footer></body></html>"
    ).encode()


class NewsSite:
    """``with NewsSite(n) as site``: articles 1..n on http://127.0.0.1:PORT/tin/bai-I.html, a feed of the
    newest ``feed_size`` at /rss.xml. ``site.add(k)`` publishes k more. ``site.hits`` counts requests per
    path, ``site.statuses`` the statuses sent (Counter of (path, status))."""

    def __init__(self, n: int = 3, feed_size: int = 50) -> None:
        self.n = n
        self.feed_size = feed_size
        self.hits: Counter[str] = Counter()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.lock = threading.Lock()
        self.hang: set[str] = set()  # paths that never answer (until close)
        self.article_delay = 0.0  # seconds before an article page is sent
        # path -> queued one-off answers (status, headers, body), used before the normal route
        self.forced: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.sm_lastmod = "2026-01-01T00:00:00+07:00"  # lastmod of the shard in the sitemap index
        self.on_hit: Callable[[str], None] | None = None
        self._closing = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                path = urlsplit(self.path).path
                with site.lock:
                    site.hits[path] += 1
                    queued = site.forced.get(path)
                    forced = queued.pop(0) if queued else None
                if site.on_hit:
                    site.on_hit(path)
                if path in site.hang:
                    site._closing.wait(120)
                    return
                if forced is not None:
                    status, headers, body = forced
                    return self._send(path, status, body, headers.pop("Content-Type", "text/html"), headers)
                if site.article_delay and path.startswith("/tin/"):
                    site._closing.wait(site.article_delay)
                route = site.route(path)
                if route is None:
                    return self._send(path, 404, b"not found", "text/plain")
                ctype, body, validators = route
                if validators:
                    etag, lastmod = validators
                    inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                    if inm == etag or (not inm and ims == lastmod):
                        return self._send(path, 304, b"", None, {"ETag": etag, "Last-Modified": lastmod})
                    return self._send(path, 200, body, ctype, {"ETag": etag, "Last-Modified": lastmod})
                return self._send(path, 200, body, ctype)

            def _send(self, path: str, status: int, body: bytes, ctype: str | None,
                      headers: dict[str, str] | None = None) -> None:
                with site.lock:
                    site.statuses[(path, status)] += 1
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *a: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._feed_changed = time.time()

    # -- content -----------------------------------------------------------------------------------
    def add(self, k: int = 1) -> None:
        with self.lock:
            self.n += k
            self._feed_changed = time.time()

    def feed_xml(self) -> bytes:
        items = "".join(
            f"<item><title>Bài {i}</title><link>{self.base}/tin/bai-{i}.html</link>"
            f"<guid>{self.base}/tin/bai-{i}.html</guid></item>"
            for i in range(self.n, max(0, self.n - self.feed_size), -1)
        )
        return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
                f"<title>Tin đối ngoại</title><link>{self.base}/</link>{items}</channel></rss>").encode()

    def throttle(self, path: str, status: int = 429, retry_after: str | None = "3", times: int = 1) -> None:
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.forced.setdefault(path, []).extend([(status, dict(headers), b"Too many requests")] * times)

    def sitemap_index(self) -> bytes:
        return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                f"<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                f"<sitemap><loc>{self.base}/sm-1.xml</loc><lastmod>{self.sm_lastmod}</lastmod></sitemap>"
                f"</sitemapindex>").encode()

    def sitemap_shard(self) -> bytes:
        urls = "".join(f"<url><loc>{self.base}/tin/bai-{i}.html</loc></url>" for i in range(1, self.n + 1))
        return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                f"<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{urls}</urlset>").encode()

    def route(self, path: str) -> tuple[str, bytes, tuple[str, str] | None] | None:
        xml = {"/rss.xml": self.feed_xml, "/sitemap.xml": self.sitemap_index, "/sm-1.xml": self.sitemap_shard}
        if path in xml:
            body = xml[path]()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            ctype = "application/rss+xml; charset=utf-8" if path == "/rss.xml" else "application/xml"
            return ctype, body, (etag, formatdate(self._feed_changed, usegmt=True))
        if path.startswith("/tin/bai-") and path.endswith(".html"):
            try:
                i = int(path[len("/tin/bai-"):-len(".html")])
            except ValueError:
                return None
            if 1 <= i <= self.n:
                return "text/html; charset=utf-8", article_html(i), None
        return None

    def article_hits(self) -> int:
        return sum(v for k, v in self.hits.items() if k.startswith("/tin/"))

    def sites_toml(self, key: str = "loop", every: str = "2s", timeout: str = "60s", source: str = "feed",
                   **extra: str) -> str:
        src = (f'feeds = ["{self.base}/rss.xml"]' if source == "feed"
               else f'sitemaps = ["{self.base}/sitemap.xml"]')
        lines = [
            f"[sites.{key}]",
            'name = "Báo Thử nghiệm"',
            'domains = ["127.0.0.1"]',
            src,
            r"article_pattern = '/tin/bai-\d+\.html$'",
            f'every = "{every}"',
            f'min_every = "{extra.pop("min_every", "1s")}"',
            f'max_every = "{extra.pop("max_every", every)}"',
            f'timeout = "{timeout}"',
            "obey_robots = false",
        ]
        lines += [f"{k} = {v}" for k, v in extra.items()]
        return "\n".join(lines) + "\n"

    def write_sites(self, path: Path, **kw: str) -> Path:
        path.write_text(self.sites_toml(**kw), encoding="utf-8")
        return path

    def __enter__(self) -> NewsSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()
