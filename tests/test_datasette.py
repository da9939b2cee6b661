"""Datasette as analysts see it: search, facets, canned queries, Atom, the article page, read-only,
the time limit, and (when Chromium and Playwright are installed) a real headless browser against
the `presswatch serve` command line.

The sample database is built with pipeline.process.store_article, the crawler's own path. Set
PRESSWATCH_SCREENSHOTS=docs to save screenshots of the main pages from the browser test
(bench/screenshots.py does that).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import os
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from db import open_db
from db.runs import sync_sites
from pipeline import publish
from pipeline.article import Article, Relevance
from pipeline.process import store_article
from tests.serverlib import free_port, serving

VN = timezone(timedelta(hours=7))


SITES = {
    "vnexpress": "VnExpress",
    "tuoitre": "Tuổi Trẻ",
    "baodanang": "Báo Đà Nẵng",
    "hanoimoi": "Hà Nội Mới",
}

# (site, title, provinces, countries, relevant, paragraphs)
TEMPLATES = [
    ("baodanang", "Đà Nẵng tăng cường hợp tác quốc tế với Nhật Bản", ["Đà Nẵng"], ["Nhật Bản"], True,
     ["Chiều qua, lãnh đạo thành phố Đà Nẵng tiếp đoàn công tác của tỉnh Shizuoka (Nhật Bản).",
      "Hai bên trao đổi về hợp tác quốc tế trong giáo dục, du lịch và chuyển đổi số.",
      "Thành phố mong muốn mở thêm đường bay thẳng để thúc đẩy giao lưu nhân dân."]),
    ("vnexpress", "Hà Nội và Seoul ký kết thỏa thuận hợp tác đối ngoại", ["Hà Nội"], ["Hàn Quốc"], True,
     ["Thủ đô Hà Nội và thành phố Seoul ký biên bản ghi nhớ về hợp tác đô thị thông minh.",
      "Công tác đối ngoại địa phương được đẩy mạnh trong năm nay."]),
    ("tuoitre", "Quảng Ninh đón đoàn doanh nghiệp Trung Quốc", ["Quảng Ninh"], ["Trung Quốc"], True,
     ["Tỉnh Quảng Ninh tổ chức hội nghị xúc tiến đầu tư với hơn 50 doanh nghiệp Trung Quốc.",
      "Các bên bàn về logistics và cửa khẩu Móng Cái."]),
    ("hanoimoi", "Giá rau xanh tăng nhẹ sau mưa lớn", ["Hà Nội"], [], False,
     ["Tại các chợ dân sinh, giá rau xanh tăng từ 10 đến 20 phần trăm.",
      "Tiểu thương cho biết nguồn cung sẽ ổn định trong tuần tới."]),
    ("vnexpress", "Thừa Thiên Huế kết nghĩa với tỉnh Gyeongju của Hàn Quốc", ["Thừa Thiên Huế"], ["Hàn Quốc"],
     True, ["Hai địa phương ký kết thỏa thuận kết nghĩa, mở rộng hợp tác văn hóa và di sản.",
            "Đoàn đại biểu Gyeongju thăm Đại Nội Huế."]),
    ("tuoitre", "Đội tuyển bóng đá thắng đậm trong trận giao hữu", [], [], False,
     ["Đội tuyển thắng 3-0 trong trận đấu giao hữu tối qua.", "Huấn luyện viên hài lòng với lối chơi."]),
    ("baodanang", "Đà Nẵng đón đoàn đại sứ các nước ASEAN", ["Đà Nẵng"], ["ASEAN", "Lào", "Thái Lan"], True,
     ["Đoàn đại sứ các nước ASEAN đến thăm và làm việc với thành phố Đà Nẵng.",
      "Chủ tịch thành phố giới thiệu tiềm năng hợp tác về kinh tế biển."]),
    ("hanoimoi", "Hà Nội tổ chức lễ hội văn hóa Pháp", ["Hà Nội"], ["Pháp"], True,
     ["Lễ hội văn hóa Pháp diễn ra tại phố đi bộ Hồ Gươm với nhiều hoạt động giao lưu.",
      "Đại sứ quán Pháp phối hợp cùng thành phố tổ chức sự kiện."]),
]

# the same text carried by a second outlet: one story, two outlets (content_hash is equal)
SHARED = ("tuoitre", 0)


def _article(i: int, site: str, title: str, provinces: list[str], countries: list[str], relevant: bool,
             paras: list[str], published: datetime, suffix: str = "") -> Article:
    a = Article(
        url=f"https://{site}.example.vn/bai-{i}{suffix}.html",
        title=title,
        text="\n\n".join(paras),
        site=site,
        published=published.isoformat(timespec="seconds"),
        published_source="meta",
        author="Minh Anh" if i % 2 else None,
        description=paras[0],
        language="vi",
    )
    a.relevance = Relevance(score=0.9 if relevant else 0.05, relevant=relevant, provinces=provinces,
                            countries=countries, evidence=[])
    return a


class _Spec:
    def __init__(self, key: str, name: str) -> None:
        self.key, self.name, self.domains = key, name, (f"{key}.example.vn",)
        self.every, self.enabled = 900, True


def build_sample_db(path: str | Path, days: int = 10) -> Path:
    """Write the sample database: every template once a day for `days` days (newest today)."""
    path = Path(path)
    db = open_db(path)
    sync_sites(db, [_Spec(k, v) for k, v in SITES.items()])
    now = datetime.now(UTC).astimezone(VN).replace(microsecond=0)
    i = 0
    for day in range(days):
        for k, (site, title, prov, ctry, rel, paras) in enumerate(TEMPLATES):
            if day and (day + k) % 3 == 0:
                continue  # not every story every day: uneven charts
            published = min(now - timedelta(days=day, minutes=37 * k), now - timedelta(minutes=5 + k))
            i += 1
            if day:
                title, paras = f"{title} (ngày {day})", [*paras[:-1], f"{paras[-1]} (ngày {day})"]
            store_article(db, _article(i, site, title, prov, ctry, rel, paras, published), "<html></html>")
            if day == 0 and k == SHARED[1]:
                store_article(db, _article(i, SHARED[0], title, prov, ctry, rel, paras,
                                           published - timedelta(minutes=20), suffix="-dang-lai"),
                              "<html></html>")
    db.execute(
        "INSERT INTO crawl_runs (site, started, finished, requests, new, status) "
        "VALUES ('vnexpress', datetime('now', '-1 hour'), datetime('now', '-59 minutes'), 12, 3, 'ok'), "
        "('tuoitre', datetime('now', '-1 hour'), datetime('now', '-59 minutes'), 4, 0, 'failed')"
    )
    # copies and stories as the crawl's dedup stage would have marked them (pipeline/dedup.py)
    from pipeline.dedup import reindex

    reindex(db)
    db.conn.close()
    return path


# --------------------------------------------------------------------------------------------
# in-process Datasette (its own ASGI client): the JSON API and the HTML pages

DB_NAME = "presswatch"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_db(tmp_path_factory.mktemp("ds") / f"{DB_NAME}.db")


def make_datasette(db_path: Path, **settings: Any) -> Any:
    from datasette.app import Datasette

    return Datasette(
        [str(db_path)],
        metadata=publish.metadata(db_path),
        plugins_dir=str(publish.PLUGINS_DIR),
        template_dir=str(publish.TEMPLATES_DIR),
        settings={**publish.SETTINGS, **settings},
    )


def run_async(coro: Any) -> Any:
    """asyncio.run in a thread of its own: Playwright's sync API keeps a loop in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def fetch(db_path: Path, *paths: str, **settings: Any) -> list[Any]:
    """GET each path on one in-process Datasette; returns the httpx responses."""

    async def run() -> list[Any]:
        ds = make_datasette(db_path, **settings)
        return [await ds.client.get(p) for p in paths]

    return run_async(run())


