# ruff: noqa: E501  (HTML templates: long lines are clearer than split ones)
"""Regenerate the fixture sites (www/) and expected.toml from articles.txt.

    python -m config.samples.build

Every page, feed and sitemap under www/ and the whole of expected.toml are written by this
script; sites.toml, routes.toml and www/robots.txt are written by hand. All article texts in
articles.txt are invented for these fixtures (fictional officials, fictional events).
URLs are written with the placeholder {{BASE}} (the server's base URL) and {{OTHER}} (the same
server under another host name), which config.samples.site substitutes at serve time.
"""

from __future__ import annotations

import html
import json
import shutil
from datetime import datetime
from email.utils import format_datetime

from config.samples.markup import (
    HERE,
    PREFIX,
    SITE_INFO,
    TZ,
    WWW,
    Art,
    B,
    attr,
    esc,
    footer,
    header,
    hot_box,
    nfc,
    parse_articles,
    slugify,
)
from config.samples.pages import BOILER, PAGES

# ---- feeds and sitemaps -------------------------------------------------------------------------


def xesc(s: str) -> str:
    return html.escape(s, quote=False)


def rss(site: str, title: str, link: str, items: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
            f"<title>{xesc(title)}</title>\n<link>{link}</link>\n"
            f"<description>{xesc(title)}</description>\n<language>vi</language>\n"
            f"<lastBuildDate>Sun, 22 Nov 2026 08:00:00 +0700</lastBuildDate>\n"
            + "".join(items) + "</channel>\n</rss>\n")


def rss_item(url: str, title: str, desc: str, pub: datetime, style: str = "plain") -> str:
    date = format_datetime(pub)
    if style == "vnexpress":
        img = url.rsplit("/", 1)[0] + "/images/thumb.jpg"
        d = f'<![CDATA[<a href="{url}"><img src="{img}" ></a></br>{desc}]]>'
        t = xesc(title)
        extra = f'<enclosure type="image/jpeg" length="1200" url="{img}"/>\n'
    elif style == "thanhnien":  # entities inside the entities: decode twice
        t = xesc(html.escape(title, quote=True))
        d = xesc(html.escape(desc, quote=True))
        extra = ""
    else:
        t, d, extra = xesc(title), xesc(desc), ""
    return (f"<item>\n<title>{t}</title>\n<link>{url}</link>\n<guid isPermaLink=\"true\">{url}</guid>\n"
            f"<description>{d}</description>\n<pubDate>{date}</pubDate>\n{extra}</item>\n")


def news_sitemap(arts: list[Art]) -> str:
    urls = "".join(
        f"<url>\n<loc>{a.url}</loc>\n<news:news>\n<news:publication><news:name>VietnamPlus</news:name>"
        f"<news:language>vi</news:language></news:publication>\n"
        f"<news:publication_date>{a.iso}</news:publication_date>\n<news:title>{xesc(a.title)}</news:title>\n"
        f"</news:news>\n<lastmod>{a.iso}</lastmod>\n</url>\n" for a in arts)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "</urlset>\n")


def write(rel: str, text: str) -> None:
    p = WWW / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(nfc(text), encoding="utf-8")


def listing_page(site: str, path: str, title: str, arts: list[tuple[str, str, str]]) -> str:
    """A section listing (or a trap: a listing at an article-shaped URL): many links, little prose."""
    items = "\n".join(
        f'<article class="article-item"><h3 class="article-title"><a href="{u}" title="{attr(t)}">{esc(t)}</a></h3>'
        f'<div class="article-excerpt">{esc(s)}</div></article>' for u, t, s in arts)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{esc(title)} | Báo Dân trí</title>
<link rel="canonical" href="{B}{path}">
<meta property="og:type" content="website">
<meta property="og:title" content="{attr(title)}">
<meta name="author" content="Dân Trí">
</head>
<body>
{header(site)}
<main class="body-container">
<h1 class="title-page">{esc(title)}</h1>
<div class="article-list">
{items}
</div>
<div class="pagination"><a href="{B}/dantri/xa-hoi/trang-2.htm">Trang 2</a> <a href="{B}/dantri/xa-hoi/trang-3.htm">Trang 3</a></div>
<aside>{hot_box(site)}</aside>
</main>
{footer(site)}
</body>
</html>
"""


CHALLENGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>
<script>document.cookie="D1N=7c1e4b9a2f6d08e3b5a4c7d9e1f20a36"+"; expires=Mon, 23 Nov 2026 14:00:00 GMT; path=/"; window.location.reload(true);</script>
</body></html>
"""


