"""HTML parsing and the small tree helpers the rest of pipeline.extract shares.

- ``looks_like_html(text)``: False for a body that is not an HTML page (PDF, image, JSON, a feed or
  sitemap), checked on its first characters before anything is parsed.
- ``_parse(text)``: decoded page text -> one lxml HTML tree (comments and processing instructions
  dropped), or None when lxml cannot make a document of it.
- ``_text``/``_first_text``: normalised text of an element / of the first XPath that finds some;
  ``_xpath``: an XPath that never raises (a bad quirk XPath is logged and matches nothing);
  ``_drop``: remove an element but keep its tail text; ``_unescape``: undo (double) HTML escaping;
  ``_host``: the lower-cased host of a URL, "" when it has none.
"""

from __future__ import annotations

import html as htmlmod
import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lhtml

from pipeline.normalize import normalize_inline

log = logging.getLogger(__name__)

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_PARSER = lhtml.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
_NOT_HTML = re.compile(
    # (pipeline.decode removes a leading XML declaration, so a feed may start with <rss> directly)
    r"^\s*(?:%PDF|PK\x03\x04|GIF8|\x89PNG|\{|\[|(?:<\?xml[^>]*>\s*)?<(?:rss|feed|urlset|sitemapindex)\b)", re.I
)
_HTML_SIGN = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|meta|title|div|p|article|h1)\b", re.I)


def _parse(text: str) -> lhtml.HtmlElement | None:
    text = _XML_DECL.sub("", text, count=1)
    text = text.replace("\x00", "")
    if not text.strip():
        return None
    try:
        tree = lhtml.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None
    if tree is None or not isinstance(tree.tag, str):
        return None
    return tree


def looks_like_html(text: str) -> bool:
    """The decoded body starts like an HTML page (not a PDF, image, JSON, feed or sitemap)."""
    return not _NOT_HTML.match(text[:2048]) and bool(_HTML_SIGN.search(text[:65536]))


def _text(el: Any) -> str:
    try:
        return (
            normalize_inline(el.text_content()) if hasattr(el, "text_content") else normalize_inline(str(el))
        )
    except ValueError:
        return ""


def _first_text(tree: Any, xpaths: Iterable[str]) -> str:
    for xp in xpaths:
        try:
            found = tree.xpath(xp)
        except etree.XPathError:
            continue
        for el in found:
            t = _text(el)
            if t:
                return t
    return ""


def _unescape(s: str) -> str:
    for _ in range(2):
        if "&" not in s:
            break
        s = htmlmod.unescape(s)
    return s


def _host(url: str | None) -> str:
    try:
        return (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""


def _xpath(tree: Any, xp: str) -> list[Any]:
    try:
        res = tree.xpath(xp)
    except etree.XPathError:
        log.warning("bad quirk XPath %r", xp)
        return []
    return res if isinstance(res, list) else []


def _drop(el: Any) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail and tail.strip():
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail

