"""A database of invented stories for the report and workspace tests and bench/report.py.

Every text here is written for these fixtures (invented events, no real article). Each story is
reported by 1-3 outlets; the first report starts the story (``story_id`` NULL, as the dedup stage
leaves it), the others join it (``story_id`` = the first's id).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from config import VN_TZ
from db import open_db
from db.runs import sync_sites
from pipeline.article import Article, DedupResult, Relevance
from pipeline.process import store_article

SITES = {"vnexpress": "VnExpress", "tuoitre": "Tuổi Trẻ", "thanhnien": "Thanh Niên", "dantri": "Dân trí"}
PROVINCES = ["Đà Nẵng", "Hà Nội", "Quảng Ninh", "Lào Cai", "Thừa Thiên Huế", "Cần Thơ", "Nghệ An", "Tây Ninh"]
COUNTRIES = ["Nhật Bản", "Hàn Quốc", "Lào", "Pháp", "Trung Quốc", "Campuchia", "Singapore"]
ACTS = ["đón đoàn công tác", "ký biên bản ghi nhớ hợp tác với", "tổ chức hội nghị xúc tiến đầu tư cùng",
        "trao đổi kinh nghiệm quản lý đô thị với"]


class _Spec:
    def __init__(self, key: str, name: str) -> None:
        self.key, self.name, self.domains = key, name, (f"{key}.example.vn",)
        self.every, self.enabled = 900, True


def story_title(i: int) -> str:
    p, c, act = PROVINCES[i % len(PROVINCES)], COUNTRIES[(i // 2) % len(COUNTRIES)], ACTS[i % len(ACTS)]
    return f"{p} {act} {c} lần thứ {i + 1}"


def build_stories_db(path: str | Path, stories: int = 12, per_story: int = 3, days: int = 7,
                     irrelevant: int = 2, now: datetime | None = None) -> Path:
    """Write ``stories`` relevant stories over the last ``days`` days (newest today, Vietnam time),
    story i reported by 1 + i % per_story outlets, plus ``irrelevant`` unrelated articles."""
    path = Path(path)
    db = open_db(path)
    sync_sites(db, [_Spec(k, v) for k, v in SITES.items()])
    now = (now or datetime.now(VN_TZ)).astimezone(VN_TZ).replace(microsecond=0)
    keys = list(SITES)
    with db.atomic():
        for i in range(stories):
            title = story_title(i)
            p, c = PROVINCES[i % len(PROVINCES)], COUNTRIES[(i // 2) % len(COUNTRIES)]
            when = now - timedelta(hours=(i * 24 * days) // max(stories, 1), minutes=7)
            first: int | None = None
            for k in range(1 + i % per_story):
                site = keys[(i + k) % len(keys)]
                lead = (f"Lãnh đạo {p} và đại diện {c} thống nhất nhiều nội dung hợp tác trong năm tới, "
                        f"tập trung vào thương mại, du lịch và giáo dục (bài {i}-{k}).")
                a = Article(url=f"https://{site}.example.vn/su-kien-{i}-{k}.html",
                            title=title if k == 0 else f"{title} ({SITES[site]})",
                            text=lead + "\n\n" + f"Hai bên trao đổi về kế hoạch cụ thể của đợt làm việc thứ {i}.",
                            site=site, published=(when + timedelta(minutes=30 * k)).isoformat(),
                            published_source="meta", description=lead, language="vi")
                a.relevance = Relevance(score=0.8 + 0.01 * (i % 10), relevant=True, provinces=[p], countries=[c])
                a.dedup = DedupResult(story_id=first)
                new = store_article(db, a, "<html></html>")
                first = first if first is not None else new
        for j in range(irrelevant):
            a = Article(url=f"https://dantri.example.vn/the-thao-{j}.html", title=f"Trận bóng đá giao hữu số {j}",
                        text="Đội chủ nhà thắng hai bàn trong trận giao hữu tối qua.", site="dantri",
                        published=(now - timedelta(hours=j + 1)).isoformat(), published_source="meta",
                        description="Đội chủ nhà thắng hai bàn.", language="vi")
            a.relevance = Relevance(score=0.05, relevant=False)
            store_article(db, a, "<html></html>")
    db.execute("INSERT INTO crawl_runs (site, started, finished, requests, new, status) VALUES "
               "('vnexpress', datetime('now', '-1 hour'), datetime('now', '-59 minutes'), 12, 3, 'ok')")
    db.close()
    return path
