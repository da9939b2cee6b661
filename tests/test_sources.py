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