def build() -> dict:
    arts = parse_articles((HERE / "articles.txt").read_text(encoding="utf-8"))
    keys = [a.key for a in arts]
    assert len(keys) == len(set(keys)), "duplicate article keys"
    real = [a for a in arts if not a.trap]
    by_site: dict[str, list[Art]] = {}
    for a in real:
        by_site.setdefault(a.site, []).append(a)
    for sub in WWW.iterdir() if WWW.exists() else []:
        if sub.is_dir():
            shutil.rmtree(sub)
    write("robots.txt", "User-agent: *\nAllow: /\n")
    pages: dict[str, str] = {}
    for a in arts:
        assert a.path.startswith(f"/{a.site}/"), a.path
        rel = [r for r in by_site.get(a.site, []) if r.key != a.key]
        pages[a.path] = PAGES[a.site](a, rel)
        write(a.path.lstrip("/"), pages[a.path])
    A = {a.key: a for a in arts}

    def items(keys_: list[str], style: str = "plain") -> list[str]:
        return [rss_item(A[k].url, A[k].title, PREFIX.get(A[k].site, "") + A[k].sapo, A[k].published, style)
                for k in keys_]

    feeds: dict[str, tuple[str, str, list[str]]] = {}  # path -> (site, title, item xml)
    # tienphong: a /video/ item (excluded by the spec) and an item on another host
    feeds["/tienphong/rss/the-gioi-5.rss"] = ("tienphong", "Thế giới - Tiền Phong", items(
        ["T1", "T2", "T3", "TV"]) + [rss_item("{{OTHER}}" + A["TX"].path, A["TX"].title, A["TX"].sapo,
                                                A["TX"].published)])
    # baotintuc: one item whose article is gone (404)
    feeds["/baotintuc/the-gioi.rss"] = ("baotintuc", "Thế giới - Báo Tin tức", items(["B1", "B2", "B3"]) + [
        rss_item(B + "/baotintuc/thoi-su/bien-gioi-xanh-tam-diem-hop-tac-20261118071502331.htm",
                 "Biên giới xanh: tâm điểm hợp tác giữa các tỉnh giáp biên",
                 "(TTXVN) - Bài viết đã được gỡ khỏi hệ thống.", datetime(2026, 11, 18, 7, 15, tzinfo=TZ))])
    feeds["/baoquocte/rss_feed/index.xml"] = ("baoquocte", "Thế giới 24h - Báo Thế giới và Việt Nam",
                                              items(["Q1", "Q2", "Q3"]))
    feeds["/vnexpress/rss/the-gioi.rss"] = ("vnexpress", "Thế giới - VnExpress RSS",
                                            items(["X1", "X2", "X3"], "vnexpress"))
    # dantri: a listing page at an article-shaped URL sits in the feed
    feeds["/dantri/rss/the-gioi.rss"] = ("dantri", "Thế giới - Dân trí", items(["D3", "D1"]) + [
        rss_item(B + "/dantri/the-gioi/tong-hop-tin-20261120000000001.htm", "Tổng hợp tin thế giới ngày 20/11",
                 "(Dân trí) - Điểm lại những tin tức nổi bật.", datetime(2026, 11, 20, 0, 0, tzinfo=TZ))])
    # thanhnien: the Cloudrity challenge page at an article-shaped URL sits in the feed
    feeds["/thanhnien/rss/the-gioi.rss"] = ("thanhnien", "Thế giới - Thanh Niên", items(["N1", "N2"], "thanhnien") + [
        rss_item(B + CHALLENGE_PATH, "Đoàn công tác tỉnh biên giới thăm và làm việc tại Lào",
                 "Chuyến thăm nhằm thúc đẩy hợp tác.", datetime(2026, 11, 21, 9, 30, tzinfo=TZ), "thanhnien")])
    for path, (site, title, its) in feeds.items():
        write(path.lstrip("/"), rss(site, title, f"{B}/{site}/", its))
    # thanhnien: a broken feed (truncated mid-item) that still holds one parseable item link
    broken = rss("thanhnien", "Thời sự - Thanh Niên", f"{B}/thanhnien/", items(["N3"], "thanhnien") + items(
        ["N1"], "thanhnien"))
    cut = broken.index("<item>", broken.index("</item>")) + 60
    write("thanhnien/rss/broken.rss", broken[:cut])

    # vietnamplus: sitemap index -> a monthly shard and a gzip shard
    write("vietnamplus/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
          '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
          f"<sitemap><loc>{B}/vietnamplus/sitemaps/news-2026-11.xml</loc><lastmod>2026-11-22T08:00:00+07:00</lastmod></sitemap>\n"
          f"<sitemap><loc>{B}/vietnamplus/sitemaps/news-2026-10.xml.gz</loc><lastmod>2026-10-31T23:00:00+07:00</lastmod></sitemap>\n"
          "</sitemapindex>\n")
    write("vietnamplus/sitemaps/news-2026-11.xml", news_sitemap([A["V1"], A["V2"]]))
    write("vietnamplus/sitemaps/news-2026-10.xml.gz.tmpl", news_sitemap([A["V3"]]))
    # kinhtedothi: a plain urlset, with a section URL the article pattern must reject
    kurls = "".join(f"<url><loc>{A[k].url}</loc><lastmod>{A[k].iso}</lastmod><changefreq>hourly</changefreq></url>\n"
                    for k in ("K1", "K2", "K3"))
    write("kinhtedothi/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
          '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
          f"<url><loc>{B}/kinhtedothi/</loc><changefreq>always</changefreq></url>\n"
          f"<url><loc>{B}/kinhtedothi/quoc-te/</loc><changefreq>always</changefreq></url>\n"
          + kurls + "</urlset>\n")
    # dantri: the section listing, and the trap listing at an article-shaped URL
    sec = [(A[k].url, A[k].title, A[k].sapo) for k in ("D1", "D2")]
    sec += [(B + "/dantri/xa-hoi.htm", "Xã hội", ""), (B + "/dantri/the-gioi.htm", "Thế giới", "")]
    write("dantri/xa-hoi.htm", listing_page("dantri", "/dantri/xa-hoi.htm", "Xã hội", sec))
    trap_items = [(A[k].url, A[k].title, "") for k in ("D3", "D1", "D2")]
    trap_items += [(f"{B}/dantri/{slugify(h)}.htm", h, "") for h in SITE_INFO["dantri"]["hot"]]
    trap_items += [(f"{B}/dantri/{slugify(n)}.htm", n, "") for n in SITE_INFO["dantri"]["nav"]]
    write("dantri/the-gioi/tong-hop-tin-20261120000000001.htm",
          listing_page("dantri", "/dantri/the-gioi/tong-hop-tin-20261120000000001.htm",
                       "Tổng hợp tin thế giới ngày 20/11", trap_items))
    write(CHALLENGE_PATH.lstrip("/"), CHALLENGE)
    write("index.html", index_page(by_site, feeds))
    # which feed / sitemap / section lists each article
    source_paths = list(feeds) + ["/thanhnien/rss/broken.rss", "/vietnamplus/sitemaps/news-2026-11.xml",
                                  "/vietnamplus/sitemaps/news-2026-10.xml.gz.tmpl", "/kinhtedothi/sitemap.xml",
                                  "/dantri/xa-hoi.htm"]
    for a in arts:
        a.sources = []
        for sp in source_paths:
            text = (WWW / sp.lstrip("/")).read_text(encoding="utf-8")
            if f"<link>{a.url}</link>" in text or f"<loc>{a.url}</loc>" in text or \
                    (sp.endswith(".htm") and f'href="{a.url}"' in text):
                a.sources.append(sp.removesuffix(".tmpl").removesuffix("index.xml"))
        assert a.sources or a.trap, f"{a.key} is listed nowhere"
    return {"arts": arts, "pages": pages}


