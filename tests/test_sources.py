import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spiders.sources import SourceError, feed_links, sitemap_links

BASE = "https://example.vn/"


def test_rss_links_in_order_and_entities_decoded():
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>Hà Nội &amp;quot;đón&amp;quot; đoàn</title><link>https://example.vn/a-1.htm?x=1&amp;amp;y=2</link></item>"
        "<item><title><![CDATA[Đà Nẵng <b>ký</b>]]></title><link>https://example.vn/b-2.htm</link></item>"
        "<item><title>dup</title><link>https://example.vn/b-2.htm</link></item>"
        "</channel></rss>"
    ).encode()
    assert feed_links(body, BASE) == ["https://example.vn/a-1.htm?x=1&y=2", "https://example.vn/b-2.htm"]


def test_atom_links():
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b'<entry><title>x</title><link href="/tin/a-1.htm"/><id>urn:1</id></entry></feed>')
    assert feed_links(body, BASE) == ["https://example.vn/tin/a-1.htm"]


def test_truncated_feed_keeps_what_it_can_read():
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>a</title>'
            b"<link>https://example.vn/a-1.htm</link></item><item><title>b & c</tit")
    assert feed_links(body, BASE) == ["https://example.vn/a-1.htm"]


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"<html><body><h1>Trang chu</h1></body></html>", b"\x00\x01\x02garbage",
     b'<html><script>document.cookie="D1N=abc"; window.location.reload(true);</script></html>'],
)
def test_not_a_feed_is_a_clear_error(body):
    with pytest.raises(SourceError):
        feed_links(body, BASE)


def test_empty_but_valid_feed_is_no_error():
    assert feed_links(b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>', BASE) == []


URLSET = (
    '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
    "<url><loc>https://example.vn/old-1.htm</loc><lastmod>2026-11-01</lastmod></url>"
    "<url><loc>https://example.vn/new-2.htm</loc><lastmod>2026-11-20</lastmod>"
    "<news:news><news:title><![CDATA[Tin mới]]></news:title></news:news></url>"
    "</urlset>"
).encode()


def test_urlset_newest_first():
    sm = sitemap_links(URLSET, BASE)
    assert sm.kind == "urlset"
    assert [u for u, _ in sm.urls] == ["https://example.vn/new-2.htm", "https://example.vn/old-1.htm"]


def test_sitemap_index_and_gzip():
    index = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b"<sitemap><loc>https://example.vn/s-1.xml.gz</loc></sitemap></sitemapindex>")
    sm = sitemap_links(gzip.compress(index), BASE)
    assert sm.kind == "sitemapindex" and sm.urls[0][0] == "https://example.vn/s-1.xml.gz"
    assert sitemap_links(gzip.compress(URLSET), BASE).kind == "urlset"


def test_gzip_bomb_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024))
    assert len(bomb) < 200_000
    with pytest.raises(SourceError, match="larger than"):
        sitemap_links(bomb, BASE)


def test_feed_served_as_sitemap_is_read_as_feed():
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://example.vn/a-1.htm</link></item></channel></rss>'
    assert sitemap_links(rss, BASE).urls == [("https://example.vn/a-1.htm", None)]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_fuzz_never_crashes(body):
    for fn in (feed_links, sitemap_links):
        try:
            fn(body, BASE)
        except SourceError:
            pass


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_feed_like_text(inner):
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><item><title>{inner}</title><link>{inner}</link></item>'
    try:
        links = feed_links(body.encode("utf-8", "surrogatepass"), BASE)
    except (SourceError, UnicodeEncodeError):
        return
    assert all(isinstance(x, str) for x in links)


# -- issue 13: sitemaps as tolerant as feeds ---------------------------------------------------------

@pytest.mark.parametrize("prefix", [b"", b"\n\n  ", b"\xef\xbb\xbf", b"<!-- cache 0.2s -->\n",
                                    b"Warning: x on line 3\n"])
