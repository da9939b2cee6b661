"""Search that respects tone marks (issue 14): pipeline/search.py, db/search.py, migration 0007, the
Datasette search box / ?_search= / ranked `search` query, `presswatch search`, through SQLite, the JSON
API and a real browser. The fixture articles are invented for these tests."""

from __future__ import annotations

import json
import unicodedata
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_datasette import DB_NAME, get_json

from config import VN_TZ
from db import open_db
from db.search import check_index, index_size
from db.search import search as sql_search
from pipeline import publish
from pipeline.article import Article, Relevance
from pipeline.normalize import fold_d, normalize_text
from pipeline.process import store_article
from pipeline.search import highlight, parse, snippet
from tests.serverlib import free_port, serving

# key -> (title, text, provinces)
ARTICLES: dict[str, tuple[str, str, list[str]]] = {
    "hainan": ("Quảng Ninh mở rộng giao thương với tỉnh Hải Nam",
               "Đoàn công tác tỉnh Quảng Ninh làm việc với chính quyền tỉnh Hải Nam (Trung Quốc) về "
               "tuyến tàu khách và hợp tác thương mại biên giới.", ["Quảng Ninh"]),
    "two_years": ("Cầu treo bản Nà Lừa thông xe",
                  "Sau hai năm thi công, cây cầu treo mới nối hai bờ suối đã thông xe. Người dân hai bản "
                  "không còn phải lội suối mùa lũ.", []),
    "danang": ("Lãnh đạo thành phố Đà Nẵng tiếp Tổng Lãnh sự Hàn Quốc",
               "Chủ tịch UBND thành phố Đà Nẵng đề nghị hai bên thúc đẩy hợp tác quốc tế về du lịch "
               "và đào tạo nghề.", ["Đà Nẵng"]),
    "raised": ("Ngân hàng điều chỉnh biểu lãi suất",
               "Một ngân hàng thương mại đã nâng lãi suất huy động thêm nửa điểm phần trăm từ đầu tuần.", []),
    "japan": ("Bắc Ninh đón đoàn doanh nghiệp Nhật Bản",
              "Tỉnh Bắc Ninh đón đoàn doanh nghiệp Nhật Bản đến tìm hiểu cơ hội đầu tư vào khu công nghiệp.",
              ["Bắc Ninh"]),
    "agreed": ("Huyện họp bàn kế hoạch phòng chống thiên tai",
               "Hội nghị thống nhất giao Ủy ban nhân dân các xã rà soát phương án sơ tán dân.", []),
    "foreign": ("Sở Ngoại vụ tổng kết công tác năm",
                "Sở Ngoại vụ tổng kết công tác đối ngoại của tỉnh và đề ra nhiệm vụ cho năm tới.", []),
    "football": ("Bàn thắng phút bù giờ ở sân vận động tỉnh",
                 "Đội khách giành chiến thắng nhờ cú sút xa ngoài vòng cấm ở phút cuối của trận đấu.", []),
    "twinning_title": ("Lễ kết nghĩa giữa hai địa phương",
                       "Buổi lễ diễn ra trang trọng với sự tham dự của đại diện hai bên.", []),
    "twinning_body": ("Tin vắn trong tuần",
                      "Nhiều hoạt động giao lưu diễn ra. Hai xã ký văn bản kết nghĩa. Một hội chợ khai mạc.", []),
}


def _store(db: Any) -> dict[str, int]:
    ids = {}
    db.execute("INSERT OR IGNORE INTO sites (key, name) VALUES ('example', 'Báo Ví Dụ')")
    for i, (key, (title, text, provs)) in enumerate(ARTICLES.items()):
        a = Article(url=f"https://example.vn/bai-{i}.html", title=title, text=text, site="example",
                    published=f"2026-03-{10 + i:02d}T09:00:00+07:00", language="vi")
        a.relevance = Relevance(score=0.5, relevant=True, provinces=provs, countries=[], evidence=[])
        ids[key] = store_article(db, a, b"<html></html>")
    return ids


