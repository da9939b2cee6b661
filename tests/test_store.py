import sqlite3

import pytest

from db import open_db
from db.articles import decompress, is_known, known_urls, record_url
from pipeline.article import Article
from pipeline.process import store_article

TEXT = ("Sáng 20/11, Chủ tịch UBND thành phố Đà Nẵng tiếp Đại sứ Hàn Quốc. Hai bên trao đổi về hợp tác "
        "quốc tế, đối ngoại địa phương và thúc đẩy đầu tư. Thụy Sĩ và Hòa Bình cũng được nhắc tới.")


@pytest.fixture
def db(tmp_db):
    return tmp_db  # tests/conftest.py: a migrated SQLite file in tmp_path, closed afterwards


def art(url="https://example.vn/a-1.htm", **kw):
    return Article(url=url, title=kw.pop("title", "Đà Nẵng tăng cường đối ngoại"), text=kw.pop("text", TEXT),
                   site=None, **kw)


def search(db, q):  # the one matcher (pipeline.search) on the index the triggers keep
    from db.search import search as sql_search
    from pipeline.search import parse

    p = parse(q)
    return [h["id"] for h in sql_search(db, p.table, p.fts, p.fts_phrase)]


def test_insert_once_then_conflict(db):
    first = store_article(db, art(), b"<html>page</html>")
    assert isinstance(first, int)
    assert store_article(db, art(title="changed"), b"<html>again</html>") is None
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert db.execute("SELECT title FROM articles").fetchone()[0] == "Đà Nẵng tăng cường đối ngoại"
    assert decompress(db.execute("SELECT html FROM pages").fetchone()[0]) == b"<html>page</html>"
    assert search(db, "doi ngoai") == [first]  # indexed by trigger, once


@pytest.mark.parametrize("q", ["doi ngoai", "đối ngoại", "da nang", "Đà Nẵng", "hop tac quoc te", "thuy si",
                               "hoa binh", "DOI NGOAI", "dai su han quoc"])
def test_accent_free_search_finds_accented_text(db, q):
    aid = store_article(db, art(), b"x")
    assert search(db, q) == [aid]


def test_search_does_not_match_absent_words(db):
    store_article(db, art(), b"x")
    assert search(db, "nhat ban") == []


def test_known_urls_covers_articles_variants_and_rejects(db):
    store_article(db, art(fetched_url="https://m.example.vn/a-1.htm"), b"x")
    record_url(db, "https://example.vn/listing-2.htm", None, "not_article", "listing page")
    record_url(db, "https://example.vn/blocked-3.htm", None, "blocked", "challenge")
    got = known_urls(db, ["https://example.vn/a-1.htm", "https://m.example.vn/a-1.htm",
                          "https://example.vn/listing-2.htm", "https://example.vn/blocked-3.htm",
                          "https://example.vn/new-4.htm"])
    assert got == {"https://example.vn/a-1.htm", "https://m.example.vn/a-1.htm", "https://example.vn/listing-2.htm"}
    assert not is_known(db, "https://example.vn/new-4.htm")


def test_wal_and_reader_does_not_block_writer(tmp_path):
    db = open_db(tmp_path / "w.db")
    assert db.journal_mode == "wal"
    reader = sqlite3.connect(tmp_path / "w.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM articles").fetchone()  # a long read transaction
    assert store_article(db, art(), b"x")
    reader.rollback()
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_migrations_idempotent(tmp_path):
    open_db(tmp_path / "m.db").close()
    db = open_db(tmp_path / "m.db")
    names = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")]
    assert names[0] == "0001_spine" and len(names) == len(set(names))
