import pytest

from config import ConfigError, load_sites, parse_duration, parse_sites

GOOD = """
[sites.a]
name = "A"
domains = ["a.example"]
feeds = ["https://a.example/rss.xml"]
article_pattern = '-\\d{5}\\.html$'
exclude = ['/video/']
every = "15m"
"""


def test_bundled_sites_are_valid_and_cover_the_outlets():
    specs = load_sites()
    for key in ["tienphong", "kinhtedothi", "baotintuc", "vietnamplus", "baoquocte", "nhandan", "hanoimoi",
                "baochinhphu", "vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet", "qdnd",
                "dangcongsan", "vov"]:
        assert key in specs, key
        assert specs[key].feeds or specs[key].sitemaps or specs[key].sections


@pytest.mark.parametrize(
    ("key", "url", "ok"),
    [
        ("dantri", "https://dantri.com.vn/xa-hoi/ha-noi-don-doan-20261120101500123.htm", True),
        ("dantri", "https://dantri.com.vn/video/ha-noi-don-doan-20261120101500123.htm", False),
        ("dantri", "https://dantri.com.vn/xa-hoi.htm", False),
        ("dantri", "https://evil.example/xa-hoi/ha-noi-20261120101500123.htm", False),
        ("vnexpress", "https://vnexpress.net/da-nang-ky-ket-hop-tac-4954454.html", True),
        ("tienphong", "https://tienphong.vn/ha-noi-tiep-dai-su-post1842599.tpo", True),
        ("vietnamplus", "https://www.vietnamplus.vn/quang-ninh-hop-tac-post1128969.vnp", True),
        ("baotintuc", "https://baotintuc.vn/thoi-su/tay-ninh-hop-tac-20230401073856267.htm", True),
    ],
)
def test_article_patterns_of_bundled_sites(key, url, ok):
    assert load_sites()[key].is_article_url(url) is ok


def test_good_spec_parses():
    spec = parse_sites(GOOD)["a"]
    assert spec.every == 900.0 and spec.domains == ("a.example",)
    assert spec.is_article_url("https://a.example/x-12345.html")
    assert spec.is_article_url("https://news.a.example/x-12345.html")
    assert not spec.is_article_url("https://a.example/video/x-12345.html")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (GOOD.replace('every = "15m"', 'every = "15m"\ncolour = "red"'), "site 'a', field 'colour': unknown key"),
        (GOOD.replace("-\\d{5}", "-(\\d{5}"), "site 'a', field 'article_pattern': bad regular expression"),
        (GOOD.replace("exclude = ['/video/']", "exclude = ['[']"), "site 'a', field 'exclude': bad regular expression"),
        (GOOD.replace('feeds = ["https://a.example/rss.xml"]', ""), "site 'a': no source"),
        (GOOD + GOOD.replace('name = "A"', 'name = "B"'), "site 'a': duplicate site key"),
        (GOOD.replace('"15m"', '"soon"'), "site 'a', field 'every': not a duration"),
        (GOOD.replace('["a.example"]', "[]"), "site 'a', field 'domains'"),
        (GOOD.replace("https://a.example/rss.xml", "https://other.example/rss.xml"), "not on the site's domains"),
        (GOOD.replace("https://a.example/rss.xml", "file:///etc/passwd"), "not an http(s) URL"),
        (GOOD.replace("[sites.a]", "[sites.A b]"), "not valid TOML"),
        ("title = 1", "unknown top-level key 'title'"),
        ("", "no sites defined"),
        (GOOD.replace('name = "A"', 'name = "A"\nenabled = "yes"'), "field 'enabled': must be true or false"),
    ],
)
def test_bad_specs_name_site_and_field(text, needle):
    with pytest.raises(ConfigError) as e:
        parse_sites(text, "test.toml")
    assert needle in str(e.value)
    assert str(e.value).startswith("test.toml")


def test_durations():
    assert parse_duration("90s") == 90 and parse_duration("2h") == 7200 and parse_duration(30) == 30
    for bad in ("0m", "-5m", "5 minutes", True):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_sites(tmp_path / "nope.toml")


def test_cli_sites_lists_and_rejects_bad_file(tmp_path, cli):
    ok = cli("sites")  # in process (tests/conftest.py): an uncaught exception fails the test
    assert ok.exit_code == 0, ok.stderr
    assert "dantri" in ok.stdout and "all valid" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('"15m"', '"soon"'), encoding="utf-8")
    r = cli("sites", "--sites", str(bad))
    assert r.exit_code == 1
    assert "site 'a', field 'every'" in r.stderr
    assert "Traceback" not in r.stderr
    # a crawl with a bad file never starts
    db = tmp_path / "x.db"
    r = cli("crawl", "--sites", str(bad), "--db", str(db))
    assert r.exit_code == 1 and not db.exists()


@pytest.mark.slow
def test_cli_as_a_child_process_rejects_bad_file(tmp_path, cli):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('"15m"', '"soon"'), encoding="utf-8")
    r = cli.subprocess("sites", "--sites", str(bad))
    assert r.returncode == 1
    assert "site 'a', field 'every'" in r.stderr
    assert "Traceback" not in r.stderr