@pytest.fixture
def sdb(tmp_db: Any) -> tuple[Any, dict[str, int]]:
    return tmp_db, _store(tmp_db)


def found(db: Any, q: str) -> list[int]:
    p = parse(q)
    return [h["id"] for h in sql_search(db, p.table, p.fts, p.fts_phrase, limit=100)]


def keys(ids: dict[str, int], hits: list[int]) -> list[str]:
    back = {v: k for k, v in ids.items()}
    return [back[h] for h in hits]


# -- the examples through SQLite -----------------------------------------------------------
@pytest.mark.parametrize(("q", "want"), [
    ("Hải Nam", ["hainan"]), ('"Hải Nam"', ["hainan"]), ("hải nam", ["hainan"]), ("HẢI NAM", ["hainan"]),
    ("hai năm", ["two_years"]),
    ("Đà Nẵng", ["danang"]), ("Ðà Nẵng", ["danang"]),  # U+00D0, the look-alike
    (unicodedata.normalize("NFD", "Đà Nẵng"), ["danang"]), ("đã nâng", ["raised"]),
    ("Nhật Bản", ["japan"]), ('"nhật bản"', ["japan"]),
    ("đối ngoại", ["foreign"]),
    ("Hả*", ["hainan"]),  # a prefix with marks
])
def test_a_query_with_marks_matches_those_marks(sdb: Any, q: str, want: list[str]) -> None:
    db, ids = sdb
    assert parse(q).mode == "marks"
    assert sorted(keys(ids, found(db, q))) == sorted(want)


@pytest.mark.parametrize(("q", "want"), [
    ("hai nam", {"hainan", "two_years"}), ('"da nang"', {"danang", "raised"}), ("da nang", {"danang", "raised"}),
    ("hop tac quoc te", {"danang"}), ('"hop tac quoc te"', {"danang"}), ("nhat ban", {"japan", "agreed"}),
    ("doi ngoai", {"foreign", "football"}), ("DOI NGOAI", {"foreign", "football"}), ("ket ngh*", {"twinning_title",
                                                                                              "twinning_body"}),
])
def test_an_accent_free_query_matches_every_spelling(sdb: Any, q: str, want: set[str]) -> None:
    db, ids = sdb
    assert parse(q).mode == "folded"
    assert set(keys(ids, found(db, q))) == want


def test_side_by_side_first_then_near_ranked_lower(sdb: Any) -> None:
    db, ids = sdb
    assert keys(ids, found(db, "doi ngoai")) == ["foreign", "football"]  # "đội khách … ngoài vòng cấm" last
    assert keys(ids, found(db, "nhat ban")) == ["japan", "agreed"]  # "thống nhất … Ủy ban" last
    assert keys(ids, found(db, '"nhat ban"')) == ["japan"]  # a quoted phrase: side by side only


def test_title_weighted_above_body(sdb: Any) -> None:
    db, ids = sdb
    assert keys(ids, found(db, "kết nghĩa")) == ["twinning_title", "twinning_body"]


def test_python_matcher_agrees_with_sqlite(sdb: Any) -> None:
    db, ids = sdb
    for q in ["Hải Nam", "hai nam", "Đà Nẵng", "da nang", "doi ngoai", '"nhat ban"', "Nhật Bản", "ket ngh*", "Hả*"]:
        p = parse(q)
        py = {k for k, (t, x, _) in ARTICLES.items() if p.matches(t) or p.matches(x)}
        assert py == set(keys(ids, found(db, q))), q


# Texts written to sit on the edges of the rule: separators, case, prefixes, NEAR's distance, repeats.
EDGE_TEXTS = [
    "Đà-Nẵng, ĐÀ NẴNG và đà_nẵng", "đã nâng lãi suất", "Đà 2026 Nẵng", "kết nghĩa; KẾT NGHĨA!", "ket",
    "hợp " + "x " * 9 + "tác", "hợp " + "x " * 11 + "tác", "tác hợp", "Hà Nội Hà Nội Hà", "nghĩa kết",
    "Hải Nam (Trung Quốc)", "hai năm", "HẢI-NAM", "ngoại giao đối ngoại", "doi-ngoai", "hảinam",
]


def test_python_matcher_agrees_with_fts5_on_edges(tmp_db: Any) -> None:
    """Query.matches (highlighting, alert keywords) and the FTS5 expressions on the index give the
    same verdict for every query on every edge text."""
    for i, t in enumerate(EDGE_TEXTS):
        tmp_db.execute("INSERT INTO articles (id, url, title, text, fetched_at) VALUES (?, ?, '', ?, '2026-03-01')",
                       [i + 1, f"https://x.vn/{i}", t])
    for q in ["Đà Nẵng", "da nang", '"da nang"', "đà*", "da*", "ket ngh*", "Kết nghĩa", "hop tac", "hợp tác",
              '"hop tac"', "ha noi ha noi", "Hải Nam", "hai nam", "doi ngoai", "ngoai doi", "2026", "nang*",
              "hai", "nam", "HẢI NAM", "tac hop"]:
        p = parse(q)
        py = {i + 1 for i, t in enumerate(EDGE_TEXTS) if p.matches(t)}
        assert py == set(found(tmp_db, q)), q


def test_groups_matched_in_different_fields_are_marked_in_each(tmp_db: Any) -> None:
    """FTS5 reads a query of several groups over title and text together: the title marks its
    group, the snippet the other, and alert keywords (matches_fields) give the same verdict."""
    title, text = "Khánh Hòa mở đường bay mới", "Chuyến bay đầu tiên hạ cánh ở sân bay Cam Ranh, Nha Trang, sáng nay."
    tmp_db.execute("INSERT INTO articles (id, url, title, text, fetched_at) VALUES (1, 'https://x.vn/1', ?, ?, "
                   "'2026-03-01')", [title, text])
    for q in ['"Khánh Hòa" "Nha Trang"', '"khanh hoa" "nha trang"', "khanh hoa nha trang"]:
        p = parse(q)
        in_sql = found(tmp_db, q) == [1]
        assert in_sql == p.matches_fields([title, text]), q
        if len(p.groups) > 1:
            assert in_sql and not p.matches(title) and not p.matches(text)
            assert "<mark>Khánh Hòa</mark>" in highlight(title, p) and "<mark>Nha Trang</mark>" in snippet(text, p)
    assert not parse('"Khánh Hòa" "Hà Nội"').matches_fields([title, text])


def test_queries_never_break_the_expression(sdb: Any) -> None:
    db, _ = sdb
    for q in ['"', '""', "AND", "OR NOT", "*", "title:x", "NEAR(a b)", "a - b", "", "   ", "(", "{x}", "'"]:
        found(db, q)  # no sqlite3.OperationalError
    assert not parse("...")
    assert found(db, "...") == []


def test_highlight_and_snippet() -> None:

    q = parse("da nang")
    assert highlight("Lãnh đạo <b>Đà Nẵng</b>", q) == "Lãnh đạo &lt;b&gt;<mark>Đà Nẵng</mark>&lt;/b&gt;"
    s = snippet("x " * 300 + "thành phố Đà Nẵng đề nghị" + " y" * 300, q, width=80)
    assert "<mark>Đà Nẵng</mark>" in s and s.startswith("… ") and s.endswith(" …") and len(s) < 140


