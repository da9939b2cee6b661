"""Page metadata from the parsed tree: JSON-LD, <meta> tags, the headline, the byline.

``_metadata(tree, url, site, quirk)`` returns a dict read before any pruning:

- ``title``: JSON-LD headline, the quirk's or the first h1, og:title, <title> without the site suffix;
- ``author``: a person (JSON-LD Person, the quirk's byline XPaths, generic byline classes, meta
  author), never the outlet's own name (``_clean_author``);
- ``description`` (the sapo, lead prefix stripped), ``image`` (absolute URL), ``language`` (the
  page's declared one, or None);
- ``metas`` (every <meta> name/property -> content), ``ld`` (the article's JSON-LD object) and
  ``jsonld_published`` (its datePublished as written), for the date readers in pipeline.extract.dates.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from config import SiteSpec
from pipeline.extract.body import strip_lead_prefix
from pipeline.extract.html import _first_text, _host, _text, _unescape, _xpath
from pipeline.extract.quirks import Quirk
from pipeline.normalize import fold, normalize_inline

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


@lru_cache(maxsize=4096)
def _fold_name(name: str) -> str:
    return fold(normalize_inline(name))


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
_RUN_TOGETHER = re.compile(r"(?<=[a-zà-ỹđ])[A-ZĐ]{2,}[A-Za-z+.]*$")
_AGENCY_SUFFIX = re.compile(r"\s*[(/\-–]\s*(?:TTXVN|VNA|TTXVN/VNA|Vietnam\+|[A-ZĐ]{2,6})\s*\)?$")
_INITIALS = re.compile(r"[A-ZĐ]{2}")
_AUTHOR_BAD = re.compile(r"https?://|www\.|@|\d{3,}|[|<>{}]")


def _clean_author(raw: str, site_names: set[str]) -> str | None:
    s = normalize_inline(_unescape(raw))
    if not s:
        return None
    if fold(s) in site_names:
        return None
    s = re.split(r"\s+[-–|]\s+", s, maxsplit=1)[0]  # "Name - office address"
    s = _BYLINE_NOISE.sub("", s).strip(" ,;:-–.()")
    # "Lan AnhTTXVN": a name run together with its agency (a lower-case letter, then capitals to the end)
    s = _RUN_TOGETHER.sub("", s).strip(" ,;:-–.()")
    s = _AGENCY_SUFFIX.sub("", s).strip(" ,;:-–.()")
    if re.match(r"(?i)theo\s", s):
        return None  # "Theo TTXVN": a source, not a byline
    if not s or len(s) > 60 or (len(s) < 3 and not _INITIALS.fullmatch(s)) or _AUTHOR_BAD.search(s):
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


_BYLINE = etree.XPath(
    "//*[@class or @rel or @itemprop][@rel='author' or (@itemprop='name' and ancestor::*[@itemprop='author'])"
    " or contains(@class,'author-name') or contains(@class,'article__author') or contains(@class,'byline')"
    " or contains(@class,'article-author') or contains(@class,'detail-author')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
)


def _byline_wins(byline: str, ld_name: str) -> bool:
    """The byline element's name is the JSON-LD name with something run into it or after it."""
    b, n = fold(byline).replace(" ", ""), fold(ld_name).replace(" ", "")
    return b != n and len(b) >= 2 and n.startswith(b)


def _metadata(tree: Any, url: str, site: SiteSpec | None, quirk: Quirk | None) -> dict[str, Any]:
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

    # author: JSON-LD Person, then byline selectors; a byline element that is the JSON-LD name without
    # what was run into it ("Lan AnhTTXVN" vs "<strong>Lan Anh</strong> (TTXVN)") wins
    author = None
    if ld:
        for cand in _ld_persons(ld.get("author")):
            author = _clean_author(cand, folded)
            if author:
                break
    ld_author, author = author, None
    if quirk is not None:
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
    if ld_author and not (author and _byline_wins(author, ld_author)):
        author = ld_author
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