def get_json(db_path: Path, path: str) -> Any:
    (r,) = fetch(db_path, path)
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    return r.json()


def titles(data: dict[str, Any]) -> list[str]:
    cols = data["columns"]
    return [dict(zip(cols, row, strict=True))["title"] for row in data["rows"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hop tac quoc te", "hợp tác quốc tế"),
        ("da nang", "Đà Nẵng"),
        ("doi ngoai", "đối ngoại"),
        ("Đà Nẵng", "Đà Nẵng"),
        ("\u00d0à Nẵng", "Đà Nẵng"),  # Ð (U+00D0), the look-alike legacy fonts give (issue 14)
        ('"da nang"', "Đà Nẵng"),  # a quoted accent-free phrase
        ("thoa thuan ket nghia", "kết nghĩa"),
    ],
)
def test_accent_free_search_finds_accented_articles(sample_db: Path, query: str, expected: str) -> None:
    data = get_json(sample_db, f"/{DB_NAME}/articles.json?_search={urllib.parse.quote(query)}")
    found = titles(data)
    assert found, query
    texts = [json.dumps(r, ensure_ascii=False) for r in data["rows"]]
    assert all(expected.lower() in t.lower() for t in texts), (query, found)


def test_search_does_not_match_everything(sample_db: Path) -> None:
    data = get_json(sample_db, f"/{DB_NAME}/articles.json?_search=quang+ninh")
    assert data["filtered_table_rows_count"] < data["filtered_table_rows_count"] + 1
    assert all("Quảng Ninh" in t for t in titles(data))
    everything = get_json(sample_db, f"/{DB_NAME}/articles.json")
    assert 0 < data["filtered_table_rows_count"] < everything["filtered_table_rows_count"]


def test_facets_present_once_and_array_facets_filter(sample_db: Path) -> None:
    data = get_json(sample_db, f"/{DB_NAME}/articles.json")
    facets = data["facet_results"]
    assert set(facets) == {"site", "relevant", "provinces", "countries", "published_day"}
    assert not data.get("facets_timed_out")
    provinces = {v["value"]: v for v in facets["provinces"]["results"]}
    assert "Đà Nẵng" in provinces and "Hà Nội" in provinces
    # following the facet's own toggle URL filters to that province
    toggle = urllib.parse.urlsplit(provinces["Đà Nẵng"]["toggle_url"])
    filtered = get_json(sample_db, f"{toggle.path}?{toggle.query}")
    assert filtered["filtered_table_rows_count"] == provinces["Đà Nẵng"]["count"]
    assert all("Đà Nẵng" in json.loads(dict(zip(filtered["columns"], r, strict=True))["provinces"])
               for r in filtered["rows"])
    # the facet is still listed once when the URL names it too (the duplicate-facet pitfall)
    again = get_json(sample_db, f"/{DB_NAME}/articles.json?_facet=site&_facet_array=provinces&_facet=author")
    assert set(again["facet_results"]) == set(facets) | {"author"}
    (r,) = fetch(sample_db, f"/{DB_NAME}/articles?_facet=site&site=vnexpress")
    assert r.text.count('id="facet-site"') == 1
    days = [v["value"] for v in facets["published_day"]["results"]]
    today_vn = datetime.now(UTC).astimezone(VN).date().isoformat()
    assert today_vn in days


