"""``discover(home, fetcher)``: from an outlet's home page to feeds, sitemaps, sections and an
article URL pattern, with the reasons.

Order (each step spends requests from the fetcher's budget; nothing here knows the network):

1. robots.txt (``Sitemap:`` lines) and the home page (a challenge page there ends discovery);
2. section pages: navigation links whose text or path says thế giới, quốc tế, đối ngoại, chính trị,
   thời sự, tin tức… (the best ``MAX_SECTIONS``);
3. feeds: ``<link rel="alternate">`` in the head of the home and section pages, feed-like links;
   else an RSS index page (a link saying RSS, or ``/rss``, ``/rss.html``, ``/feed``…) and the
   feeds it lists, foreign-affairs ones first; each kept feed was read and has items;
4. sitemaps: robots.txt's, else ``/sitemap.xml`` when no feed was found; an index is followed to
   one shard (a news shard or the newest) for its links;
5. the article shape: every link found, clustered by path shape (pipeline/discover/shapes.py); the
   best shapes in turn get ``SAMPLES`` candidates fetched and run through
   ``pipeline.process.process_page``; the first shape whose samples extract wins and gives the
   ``article_pattern``.
"""

from __future__ import annotations

import time
from urllib.parse import urljoin, urlsplit

from config import SiteSpec, home_domain
from pipeline.discover.pages import (
    Anchor,
    alternate_feeds,
    anchors,
    feed_items,
    looks_like_feed_url,
    robots_sitemaps,
    section_score,
    sitemap_entries,
)
from pipeline.discover.result import BudgetExhausted, Discovery, Fetcher, FetchError, Page
from pipeline.discover.shapes import ShapeGroup, group_shapes, pattern_for, shape_of
from pipeline.extract.pagetype import challenge_reason
from pipeline.normalize import fold

__all__ = ["discover", "MAX_SECTIONS", "MAX_FEEDS", "SAMPLES", "COMMON_FEED_PATHS"]

MAX_SECTIONS = 3  # section pages fetched
MAX_FEEDS = 3  # feeds kept
MAX_FEED_TRIES = 5  # feed candidates read at most
MAX_SHAPES = 3  # shapes whose samples are fetched at most
SAMPLES = 3  # candidate article pages fetched per shape
COMMON_FEED_PATHS = ("/rss", "/rss.html", "/feed")
_FEED_WORDS = ("doi ngoai", "quoc te", "the gioi", "thegioi", "quocte", "chinh tri", "chinhtri", "thoi su",
               "thoisu", "home", "tin moi", "trang chu")


class _Run:
    def __init__(self, home: str, fetcher: Fetcher, domains: tuple[str, ...]) -> None:
        self.home = home
        self.fetcher = fetcher
        self.found = Discovery(home=home, domains=domains)
        self.links: dict[str, bool] = {}  # candidate article URL -> listed in a feed/sitemap
        self.fetched: set[str] = set()  # pages fetched as listings (never article candidates)
        self.spec = SiteSpec(key="discovery", name="discovery", domains=domains)
        self.section_pages: list[tuple[str, list[str]]] = []  # (section URL, its links)

    def on_site(self, url: str) -> bool:
        return self.spec.allows_host(urlsplit(url).hostname)

    def get(self, url: str, what: str) -> Page | None:
        """A page, or None (noted) when it could not be had; BudgetExhausted propagates."""
        try:
            page = self.fetcher.get(url)
        except BudgetExhausted:
            raise
        except FetchError as e:
            self.found.note(f"{what} {url}: {e}")
            return None
        self.fetched.add(url)
        self.fetched.add(page.url)
        if page.status != 200:
            self.found.note(f"{what} {url}: HTTP {page.status}")
            return None
        why = challenge_reason(page.body, page.headers, page.status)
        if why:
            self.found.note(f"{what} {url}: blocked ({why})")
            return None
        return page

    def add_links(self, urls: list[str], listed: bool) -> None:
        for u in urls:
            if self.on_site(u):
                self.links[u] = self.links.get(u, False) or listed


def discover(home: str, fetcher: Fetcher, *, domains: tuple[str, ...] | None = None) -> Discovery:
    """Discover a site from its home page through ``fetcher`` (robots.txt, guards and budget are its
    business). Returns a Discovery: the fields found, ``notes`` saying what was found where and why,
    ``error`` set (a sentence naming the home page) when nothing usable was found, and the requests
    and seconds spent. Never raises for a site's content or the network; a spent budget ends the
    search with what was found so far."""
    started = time.monotonic()
    run = _Run(home, fetcher, tuple(domains or (home_domain(home),)))
    try:
        _steps(run)
    except BudgetExhausted as e:
        run.found.note(f"stopped: {e}")
    found = run.found
    found.requests = fetcher.requests
    found.seconds = time.monotonic() - started
    if found.error is None and not (found.feeds or found.sitemaps or found.article_pattern):
        found.error = (f"no feed, no sitemap, no article-shaped links on {home}; "
                       "set feeds or article_pattern by hand")
    return found