CHALLENGE_PATH = "/thanhnien/doan-cong-tac-tinh-bien-gioi-tham-va-lam-viec-tai-lao-185261121093012345.htm"


def index_page(by_site: dict[str, list[Art]], feeds: dict) -> str:
    rows = []
    for site, arts in by_site.items():
        links = "".join(f'<li><a href="{a.url}">{esc(a.title)}</a></li>' for a in arts)
        rows.append(f"<h2>{esc(SITE_INFO[site]['name'])} ({site})</h2><ul>{links}</ul>")
    return ('<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>presswatch: fixture sites'
            '</title></head><body><h1>presswatch fixture sites</h1><p>Invented articles served on loopback '
            'for tests and the demo.</p>' + "".join(rows) + "</body></html>\n")


# ---- expected.toml ------------------------------------------------------------------------------


def q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def qlist(xs: list[str]) -> str:
    return "[" + ", ".join(q(x) for x in xs) + "]"


def phrase(p: str, start: int = 1, n: int = 7) -> str:
    words = p.split()
    chunk = words[start:start + n] if len(words) > start + n else words[:n]
    s = " ".join(chunk).strip(",.;:")
    return s


def write_expected(arts: list[Art], pages: dict[str, str]) -> None:
    out = ["# What extraction must give for each fixture article (generated by build.py, do not edit).",
           "# Keys are URL paths; {{BASE}} is the server's base URL (SampleSite.expected() substitutes it).",
           "# published: ISO 8601 with +07:00 (compare at least to the minute). author: a person or \"\".",
           "# must_contain: exact phrases of the body (the last one from the last paragraph).",
           "# must_not_contain: strings on the same page outside the article body (boilerplate).",
           ""]
    for a in arts:
        if a.trap:
            continue
        assert 250 <= a.words <= 650, (a.key, a.words)
        body = " ".join(a.paras)
        must = [phrase(a.paras[0], 0), phrase(a.paras[len(a.paras) // 2], 3), phrase(a.paras[-1], 2)]
        info = SITE_INFO[a.site]
        page = pages[a.path]
        rel = [r for r in arts if r.site == a.site and r.key != a.key and not r.trap]
        mnc = list(BOILER) + [info["follow"]]
        if a.site == "baoquocte":
            mnc.append("TIN LIÊN QUAN")
            mnc.append(slugify(rel[0].title).replace("-", " "))
        else:
            mnc.append(rel[0].title)
        mnc.append(info["footer"][:40].rsplit(" ", 1)[0])
        for m in must:
            assert m in page, (a.key, m)
            assert m in body
        for m in mnc:
            assert m in page, (a.key, m)
            assert m not in body and m not in a.sapo, (a.key, m)
        out += [f"[articles.{q(a.path)}]",
                f"key = {q(a.key)}",
                f"site = {q(a.site)}",
                f"url = {q(a.url)}",
                f"title = {q(a.title)}",
                f"published = {q(a.iso)}",
                f"author = {q(a.author)}",
                f"relevant = {'true' if a.relevant else 'false'}",
                f"provinces = {qlist(a.provinces)}",
                f"countries = {qlist(a.countries)}",
                f"lead = {q(PREFIX.get(a.site, '') + a.sapo)}",
                f"must_contain = {qlist(must)}",
                f"must_not_contain = {qlist(mnc)}",
                f"sources = {qlist(a.sources)}",
                f"words = {a.words}"]
        if a.notes:
            out.append(f"notes = {q(a.notes)}")
        out.append("")
    traps = [a for a in arts if a.trap]
    out += ["# Paths that must never be stored as articles (and, for some, never even fetched).",
            "[traps]",
            "paths = " + qlist([a.path for a in traps] + [
                "/baotintuc/thoi-su/bien-gioi-xanh-tam-diem-hop-tac-20261118071502331.htm",
                "/dantri/the-gioi/tong-hop-tin-20261120000000001.htm", CHALLENGE_PATH]),
            "# fetched at all = a bug (excluded by the spec, or on another host)",
            "never_fetched = " + qlist([a.path for a in traps]),
            "",
            "[traps.reasons]"]
    for a in traps:
        out.append(f"{q(a.path)} = {q(a.trap)}")
    out += [f'{q("/baotintuc/thoi-su/bien-gioi-xanh-tam-diem-hop-tac-20261118071502331.htm")} = '
            '"feed item whose article answers 404"',
            f'{q("/dantri/the-gioi/tong-hop-tin-20261120000000001.htm")} = '
            '"listing page at an article-shaped URL, listed in the feed: many links, little prose"',
            f'{q(CHALLENGE_PATH)} = "Cloudrity D1N challenge page (Server: Cloudrity, 200) at an '
            'article-shaped URL, listed in the feed"',
            "",
            "# The same TTXVN story: original on vietnamplus, republished by baotintuc with another title,",
            "# a (TTXVN) - prefix and a few sentences edited.",
            "[duplicates]",
            "pairs = [" + qlist([A_path(arts, "V1"), A_path(arts, "B1")]) + "]",
            "",
            "# The same event told independently by two outlets (different wording).",
            "[stories]",
            "pairs = " + "[" + qlist([A_path(arts, "T3"), A_path(arts, "X1")]) + "]",
            "",
            "# Every source in sites.toml, with the article paths it lists that must be stored.",
            "[sources]"]
    src: dict[str, list[str]] = {}
    for a in arts:
        if not a.trap:
            for s in a.sources:
                src.setdefault(s, []).append(a.path)
    for s, ps in sorted(src.items()):
        out.append(f"{q(s)} = {qlist(ps)}")
    (HERE / "expected.toml").write_text(nfc("\n".join(out) + "\n"), encoding="utf-8")


def A_path(arts: list[Art], key: str) -> str:  # noqa: N802
    return next(a.path for a in arts if a.key == key)


def main() -> None:
    res = build()
    write_expected(res["arts"], res["pages"])
    n = sum(1 for a in res["arts"] if not a.trap)
    print(f"{n} articles, {sum(1 for a in res['arts'] if a.relevant and not a.trap)} relevant -> {WWW}")


if __name__ == "__main__":
    main()
