"""Pure extraction: page bytes (or text) + URL -> Article, or None with the reason it is not one.

No Scrapy here. The page is decoded (BOM, meta charset, UTF-8, else Windows-1258) and parsed ONCE
with lxml; metadata is read from that tree first, then known boilerplate is pruned, the body is
scoped (a site quirk's container when there is one) and handed to trafilatura as a tree. What comes
back is filtered line by line and normalised with pipeline.normalize.

    article, reason = explain_extraction(body, url, site)

Not an article (``None`` and a reason): a challenge/anti-bot page (see pipeline.pagetype), a
listing/section page (many headline links, no run of prose), an empty or too short extraction, a
body that is not HTML.
"""

from __future__ import annotations

import html as htmlmod
import json
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from lxml import html as lhtml

from pipeline.article import Article
from pipeline.normalize import fold, normalize_inline, normalize_text
from pipeline.pagetype import challenge_reason
from pipeline.quirks import Quirk, find_quirk

__all__ = ["extract_article", "explain_extraction", "decode_html", "VN_TZ", "MIN_TEXT_CHARS"]

log = logging.getLogger(__name__)

VN_TZ = timezone(timedelta(hours=7))
MIN_TEXT_CHARS = 200  # shorter bodies are "too short"
MIN_CONTIGUOUS_PROSE = 300  # an article has at least this much prose under one parent element
LISTING_LINKS = 8  # with less prose than that and at least this many headline links: a listing

# ------------------------------------------------------------------------------------------------
# Decoding


