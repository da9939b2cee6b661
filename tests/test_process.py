"""One page path: the crawl, ``presswatch extract``, ``reextract`` and ``recheck`` give the same title and
text for the same bytes, whatever the bytes declare (pipeline.process.process_page is the one road).

The pages are written here: a UTF-8 page whose HTTP header says ISO-8859-1, a Windows-1258 page (tone
marks as combining characters), a UTF-8 page with a byte-order mark and no charset, and a UTF-8 page
with a stray Windows-1252 quote pair and no charset anywhere."""

from __future__ import annotations

import json
import sqlite3
import unicodedata

import pytest

from pipeline.decode import decode_page
from pipeline.normalize import looks_vietnamese
from pipeline.process import process_page
from tests.conftest import cli_env, run_cli

TITLE = "Quảng Ninh hợp tác với tỉnh Gangwon (Hàn Quốc) về du lịch và đầu tư"
PARAS = [
    "Sáng 12/11, tại thành phố Hạ Long, Phó Chủ tịch UBND tỉnh Quảng Ninh đã tiếp và làm việc với đoàn công "
    "tác của tỉnh Gangwon (Hàn Quốc) do Phó Tỉnh trưởng dẫn đầu.",
    "Hai bên đã ký kết biên bản ghi nhớ hợp tác trong các lĩnh vực du lịch, đầu tư, giáo dục và giao lưu "
    "nhân dân; Sở Ngoại vụ tỉnh được giao đầu mối theo dõi việc triển khai.",
    "Phó Tỉnh trưởng Gangwon cho biết nhiều doanh nghiệp của tỉnh mong muốn đầu tư vào các khu kinh tế "
    "của Quảng Ninh, đặc biệt trong lĩnh vực năng lượng sạch và chế biến thủy sản.",
    "Dịp này, hai địa phương thống nhất tổ chức tuần lễ văn hóa Quảng Ninh tại Gangwon vào năm tới.",
]


def page(quote: str = '"') -> str:
    body = "\n".join(f"<p>{p.replace('giáo dục', f'{quote}giáo dục{quote}' if quote != chr(34) else 'giáo dục')}</p>"
                     for p in PARAS)
    return (f"<!doctype html><html lang='vi'><head><title>{TITLE}</title>"
            f"<meta property='og:title' content='{TITLE}'>"
            "<meta property='article:published_time' content='2026-11-12T09:15:00+07:00'></head>"
            f"<body><h1>{TITLE}</h1><article>{body}</article></body></html>")


def cp1258(text: str) -> bytes:
    """Windows-1258 as legacy Vietnamese sites write it: base letters plus combining tone marks."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        nfd = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in nfd if c in tones)
        out.append(unicodedata.normalize("NFC", "".join(c for c in nfd if c not in tones)) + tone)
    return "".join(out).encode("cp1258")


# name -> (bytes, Content-Type header)
PAGES = {
    "misdeclared": (page().encode("utf-8"), "text/html; charset=iso-8859-1"),
    "windows-1258": (cp1258(page()).replace(b"<head>", b"<head><meta charset='windows-1258'>"), "text/html"),
    "bom": (b"\xef\xbb\xbf" + page().encode("utf-8"), "text/html"),
    "stray-cp1252": (page("\u201c").encode("utf-8").replace("\u201c".encode(), b"\x93", 1), "text/html"),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_process_page_reads_every_encoding_right(name):
    body, ctype = PAGES[name]
    art, reason = process_page(body, {"Content-Type": ctype}, "https://a.vn/tin-123456.html", None)
    assert art is not None, reason
    assert art.title == TITLE
    assert art.text.startswith(PARAS[0][:60]) and "tuần lễ văn hóa" in art.text
    assert looks_vietnamese(art.text)


def test_mojibake_is_not_vietnamese():
    text = page().encode("utf-8").decode("cp1252", "replace")
    art, reason = process_page(text, {}, "https://a.vn/tin-1.html", None)
    assert art is None and "not Vietnamese" in (reason or "")


def test_a_page_mostly_utf8_is_utf8_whatever_it_declares():
    body, _ = PAGES["stray-cp1252"]
    for declared in ("text/html; charset=windows-1258", "text/html; charset=iso-8859-1", None):
        d = decode_page(body, declared)
        assert d.encoding == "utf-8" and TITLE in d.text and "\u201cgiáo dục" in d.text, declared


@pytest.mark.slow
def test_crawl_extract_reextract_recheck_agree(tmp_path, loop_site):
    feed_items = []
    for name, (body, ctype) in PAGES.items():
        path = f"/tin/{name}-12345678.html"
        loop_site.add(path, body, headers={"Content-Type": ctype})
        feed_items.append(f"<item><title>x</title><link>{loop_site.base}{path}</link></item>")
    loop_site.add("/rss.xml", ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
                               + "".join(feed_items) + "</channel></rss>").encode(),
                  headers={"Content-Type": "application/rss+xml"})
    loop_site.add("/robots.txt", b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})
    sites = tmp_path / "sites.toml"
    sites.write_text(f'[sites.loop]\nname = "Loop"\ndomains = ["127.0.0.1"]\nfeeds = ["{loop_site.base}/rss.xml"]\n'
                     f"article_pattern = '/tin/.+-\\d{{8}}\\.html$'\n", encoding="utf-8")
    db = tmp_path / "pw.db"
    env = cli_env(PRESSWATCH_DOWNLOAD_TIMEOUT="5")
    r = run_cli("crawl", "--sites", str(sites), "--db", str(db), env=env)
    assert r.returncode == 0, r.stderr[-3000:]

    def stored() -> dict[str, tuple[str, str]]:
        con = sqlite3.connect(db)
        try:
            return {u.rsplit("/", 1)[1].rsplit("-", 1)[0]: (t, x) for u, t, x in
                    con.execute("SELECT url, title, text FROM articles")}
        finally:
            con.close()

    crawled = stored()
    assert set(crawled) == set(PAGES), r.stdout
    for name, (body, _ctype) in PAGES.items():
        f = tmp_path / f"{name}.html"
        f.write_bytes(body)
        out = run_cli("extract", str(f), "--url", f"{loop_site.base}/tin/{name}-12345678.html", env=env)
        assert out.returncode == 0, out.stderr
        got = json.loads(out.stdout)
        assert (got["title"], got["text"]) == crawled[name], name
        assert got["title"] == TITLE

    # a stored row garbled by an old version, and its relevance forgotten: reextract and recheck fix both
    con = sqlite3.connect(db)
    con.execute("UPDATE articles SET title = 'Quáº£ng', relevance = NULL, relevant = NULL, story_id = NULL")
    con.commit()
    con.close()
    r = run_cli("reextract", "--sites", str(sites), "--db", str(db), env=env)
    assert r.returncode == 0, r.stderr
    assert stored() == crawled
    con = sqlite3.connect(db)
    con.execute("UPDATE articles SET relevance = NULL, relevant = NULL, story_id = NULL")
    con.commit()
    con.close()
    r = run_cli("recheck", "--since", "1d", "--delay", "0", "--sites", str(sites), "--db", str(db), env=env)
    assert r.returncode == 0, r.stderr
    assert stored() == crawled
    con = sqlite3.connect(db)
    rows = con.execute("SELECT relevance, relevant, story_id FROM articles").fetchall()
    revs = con.execute("SELECT count(*) FROM article_revisions").fetchone()[0]
    con.close()
    assert all(rel is not None and relevant == 1 and story is not None for rel, relevant, story in rows), rows
    assert revs == 0  # the same bytes: no new revision