@pytest.mark.parametrize("query", [
    {"provinces__arraycontains": "Hà Nội"},
    {"relevant": "1", "countries__arraycontains": "Hàn Quốc"},
    {"site": "vnexpress"},
])
def test_filtered_page_facets_read_indexes_not_rows(sample_db: Path, query: dict[str, str]) -> None:
    """Each facet of a filtered page walks an index that holds what the filter needs: no query of the
    page reads the article rows (with their texts) one by one, which took 250-300 ms a facet at
    200,000 articles (migration datasette_facet_indexes; the arraycontains pre-test)."""
    import sqlite3

    (r,) = fetch(sample_db, f"/{DB_NAME}/articles.json?{urllib.parse.urlencode(query)}&_trace=1",
                 trace_debug=True)
    data = r.json()
    key, value = next((k, v) for k, v in query.items() if k != "relevant")
    assert data["filtered_table_rows_count"] > 0
    for row in data["rows"]:  # the rows still match the filter exactly
        cell = dict(zip(data["columns"], row, strict=True))[key.split("__")[0]]
        assert value in (json.loads(cell) if "__" in key else [cell])
    facet_sql = [t for t in data["_trace"]["traces"] if "as value, count(*)" in t["sql"]]
    assert len(facet_sql) == 5
    conn = sqlite3.connect(f"{sample_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for t in facet_sql:
            plan = [r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + t["sql"], t["params"] or {})]
            reads = [line for line in plan if line.startswith(("SCAN articles", "SEARCH articles"))]
            assert reads, plan
            for line in reads:
                if "COVERING INDEX" in line:
                    continue
                # published_day is a virtual column: SQLite computes it from `published` in the index
                # but does not call that index covering. Such an index must hold what is filtered on.
                assert "published_day as value" in t["sql"], (t["sql"], plan)
                index = line.split(" USING INDEX ")[1].split()[0]
                cols = {r[2] for r in conn.execute("SELECT * FROM pragma_index_xinfo(?)", [index])}
                needed = {k.split("__")[0] for k in query} | {"published"}
                assert needed <= cols, (index, cols, plan)
    finally:
        conn.close()


def test_table_is_newest_first_and_text_is_a_preview(sample_db: Path) -> None:
    data = get_json(sample_db, f"/{DB_NAME}/articles.json?_shape=objects")
    published = [r["published"] for r in data["rows"]]
    assert published == sorted(published, reverse=True)
    (r,) = fetch(sample_db, f"/{DB_NAME}/articles")
    assert r.status_code == 200
    assert 'class="pw-preview"' in r.text
    assert "Tìm không dấu" in r.text or "không cần dấu" in r.text  # the bilingual description
    assert 'name="_search"' in r.text


def test_internal_tables_hidden(sample_db: Path) -> None:
    data = get_json(sample_db, f"/{DB_NAME}.json")
    visible = {t["name"] for t in data["tables"] if not t["hidden"]}
    assert {"articles", "crawl_runs", "sites", "urls"} <= visible
    assert not visible & {"pages", "_sqlite_migrations", "articles_fts", "articles_fts_data",
                          "articles_fts_idx", "articles_fts_content", "articles_fts_docsize",
                          "articles_fts_config"}
    assert "articles_folded" not in {v["name"] for v in data["views"]}  # the search index's content view


def canned_queries(db_path: Path) -> dict[str, Any]:
    return dict(publish.metadata(db_path)["databases"][DB_NAME]["queries"])


def test_canned_queries_all_run_with_defaults_and_none_write(sample_db: Path) -> None:
    queries = canned_queries(sample_db)
    # site health is the site_health view (db/schema.py) with its "health" canned query
    assert {"latest_relevant", "by_province", "stories", "new_today", "health",
            "latest_relevant_atom", "articles_per_day_site", "articles_per_day_province"} <= set(queries)
    assert "site_health" not in queries
    for name, q in queries.items():
        assert not q.get("write"), name
        assert q.get("title") and q.get("description"), name
        data = get_json(sample_db, f"/{DB_NAME}/{name}.json?_shape=objects")
        assert data.get("ok", True), (name, data)
        assert data["rows"], name