# -- the index ----------------------------------------------------------------------------------
def test_every_writer_keeps_both_tables_in_step(sdb: Any) -> None:
    """The index follows the articles table by trigger: presswatch's own update (refresh_article),
    a bare SQL UPDATE or DELETE from another tool, an insert without presswatch's code."""
    from db.articles import update_article

    db, ids = sdb
    update_article(db, ids["hainan"], {"title": "Quảng Ninh mở rộng giao thương",
                                       "text": "Sau hai năm, không còn nhắc đến tên cũ."})
    assert found(db, "Hải Nam") == []
    assert set(keys(ids, found(db, "hai năm"))) == {"hainan", "two_years"}
    db.execute("UPDATE articles SET title = 'Tin khác về tỉnh Hải Nam', text = 'Không có gì.' WHERE id = ?",
               [ids["hainan"]])
    assert keys(ids, found(db, "Hải Nam")) == ["hainan"] and keys(ids, found(db, "hai năm")) == ["two_years"]
    db.execute("UPDATE articles SET story_id = 7, relevant = 0 WHERE id = ?", [ids["danang"]])  # not title/text
    assert keys(ids, found(db, "Đà Nẵng")) == ["danang"]
    db.execute("INSERT INTO articles (url, title, text, fetched_at) VALUES ('https://x.vn/1', "
               "'ĐOÀN ĐẠI BIỂU ĐÀ NẴNG', '', '2026-03-01')")
    new = db.execute("SELECT id FROM articles WHERE url = 'https://x.vn/1'").fetchone()[0]
    assert sorted(found(db, "Đà Nẵng")) == [ids["danang"], new] and found(db, '"doan dai bieu"') == [new]
    db.execute("INSERT OR REPLACE INTO articles (id, url, title, text, fetched_at) VALUES (?, 'https://x.vn/1', "
               "'Đoàn đại biểu sau hai năm', '', '2026-03-01')", [new])  # the replaced row's delete trigger too
    assert found(db, "Đà Nẵng") == [ids["danang"]] and found(db, '"doan dai bieu"') == [new]
    check_index(db)
    db.execute("DELETE FROM articles WHERE id = ?", [new])
    assert found(db, "Đà Nẵng") == [ids["danang"]] and found(db, '"doan dai bieu"') == []
    check_index(db)  # FTS5's own check of both tables against articles


def test_a_query_reads_its_own_index_only(tmp_path: Path) -> None:
    """With the folded index broken on purpose, a marked query still answers through each path that
    ranks (``presswatch search``, the ``search`` canned query, the workspace's story search): none of
    them reads the folded index for it. An accent-free query then fails, so the break is real."""
    import sqlite3

    from test_datasette import canned_queries

    from db.report import story_search_page
    from pipeline.publish import connection, search

    path = tmp_path / f"{DB_NAME}.db"
    db = open_db(path)
    ids = _store(db)
    db.execute("DELETE FROM articles_fts_data WHERE id NOT IN (1, 10)")  # its segments gone
    db.conn.commit()
    with pytest.raises(sqlite3.DatabaseError):
        found(db, "hai nam")
    assert found(db, "Hải Nam") == [ids["hainan"]]
    conn = sqlite3.connect(path)
    connection.prepare_connection(conn)
    search.prepare_connection(conn)
    sql = canned_queries(path)["search"]["sql"]
    assert [r[0] for r in conn.execute(sql, {"q": "Hải Nam", "province": ""})] == [ids["hainan"]]
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute(sql, {"q": "hai nam", "province": ""}).fetchall()
    q = parse("Hải Nam")
    total, hits = story_search_page(conn, q.table, q.fts, q.fts_phrase, "2026-01-01", "2026-12-31",
                                    relevant_only=False)
    assert total == 1 and [h[1] for h in hits] == [ids["hainan"]]
    conn.close()
    db.close()


def test_text_stored_through_the_page_path_is_found_as_typed(tmp_db: Any) -> None:
    """An Article made by any producer (not only extraction) is stored normalised, so a marked query
    typed in any form finds it: NFD text, old tone placement, the Ð look-alike."""
    raw = unicodedata.normalize("NFD", "Thanh Hoá đón đoàn Ðakovo, Thụy Điển")
    a = Article(url="https://x.vn/nfd", title=raw, text=raw + ". Hoà bình hữu nghị.", site=None, language="vi")
    aid = store_article(tmp_db, a, b"<html></html>")
    for q in ["Thanh Hóa", "Thanh Hoá", "Đakovo", "Ðakovo", "hòa bình hữu nghị", "Thụy Điển", "thuy dien"]:
        assert found(tmp_db, q) == [aid], q


