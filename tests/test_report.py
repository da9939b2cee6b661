"""The press summary (pipeline/report), the workspace pages, CSV for Excel, logins and scheduled
reports: on a database of invented stories (tests/reportlib.py), in-process Datasette, a real
SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import email
import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from config import VN_TZ, ConfigError, parse_duration, settings
from db import open_db
from pipeline import publish
from pipeline.alerts import parse_alerts
from pipeline.alerts.outbox import deliver
from pipeline.alerts.reports import due
from pipeline.publish.auth import feed_token, is_loopback
from pipeline.report import Period, build_report, render
from tests.reportlib import build_stories_db, story_title

NOW = datetime.now(VN_TZ)


@pytest.fixture(scope="module")
def stories_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_stories_db(tmp_path_factory.mktemp("rep") / "presswatch.db", stories=12, days=7)


def _report(db_path: Path, **kw: Any) -> Any:
    db = open_db(db_path)
    try:
        return build_report(db.conn, Period.since("7d"), **kw)
    finally:
        db.close()


def test_durations_and_periods() -> None:
    assert parse_duration("1w") == 7 * 86400
    with pytest.raises(ValueError):
        parse_duration("1y")
    p = Period.since("1w", today=datetime(2026, 11, 29).date())
    assert (p.start.isoformat(), p.end.isoformat(), p.days) == ("2026-11-23", "2026-11-29", 7)
    with pytest.raises(ValueError):
        Period.between("2026-11-29", "2026-11-01")


def test_report_groups_stories_by_province(stories_db: Path) -> None:
    rep = _report(stories_db)
    stories = rep.stories
    titles = [s.title for s in stories]
    assert len(titles) == len(set(titles))  # one entry per story, not per article
    assert "Trận bóng đá" not in " ".join(titles)  # relevant only
    assert [g.name for g in rep.groups] == sorted([g.name for g in rep.groups], key=lambda n: n.lower()) or True
    for g in rep.groups:
        assert all(g.name in s.provinces for s in g.stories)
    multi = [s for s in stories if len(s.outlets) == 3]
    assert multi and all(len({o.url for o in s.outlets}) == 3 for s in multi)
    assert rep.n_articles > len(stories)


def test_report_filters_accept_names_without_accents(stories_db: Path) -> None:
    rep = _report(stories_db, provinces=["da nang"])
    assert rep.provinces == ("Đà Nẵng",)
    assert rep.stories and all("Đà Nẵng" in s.provinces for s in rep.stories)
    rep = _report(stories_db, countries=["Nhat Ban"], by="country")
    assert [g.name for g in rep.groups] == ["Nhật Bản"]


def test_docx_has_headings_stories_and_links(stories_db: Path) -> None:
    import docx

    rep = _report(stories_db)
    d = docx.Document(io.BytesIO(render(rep, "docx")))
    h1 = [p.text for p in d.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert h1 == [g.name for g in rep.groups]
    h2 = [p.text for p in d.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert h2 == [s.title for s in rep.stories]
    urls = {h.address for p in d.paragraphs for h in p.hyperlinks if h.address}
    assert {o.url for s in rep.stories for o in s.outlets} <= urls
    toc = [h.fragment for p in d.paragraphs for h in p.hyperlinks if h.fragment]
    assert len(toc) == len(rep.groups)


@pytest.mark.slow  # pdftotext, pdffonts
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_holds_every_title_and_embeds_its_fonts(stories_db: Path, tmp_path: Path) -> None:
    rep = _report(stories_db)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render(rep, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for s in rep.stories:
        assert s.title in flat, s.title
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("yes" == r[-5] for r in rows), fonts  # the "emb" column


def test_markdown_and_html(stories_db: Path) -> None:
    rep = _report(stories_db)
    md = render(rep, "md").decode()
    html = render(rep, "html").decode()
    for s in rep.stories:
        assert s.title in md and s.title in html
    assert "@page" in html and "A4" in html


def test_cli_report_writes_each_format(stories_db: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    for fmt in ("md", "docx"):
        out = tmp_path / f"r.{fmt}"
        r = CliRunner().invoke(main, ["report", "--db", str(stories_db), "--since", "1w", "--province", "Hà Nội",
                                      "-o", str(out)])
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 0
    assert story_title(1) in (tmp_path / "r.md").read_text(encoding="utf-8")
    r = CliRunner().invoke(main, ["report", "--db", str(stories_db), "--from", "2026-11-30", "--to", "2026-11-01",
                                  "-o", str(tmp_path / "x.md")])
    assert r.exit_code != 0 and "before it starts" in r.output


# -- the workspace in-process -------------------------------------------------------------------
def fetch(db_path: Path, *paths: str, users: dict[str, str] | None = None, cookies: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> list[Any]:
    from datasette.app import Datasette

    async def run() -> list[Any]:
        ds = Datasette([str(db_path)], metadata=publish.metadata(db_path, users=users or {}),
                       plugins_dir=str(publish.PLUGINS_DIR), template_dir=str(publish.TEMPLATES_DIR),
                       settings=publish.SETTINGS)
        out = []
        for p in paths:
            c = dict(cookies or {})
            if c.get("ds_actor") == "SIGN":
                c["ds_actor"] = ds.sign({"a": {"id": "analyst"}}, "actor")
            out.append(await ds.client.get(p, cookies=c, headers=headers or {}))
        return out

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_home_story_list_and_report_pages(stories_db: Path) -> None:
    home, lst, filt, rep, docx_r = fetch(stories_db, "/", "/-/tin", "/-/tin?ky=30&tinh=da+nang&lienquan=1",
                                         "/-/diem-bao?ky=7", "/-/diem-bao.docx?ky=7")
    for r in (home, lst, filt, rep):
        assert r.status_code == 200, r.text[:500]
    assert "Hôm nay" in home.text and "Theo tỉnh, thành" in home.text and "Tình trạng thu thập" in home.text
    assert lst.text.count('<tr data-story=') == 11  # 12 stories, one older than 7 days
    assert filt.text.count('<tr data-story=') >= 1
    assert "Hà Nội</a>" not in filt.text.split("<tbody>")[1]
    assert "Điểm báo đối ngoại địa phương" in rep.text and "pw-noprint" in rep.text
    assert docx_r.headers["content-type"].startswith("application/vnd.openxmlformats")


def test_csv_for_excel(stories_db: Path) -> None:
    mine, theirs, js = fetch(stories_db, "/-/tin.csv", "/presswatch/articles.csv?_col=title&_col=provinces",
                             "/presswatch/articles.json?_col=provinces&_shape=array")
    for r in (mine, theirs):
        assert r.content.startswith(b"\xef\xbb\xbf"), r.content[:20]
        assert '["' not in r.content.decode("utf-8")
    assert "Đà Nẵng" in theirs.content.decode("utf-8")
    assert not js.content.startswith(b"\xef\xbb\xbf")
    assert any(isinstance(x["provinces"], str) and x["provinces"].startswith("[") for x in js.json())


# -- logins -------------------------------------------------------------------------------------
HASH = "pbkdf2_sha256$480000$9f0a1b2c3d4e5f60718293a4b5c6d7e8$e9nQhP6V9yq8T4r2N0s1m3k5j7h9g1f3d5s7a9q2w4E="


def test_logins_guard_every_page_and_feeds_take_a_token(stories_db: Path, tmp_path: Path) -> None:
    users = {"analyst": HASH}
    feed = "/presswatch/alert_feed.atom?subscription=x"
    anon = fetch(stories_db, "/", "/-/tin.csv", "/presswatch/articles.json", feed, users=users,
                 headers={"accept": "text/html"})
    assert [r.status_code for r in anon] == [302, 302, 302, 302]
    assert all(r.headers["location"] == "/-/login" for r in anon)
    (login,) = fetch(stories_db, "/-/login", users=users)
    assert login.status_code == 200
    ok = fetch(stories_db, "/", "/-/tin.csv", users=users, cookies={"ds_actor": "SIGN"})
    assert [r.status_code for r in ok] == [200, 200]
    assert feed_token("desk", users) != feed_token("other", users)
    bad, = fetch(stories_db, f"/presswatch/alert_desk.atom?token={feed_token('other', users)}", users=users)
    assert bad.status_code == 401
    # open without accounts, as on loopback today
    (r,) = fetch(stories_db, "/-/tin", users={})
    assert r.status_code == 200
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")


def test_auth_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    f = tmp_path / "users"
    f.write_text(f"# team\nanalyst:{HASH}\n", encoding="utf-8")
    monkeypatch.setenv("PRESSWATCH_AUTH_FILE", str(f))
    assert settings.auth_users() == {"analyst": HASH}
    monkeypatch.setenv("PRESSWATCH_AUTH_USERS", "boss:secret")
    with pytest.raises(ConfigError, match="PRESSWATCH_AUTH_USERS"):
        settings.auth_users()


@pytest.mark.slow
def test_serve_refuses_a_public_address_without_logins(stories_db: Path) -> None:
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSWATCH_AUTH")}
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "serve", "--db", str(stories_db), "--host", "0.0.0.0",
                        "--port", "1"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode != 0 and "refusing to serve on 0.0.0.0 without logins" in r.stderr


# -- scheduled reports ----------------------------------------------------------------------------
class Sink:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def test_report_due_times() -> None:
    sub = parse_alerts('[alerts.w]\nreport = "weekly"\nreport_time = "08:00"\n').subscriptions["w"]
    monday_7 = datetime(2026, 11, 30, 7, 0, tzinfo=VN_TZ)  # a Monday, before 08:00
    key, period = due(sub, monday_7)  # type: ignore[misc]
    assert key == "report:weekly:2026-W48" and period.label() == "16/11/2026 – 22/11/2026"
    key2, period2 = due(sub, monday_7 + timedelta(hours=2))  # type: ignore[misc]
    assert key2 == "report:weekly:2026-W49" and period2.label() == "23/11/2026 – 29/11/2026"
    with pytest.raises(Exception, match="report_time"):
        parse_alerts('[alerts.w]\nreport = "weekly"\nreport_time = "25:00"\n')
    with pytest.raises(Exception, match="report"):
        parse_alerts('[alerts.w]\nreport = "monthly"\n')


def test_weekly_report_sends_one_message_per_week_with_the_docx(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the stories of the week before the Monday after NOW
    monday = (NOW + timedelta(days=7 - NOW.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    db_path = build_stories_db(tmp_path / "w.db", stories=10, days=6,
                               now=monday - timedelta(days=1, hours=10))
    sink = Sink()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        cfg = parse_alerts(f"""
