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