def test_migration_sql_fold_equals_fold_d() -> None:
    import sqlite3

    texts = [normalize_text(t) for title, text, _ in ARTICLES.values() for t in (title, text)]
    texts += ["ÐÀ NẴNG, đường Điện Biên Phủ ð Ɖ"]  # the look-alikes too, normalised or not
    from db.search import _FOLD_D

    conn = sqlite3.connect(":memory:")
    for t in texts:
        (got,) = conn.execute("SELECT " + _FOLD_D.format("?"), [t]).fetchone()
        assert got == fold_d(t)


def test_migration_0007_rebuilds_an_old_index_in_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from db.schema import migrate

    path = tmp_path / "old.db"
    db = open_db(path, migrate=False)
    migrate(db, stop_before="0007_search_accents")
    for i, (title, text, _) in enumerate(ARTICLES.values(), 1):  # as the code before 0007 stored them
        db.execute("INSERT INTO articles (id, url, title, text, fetched_at) VALUES (?, ?, ?, ?, '2026-03-01')",
                   [i, f"https://example.vn/{i}", title, text])
        db.execute("INSERT INTO articles_fts (rowid, title, text, dwords) VALUES (?, ?, ?, '')", [i, title, text])
    cols = "SELECT id, url, site, title, text, fetched_at, provinces, relevance FROM articles ORDER BY id"
    before = db.execute(cols).fetchall()
    db.close()
    capsys.readouterr()
    db = open_db(path)
    err = capsys.readouterr().err
    assert "search index (accent-free): 10/10" in err and "search index (accent-sensitive): 10/10" in err
    try:
        assert db.execute(cols).fetchall() == before  # rows unchanged
        assert found(db, "Hải Nam") == [1] and sorted(found(db, "hai nam")) == [1, 2]
        assert sorted(found(db, '"da nang"')) == [3, 4] and found(db, "Đà Nẵng") == [3]
        assert set(index_size(db)) == {"articles_fts", "articles_fts_marks"}
        check_index(db)
    finally:
        db.close()