def test_sitemap_bare_ampersand_entities_and_junk_before_the_declaration(prefix):
    body = prefix + (
        b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://tin.example.vn/chi-tiet.aspx?id=400002&cat=5</loc></url>"
        b"<url><loc>https://tin.example.vn/chi-tiet.aspx?id=400003&amp;cat=5</loc></url>"
        b"<url><loc>https://tin.example.vn/tin.aspx?a=1&copy=2&not=3&para</loc></url>"
        b"<url><loc>https://tin.example.vn/xa-hoi/nh&agrave;-4.htm</loc></url>"
        b"<url><loc>https://tin.example.vn/x-5.htm?q=&foo;</loc></url></urlset>")
    locs = [u for u, _ in sitemap_links(body, BASE).urls]
    assert locs[:3] == ["https://tin.example.vn/chi-tiet.aspx?id=400002&cat=5",
                        "https://tin.example.vn/chi-tiet.aspx?id=400003&cat=5",
                        "https://tin.example.vn/tin.aspx?a=1&copy=2&not=3&para"]
    assert locs[3] == "https://tin.example.vn/xa-hoi/nhà-4.htm"
    assert locs[4] == "https://tin.example.vn/x-5.htm?q=&foo;"
    # the feed reader reads the same loc the same way
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>a</title>'
            b"<link>https://tin.example.vn/chi-tiet.aspx?id=400002&cat=5</link></item></channel></rss>")
    assert feed_links(feed, BASE) == [locs[0]]


@pytest.mark.slow
def test_crawl_keeps_article_identity_and_decodes_a_stray_cp1252_pair(tmp_path, loop_site):
    """Through a real crawl (loopback): a sitemap loc with a bare '&', feed links that differ only by a
    query key without a value, and a UTF-8 page with no charset and one Windows-1252 quote pair."""
    from tests.loopback import prose, rows, run_crawl, site_toml

    title = "Đà Nẵng đón đoàn doanh nghiệp Nhật Bản tìm hiểu cơ hội hợp tác đầu tư"

    def page(t: str, i: int) -> bytes:
        _, ps = prose(i)
        paras = "".join(f"<p>{p}</p>" for p in ps)
        return (f"<html><head><title>{t}</title></head><body><h1>{t}</h1>"
                f"<div class='nd'>{paras}</div></body></html>").encode()

    quote = b"<p>\x93" + "Hợp tác cùng phát triển".encode() + b"\x94</p>"  # one Windows-1252 pair
    stray = page(title, 1).replace(b"<div class='nd'>", b"<div class='nd'>" + quote, 1)
    loop_site.add("/chi-tiet.aspx", page("Hải Phòng tiếp Đại sứ Hàn Quốc bàn hợp tác cảng biển", 2),
                  headers={"Content-Type": "text/html"})
    loop_site.add("/tin.php", page("Cần Thơ ký kết hợp tác với tỉnh bạn Lào về nông nghiệp", 3),
                  headers={"Content-Type": "text/html"})
    loop_site.add("/dn/a.htm", stray, headers={"Content-Type": "text/html"})
    b = loop_site.base
    sm = (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          f"<url><loc>{b}/chi-tiet.aspx?id=400002&cat=5</loc></url><url><loc>{b}/dn/a.htm</loc></url></urlset>")
    loop_site.add("/sitemap.xml", sm, headers={"Content-Type": "application/xml"})
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>a</title><link>{b}/tin.php?501</link></item>"
            f"<item><title>b</title><link>{b}/tin.php?502</link></item></channel></rss>")
    loop_site.add("/rss.xml", feed, headers={"Content-Type": "application/rss+xml"})
    sites = tmp_path / "sites.toml"
    sites.write_text(site_toml("so", feeds=[f"{b}/rss.xml"], sitemaps=[f"{b}/sitemap.xml"],
                               pattern=r"(chi-tiet\.aspx\?|tin\.php\?\d+|/dn/)"), encoding="utf-8")
    db = tmp_path / "pw.db"
    out = run_crawl(sites, db)
    assert out.returncode == 0, out.stderr[-2000:]
    urls = {u for (u,) in rows(db, "SELECT url FROM articles")}
    assert f"{b}/chi-tiet.aspx?cat=5&id=400002" in urls
    assert {f"{b}/tin.php?501", f"{b}/tin.php?502"} <= urls
    assert not any("%3D" in p for p in loop_site.hits)  # never requested a URL nobody found
    (got, rel), = rows(db, "SELECT title, relevance FROM articles WHERE url = ?", [f"{b}/dn/a.htm"])
    assert got == title
    assert rel is not None