def test_canned_query_results(sample_db: Path) -> None:
    rows = get_json(sample_db, f"/{DB_NAME}/latest_relevant.json?_shape=objects")["rows"]
    assert all(r["relevance"] >= 0.5 for r in rows)
    assert [r["published"] for r in rows] == sorted((r["published"] for r in rows), reverse=True)
    # accent-free province name
    rows = get_json(sample_db, f"/{DB_NAME}/by_province.json?_shape=objects&province=da+nang")["rows"]
    assert rows and all("Đà Nẵng" in json.loads(r["provinces"]) for r in rows)
    rows = get_json(sample_db, f"/{DB_NAME}/by_province.json?_shape=objects&province=H%C3%A0+N%E1%BB%99i"
                    "&relevant_only=0")["rows"]
    assert any(r["relevant"] == 0 for r in rows)
    # the story told by two outlets
    rows = get_json(sample_db, f"/{DB_NAME}/stories.json?_shape=objects")["rows"]
    assert len(rows) == 1 and rows[0]["outlets"] == 2
    assert set(rows[0]["sites"].split(",")) == {"baodanang", "tuoitre"}
    rows = get_json(sample_db, f"/{DB_NAME}/new_today.json?_shape=objects")["rows"]
    assert len(rows) == get_json(sample_db, f"/{DB_NAME}/articles.json")["filtered_table_rows_count"]
    rows = get_json(sample_db, f"/{DB_NAME}/site_health.json?_shape=objects")["rows"]
    assert {r["site"] for r in rows} == set(SITES)


def test_story_query_switches_to_story_id(tmp_path: Path) -> None:
    db_path = build_sample_db(tmp_path / f"{DB_NAME}.db", days=2)
    db = open_db(db_path)
    db.execute("UPDATE articles SET story_id = id")
    db.execute("UPDATE articles SET story_id = 7 "
               "WHERE title LIKE 'Đà Nẵng đón đoàn%' OR title LIKE '%Gyeongju%'")
    db.conn.close()
    q = canned_queries(db_path)["stories"]
    assert "story_id" in q["sql"] and "content_hash" not in q["sql"]
    rows = get_json(db_path, f"/{DB_NAME}/stories.json?_shape=objects")["rows"]
    assert [r["story"] for r in rows] == [7]
    # the article page lists the other reports of story 7
    (r,) = fetch(db_path, f"/{DB_NAME}/articles/{rows[0]['first_article']}")
    assert "theo cụm sự kiện" in r.text.lower() and r.text.count('<li><a href="/presswatch/articles/') >= 1


def test_site_health_view_replaces_the_canned_query(tmp_path: Path) -> None:
    db_path = build_sample_db(tmp_path / f"{DB_NAME}.db", days=1)
    db = open_db(db_path)
    db.execute("CREATE VIEW IF NOT EXISTS site_health AS SELECT key AS site, name FROM sites")
    db.conn.close()
    assert "site_health" not in canned_queries(db_path)
    meta = publish.metadata(db_path)
    assert meta["databases"][DB_NAME]["tables"]["site_health"]["title"]
    assert get_json(db_path, f"/{DB_NAME}/site_health.json")["rows"]


