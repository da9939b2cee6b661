"""Boilerplate found by its shape and its Vietnamese wording, not by a class name.

``structural_boxes(root, keep)`` returns the elements under ``root`` that are not the story, whatever
their class/id says (or when they have none):

- **headed boxes**: a block whose first text is a box heading ("Tin liên quan", "Có thể bạn quan
  tâm", "Đừng bỏ lỡ", "Đọc thêm", "Xem thêm", "Tin cùng chuyên mục", "Bạn đọc quan tâm", "Ý kiến bạn
  đọc (2)", "Bình luận", "Tin đọc nhiều", "Video nổi bật"...). When such a heading sits among the
  story's own paragraphs (a box inserted inside the body), the heading goes with the link-dominated
  or teaser-shaped blocks that follow it;
- **link-dominated blocks**: lists/containers whose text is mostly the text of two or more links;
- **teasers**: a linked headline (a heading holding a link, or a long link opening the block) with
  at most a short sapo, alone inside the body or repeated side by side;
- **``>>`` lead-ins**: a paragraph that starts with ``>>``/``»``/"Xem thêm:"/"Đọc thêm:" and links away;
- **comment lists**: two or more sibling blocks of the same shape, each a short name line (no final
  punctuation) followed by a short text;
- **orphaned headings**: any heading-like line (``heading_like``: h2-h6 or a wholly bold short line,
  whatever it says) right before link/teaser blocks goes with them; ``heading_before(box)`` gives it
  for a box removed by its class name; ``trailing_box_heading`` tells a box heading that ends the text
  (a bold author line there stays).

``keep`` are elements never returned (or whose ancestors are never returned): the headline and the
container that holds most of the story's paragraphs. Pure functions over an lxml tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pipeline.normalize import normalize_inline

__all__ = ["structural_boxes", "BOX_HEADING", "is_box_heading", "heading_like", "heading_before",
           "is_boxy_block", "trailing_box_heading"]

# headings of boxes that are never the story (matched on the whole, normalised heading text)
BOX_HEADING = re.compile(
    r"^(?:tin|bài|bài viết|tin tức|tin bài|video|clip|ảnh)?\s*(?:liên quan|cùng chuyên mục|cùng chủ đề|"
    r"cùng sự kiện|khác|mới nhất|mới|xem nhiều|đọc nhiều|nổi bật|mới cập nhật|hot|nóng|hay|tiêu điểm|"
    r"đáng chú ý|được quan tâm|quan tâm nhiều|vắn|ảnh)"
    r"|^(?:có thể bạn quan tâm|bạn có thể quan tâm|có thể bạn muốn xem|có thể bạn chưa đọc|"
    r"có thể bạn chưa biết|đừng bỏ lỡ|không thể bỏ lỡ|bạn đọc quan tâm|độc giả quan tâm|được quan tâm nhất|"
    r"đọc thêm|xem thêm|đọc tiếp|xem tiếp|mời (?:bạn|quý vị) (?:đọc|xem)(?: thêm| tiếp)?(?: bài)?|"
    r"gợi ý cho bạn|dành cho bạn|đề xuất cho bạn|bài viết đề xuất|theo dòng sự kiện|dòng sự kiện|"
    r"cùng chuyên mục|chuyên mục khác|ý kiến bạn đọc|ý kiến|bình luận|gửi bình luận|ý kiến của bạn|"
    r"tin đọc nhiều|đọc nhiều nhất|xem nhiều nhất|tin nổi bật|video nổi bật|tiêu điểm|"
    r"bài đọc nhiều|tin ảnh|multimedia|podcast|e-?magazine|longform|infographics?|tags?|từ khóa|từ khoá|chủ đề)"
    r"\s*(?:\(\d+\))?\s*[:»>]*$",
    re.I,
)
# a short heading that ends the text is a box's heading when it reads like one (never an author line)
_BOXISH = re.compile(r"^(?:tin|bài|video|clip|xem|đọc|mời|đừng|có thể|bạn đọc|độc giả|cùng|chuyên mục|"
                     r"theo dòng|dòng sự kiện|liên quan)\b|[:»>]\s*$", re.I)
_LEAD_IN = re.compile(r"^\s*(?:>>|»|&gt;&gt;|(?:xem|đọc) thêm\s*:|(?:tin|bài) liên quan\s*:)", re.I)
_CONTAINERS = {"div", "section", "aside", "ul", "ol", "table", "tbody", "article", "dl", "header", "footer",
               "figure", "nav", "form", "li", "tr", "td"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP = {"script", "style", "noscript", "template"}
_NAME_LINE = re.compile(r"^[^\W\d_][^.!?:;\"“”]{1,38}$")


def is_box_heading(text: str) -> bool:
    """True for the heading of a related-news / comments / most-read box ("Tin liên quan", "Ý kiến bạn
    đọc (2)", "Có thể bạn quan tâm"...)."""
    t = normalize_inline(text)
    return 0 < len(t) <= 40 and bool(BOX_HEADING.match(t))


def heading_like(el: Any) -> bool:
    """A short line set as a heading: an h2-h6, or a p/div/li/span whose whole text is bold (strong/b),
    2-70 characters, no link, not ending like a sentence."""
    if not isinstance(el.tag, str) or el.tag not in _HEADINGS | {"p", "div", "li", "span", "dt"}:
        return False
    t = _text(el)
    if not 2 <= len(t) <= 70 or t.endswith((".", "!", "?", "…", '"', "”", ",", ";")) or el.find(".//a") is not None:
        return False
    if el.tag in _HEADINGS:
        return True
    if any(isinstance(d.tag, str) and d.tag in _CONTAINERS | {"p"} for d in el.iterdescendants()):
        return False
    bold = [b for b in el.iter("strong", "b") if not any(a.tag in ("strong", "b") for a in b.iterancestors()
                                                            if a is not el and el in a.iterancestors())]
    return bool(bold) and " ".join(" ".join(_text(b) for b in bold).split()) == t


def trailing_box_heading(line: str, headings: set[str]) -> bool:
    """True for a text's last line that is a box's heading left behind: a box phrase ("Đừng bỏ lỡ",
    "Tin khác"...), or a heading line of the page (``headings``) that reads like one ("Tin …",
    "Video …", "… :"). A bold author or source line at the end ("Lan Anh", "Theo TTXVN") stays."""
    return is_box_heading(line) or (line in headings and bool(_BOXISH.search(line)))


def is_boxy_block(el: Any) -> bool:
    """A block that is links and teasers, not prose: link-dominated, a teaser, only a link's text, or a
    ">>" lead-in."""
    if not isinstance(el.tag, str) or el.tag in _SKIP:
        return False
    t = _text(el)
    if not t:
        return False
    if _link_dominated(el) or _is_teaser(el) or t == _link_text(el):
        return True
    return bool(_LEAD_IN.match(t)) and el.find(".//a") is not None


def _is_empty(el: Any) -> bool:
    return isinstance(el.tag, str) and el.tag not in ("img", "picture", "figure") and not _text(el) \
        and el.find(".//img") is None


def heading_before(box: Any, root: Any = None) -> list[Any]:
    """The heading-like line (see ``heading_like``) right before a link/teaser ``box`` that is being
    removed, and the empty blocks between them: ``[]`` when there is none (or ``box`` is prose)."""
    if not is_boxy_block(box):
        return []
    el = box
    while True:
        prev = el.getprevious()
        gap = []
        while prev is not None and (not isinstance(prev.tag, str) or _is_empty(prev)):
            if isinstance(prev.tag, str):
                gap.append(prev)
            prev = prev.getprevious()
        if prev is not None:
            head = _heading_block(prev)
            return [head, *gap] if head is not None else []
        parent = el.getparent()  # the box opens its parent: the heading may be before the parent
        if parent is None or parent is root or parent.tag in ("body", "html", "article", "main"):
            return []
        el = parent


def _heading_block(el: Any) -> Any:
    """el if it is a heading-like line, or its last child when that is one (a heading wrapped in a div)."""
    while el is not None:
        if heading_like(el):
            return el
        kids = [k for k in el if isinstance(k.tag, str) and not _is_empty(k)]
        if len(kids) != 1 or el.tag not in ("div", "section", "header"):
            return None
        el = kids[0]
    return None


def _text(el: Any) -> str:
    try:
        return " ".join((el.text_content() or "").split())
    except ValueError:
        return ""


def _link_chars(el: Any) -> tuple[int, int]:
    """(chars of link text, number of links with >= 15 chars of text) under el."""
    chars = n = 0
    for a in el.iter("a"):
        t = _text(a)
        chars += len(t)
        n += len(t) >= 15
    return chars, n


def _first_text_el(el: Any, min_chars: int = 1) -> Any:
    """The first descendant (or el) that carries text of its own (at least ``min_chars`` of it)."""
    for d in el.iter():
        if not isinstance(d.tag, str) or d.tag in _SKIP:
            continue
        if len((d.text or "").strip()) >= min_chars:
            return d
    return None


def _is_teaser(el: Any) -> bool:
    """A linked headline (heading with a link, or a long link first) plus at most a short sapo."""
    if el.tag not in _CONTAINERS or el.find(".//p") is not None and any(
        len(_text(p)) > 300 for p in el.iter("p")
    ):
        return False
    total = _text(el)
    if not total or len(total) > 450:
        return False
    chars, n = _link_chars(el)
    if n < 1:
        return False
    heads = [h for h in el.iter(*_HEADINGS) if h.find(".//a") is not None or h.getparent().tag == "a"]
    first = _first_text_el(el, 15)  # past a date or a section label
    linked_first = first is not None and (first.tag == "a" or any(a.tag == "a" for a in first.iterancestors()))
    if not heads and not (linked_first and len(_text(first)) >= 20):
        return False
    return len(total) - chars <= 250


def _link_dominated(el: Any) -> bool:
    total = len(_text(el))
    if total < 30:
        return False
    chars, n = _link_chars(el)
    return n >= 2 and chars >= 0.6 * total


def _is_comment(el: Any) -> bool:
    """A short name line followed by a short text."""
    parts = [normalize_inline(t) for t in el.itertext() if t.strip()]
    parts = [p for p in parts if p]
    if not 2 <= len(parts) <= 6:
        return False
    return bool(_NAME_LINE.match(parts[0])) and sum(len(p) for p in parts) <= 500 and el.find(".//h1") is None


def _signature(el: Any) -> tuple[str, str]:
    return el.tag, " ".join(sorted((el.get("class") or "").split()))


def _blocked(el: Any, keep: set[Any]) -> bool:
    if el in keep:
        return True
    return any(k in keep for k in el.iter()) if len(el) else False


def structural_boxes(root: Any, keep: Iterable[Any] = ()) -> list[Any]:
    """Elements under root that are boilerplate by shape or wording (see the module docstring); never
    an element of ``keep`` or one holding an element of ``keep``."""
    keep_set = set(keep)
    out: list[Any] = []
    chosen: set[Any] = set()

    def take(el: Any) -> None:
        if el is root or el in chosen or _blocked(el, keep_set):
            return
        if any(a in chosen for a in el.iterancestors()):
            return
        chosen.add(el)
        out.append(el)

    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            continue
        own = (el.text or "").strip()
        # 0. a heading-like line (bold or h2-h6) followed by link/teaser blocks: it goes with them
        if el not in chosen and el.tag in _HEADINGS | {"p", "div", "li"} and heading_like(el):
            anchor = el
            while anchor.getparent() is not None and anchor.getparent() is not root \
                    and _text(anchor.getparent()) == _text(anchor) and not _blocked(anchor.getparent(), keep_set):
                anchor = anchor.getparent()
            run, sib = [], anchor.getnext()
            while sib is not None and (not isinstance(sib.tag, str) or _is_empty(sib) or is_boxy_block(sib)):
                if isinstance(sib.tag, str):
                    run.append(sib)
                sib = sib.getnext()
            if any(not _is_empty(r) for r in run):
                take(anchor)
                for r in run:
                    take(r)
                continue
        # 1. a box heading: the box it opens, or (inside the story) itself and what follows it
        if own and (el.tag in _HEADINGS or el.tag in ("p", "strong", "b", "span", "div", "a", "li", "dt")):
            heading = el
            if is_box_heading(_text(heading)):
                # climb to the outermost element that the heading opens
                box = heading
                while box.getparent() is not None and box.getparent() is not root:
                    parent = box.getparent()
                    if _first_text_el(parent) is not heading or _blocked(parent, keep_set):
                        break
                    box = parent
                if box is not heading and (len(_text(box)) - len(_text(heading)) < 60 or _is_boxy(box, heading)):
                    take(box)
                    continue
                # the heading sits among the story's paragraphs: take it and the boxy blocks after it
                anchor = box
                sib = anchor.getnext()
                took_any = False
                while sib is not None:
                    if isinstance(sib.tag, str) and (_link_dominated(sib) or _is_teaser(sib)
                                                     or (_text(sib) and _text(sib) == _link_text(sib))):
                        take(sib)
                        took_any = True
                        sib = sib.getnext()
                        continue
                    break
                if took_any or el.tag in _HEADINGS or len(_text(heading)) <= 40:
                    take(anchor)
                continue
        if el.tag in ("p", "div", "li") and own and _LEAD_IN.match(_text(el)) and el.find(".//a") is not None:
            take(el)
            continue
        if el.tag in _CONTAINERS and len(el):
            # 2. link-dominated block
            if el.tag in ("ul", "ol", "div", "section", "aside", "table", "dl") and _link_dominated(el):
                take(el)
                continue
            # 3. a teaser (alone inside the story, or the first of a row)
            if el.tag in ("div", "article", "section", "aside", "li") and _is_teaser(el):
                take(el)
                continue
            # 4. comment lists: >= 2 siblings of one shape, each "name line + short text"
            kids = [k for k in el if isinstance(k.tag, str) and k.tag not in _SKIP]
            if len(kids) >= 2:
                sig = _signature(kids[0])
                same = [k for k in kids if _signature(k) == sig]
                if len(same) >= 2 and len(same) >= len(kids) - 1 and sig[0] not in ("p", "h2", "h3", "h4") \
                        and all(_is_comment(k) for k in same):
                    take(el)
    return out


def _link_text(el: Any) -> str:
    return " ".join(" ".join(_text(a) for a in el.iter("a")).split())


def _is_boxy(box: Any, heading: Any) -> bool:
    """The rest of a headed box is links, teasers or comments (not the story's own paragraphs)."""
    rest = len(_text(box)) - len(_text(heading))
    chars, n = _link_chars(box)
    if n >= 1 and chars >= 0.5 * rest:
        return True
    kids = [k for k in box if isinstance(k.tag, str) and k is not heading and heading not in k.iterancestors()
            and not any(heading is d for d in k.iter())]
    if kids and all(_is_teaser(k) or _is_comment(k) or not _text(k) for k in kids):
        return True
    items = [k for k in box.iter("li", "article") if _text(k)]
    if len(items) >= 2 and all(_is_comment(k) or _is_teaser(k) for k in items):
        return True
    # comment lists: the heading, then short name lines and short texts
    parts = [normalize_inline(t) for t in box.itertext() if t.strip()][1:]
    return bool(parts) and max(len(p) for p in parts) <= 300 and sum(
        1 for p in parts if _NAME_LINE.match(p)) >= max(1, len(parts) // 3)
