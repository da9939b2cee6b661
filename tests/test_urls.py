import pytest

from pipeline.urls import canonical_url


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("HTTPS://Dantri.com.vn:443/xa-hoi/a-20221224095943188.htm#top",
         "https://dantri.com.vn/xa-hoi/a-20221224095943188.htm"),
        ("https://vnexpress.net/a-4954454.html?utm_source=facebook&utm_medium=x&fbclid=abc",
         "https://vnexpress.net/a-4954454.html"),
        ("https://hanoi.gov.vn/tintuc/-/hn/1/3/x.html;jsessionid=ABC123", "https://hanoi.gov.vn/tintuc/-/hn/1/3/x.html"),
        ("http://127.0.0.1:8123/x/a.htm", "http://127.0.0.1:8123/x/a.htm"),
    ],
)
def test_canonical(raw, want):
    assert canonical_url(raw) == want


def test_site_params_dropped_other_params_kept_sorted():
    assert canonical_url("https://dangcongsan.vn/a/b.html?categoryId=5&page=2", ["categoryId"]) == \
        "https://dangcongsan.vn/a/b.html?page=2"


@pytest.mark.parametrize("junk", ["", "not a url", "mailto:x@y", "http://[::1", "javascript:alert(1)"])
def test_never_raises(junk):
    assert isinstance(canonical_url(junk), str)


def test_query_keys_without_a_value_keep_their_identity():
    a, b = canonical_url("https://so.example.gov.vn/tin.php?501"), canonical_url("https://so.example.gov.vn/tin.php?502")
    assert a == "https://so.example.gov.vn/tin.php?501" and b.endswith("?502") and a != b


def test_only_known_trackers_by_exact_name_are_dropped():
    u = "https://x.example.vn/chi-tiet.aspx?id=400002&cat=5&ref=7&from=3&rss=1&utm_source=fb&fbclid=Z&zarsrc=1"
    assert canonical_url(u) == "https://x.example.vn/chi-tiet.aspx?cat=5&from=3&id=400002&ref=7&rss=1"
    assert canonical_url(u, ["ref"]) == "https://x.example.vn/chi-tiet.aspx?cat=5&from=3&id=400002&rss=1"


def test_found_url_kept_when_its_canonical_form_leaves_the_article_pattern():
    from config import SiteSpec

    spec = SiteSpec(key="cong", name="Cổng", domains=("congmau.example.gov.vn",), article_pattern=r"[?&]ref=\d+",
                    strip_params=("ref",))
    found = "https://CongMau.example.gov.vn/tin.aspx?ref=42#top"
    assert canonical_url(found, spec) == "https://congmau.example.gov.vn/tin.aspx?ref=42"
    assert canonical_url("https://congmau.example.gov.vn/tin.aspx?ref=42&utm_source=x&b=1", spec) == \
        "https://congmau.example.gov.vn/tin.aspx?ref=42&utm_source=x&b=1"  # as found
