"""The article body: what is pruned from the page, whether it is a listing, and the final lines.

- ``_boxes(root)``: elements whose class/id names a boilerplate box (related news, share bars,
  comments, ads...); ``_ALWAYS_DROP``: tags that are never text (script, nav, footer...);
  ``_protected(el, h1s)``: elements never pruned (they hold the headline or most paragraphs).
- ``_prose_stats(root)``: (longest run of prose under one parent, total prose, linked headings
  beside that run) and ``_HEADLINE_LINKS``: the numbers that tell a listing/section page from an
  article.
- ``_clean_lines(raw, meta, quirk, anchors, stats)``: trafilatura's text -> the body's lines, with
  the repeated title and sapo, the site's furniture (share/follow/tag lines), related-news
  headlines and duplicate captions removed, and a box heading that ends the text ("Đừng bỏ lỡ",
  a "Tin …" heading line of the page in ``headings``) dropped; normalised with pipeline.normalize.
- ``strip_lead_prefix``: '(Dân trí) - Lead…' -> 'Lead…'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

from pipeline.extract.boiler import trailing_box_heading
from pipeline.extract.quirks import Quirk
from pipeline.normalize import normalize_text

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

_HEADLINE_LINKS = etree.XPath("count(//a[string-length(normalize-space(.)) >= 20])")


def _protected(el: Any, h1s: Iterable[Any]) -> bool:
    """Never prune the element that holds the headline or the bulk of the page's paragraphs."""
    if el.tag in ("html", "body", "main", "article"):
        return True
    for h in h1s:
        if h is el or el in h.iterancestors():
            return True
    return len(el.findall(".//p")) >= 8 and el.tag in ("div", "section")


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


def _clean_lines(
    raw: str, meta: dict[str, Any], quirk: Quirk | None, anchors: set[str], stats: dict[str, int],
    headings: set[str] | None = None,
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
    while out and trailing_box_heading(out[-1], headings or set()):
        out.pop()  # a box's heading that ends the text: its box is gone, nothing of the story follows
    return out