def _steps(run: _Run) -> None:
    found = run.found
    robots_maps = robots_sitemaps(run.fetcher.robots(), run.home)
    home = run.get(run.home, "home page")
    if home is None:
        why = found.notes[-1] if found.notes else f"home page {run.home}: unreadable"
        found.error = f"cannot read the home page: {why}; check home (or set feeds by hand)"
        return
    if home.url != run.home and run.on_site(home.url):
        found.note(f"home page redirects to {home.url}")
    links = anchors(home.body, home.url)
    head_feeds = alternate_feeds(home.body, home.url)
    run.add_links([a.url for a in links], False)

    _sections(run, links, head_feeds)
    _feeds(run, links, head_feeds)
    _sitemaps(run, robots_maps)
    _shape(run)
    _keep_sections(run)
    if not found.feeds and not found.sitemaps and found.article_pattern and not found.sections:
        found.sections = [home.url]
        found.note(f"section {home.url}: the home page itself lists articles of the winning shape")


def _sections(run: _Run, links: list[Anchor], head_feeds: list[str]) -> None:
    scored = [(section_score(a), i, a) for i, a in enumerate(links)
              if run.on_site(a.url) and a.url.rstrip("/") != run.home.rstrip("/")
              and not looks_like_feed_url(a.url) and shape_of(a.url) is None
              and len([s for s in urlsplit(a.url).path.split("/") if s]) <= 2]
    scored = [x for x in scored if x[0] > 0]
    scored.sort(key=lambda x: (-x[0], x[1]))
    for _score, _i, a in scored[:MAX_SECTIONS]:
        page = run.get(a.url, "section")
        if page is None:
            continue
        sec_links = [x.url for x in anchors(page.body, page.url)]
        run.add_links(sec_links, False)
        head_feeds.extend(f for f in alternate_feeds(page.body, page.url) if f not in head_feeds)
        run.section_pages.append((a.url, sec_links))


def _keep_sections(run: _Run) -> None:
    """Sections are kept only with an article pattern, and only those that list articles of its shape."""
    found = run.found
    if not found.article_pattern:
        if run.section_pages:
            found.note(f"{len(run.section_pages)} section page(s) read but not kept: no article pattern "
                       "to pick their links")
        return
    for url, sec_links in run.section_pages:
        n = sum(1 for u in sec_links if run.on_site(u) and _matches(found.article_pattern, u))
        if n:
            found.sections.append(url)
            found.note(f"section {url}: a navigation link about foreign affairs/politics/news, "
                       f"{n} article link(s)")
        else:
            found.note(f"section {url}: no link of the article shape, not kept")


def _feed_rank(url: str, text: str = "") -> int:
    words = fold(f"{text} {url}").replace("-", " ").replace("_", " ")
    return next((i for i, w in enumerate(_FEED_WORDS) if w in words), len(_FEED_WORDS))


def _try_feeds(run: _Run, candidates: list[tuple[str, str]], where: str) -> None:
    """Read candidate feeds (best first) until MAX_FEEDS have items; keep those, noting why."""
    found = run.found
    tried = 0
    for url, _text in sorted(candidates, key=lambda c: _feed_rank(c[0], c[1])):
        if len(found.feeds) >= MAX_FEEDS or tried >= MAX_FEED_TRIES:
            break
        if url in found.feeds or url in run.fetched:
            continue
        tried += 1
        page = run.get(url, "feed")
        if page is None:
            continue
        items = feed_items(page.body)
        if items is None:
            found.note(f"feed {url}: not a feed (an HTML page)")
            continue
        on_site = [u for u in items if run.on_site(u)]
        if not on_site:
            found.note(f"feed {url}: no items on the site, not kept")
            continue
        found.feeds.append(url)
        run.add_links(on_site, True)
        found.note(f"feed {url}: {where}, {len(on_site)} item(s)")


def _feeds(run: _Run, links: list[Anchor], head_feeds: list[str]) -> None:
    found = run.found
    if head_feeds:
        _try_feeds(run, [(u, "") for u in head_feeds if run.on_site(u)],
                   'linked as <link rel="alternate"> in a page head')
    if found.feeds:
        return
    feedlike = [(a.url, a.text) for a in links if run.on_site(a.url) and looks_like_feed_url(a.url)]
    if feedlike:
        _try_feeds(run, feedlike, "linked from the home page")
    if found.feeds:
        return
    # an RSS index page: a link that says RSS, else the common paths
    said = [a.url for a in links if run.on_site(a.url) and fold(a.text).strip() in ("rss", "rss feed", "feed")]
    common = [urljoin(run.home, p) for p in COMMON_FEED_PATHS]
    for url in [*said, *[c for c in common if c not in said]]:
        if url in run.fetched:
            continue
        page = run.get(url, "RSS index")
        if page is None:
            continue
        items = feed_items(page.body)
        if items is not None:  # the common path is a feed itself (/feed, /rss.xml)
            on_site = [u for u in items if run.on_site(u)]
            if on_site:
                found.feeds.append(url)
                run.add_links(on_site, True)
                found.note(f"feed {url}: found at a common feed path, {len(on_site)} item(s)")
                return
            continue
        listed = [(a.url, a.text) for a in anchors(page.body, page.url)
                  if run.on_site(a.url) and looks_like_feed_url(a.url) and a.url != url]
        listed += [(u, "") for u in alternate_feeds(page.body, page.url) if run.on_site(u)]
        if listed:
            found.note(f"RSS index page {url}: {len(listed)} feed link(s)")
            _try_feeds(run, listed, f"listed on the RSS index page {url}")
            if found.feeds:
                return


