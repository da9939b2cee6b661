"""A loopback news site for the scheduler tests and bench/incremental.py: an RSS feed (ETag and
Last-Modified, 304 on a match), article pages of Vietnamese prose, a hit counter per path, and
switches for misbehaviour (429 + Retry-After, hanging pages)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path

from tests.loopback import LoopServer, Route

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
    path, ``site.statuses`` the statuses sent (Counter of (path, status)). Served by the suite's one
    loopback server (tests/loopback.py ``LoopServer``, HTTP/1.1), content resolved per request."""

    def __init__(self, n: int = 3, feed_size: int = 50) -> None:
        self.n = n
        self.feed_size = feed_size
        self.article_delay = 0.0  # seconds before an article page is sent
        self.sm_lastmod = "2026-01-01T00:00:00+07:00"  # lastmod of the shard in the sitemap index
        self.server = LoopServer(protocol="HTTP/1.1", resolver=self.route,
                                 not_found=Route(b"not found", status=404, headers={"Content-Type": "text/plain"}))
        self.port = self.server.port
        self.base = self.server.base
        self.lock = self.server.lock
        self.hits = self.server.path_hits
        self.statuses = self.server.statuses
        self.hang = self.server.hang  # paths that never answer (until close)
        # path -> queued one-off answers (status, headers, body), used before the normal route
        self.forced = self.server.forced
        self._feed_changed = time.time()

    @property
    def on_hit(self) -> Callable[[str], None] | None:
        return self.server.on_hit

    @on_hit.setter
    def on_hit(self, fn: Callable[[str], None] | None) -> None:
        self.server.on_hit = fn

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

    def route(self, path: str) -> Route | None:
        xml = {"/rss.xml": self.feed_xml, "/sitemap.xml": self.sitemap_index, "/sm-1.xml": self.sitemap_shard}
        if path in xml:
            body = xml[path]()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            ctype = "application/rss+xml; charset=utf-8" if path == "/rss.xml" else "application/xml"
            return Route(body, headers={"Content-Type": ctype}, etag=etag,
                         last_modified=formatdate(self._feed_changed, usegmt=True))
        if path.startswith("/tin/bai-") and path.endswith(".html"):
            try:
                i = int(path[len("/tin/bai-"):-len(".html")])
            except ValueError:
                return None
            if 1 <= i <= self.n:
                return Route(article_html(i), headers={"Content-Type": "text/html; charset=utf-8"},
                             delay=self.article_delay)
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
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