_CHARSET_META = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_ALIASES = {
    "windows-1258": "cp1258",
    "cp1258": "cp1258",
    "x-cp1258": "cp1258",
    # WHATWG: the Latin-1 labels mean windows-1252
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf8": "utf-8",
    "unicode": "utf-8",
    "utf-16": "utf-8",  # a meta tag cannot really say utf-16
}


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    name = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        import codecs

        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(raw: bytes | str, declared: str | None = None) -> str:
    """Text of an HTML body: a BOM wins, then the declared (HTTP) charset, the meta/XML charset,
    strict UTF-8, and Windows-1258 (legacy Vietnamese) as the last resort."""
    if isinstance(raw, str):
        return raw[1:] if raw.startswith("\ufeff") else raw
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", "replace")
    head = raw[:4096]
    tried: list[str] = []
    for label in (
        declared,
        *(m.group(1) for m in (_XML_ENCODING.search(head), _CHARSET_META.search(head)) if m),
    ):
        codec = _codec(label)
        if codec and codec not in tried:
            tried.append(codec)
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                if codec != "utf-8":  # a declared legacy charset: trust it, replace the odd byte
                    return raw.decode(codec, "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # mostly UTF-8 with a few broken bytes, or really a legacy single-byte page?
        if _looks_utf8(raw):
            return raw.decode("utf-8", "replace")
        return raw.decode("cp1258", "replace")


def _looks_utf8(raw: bytes) -> bool:
    """Most non-ASCII bytes form valid UTF-8 sequences (a page with a few broken bytes)."""
    text = raw.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    high = sum(1 for b in raw[:200_000] if b >= 0x80)
    return high > 0 and bad * 10 < high


# ------------------------------------------------------------------------------------------------
# Parsing

_PARSER = lhtml.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
_NOT_HTML = re.compile(
    r"^\s*(?:%PDF|PK\x03\x04|GIF8|\x89PNG|\{|\[|<\?xml[^>]*>\s*<(?:rss|feed|urlset|sitemapindex)\b)", re.I
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


# ------------------------------------------------------------------------------------------------
# Metadata

_ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "blogposting",
    "webpage",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "report",
    "scholarlyarticle",
    "liveblogposting",
}
_GENERIC_SITE_NAMES = (
    "Dân Trí",
    "Báo Dân trí",
    "VnExpress",
    "Báo Nhân Dân điện tử",
    "baochinhphu.vn",
    "Vietnam+",
    "VietnamPlus",
    "TTXVN",
    "PV",
    "BTV",
    "Phóng viên",
    "Nhóm phóng viên",
    "ĐCSVN",
    "TTO",
    "TPO",
    "VOV",
    "VOV.VN",
    "Admin",
    "Ban biên tập",
    "Tòa soạn",
    "Theo TTXVN",
    "VNA",
    "Tin tức",
    "Thời sự",
    "Quản trị viên",
    "admin",
)


def _text(el: Any) -> str:
    try:
        return (
            normalize_inline(el.text_content()) if hasattr(el, "text_content") else normalize_inline(str(el))
        )
    except ValueError:
        return ""


@lru_cache(maxsize=4096)
def _fold_name(name: str) -> str:
    return fold(normalize_inline(name))


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


def _jsonld_objects(tree: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json" or @type="application/json+ld"]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            try:  # trailing commas, stray control characters...
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        stack = [data]
        while stack:
            obj = stack.pop()
            if isinstance(obj, list):
                stack.extend(reversed(obj))
            elif isinstance(obj, dict):
                if "@graph" in obj:
                    stack.append(obj["@graph"])
                out.append(obj)
    return out


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower()}
    if isinstance(t, list):
        return {x.lower() for x in t if isinstance(x, str)}
    return set()


def _article_ld(objs: list[dict[str, Any]]) -> dict[str, Any]:
    best: dict[str, Any] = {}
    for obj in objs:
        types = _types(obj)
        if types & (_ARTICLE_TYPES - {"webpage"}):
            return obj
        if "webpage" in types and not best and ("headline" in obj or "datePublished" in obj):
            best = obj
    return best


def _ld_str(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, list) and v:
        return _ld_str(v[0])
    if isinstance(v, dict):
        return _ld_str(v.get("url") or v.get("@id") or v.get("name") or "")
    return ""


def _ld_persons(v: Any) -> list[str]:
    """Names of the Person authors of a JSON-LD author value (Organization is never an author)."""
    out: list[str] = []
    items = v if isinstance(v, list) else [v]
    for it in items:
        if isinstance(it, str):
            out.append(it)
        elif isinstance(it, dict):
            types = _types(it)
            if types and "person" not in types:
                continue
            name = it.get("name")
            if isinstance(name, str):
                out.append(name)
    return out


def _meta_map(tree: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in tree.iter("meta"):
        content = m.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            k = m.get(attr)
            if k:
                out.setdefault(k.strip().lower(), content.strip())
    return out


_BYLINE_NOISE = re.compile(
    r"^(?:by\s+|(?:bài|tin|ảnh|video|clip|thực hiện|nhóm pv|tác giả|phóng viên)"
    r"(?:\s*(?:,|và|&|-)\s*(?:bài|tin|ảnh|video|clip))*\s*[:\-–]\s*)",
    re.I,
)
_AUTHOR_BAD = re.compile(r"https?://|www\.|@|\d{3,}|[|<>{}]")


def _clean_author(raw: str, site_names: set[str]) -> str | None:
    s = normalize_inline(_unescape(raw))
    if not s:
        return None
    if fold(s) in site_names:
        return None
    s = re.split(r"\s+[-–|]\s+", s, maxsplit=1)[0]  # "Name - office address"
    s = _BYLINE_NOISE.sub("", s).strip(" ,;:-–.()")
    if re.match(r"(?i)theo\s", s):
        return None  # "Theo TTXVN": a source, not a byline
    if not s or len(s) > 60 or len(s) < 3 or _AUTHOR_BAD.search(s):
        return None
    f = fold(s)
    if f in site_names or any(f == n or f == "bao " + n for n in site_names):
        return None
    host_like = re.fullmatch(r"[\w-]+(?:\.[\w-]+)+", f)
    if host_like:
        return None
    if len(s.split()) > 7:
        return None
    return s


# ------------------------------------------------------------------------------------------------
# Dates

_URL_STAMP = re.compile(r"-(\d{17,18})\.html?$")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\D+(\d{1,2})[:hg](\d{2}))?")
_HM_DMY = re.compile(r"(\d{1,2})[:hg](\d{2})\D+(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _valid(dt: datetime, now: datetime) -> bool:
    return datetime(1990, 1, 1, tzinfo=VN_TZ) <= dt <= now + timedelta(days=2)


def parse_date(value: Any) -> datetime | None:
    """A datetime in Vietnam time from ISO 8601, 'dd/mm/yyyy hh:mm', 'hh:mm dd/mm/yyyy' or epoch."""
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    dt: datetime | None = None
    if re.fullmatch(r"\d{9,10}(?:\.\d+)?", s):  # its_publication: Unix seconds
        try:
            dt = datetime.fromtimestamp(float(s), tz=VN_TZ)
        except (OverflowError, OSError, ValueError):
            return None
    else:
        iso = s.replace("Z", "+00:00").replace(" +", "+")
        iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", iso)  # +0700 -> +07:00
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError:
            m = _HM_DMY.search(s)
            try:
                if m:
                    hh, mi, d, mo, y = (int(x) for x in m.groups())
                    dt = datetime(y, mo, d, hh, mi)
                else:
                    m2 = _DMY.search(s)
                    if not m2:
                        return None
                    d, mo, y = int(m2.group(1)), int(m2.group(2)), int(m2.group(3))
                    hh, mi = int(m2.group(4) or 0), int(m2.group(5) or 0)
                    dt = datetime(y, mo, d, hh, mi)
            except ValueError:
                return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN_TZ)
    return dt.astimezone(VN_TZ)


def url_timestamp(url: str) -> datetime | None:
    """The yyyymmddhhmmss[fff] stamp of dantri/baotintuc/tuoitre URLs, in Vietnam time.

    Thanh Niên's 18-digit IDs (185…) and Báo Chính phủ's "102"+YYMMDD… are not stamps and give None
    (they fail the calendar/range check)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    m = _URL_STAMP.search(path)
    if not m:
        return None
    d = m.group(1)
    try:
        dt = datetime(
            int(d[0:4]), int(d[4:6]), int(d[6:8]), int(d[8:10]), int(d[10:12]), int(d[12:14]), tzinfo=VN_TZ
        )
    except ValueError:
        return None
    return dt


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


# ------------------------------------------------------------------------------------------------
# Boilerplate

# class/id fragments of boxes that are never the article body (pruned before trafilatura)
_BOX_WORDS = (
    "related",
    "lien-quan",
    "lienquan",
    "tinlienquan",
    "tin-khac",
    "tinkhac",
    "cung-chuyen-muc",
    "readmore",
    "read-more",
    "xem-them",
    "xemthem",
    "social",
    "share",
    "sharing",
    "sharebar",
    "comment",
    "binh-luan",
    "binhluan",
    "audio",
    "player",
    "tag-list",
    "taglist",
    "tags",
    "keyword",
    "tu-khoa",
    "breadcrumb",
    "banner",
    "advert",
    "adsbygoogle",
    "quangcao",
    "qc-",
    "newsletter",
    "subscribe",
    "follow-us",
    "followus",
    "rating",
    "vote",
    "print",
    "toolbar",
    "sidebar",
    "footer",
    "menu",
    "navbar",
    "popup",
    "modal",
    "cookie",
    "most-read",
    "mostread",
    "doc-nhieu",
    "docnhieu",
    "trending",
    "hot-news",
    "box-news",
    "box-tin",
    "author-box",
    "google-news",
    "zalo",
    "facebook",
)
_BOX_TAGS = {
    "div",
    "section",
    "aside",
    "ul",
    "ol",
    "nav",
    "footer",
    "form",
    "table",
    "span",
    "p",
    "figure",
    "header",
    "iframe",
    "article",
}
_BOX_RE = re.compile("|".join(re.escape(w) for w in _BOX_WORDS))
_WITH_CLASS_OR_ID = etree.XPath("descendant::*[@class or @id]")


def _boxes(root: Any) -> list[Any]:
    """Elements under root whose class/id names a boilerplate box (related news, share bar, ...)."""
    out = []
    for el in _WITH_CLASS_OR_ID(root):
        if el.tag in _BOX_TAGS:
            key = f"{el.get('class') or ''} {el.get('id') or ''}".lower().replace("_", "-")
            if _BOX_RE.search(key):
                out.append(el)
    return out


_ALWAYS_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "video", "audio",
    "button", "select", "input", "textarea", "nav", "footer", "aside",
)  # fmt: skip
_ALWAYS_DROP = etree.XPath("descendant::*[" + " or ".join(f"self::{t}" for t in _ALWAYS_DROP_TAGS) + "]")

_PLATFORMS = r"(?:Google News|Google Tin tức|Zalo|Facebook|YouTube|TikTok|Telegram|Twitter|Instagram|X)"
_JUNK_LINE = re.compile(
    r"^(?:"
    r"\d{1,2}:\d{2}(?::\d{2})?\s*/\s*\d{1,2}:\d{2}(?::\d{2})?"  # player "0:00 / 0:00"
    r"|MỚI\s*[-–]\s*NÓNG"
    rf"|Chia sẻ(?:\s*:.{{0,60}}|(?:\s+(?:bài viết|qua|lên|,|và|{_PLATFORMS}))*)"  # not "Chia sẻ với PV, ..."
    r"|(?:Tin|Bài|Đọc|Bài viết) liên quan\s*:?"
    rf"|Theo dõi .{{1,40}}? trên(?:\s+(?:{_PLATFORMS}|và|các nền tảng|mạng xã hội|,))*\s*[.:]?"
    r"|Mời (?:quý )?(?:độc giả|bạn đọc) theo dõi.*"
    r"|Trở thành người đầu tiên tặng sao.*"
    r"|Bình luận\s*\(\d+\).*"
    r"|(?:Xem|Đọc) thêm(?:\s*:.{0,200}|\s*»*)"
    r"|Tin (?:cùng chuyên mục|mới nhất|khác)\s*:?"
    r"|(?:Từ khóa|Từ khoá|Tags?|Chủ đề)\s*:.*"
    r"|(?:Gửi bình luận|Ý kiến bạn đọc|Bình luận|Báo lỗi|In bài|Quay lại|Trở về|Về trang chủ)\s*:?"
    r"|(?:Copyright|©|Bản quyền thuộc).*"
    r"|(?:Thích|Like)\s*\d*"
    r"|(?:Nghe|Đọc) bài viết|Nghe đọc bài(?: viết)?|Đang tải\.*|Đang phát"
    r")$",
    re.I,
)
_RELATED_HEAD = re.compile(r"^(?:tin|bài|đọc|bài viết|tin tức) (?:liên quan|cùng chuyên mục)\s*:?$", re.I)


# ------------------------------------------------------------------------------------------------
# Listing detection: where is the longest run of prose under one parent?

_BLOCKS = {
    "p",
    "div",
    "td",
    "li",
    "blockquote",
    "dd",
    "section",
    "article",
    "main",
    "body",
    "figcaption",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "header",
    "ul",
    "ol",
    "table",
    "tr",
    "tbody",
    "figure",
}
_SKIP = {"script", "style", "noscript", "template", "head", "title", "a", "button", "select", "option"}


def _prose_stats(root: Any) -> tuple[int, int, int]:
    """(longest run of prose under one parent element, total prose, linked headings inside the
    element with that run), counting paragraph-like blocks with >= 40 chars of their own text
    outside links."""
    own: dict[Any, int] = {}
    if root.text:
        own[root] = len(root.text.strip())
    stack: list[tuple[Any, Any]] = [(root, root)]
    while stack:
        el, block = stack.pop()
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag and tag not in _SKIP:
                b = child if tag in _BLOCKS else block
                if child.text:
                    own[b] = own.get(b, 0) + len(child.text.strip())
                stack.append((child, b))
            if child.tail:
                own[block] = own.get(block, 0) + len(child.tail.strip())
    runs: dict[Any, int] = {}
    total = 0
    for el, n in own.items():
        if n < 40:
            continue
        total += n
        parent = el.getparent() if el is not root else root
        if el.tag in ("div", "td", "section", "article", "body", "main"):
            parent = el  # text directly in a container (br-separated): the container is the run
        runs[parent] = runs.get(parent, 0) + n
    if not runs:
        return 0, total, 0
    best = max(runs, key=runs.__getitem__)
    return runs[best], total, int(_LINKED_HEADINGS(best))


_LINKED_HEADINGS = etree.XPath("count(descendant::*[self::h2 or self::h3 or self::h4 or self::h5][.//a])")


_BYLINE = etree.XPath(
    "//*[@class or @rel or @itemprop][@rel='author' or (@itemprop='name' and ancestor::*[@itemprop='author'])"
    " or contains(@class,'author-name') or contains(@class,'article__author') or contains(@class,'byline')"
    " or contains(@class,'article-author') or contains(@class,'detail-author')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
)
_HEADLINE_LINKS = etree.XPath("count(//a[string-length(normalize-space(.)) >= 20])")


# ------------------------------------------------------------------------------------------------
# The extraction


def explain_extraction(
    html: bytes | str | None, url: str, site: Any = None, *, headers: dict[str, str] | None = None
) -> tuple[Article | None, str | None]:
    """(Article, None) for an article page; (None, reason) otherwise. Never raises."""
    try:
        return _explain(html, url, site, headers)
    except Exception as e:  # a bug or a pathological page must not stop a crawl
        log.exception("extraction failed for %s", url)
        return None, f"extraction failed: {type(e).__name__}: {e}"


def extract_article(html: bytes | str | None, url: str, site: Any = None) -> Article | None:
    """The Article of an article page, None for anything else (see explain_extraction)."""
    return explain_extraction(html, url, site)[0]


def _explain(
    html: bytes | str | None, url: str, site: Any, headers: dict[str, str] | None
) -> tuple[Article | None, str | None]:
    if html is None or len(html) == 0:
        return None, "empty body"
    head = html[:65536]
    reason = challenge_reason(head if isinstance(head, bytes) else head.encode("utf-8", "replace"), headers)
    if reason:
        return None, reason
    declared = None
    if headers:
        ct = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        m = re.search(r"charset=([\w.:-]+)", ct or "", re.I)
        declared = m.group(1) if m else None
        if ct and not re.search(r"html|xml|text/plain", ct, re.I):
            return None, f"not HTML ({ct.split(';')[0].strip()})"
    text = decode_html(html, declared)
    if _NOT_HTML.match(text[:2048]) or not _HTML_SIGN.search(text[:65536]):
        return None, "not HTML"
    tree = _parse(text)
    if tree is None:
        return None, "not HTML (unparsable)"
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
        _drop(el)

    # --- listing or article? ---------------------------------------------------------------
    run, prose, linked_heads = _prose_stats(root)
    links = int(_HEADLINE_LINKS(tree))
    if linked_heads >= 5 and run < 300 * linked_heads:
        return None, f"listing page: {linked_heads} linked headlines among {run} chars of prose"
    # A site's own article-body container is an article page unless it is (nearly) empty.
    bar = 100 if scope is not None else MIN_CONTIGUOUS_PROSE
    if run < bar and links >= LISTING_LINKS:
        return None, f"listing page: {links} headline links, {prose} chars of prose (longest run {run})"

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
    if not raw_text or not raw_text.strip():
        return None, "empty extraction"
    stats: dict[str, int] = {}
    lines = _clean_lines(raw_text, meta, quirk, anchors, stats)
    body_text = "\n\n".join(lines)  # the lines are already normalised (see _clean_lines)
    link_lines = stats.get("link_lines", 0)
    if scope is None and link_lines >= 5 and link_lines >= len(lines) / 2:
        return None, f"listing page: {link_lines} headline lines among {len(lines)} lines of text"
    if len(body_text) < MIN_TEXT_CHARS:
        return None, f"too short ({len(body_text)} chars)"
    if run < MIN_CONTIGUOUS_PROSE and scope is None and prose < MIN_TEXT_CHARS:
        return None, f"no prose on the page ({prose} chars); {links} headline links"

    title = meta["title"]
    if not title:
        return None, "no title"
    art = Article(
        url=url,
        title=title,
        text=body_text,
        site=getattr(site, "key", None) or (quirk.key if quirk else None),
        published=published,
        published_source=source,
        author=meta.get("author") or None,
        description=meta.get("description") or None,
        image=meta.get("image") or None,
        language=meta.get("language") or _guess_language(body_text),
    )
    if meta.get("jsonld_published") and source != "jsonld":
        art.extra["jsonld_published"] = meta["jsonld_published"]
    return art, None


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


def _protected(el: Any, h1s: Iterable[Any]) -> bool:
    """Never prune the element that holds the headline or the bulk of the page's paragraphs."""
    if el.tag in ("html", "body", "main", "article"):
        return True
    for h in h1s:
        if h is el or el in h.iterancestors():
            return True
    return len(el.findall(".//p")) >= 8 and el.tag in ("div", "section")


def _metadata(tree: Any, url: str, site: Any, quirk: Quirk | None) -> dict[str, Any]:
    metas = _meta_map(tree)
    ld = _article_ld(_jsonld_objects(tree))
    out: dict[str, Any] = {"metas": metas, "ld": ld}

    # title: JSON-LD headline, the quirk's h1, any h1, og:title, <title> without the site suffix.
    # When h1 and og:title agree and the JSON-LD headline says something else, two sources win.
    og_title = normalize_inline(_unescape(metas.get("og:title", "")))
    ld_title = normalize_inline(_unescape(_ld_str(ld.get("headline")))) if ld else ""
    h1_title = _first_text(tree, quirk.title) if quirk is not None else ""
    if not h1_title:
        for h in tree.iter("h1"):
            t = _text(h)
            if len(t) >= 8:
                h1_title = t
                break
    title = ld_title
    if not title or (h1_title and h1_title == og_title and title != h1_title):
        title = h1_title
    if quirk is not None and quirk.prefer_og_title and og_title and not og_title.endswith(("...", "…")):
        title = og_title
    if not title:
        title = og_title or normalize_inline(metas.get("twitter:title", ""))
    if not title:
        t = _text(tree.find(".//title")) if tree.find(".//title") is not None else ""
        title = re.split(r"\s+[|–—]\s+|\s+-\s+(?=[^-]{2,40}$)", t)[0] if t else ""
    out["title"] = normalize_inline(title)

    # site names: never an author
    names = set(_GENERIC_SITE_NAMES)
    if quirk is not None:
        names.update(quirk.site_names)
    for k in ("og:site_name", "application-name", "publisher", "dc.publisher", "copyright"):
        if metas.get(k):
            names.add(metas[k])
    if site is not None and getattr(site, "name", None):
        names.add(site.name)
    pub = ld.get("publisher") if ld else None
    if isinstance(pub, dict) and isinstance(pub.get("name"), str):
        names.add(pub["name"])
    host = _host(url)
    if host:
        names.add(host)
        names.add(host.removeprefix("www."))
    folded = {_fold_name(n) for n in names if n}
    for n in list(folded):
        folded.add(n.removeprefix("bao dien tu ").removeprefix("bao "))

    # author: JSON-LD Person, then byline selectors
    author = None
    if ld:
        for cand in _ld_persons(ld.get("author")):
            author = _clean_author(cand, folded)
            if author:
                break
    if not author and quirk is not None:
        for xp in quirk.author:
            found = [t for t in (_text(e) for e in _xpath(tree, xp)) if t]
            for cand in reversed(found):
                author = _clean_author(cand, folded)
                if author:
                    break
            if author:
                break
    if not author and (quirk is None or not quirk.author):  # a quirk's own byline selectors come first
        for e in _BYLINE(tree)[:6]:
            author = _clean_author(_text(e), folded)
            if author:
                break
    if not author and metas.get("author"):
        author = _clean_author(metas["author"], folded)
    if not author and metas.get("article:author") and not metas["article:author"].startswith("http"):
        author = _clean_author(metas["article:author"], folded)
    out["author"] = author

    # description: the sapo, og:description, meta description, JSON-LD; site prefixes stripped
    desc = _first_text(tree, quirk.sapo) if quirk is not None else ""
    for lead in (
        metas.get("og:description"),
        metas.get("description"),
        _ld_str(ld.get("description")) if ld else "",
    ):
        if desc:
            break
        desc = normalize_inline(_unescape(lead or ""))
    out["description"] = strip_lead_prefix(desc) or None

    image = metas.get("og:image") or metas.get("twitter:image") or (_ld_str(ld.get("image")) if ld else "")
    try:
        out["image"] = urljoin(url, image) if image and url else (image or None)
    except ValueError:
        out["image"] = image or None

    lang = (
        tree.get("lang") or metas.get("content-language") or metas.get("og:locale") or metas.get("language")
    )
    out["language"] = re.split(r"[-_]", lang.strip().lower())[0] if lang and lang.strip() else None
    if ld:
        out["jsonld_published"] = _ld_str(ld.get("datePublished")) or None
    return out


_LEAD_PREFIX = re.compile(
    r"^\s*(?:\((?:Dân ?trí|Chinhphu\.vn|ĐCSVN|NLĐO|PLO|CAO|ANTV|Tổ Quốc|TBTCO|Baonghean|BNA|HNM|VOV\.VN|"
    r"VTV\.vn|QĐND|TTXVN|Vietnam\+|[^()]{2,24}\.(?:vn|VN|com))\)"
    r"|TPO|VOV\.VN|VOV|ANTD\.VN|ANTĐ|GDVN|NDO|QĐND|TTO|VTV\.vn|VietNamNet|Dân trí|Kinhtedothi)\s*[-–—:]\s*",
    re.I,
)


def strip_lead_prefix(s: str | None) -> str:
    """'(Dân trí) - Lead…' -> 'Lead…' (also Chinhphu.vn, ĐCSVN, TPO, VOV… prefixes)."""
    if not s:
        return ""
    return _LEAD_PREFIX.sub("", s, count=1).strip()


def _published(
    tree: Any, url: str, meta: dict[str, Any], quirk: Quirk | None
) -> tuple[str | None, str | None]:
    now = datetime.now(VN_TZ)
    metas: dict[str, str] = meta["metas"]
    ld = meta["ld"]

    def from_jsonld() -> datetime | None:
        return parse_date(_ld_str(ld.get("datePublished"))) if ld else None

    def from_meta() -> datetime | None:
        for k in (
            "article:published_time",
            "pubdate",
            "datepublished",
            "og:published_time",
            "publishdate",
            "publish-date",
            "dc.date.issued",
            "sailthru.date",
            "its_publication",
            "date",
            "dc.date",
        ):
            v = metas.get(k)
            dt = parse_date(v) if v else None
            if dt is not None and _valid(dt, now):
                return dt
        for el in tree.xpath("//time[@datetime][1]|//*[@itemprop='datePublished'][@content or @datetime][1]"):
            dt = parse_date(el.get("datetime") or el.get("content"))
            if dt is not None and _valid(dt, now):
                return dt
        return None

    readers = {"jsonld": from_jsonld, "meta": from_meta, "url": lambda: url_timestamp(url)}
    order = quirk.date_order if quirk is not None else ("jsonld", "meta", "url")
    for name in order:
        reader = readers.get(name)
        dt = reader() if reader else None
        if dt is not None and _valid(dt, now):
            return _iso(dt), name
    try:
        from htmldate import find_date

        found = find_date(
            tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S", url=url
        )
    except Exception:  # htmldate is best effort
        found = None
    dt = parse_date(found) if found else None
    if dt is not None and _valid(dt, now):
        return _iso(dt), "htmldate"
    return None, None


def _clean_lines(
    raw: str, meta: dict[str, Any], quirk: Quirk | None, anchors: set[str], stats: dict[str, int]
) -> list[str]:
    lines = [" ".join(x.split()) for x in normalize_text(raw).split("\n")]
    lines = [x for x in lines if x]
    title = meta["title"]
    while lines and title and (lines[0] == title or lines[0].rstrip(" .") == title.rstrip(" .")):
        lines.pop(0)
    desc = meta.get("description") or ""
    if lines and desc and strip_lead_prefix(lines[0]) == desc:
        lines.pop(0)  # the sapo repeated as the first body line: it is the description
    if quirk is not None:
        lines = quirk.lines(lines, meta)
        junk = [re.compile(p) for p in quirk.junk_lines]
    else:
        junk = []
    out: list[str] = []
    seen: set[str] = set()
    skipping_related = 0
    for line in lines:
        if _RELATED_HEAD.match(line):
            skipping_related = 5  # at most this many headlines follow the box's heading
            continue
        if skipping_related:
            skipping_related -= 1
            # headlines of a related box: a link's text, or short with no final punctuation
            if line in anchors or (
                len(line) < 160 and not line.endswith((".", "!", "?", ":", '"', "”", "…"))
            ):
                continue
            skipping_related = 0
        if _JUNK_LINE.match(line) or any(j.search(line) for j in junk):
            continue
        if line in anchors and len(line) < 200:
            stats["link_lines"] = stats.get("link_lines", 0) + 1
            continue  # a paragraph that is just a link's text: a related headline
        if line in seen and len(line) > 3:
            continue  # caption duplicates
        seen.add(line)
        out.append(line)
    return out


_VI_CHARS = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _guess_language(text: str) -> str | None:
    sample = text[:2000]
    if not sample:
        return None
    return "vi" if len(_VI_CHARS.findall(sample)) > len(sample) / 50 else None