def test_atom_feed_is_valid_xml(sample_db: Path) -> None:
    (r,) = fetch(sample_db, f"/{DB_NAME}/latest_relevant_atom.atom")
    assert r.status_code == 200
    assert "xml" in r.headers["content-type"]
    root = etree.fromstring(r.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    entries = root.findall("a:entry", ns)
    assert entries
    first = entries[0]
    assert first.findtext("a:title", namespaces=ns)
    assert first.find("a:link", ns).get("href").startswith("https://")
    assert first.findtext("a:id", namespaces=ns).startswith("presswatch:article:")
    assert "+07:00" in first.findtext("a:updated", namespaces=ns)
    relevant = get_json(sample_db, f"/{DB_NAME}/articles.json?relevant=1")["filtered_table_rows_count"]
    assert len(entries) == min(50, relevant)


def test_article_page_reads_like_an_article(sample_db: Path) -> None:
    rows = get_json(sample_db, f"/{DB_NAME}/stories.json?_shape=objects")["rows"]
    art_id = rows[0]["first_article"]
    (r,) = fetch(sample_db, f"/{DB_NAME}/articles/{art_id}")
    assert r.status_code == 200
    html = r.text
    assert '<article class="pw-article">' in html
    assert html.count("<p>") >= 3  # one per paragraph
    assert 'class="pw-original" href="https://' in html
    assert "Other reports of the same story" in html
    assert "Tuổi Trẻ" in html.split('class="pw-related"')[1]
    # other tables keep Datasette's own row page
    (r,) = fetch(sample_db, f"/{DB_NAME}/sites/vnexpress")
    assert r.status_code == 200 and "pw-article" not in r.text


def test_read_only_and_time_limit(sample_db: Path) -> None:
    before = hashlib.sha256(sample_db.read_bytes()).hexdigest()
    write, drop = fetch(
        sample_db,
        f"/{DB_NAME}.json?sql=" + urllib.parse.quote("insert into sites (key, name) values ('x', 'x')"),
        f"/{DB_NAME}.json?sql=" + urllib.parse.quote("drop table articles"),
    )
    assert write.status_code == 400 and drop.status_code == 400
    heavy = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    started = time.monotonic()
    (r,) = fetch(sample_db, f"/{DB_NAME}.json?sql=" + urllib.parse.quote(heavy))
    elapsed = time.monotonic() - started
    assert r.status_code == 400
    assert "too long" in r.json()["error"]
    assert elapsed < publish.SQL_TIME_LIMIT_MS / 1000 + 5
    (dl,) = fetch(sample_db, f"/{DB_NAME}.db")
    assert dl.status_code in (403, 404)
    assert hashlib.sha256(sample_db.read_bytes()).hexdigest() == before


def test_serve_command_options(sample_db: Path, tmp_path: Path) -> None:
    meta = publish.write_metadata(sample_db, tmp_path / "m.json")
    cmd = publish.datasette_command(sample_db, meta, port=8123)
    assert cmd[cmd.index("--plugins-dir") + 1] == str(publish.PLUGINS_DIR)
    assert cmd[cmd.index("--template-dir") + 1] == str(publish.TEMPLATES_DIR)
    settings = {cmd[i + 1]: cmd[i + 2] for i, v in enumerate(cmd) if v == "--setting"}
    assert settings["allow_download"] == "off" and settings["sql_time_limit_ms"] == "3000"
    text = meta.read_text(encoding="utf-8")
    assert "__DB__" not in text and publish.PRIVATE_KEY not in text


def test_charts_dashboard(sample_db: Path) -> None:
    pytest.importorskip("datasette_dashboards")
    (r,) = fetch(sample_db, "/-/dashboards/presswatch?days=30")
    assert r.status_code == 200
    assert "per-site" in r.text and "per-province" in r.text
    assert "vega" in r.text


# --------------------------------------------------------------------------------------------
# a real headless Chromium against the `presswatch serve` command (skipped without Chromium or
# the playwright package; Playwright drives Debian's /usr/bin/chromium, it downloads no browser)

SHOTS = os.environ.get("PRESSWATCH_SCREENSHOTS")  # a directory: save screenshots of the main pages


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`presswatch serve` as the CLI runs it: migrate, write the metadata, datasette_command()."""
    tmp = tmp_path_factory.mktemp("serve")
    db_path = build_sample_db(tmp / f"{DB_NAME}.db")
    open_db(db_path).conn.close()
    meta = publish.write_metadata(db_path, tmp / "metadata.json")
    port = free_port()
    with serving(publish.datasette_command(db_path, meta, "127.0.0.1", port), port, grace=10) as base:
        yield base


def shot(page: Any, name: str, full_page: bool = False) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page)


@pytest.mark.slow
def test_browser_search_facets_article_feed(served: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # the articles page loads, newest first, with the search box and the facets
        page.goto(f"{served}/{DB_NAME}/articles")
        assert page.locator("table.rows-and-columns tbody tr").count() == 20
        for col in ("site", "relevant", "provinces", "countries", "published_day"):
            assert page.locator(f'.facet-info[data-column="{col}"]').count() == 1, col
        shot(page, "articles", full_page=True)

        # an accent-free search returns the accented articles
        page.fill('input#_search', "hop tac quoc te")
        page.locator('input#_search').press("Enter")
        page.wait_for_url("**_search=hop+tac+quoc+te**")
        rows = page.locator("table.rows-and-columns tbody tr")
        assert rows.count() > 0
        body = page.inner_text("table.rows-and-columns")
        assert "hợp tác quốc tế" in body
        page.fill('input#_search', "da nang")
        page.locator('input#_search').press("Enter")
        page.wait_for_url("**_search=da+nang**")
        titles_col = page.locator("table.rows-and-columns tbody td.col-title").all_inner_texts()
        assert titles_col and all("Đà Nẵng" in t for t in titles_col), titles_col
        shot(page, "search", full_page=True)

        # a facet click filters: the province facet, then the outlet facet
        page.goto(f"{served}/{DB_NAME}/articles")
        page.locator('.facet-info[data-column="provinces"] a', has_text="Quảng Ninh").first.click()
        page.wait_for_url("**provinces__arraycontains=**")
        provinces = page.locator("table.rows-and-columns tbody td.col-provinces").all_inner_texts()
        assert provinces and all("Quảng Ninh" in p for p in provinces)
        page.locator('.facet-info[data-column="site"] a', has_text="Tuổi Trẻ").first.click()
        page.wait_for_url("**site=tuoitre**")
        sites = page.locator("table.rows-and-columns tbody td.col-site").all_inner_texts()
        assert sites and all("tuoitre" in s for s in sites), sites

        # an article's page: readable paragraphs, the original, the other reports
        page.goto(f"{served}/{DB_NAME}/stories")
        first = page.locator("table.rows-and-columns tbody td.col-first_article").first.inner_text().strip()
        page.goto(f"{served}/{DB_NAME}/articles/{first}")
        assert page.locator("article.pw-article .pw-lead").count() == 1
        assert page.locator("article.pw-article .pw-body p").count() >= 2
        assert page.locator("a.pw-original").get_attribute("href").startswith("https://")
        assert page.locator(".pw-related li").count() >= 1
        shot(page, "article", full_page=True)

        # the chart dashboard draws (datasette-dashboards + vega, served locally)
        if _has_dashboards():
            page.goto(f"{served}/-/dashboards/presswatch?days=30")
            page.wait_for_selector("#card-per-site svg, #card-per-site canvas", timeout=15000)
            page.wait_for_selector("#card-per-province svg, #card-per-province canvas", timeout=15000)
            page.wait_for_timeout(500)
            shot(page, "chart", full_page=True)

        # the Atom feed, as a browser fetches it, is valid XML
        resp = page.request.get(f"{served}/{DB_NAME}/latest_relevant_atom.atom")
        assert resp.ok
        feed = etree.fromstring(resp.body())
        assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) > 0
        assert not errors, errors
    finally:
        page.close()


def _has_dashboards() -> bool:
    try:
        import datasette_dashboards  # noqa: F401
    except ImportError:
        return False
    return True


def _write_article(db_path: Path, tag: str) -> None:
    """A crawler's write while Datasette serves (another connection, committed)."""
    conn = open_db(db_path)
    conn.execute("INSERT INTO articles (url, site, title, text, fetched_at) VALUES (?, ?, ?, ?, ?)",
                 [f"https://x.example.vn/{tag}", "vnexpress", "Bài mới", "Nội dung",
                  datetime.now(UTC).isoformat(timespec="seconds")])
    conn.conn.close()


def test_response_cache_replays_until_a_commit(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = f"/{DB_NAME}/new_today.json?_shape=objects"
    monkeypatch.delenv("PRESSWATCH_CACHE_SECONDS", raising=False)  # on by default

    async def run() -> list[tuple[int, str | None]]:
        ds = make_datasette(sample_db)
        seen = []
        for step in ("first", "again", "write", "after write", "again"):
            if step == "write":
                _write_article(sample_db, "cache-a")
                continue
            r = await ds.client.get(path)
            assert r.status_code == 200
            seen.append((len(r.json()["rows"]), r.headers.get("x-presswatch-cache")))
        return seen

    try:
        (n0, h0), (n1, h1), (n2, h2), (n3, h3) = run_async(run())
        assert (h0, h1) == ("miss", "hit") and n1 == n0       # viewed again: from memory
        assert (n2, h2) == (n0 + 1, "miss")                    # a commit: the new row shows at once
        assert (n3, h3) == (n2, "hit")
    finally:
        db = open_db(sample_db)
        db.execute("DELETE FROM articles WHERE url LIKE 'https://x.example.vn/%'")
        db.conn.close()


def test_response_cache_off_and_concurrent_requests_share_one_answer(
        sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = f"/{DB_NAME}/articles?_search=da+nang"

    async def together(n: int) -> list[Any]:
        ds = make_datasette(sample_db)
        return list(await asyncio.gather(*(ds.client.get(path) for _ in range(n))))

    monkeypatch.setenv("PRESSWATCH_CACHE_SECONDS", "60")
    answers = run_async(together(6))
    assert {r.status_code for r in answers} == {200}
    assert sorted(r.headers["x-presswatch-cache"] for r in answers) == ["hit"] * 5 + ["miss"]
    assert len({r.text for r in answers}) == 1
    monkeypatch.setenv("PRESSWATCH_CACHE_SECONDS", "0")
    answers = run_async(together(2))
    assert [r.headers.get("x-presswatch-cache") for r in answers] == [None, None]


def test_response_cache_expiry_size_and_what_it_never_keeps() -> None:
    from pipeline.publish.cache import ResponseCache

    calls: list[str] = []

    def asgi(status: int, body: bytes) -> Any:
        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            calls.append(scope["path"])
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": body})
        return app

    def scope(path: str, **extra: Any) -> dict[str, Any]:
        return {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [], **extra}

    async def get(cache: Any, app: Any, sc: dict[str, Any]) -> bytes:
        out: list[dict[str, Any]] = []

        async def send(m: dict[str, Any]) -> None:
            out.append(m)
        await cache(app, sc, None, send)
        return dict(out[0]["headers"]).get(b"x-presswatch-cache", b"")

    async def run() -> None:
        version = [1]
        cache = ResponseCache(0.2, lambda: version[0], max_bytes=1000)
        ok = asgi(200, b"x" * 400)
        assert [await get(cache, ok, scope("/a")) for _ in range(2)] == [b"miss", b"hit"]
        version[0] = 2                                    # a commit
        assert await get(cache, ok, scope("/a")) == b"miss"
        await asyncio.sleep(0.25)                         # older than the ttl
        assert await get(cache, ok, scope("/a")) == b"miss"
        for p in ("/b", "/c"):                            # 3 x 400 bytes > 1000: the oldest goes
            await get(cache, ok, scope(p))
        assert "/a" not in {k[0] for k in cache.entries} and cache.bytes <= 1000
        for sc, app in ((scope("/err"), asgi(500, b"boom")),
                        (scope("/facet"), asgi(200, b"<p>These facets timed out: provinces</p>")),
                        (scope("/post", method="POST"), ok),
                        (scope("/me", headers=[(b"cookie", b"ds_actor=1")]), ok)):
            await get(cache, app, sc)
            await get(cache, app, sc)
        assert calls.count("/err") == calls.count("/facet") == calls.count("/post") == calls.count("/me") == 2

    run_async(run())