# The layout migration 0007 built before 0013 (frozen here): the folded table kept its own copy of
# the text and of its đ-folded form; the writers filled both tables by hand.
_INDEX_0007 = [
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, dtitle, dtext, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE articles_fts_marks USING fts5(title, text, content = 'articles', content_rowid = 'id', "
    "tokenize = 'unicode61 remove_diacritics 0')",
]


def test_migration_0013_moves_the_0007_index_to_triggers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from db.schema import migrate
    from db.search import TRIGGERS

    path = tmp_path / "old.db"
    db = open_db(path, migrate=False)
    migrate(db, stop_before="0013_search_triggers")
    for name in TRIGGERS:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DROP TABLE articles_fts")
    db.execute("DROP TABLE articles_fts_marks")
    db.execute("DROP VIEW articles_folded")
    for sql in _INDEX_0007:
        db.execute(sql)
    for i, (title, text, _) in enumerate(ARTICLES.values(), 1):  # as the writers of 0007 stored them
        db.execute("INSERT INTO articles (id, url, title, text, fetched_at) VALUES (?, ?, ?, ?, '2026-03-01')",
                   [i, f"https://example.vn/{i}", title, text])
        db.execute("INSERT INTO articles_fts (rowid, title, text, dtitle, dtext) VALUES (?, ?, ?, ?, ?)",
                   [i, title, text, fold_d(title), fold_d(text)])
        db.execute("INSERT INTO articles_fts_marks (rowid, title, text) VALUES (?, ?, ?)", [i, title, text])
    cols = "SELECT id, url, site, title, text, fetched_at, provinces, relevance FROM articles ORDER BY id"
    before = db.execute(cols).fetchall()
    db.conn.commit()
    db.close()
    capsys.readouterr()
    db = open_db(path)
    try:
        assert "search index (accent-sensitive): 10/10" in capsys.readouterr().err
        assert db.execute(cols).fetchall() == before
        assert found(db, "Hải Nam") == [1] and sorted(found(db, "hai nam")) == [1, 2]
        assert sorted(found(db, '"da nang"')) == [3, 4] and found(db, "Đà Nẵng") == [3]
        assert not db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'articles_fts%content'").fetchall()
        db.execute("UPDATE articles SET title = 'Đà Nẵng' WHERE id = 1")  # the triggers are on
        assert sorted(found(db, "Đà Nẵng")) == [1, 3]
        check_index(db)
    finally:
        db.close()


# -- the CLI --------------------------------------------------------------------------------------
def test_cli_search(sdb: Any, cli: Any, tmp_path: Path) -> None:
    db, ids = sdb
    r = cli("search", "Hải Nam", "--db", str(db.path))
    assert r.exit_code == 0, r.output
    lines = [x for x in r.stdout.splitlines() if x.strip()]
    assert len(lines) == 1 and "Quảng Ninh mở rộng giao thương với tỉnh Hải Nam" in lines[0]
    assert lines[0].startswith("2026-03-10 09:00") and "https://example.vn/bai-0.html" in lines[0]
    r = cli("search", "da nang", "--db", str(db.path), "--province", "Da Nang", "--json")
    assert r.exit_code == 0 and r.stdout.count('"id"') == 1 and '"exact": true' in r.stdout
    missing = tmp_path / "nope" / "x.db"
    r = cli("search", "da nang", "--db", str(missing))
    assert r.exit_code == 1 and "no database" in r.output and not missing.parent.exists()


@pytest.mark.parametrize("damage", [
    "INSERT OR REPLACE INTO articles (id, url, title, text, fetched_at) VALUES (1, 'https://example.vn/bai-0.html', "
    "'Hà Nội đón khách', 'x', '2026-03-01')",  # from a connection without recursive_triggers
    "DELETE FROM articles_fts_data",
    "DELETE FROM articles_fts_marks_config",
    "DROP TABLE articles_fts_data",
])
def test_reindex_repairs_a_damaged_index(tmp_path: Path, cli: Any, damage: str) -> None:
    import sqlite3

    path = tmp_path / "x.db"
    db = open_db(path)
    _store(db)
    db.close()
    conn = sqlite3.connect(path)  # a plain connection: recursive_triggers off, as other tools have it
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(damage)
    conn.commit()
    conn.close()
    r = cli("reindex", "--check", "--db", str(path))
    assert r.exit_code == 1 and "does not match its articles" in r.output
    searches = [cli("search", q, "--db", str(path)) for q in ("da nang", "Hà Nội")]
    assert "REPLACE" in damage or any(s.exit_code == 1 for s in searches)  # a broken table: unusable
    for s in searches:
        assert s.exit_code == 0 or ("presswatch reindex --db" in s.output and "Traceback" not in s.output)
    r = cli("reindex", "--db", str(path))
    assert r.exit_code == 0 and "rebuilt and consistent" in r.output, r.output
    assert cli("reindex", "--check", "--db", str(path)).exit_code == 0
    db = open_db(path)
    try:
        check_index(db)
        assert found(db, "Đà Nẵng") == [3] and found(db, "Hà Nội") == ([1] if "REPLACE" in damage else [])
    finally:
        db.close()


def test_cli_since_compares_instants_across_offsets(tmp_db: Any, cli: Any) -> None:
    """``--since`` against a Vietnam-time published date and a UTC fetch time alike."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    rows = [(1, "https://x.vn/1", "Đà Nẵng đón đoàn Busan", None, now.isoformat(timespec="seconds")),
            (2, "https://x.vn/2", "Đà Nẵng đón đoàn Incheon", (now - timedelta(minutes=30)).astimezone(VN_TZ)
             .isoformat(timespec="seconds"), now.isoformat(timespec="seconds")),
            (3, "https://x.vn/3", "Đà Nẵng đón đoàn Daegu", (now - timedelta(hours=3)).isoformat(timespec="seconds"),
             now.isoformat(timespec="seconds"))]
    for r in rows:
        tmp_db.execute("INSERT INTO articles (id, url, title, text, published, fetched_at) VALUES (?, ?, ?, '', ?, ?)",
                       list(r))
    tmp_db.conn.commit()
    r = cli("search", "Đà Nẵng", "--db", str(tmp_db.path), "--since", "1h", "--json")
    assert r.exit_code == 0 and sorted(json.loads(x)["id"] for x in r.stdout.splitlines()) == [1, 2], r.output
    r = cli("search", "Đà Nẵng", "--db", str(tmp_db.path), "--since", "99999999d")
    assert r.exit_code == 2 and "--since" in r.output and "Traceback" not in r.output


# -- Datasette: the JSON API and a real browser ----------------------------------------------------------
@pytest.fixture(scope="module")
def ds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search") / f"{DB_NAME}.db"
    db = open_db(path)
    _store(db)
    db.close()
    return path


def _titles(path: Path, url: str) -> list[str]:
    return [r["title"] for r in get_json(path, url)["rows"]]


@pytest.mark.parametrize(("q", "want", "not_want"), [
    ('"Hải Nam"', "Hải Nam", "Cầu treo"), ("Ðà Nẵng", "Đà Nẵng", "lãi suất"), ("Nhật Bản", "Nhật Bản", "thiên tai"),
    ("doi ngoai", "Sở Ngoại vụ", None), ("da nang", "Đà Nẵng", None), ("hop tac quoc te", "Đà Nẵng", None),
])
def test_datasette_table_search(ds_db: Path, q: str, want: str, not_want: str | None) -> None:
    got = _titles(ds_db, f"/{DB_NAME}/articles.json?_search={urllib.parse.quote(q)}&_shape=objects")
    assert got and any(want in t for t in got), (q, got)
    assert not_want is None or not any(not_want in t for t in got), (q, got)


def test_the_query_picks_the_one_index_datasette_reads(ds_db: Path) -> None:
    """A marked query reads the accent-sensitive index alone, any other the folded one alone, whatever
    ``_fts_table`` the link carried (an old link, a hand-edited URL)."""
    from pipeline.publish.search import route_search

    assert route_search(b"_search=H%E1%BA%A3i+Nam&_fts_table=articles_fts") == \
        (b"_search=H%E1%BA%A3i+Nam&_fts_table=articles_fts_marks", "Hải Nam")
    assert route_search(b"_fts_table=articles_fts_marks&_search=hai+nam&_sort=id") == (b"_search=hai+nam&_sort=id",
                                                                                         "hai nam")
    assert route_search(b"%5Ffts_table=articles_fts&_search=hai+nam&%5fsearchmode=raw") == (b"_search=hai+nam",
                                                                                              "hai nam")
    assert route_search(b"_search_title=H%E1%BA%A3i+Nam&_search_text=%C4%90%C3%A0")[0].endswith(
        b"&_fts_table=articles_fts_marks")
    assert route_search(b"_search=%2A&_sort=id") == (b"_sort=id", None)  # "*": no search, as the canned query
    mixed, _ = route_search(b"_search_title=H%E1%BA%A3i+Nam&_search_text=da+nang")
    assert mixed == b"_search_title=hai+nam&_search_text=da+nang"  # one table a request: marks folded
    for q, table, sent, want in [("Hải Nam", "articles_fts_marks", "articles_fts", {1}),
                                 ("hai nam", "articles_fts", "articles_fts_marks", {1, 2}),
                                 ("hai nam", "articles_fts", "articles_fts_marks&_searchmode=raw", {1, 2}),
                                 ("Hải Nam", "articles_fts_marks", "articles_fts&%5Fsearchmode=raw", {1})]:
        url = (f"/{DB_NAME}/articles.json?_search={urllib.parse.quote(q)}&%5Ffts_table={sent}"
               "&_shape=objects&_extra=query")
        data = get_json(ds_db, url)
        assert {r["id"] for r in data["rows"]} == want, q
        sql = data["query"]["sql"]
        assert f"from {table} where {table} match" in sql and sql.count(" match ") == 1, sql
    for col, value, want in [("title", "Hải Nam", {1}), ("title", "hai nam", {1}), ("text", "Đà Nẵng", {3})]:
        url = f"/{DB_NAME}/articles.json?_search_{col}={urllib.parse.quote(value)}&_shape=objects"
        assert {r["id"] for r in get_json(ds_db, url)["rows"]} == want, (col, value)


def test_datasette_ranked_query_and_html_snippets(ds_db: Path) -> None:
    from test_datasette import fetch

    rows = get_json(ds_db, f"/{DB_NAME}/search.json?q=doi+ngoai&_shape=objects")["rows"]
    assert [r["id"] for r in rows][:1] == [7] and len(rows) == 2  # đối ngoại first, the football match after
    assert "<mark>đối ngoại</mark>" in rows[0]["snippet"]
    assert get_json(ds_db, f"/{DB_NAME}/search.json?_shape=objects")["rows"]  # no query: newest first
    (page,) = fetch(ds_db, f"/{DB_NAME}/articles?_search={urllib.parse.quote('Hải Nam')}")
    assert page.status_code == 200
    assert "<mark>Hải Nam</mark>" in page.text and 'class="pw-snippet"' in page.text


@pytest.fixture(scope="module")
def served_search(ds_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    meta = publish.write_metadata(ds_db, tmp_path_factory.mktemp("meta") / "metadata.json")
    port = free_port()
    with serving(publish.datasette_command(ds_db, meta, "127.0.0.1", port), port, grace=10) as base:
        yield base


@pytest.mark.slow
def test_browser_search_box(served_search: str, browser: Any) -> None:
    page = browser.new_page(locale="vi-VN")
    try:
        for q, want, not_want in [('"Hải Nam"', "Hải Nam", "Cầu treo"), ("Ðà Nẵng", "Đà Nẵng", "lãi suất"),
                                  ("Nhật Bản", "Nhật Bản", "thiên tai"), ("doi ngoai", "Sở Ngoại vụ", None)]:
            page.goto(f"{served_search}/{DB_NAME}/articles")
            page.fill("input#_search", q)
            page.locator("input#_search").press("Enter")
            page.wait_for_url("**_search=**")
            cells = page.locator("table.rows-and-columns tbody td.col-title").all_inner_texts()
            assert cells and any(want in c for c in cells), (q, cells)
            assert not_want is None or not any(not_want in c for c in cells), (q, cells)
            assert page.locator("td.col-title mark").count() >= 1 and page.locator(".pw-snippet").count() >= 1
        # from a marked query's page (its links carry _fts_table), an accent-free one typed in its box
        page.goto(f"{served_search}/{DB_NAME}/articles?_search={urllib.parse.quote('Hải Nam')}")
        assert page.locator("td.col-title").count() == 1
        page.fill("input#_search", "hai nam")
        page.locator("input#_search").press("Enter")
        page.wait_for_url("**_search=hai+nam**")
        cells = page.locator("table.rows-and-columns tbody td.col-title").all_inner_texts()
        assert any("Hải Nam" in c for c in cells) and any("Cầu treo" in c for c in cells), cells
        page.goto(f"{served_search}/{DB_NAME}/search?q=doi+ngoai")
        first = page.locator("table.rows-and-columns tbody tr").first.inner_text()
        assert "Sở Ngoại vụ" in first
    finally:
        page.close()
