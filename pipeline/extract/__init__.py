"""Pure extraction: page bytes (or text) + URL -> Article, or None with the reason it is not one.

No Scrapy, spiders or database here. The page is decoded with pipeline.decode (the one decoder)
and parsed ONCE with lxml; metadata is read from that tree first, then known boilerplate is pruned,
the body is scoped (a site quirk's container when there is one) and handed to trafilatura as a
tree. What comes back is filtered line by line and normalised with pipeline.normalize.

    article, reason = explain_extraction(body, url, site)

Not an article (``None`` and a reason): a challenge/anti-bot page (see pipeline.extract.pagetype), a
listing/section page (many headline links, no run of prose), an empty or too short extraction, a
body that is not HTML.

This module is the orchestration only; the layers it calls:

- pipeline.extract.html: parsing and tree helpers;
- pipeline.extract.metadata: JSON-LD, meta tags, title, author, description;
- pipeline.extract.dates: ``parse_date``, ``url_timestamp`` and the publication date;
- pipeline.extract.body: boilerplate boxes, listing detection, the body's lines;
- pipeline.extract.quirks: per-outlet hooks; pipeline.extract.pagetype: challenge pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lhtml

from config import VN_TZ, SiteSpec
from pipeline.article import Article
from pipeline.decode import decode_page
from pipeline.extract.body import (
    _ALWAYS_DROP,
    _HEADLINE_LINKS,
    _boxes,
    _clean_lines,
    _prose_stats,
    _protected,
    strip_lead_prefix,
)
from pipeline.extract.boiler import heading_before, heading_like, structural_boxes
from pipeline.extract.dates import _published, parse_date, url_timestamp
from pipeline.extract.html import _drop, _parse, _xpath, looks_like_html
from pipeline.extract.metadata import _metadata
from pipeline.extract.pagetype import challenge_reason, redirect_stub_reason
from pipeline.extract.quirks import find_quirk
from pipeline.normalize import guess_language, normalize_inline

__all__ = [
    "extract_article",
    "explain_extraction",
    "parse_date",
    "url_timestamp",
    "strip_lead_prefix",
    "VN_TZ",
    "MIN_TEXT_CHARS",
    "MIN_CONTIGUOUS_PROSE",
    "LISTING_LINKS",
]

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 200  # shorter bodies are "too short"
MIN_CONTIGUOUS_PROSE = 300  # an article has at least this much prose under one parent element
LISTING_LINKS = 8  # with less prose than that and at least this many headline links: a listing


def explain_extraction(
    html: bytes | str | None,
    url: str,
    site: SiteSpec | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> tuple[Article | None, str | None]:
    """(Article, None) for an article page; (None, reason) otherwise. Never raises.

    ``html``: the body as downloaded (bytes, decoded here with pipeline.decode.decode_page and the
    ``headers``' Content-Type) or already decoded text; ``site``: the site spec (quirk, site name),
    None for an unknown site (the quirk is then found from the URL or the page)."""
    try:
        return _explain(html, url, site, headers)
    except Exception as e:  # a bug or a pathological page must not stop a crawl
        log.exception("extraction failed for %s", url)
        return None, f"extraction failed: {type(e).__name__}: {e}"


def extract_article(html: bytes | str | None, url: str, site: SiteSpec | None = None) -> Article | None:
    """The Article of an article page, None for anything else (see explain_extraction)."""
    return explain_extraction(html, url, site)[0]


_CAPTION_CLASS = etree.XPath(
    "descendant::*[self::figcaption or (contains(translate(@class,'CAPTION','caption'),'caption')"
    " and not(ancestor::figcaption) and not(.//figcaption))]"
)


def _captions(root: Any) -> list[str]:
    """Texts of the photo captions under root (figcaption, *caption* classes), in document order."""
    out: list[str] = []
    for el in _CAPTION_CLASS(root):
        if any(a.tag == "a" for a in el.iterancestors()):
            continue
        t = normalize_inline(el.text_content())
        if t and (not out or out[-1] != t):
            out.append(t)
    return out


def _explain(
    html: bytes | str | None, url: str, site: SiteSpec | None, headers: Mapping[str, str] | None
) -> tuple[Article | None, str | None]:
    if html is None or len(html) == 0:
        return None, "empty body"
    head = html[:65536]
    reason = challenge_reason(head if isinstance(head, bytes) else head.encode("utf-8", "replace"), headers)
    if reason:
        return None, reason
    ct = None
    if headers:
        ct = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        if ct and not re.search(r"html|xml|text/plain", ct, re.I):
            return None, f"not HTML ({ct.split(';')[0].strip()})"
    text = decode_page(html, ct).text
    if not looks_like_html(text):
        return None, "not HTML"
    tree = _parse(text)
    if tree is None:
        return None, "not HTML (unparsable)"
    stub = redirect_stub_reason(tree, url)  # read before scripts are pruned; used when there is no body
    quirk = find_quirk(site, url, tree)
    meta = _metadata(tree, url, site, quirk)

    # --- body scope and pruning ----------------------------------------------------------------
    scope = None
    if quirk is not None:
        for xp in quirk.body:
            found = _xpath(tree, xp)
            if found and isinstance(found[0], lhtml.HtmlElement):
                scope = found[0]
                break
        for xp in quirk.prune:
            for el in _xpath(tree, xp):
                _drop(el)
    body_el = tree.find("body")
    if body_el is None:
        body_el = tree
    root = scope if scope is not None else body_el
    for el in _ALWAYS_DROP(root):
        if el is not root:
            _drop(el)
    for el in root.iter("form"):  # search/comment forms go; ASP.NET/DNN pages wrap everything in one
        if el is not root and el.find(".//h1") is None and len(el.findall(".//p")) < 3:
            _drop(el)
    h1s = tree.xpath("//h1")
    for el in _boxes(root):
        if el is root or _protected(el, h1s if scope is None else ()):
            continue
        for head in heading_before(el, root):  # the box's heading ("Đừng bỏ lỡ") must not stay behind
            if not _protected(head, h1s):
                _drop(head)
        _drop(el)

    # --- listing or article? ---------------------------------------------------------------
    run, prose, linked_heads = _prose_stats(root)
    captions = _captions(root)
    if sum(len(c) for c in captions) >= MIN_CONTIGUOUS_PROSE and len(captions) >= 3:
        run = max(run, sum(len(c) for c in captions))  # a photo story: its captions are its prose
    links = int(_HEADLINE_LINKS(tree))
    if linked_heads >= 5 and run < 300 * linked_heads:
        return None, f"listing page: {linked_heads} linked headlines among {run} chars of prose"
    # A site's own article-body container is an article page unless it is (nearly) empty.
    bar = 100 if scope is not None else MIN_CONTIGUOUS_PROSE
    if run < bar and links >= LISTING_LINKS:
        return None, f"listing page: {links} headline links, {prose} chars of prose (longest run {run})"

    # boilerplate by shape and Vietnamese wording (related boxes inside the body, teasers, comments)
    for el in structural_boxes(root, keep=h1s):
        _drop(el)

    # Photo captions are part of the story: trafilatura drops <figure>, so make them paragraphs
    # (a caption repeated as a line of its own is removed later).
    for fig in root.iter("figure"):
        for cap in fig.iter("figcaption"):
            cap.tag = "div" if cap.find(".//p") is not None else "p"
        fig.tag = "div"
    if scope is not None:
        # subheadings inside a known body are text (trafilatura's plain-text output drops headings)
        for h in scope.iter("h2", "h3", "h4", "h5", "h6"):
            h.tag = "p"

    # --- publication date (before trafilatura; htmldate only as last resort) ---------------------
    published, source = _published(tree, url, meta, quirk)

    # --- body text ---------------------------------------------------------------------------
    anchors = {
        normalize_inline(a.text_content()) for a in root.iter("a") if len(a.text_content() or "") >= 15
    }
    headings = {normalize_inline(el.text_content()) for el in root.iter("h2", "h3", "h4", "h5", "h6", "p", "div")
                if heading_like(el)}
    if scope is not None:
        parent = scope.getparent()
        if parent is not None:
            parent.remove(scope)  # moved, not copied: the rest of the page is no longer needed
        doc = lhtml.Element("html")
        body = etree.SubElement(doc, "body")
        body.append(scope)
        target: Any = doc
    else:
        target = tree
    raw_text = trafilatura.extract(
        target,
        url=None,
        output_format="txt",
        fast=scope is not None,  # no fallback extractors needed once the body is known
        favor_precision=False,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    stats: dict[str, int] = {}
    lines = _clean_lines(raw_text or "", meta, quirk, anchors, stats, headings)
    body_text = "\n\n".join(lines)  # the lines are already normalised (see _clean_lines)
    if len(body_text) < MIN_TEXT_CHARS and sum(len(c) for c in captions) >= MIN_TEXT_CHARS:
        # a photo story: the captions, in order, are the text
        lines = _clean_lines("\n".join(captions), meta, quirk, set(), {})
        body_text = "\n\n".join(lines)
        run = max(run, len(body_text))
    if not body_text.strip():
        return None, stub or "empty extraction"
    link_lines = stats.get("link_lines", 0)
    if scope is None and link_lines >= 5 and link_lines >= len(lines) / 2:
        return None, f"listing page: {link_lines} headline lines among {len(lines)} lines of text"
    if len(body_text) < MIN_TEXT_CHARS:
        return None, stub or f"too short ({len(body_text)} chars)"
    if run < MIN_CONTIGUOUS_PROSE and scope is None and prose < MIN_TEXT_CHARS:
        return None, f"no prose on the page ({prose} chars); {links} headline links"

    title = meta["title"]
    if not title:
        return None, "no title"
    art = Article(
        url=url,
        title=title,
        text=body_text,
        site=getattr(site, "key", None) or (quirk.key if quirk and not quirk.family else None),
        published=published,
        published_source=source,
        author=meta.get("author") or None,
        description=meta.get("description") or None,
        image=meta.get("image") or None,
        language=meta.get("language") or guess_language(body_text),
    )
    if meta.get("jsonld_published") and source != "jsonld":
        art.jsonld_published = meta["jsonld_published"]
    return art, None