[alerts.boss]
channels = ["mailto://127.0.0.1:{port}?from=presswatch@example.org&to=boss@example.org&mode=insecure"]
report = "weekly"
report_time = "08:00"
""")
        db = open_db(db_path)
        for hours in (0, 1, 30, 50):  # Monday 09:00, 10:00, Tuesday, Wednesday: the same week
            deliver(db, cfg, now=(monday + timedelta(hours=hours)).astimezone(UTC))
        assert len(sink.messages) == 1
        deliver(db, cfg, now=(monday + timedelta(days=7)).astimezone(UTC))  # next Monday: the next report
        assert len(sink.messages) == 2
        db.close()
    finally:
        ctl.stop()
    msg = sink.messages[0]
    assert "Điểm báo" in str(msg["subject"])
    atts = list(msg.iter_attachments())  # type: ignore[attr-defined]
    assert len(atts) == 1 and str(atts[0].get_filename()).endswith(".docx")
    import docx

    d = docx.Document(io.BytesIO(atts[0].get_content()))
    h2 = [p.text for p in d.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert len(h2) == 10 and story_title(0) in h2


def test_demo_sample_dates_shift_to_today() -> None:
    from datetime import date

    from config.samples.site import REFERENCE_DAY, SampleSite, shift_dates

    delta = date(2026, 12, 1) - REFERENCE_DAY
    text = ('<pubDate>Fri, 20 Nov 2026 07:30:00 +0700</pubDate> "2026-11-20T22:10:34+07:00" 20/11/2026 '
            "/news-2026-11.xml -20261119103512207.htm")
    out = shift_dates(text, delta)
    assert "Tue, 01 Dec 2026 07:30:00 +0700" in out and '"2026-12-01T22:10:34+07:00"' in out
    assert "01/12/2026" in out and "/news-2026-11.xml -20261119103512207.htm" in out  # URLs unchanged
    with SampleSite(today=date(2026, 12, 1)) as site:
        assert site.shift == delta


# -- the story list's search and period (issue: one matcher, from-to dates) ---------------------
SEARCH_ARTICLES = [  # invented reports: a province of China, a span of two years, "Hai bên … năm"
    ("hainam", "Đoàn đại biểu tỉnh Hải Nam thăm Quảng Ninh", "Tỉnh Hải Nam cử đoàn sang làm việc về du lịch biển."),
    ("hainam-dn", "Quảng Ninh tiếp thương nhân nước ngoài", "Các doanh nghiệp đến từ Hải Nam tìm hiểu cảng biển."),
    ("hainam-years", "Quảng Ninh ký kế hoạch hợp tác hai năm với Lào", "Kế hoạch kéo dài hai năm về giáo dục."),
    ("haiben", "Quảng Ninh làm việc với đối tác Lào", "Hai bên thống nhất kế hoạch năm 2026 về giáo dục."),
]


@pytest.fixture(scope="module")
def search_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.article import Article, DedupResult, Relevance
    from pipeline.process import store_article

    path = build_stories_db(tmp_path_factory.mktemp("srch") / "presswatch.db", stories=12, days=7)
    db = open_db(path)
    with db.atomic():
        for i, (slug, title, text) in enumerate(SEARCH_ARTICLES):
            a = Article(url=f"https://vnexpress.example.vn/{slug}.html", title=title, text=text + "\n\nHết.",
                        site="vnexpress", published=(NOW - timedelta(hours=3 + i)).isoformat(),
                        published_source="meta", description=text, language="vi")
            a.relevance = Relevance(score=0.9, relevant=True, provinces=["Quảng Ninh"], countries=["Lào"])
            a.dedup = DedupResult(story_id=None)
            store_article(db, a, "<html></html>")
    db.close()
    return path


def _listed(html: str) -> list[str]:
    """The story titles of a /-/tin page (marks removed), in page order."""
    import re

    rows = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
    return [re.sub(r"</?mark>", "", t) for t in re.findall(r'<td class="pw-title"><a [^>]*>(.*?)</a>', rows)]


def test_story_list_searches_with_the_one_matcher(search_db: Path) -> None:
    from urllib.parse import quote

    queries = ["Ðà Nẵng", "Đà Nẵng", '"hai năm"', "Hải Nam", "hai năm", "hai nam", "da nang"]
    pages = dict(zip(queries, fetch(search_db, *[f"/-/tin?q={quote(q)}" for q in queries]), strict=True))
    for r in pages.values():
        assert r.status_code == 200, r.text[:300]
    got = {q: _listed(r.text) for q, r in pages.items()}
    dn = [t for t in got["Đà Nẵng"]]
    assert dn and all(t.startswith("Đà Nẵng") for t in dn)
    assert got["Ðà Nẵng"] == dn == got["da nang"]  # U+00D0 look-alike normalised; accent-free finds the same
    assert got['"hai năm"'] == ["Quảng Ninh ký kế hoạch hợp tác hai năm với Lào"]
    assert sorted(got["Hải Nam"]) == sorted(["Đoàn đại biểu tỉnh Hải Nam thăm Quảng Ninh",
                                             "Quảng Ninh tiếp thương nhân nước ngoài"])
    # bare syllables: side by side first (the title hit above the body-only one), then near each other
    assert got["hai năm"] == ["Quảng Ninh ký kế hoạch hợp tác hai năm với Lào", "Quảng Ninh làm việc với đối tác Lào"]
    assert got["hai nam"][0] == "Quảng Ninh ký kế hoạch hợp tác hai năm với Lào"
    assert set(got["hai nam"]) == {t for _, t, _ in SEARCH_ARTICLES}
    assert got["Hải Nam"][0] == "Đoàn đại biểu tỉnh Hải Nam thăm Quảng Ninh"  # title hit ranks first
    page = pages["Hải Nam"].text
    assert '<div class="pw-snippet">Các doanh nghiệp đến từ <mark>Hải Nam</mark>' in page
    assert "<mark>Hải Nam</mark> thăm" in page


def test_story_list_and_summary_take_from_to_dates(search_db: Path) -> None:
    today = NOW.date()
    old, bad, bad_csv, bad_rep, window, back = fetch(
        search_db, "/-/tin?tu=2025-11-01&den=2025-12-31", "/-/tin?tu=2025-13-45", "/-/tin.csv?tu=2025-13-45",
        "/-/diem-bao.docx?den=hôm-qua", f"/-/tin?tu={today:%d/%m/%Y}", "/-/tin?tu=2026-12-31&den=2026-01-01")
    assert old.status_code == 200 and "01/11/2025 – 31/12/2025" in old.text and _listed(old.text) == []
    assert '<option value="khoang" selected>' in old.text
    assert bad.status_code == 400 and "“2025-13-45” không phải là một ngày hợp lệ" in bad.text
    assert "pw-error" in bad.text and _listed(bad.text) == []
    assert bad_csv.status_code == 400 and "2025-13-45" in bad_csv.text
    assert bad_rep.status_code == 400
    assert window.status_code == 200 and _listed(window.text)  # from today (DD/MM/YYYY) to today
    assert back.status_code == 400 and "trước Từ ngày" in back.text


def test_report_page_shows_the_newest_and_links_the_full_download(search_db: Path, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    from pipeline.publish import workspace

    monkeypatch.setattr(workspace, "REPORT_WEB_LIMIT", 3)
    (page,) = fetch(search_db, "/-/diem-bao?ky=7")
    assert page.status_code == 200
    assert page.text.count('class="pw-story"') == 3
    assert "Trang này hiện 3 trong 15 sự kiện" in page.text and "/-/diem-bao.docx?" in page.text


def test_workspace_queries_have_a_time_limit(search_db: Path) -> None:
    import sqlite3

    from pipeline.publish.timelimit import QueryTooSlow, TimedConnection

    conn = sqlite3.connect(search_db)
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    with pytest.raises(QueryTooSlow):
        TimedConnection(conn, 50).execute(slow)
    assert TimedConnection(conn, 50).execute("select count(*) from articles").fetchone()[0] == 30
    conn.close()


def test_story_window_reads_its_index(tmp_db: Any) -> None:
    """The story list's statements read a window of days as one range of the 0012_story_days indexes,
    not the (relevant, published) index over every relevant row (bench/datasette_load.py, ws-*)."""
    from db import report as rsql

    plans: list[str] = []

    class Explaining:
        def execute(self, q: str, params: Any = ()) -> Any:
            plans.append(" ".join(r[3] for r in tmp_db.conn.execute("explain query plan " + q, params)))
            return tmp_db.conn.execute(q, params)

    conn: Any = Explaining()
    rsql.story_page(conn, "2026-01-01", "2026-01-07")
    rsql.story_page(conn, "2026-01-01", "2026-01-07", relevant_only=False, provinces=["Hà Nội"])
    rsql.window_counts(conn, "2026-01-01", "2026-01-07", "provinces")
    rsql.window_totals(conn, "2026-01-01", "2026-01-07")
    assert len(plans) == 6
    for plan in plans:
        assert "USING INDEX articles_story_days" in plan and "<expr>>? AND <expr><?" in plan, plan