def _sitemaps(run: _Run, robots_maps: list[str]) -> None:
    found = run.found
    candidates = [(u, "robots.txt Sitemap: line") for u in robots_maps if run.on_site(u)]
    if not candidates and not found.feeds:
        candidates = [(urljoin(run.home, "/sitemap.xml"), "the common path /sitemap.xml")]
    for url, where in candidates[:2]:
        page = run.get(url, "sitemap")
        if page is None:
            continue
        sm = sitemap_entries(page.body)
        if sm is None:
            found.note(f"sitemap {url}: not a sitemap")
            continue
        if sm.kind == "sitemapindex":
            shards = [(loc, lastmod) for loc, lastmod in sm.urls if run.on_site(loc)]
            if not shards:
                found.note(f"sitemap index {url}: no shard on the site")
                continue
            news = [s for s in shards if "news" in s[0].lower()]
            # the newest shard (by lastmod, else the last listed), a news one when there is any
            pick = max(news or shards, key=lambda s: (s[1] or "", shards.index(s)))
            shard = run.get(pick[0], "sitemap shard")
            sub = sitemap_entries(shard.body) if shard is not None else None
            if sub is None or sub.kind != "urlset":
                found.note(f"sitemap index {url}: its shard {pick[0]} is unreadable")
                continue
            urls = [u for u, _ in sub.urls if run.on_site(u)]
            if found.feeds and not news:
                found.note(f"sitemap index {url} ({where}, {len(shards)} shard(s)): not kept, the feeds "
                           "are enough and every shard would be read on the first pass")
                run.add_links(urls, True)
                continue
            keep = pick[0] if news else url
            found.sitemaps.append(keep)
            run.add_links(urls, True)
            found.note(f"sitemap {keep}: {where}{', news shard of its index' if news else ''}, "
                       f"{len(urls)} URL(s) in {pick[0]}")
        else:
            urls = [u for u, _ in sm.urls if run.on_site(u)]
            if not urls:
                found.note(f"sitemap {url}: no URL on the site")
                continue
            found.sitemaps.append(url)
            run.add_links(urls, True)
            found.note(f"sitemap {url}: {where}{' (news sitemap)' if sm.news else ''}, {len(urls)} URL(s)")


def _shape(run: _Run) -> None:
    found = run.found
    pool = {u: listed for u, listed in run.links.items()
            if u not in run.fetched and u.rstrip("/") != run.home.rstrip("/") and not looks_like_feed_url(u)}
    groups = [g for g in group_shapes(pool) if len(g.urls) >= 2 or g.listed]
    if not groups:
        found.note(f"article shape: none of {len(pool)} link(s) has an article form (slug + id)")
        return
    for group in groups[:MAX_SHAPES]:
        if _verify(run, group):
            return
    found.note("article shape: no shape's sample pages extracted as articles; article_pattern not set")


def _verify(run: _Run, group: ShapeGroup) -> bool:
    from pipeline.process import process_page

    found = run.found
    pattern = pattern_for(group)
    listed = [u for u in group.urls if run.links.get(u)]
    samples = (listed + [u for u in group.urls if u not in listed])[:SAMPLES]
    ok: list[str] = []
    reasons: list[str] = []
    for url in samples:
        page = run.get(url, "sample")
        if page is None:
            reasons.append("not fetched")
            continue
        article, reason = process_page(page.body, page.headers, url, run.spec)
        if article is not None:
            ok.append(url)
        else:
            reasons.append(str(reason))
    found.samples_tried += len(samples)
    found.samples_ok += len(ok)
    desc = group.shape.describe()
    srcs = f"{group.listed} from feeds/sitemaps, {len(group.urls) - group.listed} from pages"
    if len(ok) >= min(2, len(samples)) and len(ok) * 2 > len(samples):
        listing_hits = [u for u in run.fetched if run.spec.allows_host(urlsplit(u).hostname)
                        and _matches(pattern, u) and u not in samples]
        found.article_pattern = pattern
        found.sample_urls = ok
        found.note(f"article_pattern {pattern!r}: {len(group.urls)} link(s) of shape {desc} ({srcs}); "
                   f"{len(ok)} of {len(samples)} sample(s) extracted as articles")
        if listing_hits:
            found.note(f"warning: the pattern also matches {len(listing_hits)} listing page(s), "
                       f"e.g. {listing_hits[0]}: add an exclude")
        return True
    found.note(f"shape {desc} ({len(group.urls)} link(s), {srcs}): {len(ok)} of {len(samples)} sample(s) "
               f"extracted ({'; '.join(sorted(set(reasons)))})")
    return False


def _matches(pattern: str, url: str) -> bool:
    import re

    return bool(re.search(pattern, url))
