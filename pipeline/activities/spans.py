"""Leaders and venues read from one sentence, in any letter case.

Both readers work on the sentence and its lexicon hits (``pipeline.relevance.matching._match``:
gazetteer provinces, countries, foreign localities, organisations — found in their own spelling,
and in another case after a locality cue word such as "tỉnh", "tp.", "ubnd", "thành phố"), so
"Chủ tịch UBND TP. Hồ Chí Minh Trần Văn Bình" and "chủ tịch ubnd tp. hồ chí minh trần văn bình"
read alike. Titles, organ words and cue words are matched on the lower-cased sentence.

``leaders(text, hits, lex) -> list[{"side", "title", "name"}]``: people named with a title
("<title> [organ] [place] [tại <place>] [, ông] <Name>" and "ông <Name>, <title> …"). The name is
the capitalised words after the title; in lower-case text, 2–4 words from a Vietnamese family name
to the next function word. ``side`` is "foreign" when the first place of the title is foreign (or a
foreign-only title such as Thị trưởng names no place), else "vn".

``venue(text, hits) -> str | None``: the first "tại …" that names a place or a building, as
written ("tại trụ sở UBND TP. Hồ Chí Minh", "tại tỉnh Vân Nam, Trung Quốc"), not the "tại" of an
envoy's title ("Đại sứ Nhật Bản tại Việt Nam").
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.activities.rules import SURNAMES

Hit = tuple[int, int, Any]  # start, end, entity (kind, name) of one lexicon hit

_TITLE = re.compile(
    r"(?<!\w)(?:(?:phó|nguyên|quyền) )?(?:thủ tướng|chủ tịch quốc hội|bộ trưởng|thứ trưởng|tổng giám đốc|giám đốc"
    r"|bí thư(?: thường trực)?|chủ tịch hội đồng dân biểu|chủ tịch(?: thường trực)?|đại sứ(?: đặc mệnh toàn quyền)?"
    r"|tổng lãnh sự|lãnh sự|thống đốc|tỉnh trưởng|thị trưởng|trưởng ban đối ngoại|trưởng đoàn)(?!\w)")
# words between a title and a name: organs, cue words, "tại" before a place (lower case)
_TAIL = re.compile(
    r"(?:ubnd|hđnd|ủy ban nhân dân|uỷ ban nhân dân|hội đồng nhân dân|tỉnh ủy|tỉnh uỷ|thành ủy|thành uỷ|đảng ủy"
    r"|ban thường vụ|ban đối ngoại|mặt trận tổ quốc|chính quyền|chính phủ|quốc hội|bộ ngoại giao"
    r"|sở (?:ngoại vụ|công thương|kế hoạch và đầu tư|tài chính|du lịch|y tế|nội vụ|tư pháp|xây dựng"
    r"|văn hóa,? thể thao và du lịch|văn hoá,? thể thao và du lịch|giáo dục và đào tạo|khoa học và công nghệ"
    r"|nông nghiệp và (?:phát triển nông thôn|môi trường))"
    r"|đặc mệnh toàn quyền|thường trực|tỉnh|thành phố|tp\.?|thủ đô|nước|cộng hòa|cộng hoà|vương quốc|liên bang"
    r"|khu tự trị|châu|bang|quận|huyện)(?!\w)")
_SEP = re.compile(r",?[^\S\n]+(?:(?:ông|bà|ngài|đồng chí)[^\S\n]+)?|[^\S\n]*[-–][^\S\n]*(?:(?:ông|bà)[^\S\n]+)?")
_WORD = re.compile(r"[^\W\d_][\w'\-]*\.?")
_NAME_FIRST = re.compile(r"(?<!\w)(?:ông|bà|đồng chí|ngài)[^\S\n]+")
_TO_TITLE = re.compile(r",[^\S\n]+(?:(?:ủy viên|uỷ viên)[^,]{0,60},[^\S\n]+)?")
# lower-case words that end a lower-case name (verbs and function words after a name)
_STOP = frozenset("đã đang sẽ vừa và cùng với cho của tại ở tiếp dẫn làm thăm hội có là được trao ký chủ phát "
                  "đề nhấn cảm khẳng đánh mong chúc đón gặp dự tham thay ông bà ngài đồng chí các những hai "
                  "lãnh đoàn phó trưởng thành tỉnh sáng chiều ngày".split())
_SURNAMES_LC = frozenset(s.lower() for s in SURNAMES)
_FOREIGN_ONLY = ("đại sứ", "lãnh sự", "thống đốc", "tỉnh trưởng", "thị trưởng", "hội đồng dân biểu")
_VN_ORGANS = re.compile(r"ubnd|hđnd|ủy ban nhân dân|tỉnh ủy|thành ủy|tỉnh uỷ|thành uỷ|^sở |\bsở ")
_ENVOY_BEFORE = re.compile(r"(?:đại sứ|lãnh sự|đại diện)[^,.;]*$")
_VENUE_AT = re.compile(r"(?<!\w)tại[^\S\n]+")
_VENUE_HEAD = re.compile(
    r"(?:hội trường|trụ sở|nhà khách|khách sạn|trung tâm|cung|khu|nhà hát|dinh|thủ đô|thành phố|tỉnh|tp\.?"
    r"|phường|p\.|xã|huyện|quận|các tỉnh|bảo tàng|nghĩa trang|văn phòng|phòng họp|tòa nhà|toà nhà|sân bay"
    r"|cửa khẩu|đại sứ quán|tổng lãnh sự quán|lãnh sự quán)(?!\w)")
_ABBREV_DOT = re.compile(r"(?<!\w)(?:tp|p|tx|q|tt)\.$")
_VENUE_CONT = re.compile(r",[^\S\n]*(?=(?:thủ đô|tỉnh|thành phố|tp\.?|vương quốc|bang|châu)(?!\w))")
_VENUE_SKIP = ("việt nam", "buổi", "hội nghị", "lễ", "đây", "đó")


def _entity_at(hits: list[Hit], pos: int) -> Hit | None:
    for h in hits:
        if h[0] == pos:
            return h
        if h[0] > pos:
            break
    return None


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _tail(text: str, low: str, hits: list[Hit], pos: int) -> tuple[int, list[Any]]:
    """The end of the organ/place words after a title starting at ``pos``, and the entities in them."""
    ents: list[Any] = []
    end = pos
    while True:
        q = _skip_spaces(text, end)
        if q == end and end != pos and not text[end - 1:end] == ".":
            break  # words are separated by a space ("TP.Hồ Chí Minh" aside)
        h = _entity_at(hits, q)
        if h is not None:
            ents.append(h[2])
            end = h[1]
            continue
        if low.startswith("tại", q):  # "Đại sứ Lào tại Việt Nam": only before a place
            r = _skip_spaces(text, q + 3)
            if low.startswith("việt nam", r) and not low[r + 8:r + 9].isalnum():  # not a lexicon hit
                ents.append(None)
                end = r + 8
                continue
            m = _TAIL.match(low, r)
            h = _entity_at(hits, _skip_spaces(text, m.end()) if m else r)
            if h is None:
                break
            ents.append(None)  # a marker: what follows "tại" is where the envoy serves
            ents.append(h[2])
            end = h[1]
            continue
        m = _TAIL.match(low, q)
        if m is None:
            break
        end = m.end()
    return end, ents


def _name(text: str, pos: int, hits: list[Hit]) -> tuple[str, int] | None:
    """A person's name at ``pos``: capitalised words (2–5), or in lower case a family name and 1–3
    more words up to a function word; None when there is none."""
    words: list[re.Match[str]] = []
    p = pos
    lower = not text[pos:pos + 1].isupper()
    while len(words) < 5:
        m = _WORD.match(text, p)
        if m is None or (words and _entity_at(hits, m.start()) is not None):
            break
        w = m.group().rstrip(".")
        if lower:
            if (not words and w not in _SURNAMES_LC) or (words and (w in _STOP or not w.islower())) \
                    or len(words) >= 4:
                break
        elif not w[0].isupper():
            break
        words.append(m)
        if m.group().endswith(".") and len(w) > 1:
            break  # the sentence ends after this word
        nxt = m.end()
        if text[nxt:nxt + 1] != " ":
            break
        p = nxt + 1
    if len(words) < 2:
        return None
    return text[pos:words[-1].end()].rstrip("."), words[-1].end()


def _side(title_low: str, ents: list[Any]) -> str:
    first = ents[0] if ents else None
    if first is not None:
        kind, name = first.kind, first.name
        if kind == "province" or name == "Việt Nam":
            return "vn"
        if kind in ("country", "locality", "territory"):
            return "foreign"
    if _VN_ORGANS.search(title_low):
        return "vn"
    return "foreign" if any(t in title_low for t in _FOREIGN_ONLY) else "vn"


def _cut_at_surname(title: str, name: str) -> tuple[str, str]:
    """A capitalised run longer than a name ("Hội Hữu nghị Nguyễn Văn An"): the name starts at the
    last Vietnamese family name that leaves it 2–4 words."""
    words = name.split()
    if len(words) <= 4:
        return title, name
    for i in range(1, len(words) - 1):
        if words[i] in SURNAMES and 2 <= len(words) - i <= 4:
            return f"{title} {' '.join(words[:i])}", " ".join(words[i:])
    return title, name


def leaders(text: str, hits: list[Hit], lex: Any) -> list[dict[str, str]]:
    """The people of one sentence with their titles and sides (see the module docstring), in
    reading order, each name once. ``hits``: (start, end, entity) of the sentence's lexicon
    entities, sorted; ``lex``: the Lexicon (a name that is a place is not a person)."""
    low = text.lower()
    if len(low) != len(text):
        return []  # a letter whose lower case is longer: offsets would shift
    out: list[dict[str, str]] = []
    seen: set[str] = set()

    def add(title: str, name: str, ents: list[Any]) -> None:
        title = " ".join(title.split()).strip(" ,-–")
        title, name = _cut_at_surname(title, name)
        if name in seen or any(name in k or k in name for k in seen) or lex.entities.get(name) is not None:
            return
        seen.add(name)
        out.append({"side": _side(title.lower(), ents), "title": title, "name": name})

    taken = -1
    for m in _TITLE.finditer(low):
        if m.start() < taken:
            continue
        end, ents = _tail(text, low, hits, m.end())
        sep = _SEP.match(text, end) if end < len(text) else None
        if sep is None:
            continue
        nm = _name(text, sep.end(), hits)
        if nm is None:
            continue
        add(text[m.start():end], nm[0], ents)
        taken = nm[1]
    for m in _NAME_FIRST.finditer(low):  # "ông Nguyễn Văn An, Phó Chủ tịch UBND tỉnh …"
        nm = _name(text, m.end(), hits)
        if nm is None:
            continue
        to = _TO_TITLE.match(text, nm[1])
        t = _TITLE.match(low, to.end()) if to else None
        if to is None or t is None:
            continue
        end, ents = _tail(text, low, hits, t.end())
        add(text[to.end():end], nm[0], ents)
    return out


def venue(text: str, hits: list[Hit]) -> str | None:
    """The first "tại …" of the sentence naming a building or a place, as written; None when none."""
    low = text.lower()
    if len(low) != len(text):
        return None
    for m in _VENUE_AT.finditer(low):
        if _ENVOY_BEFORE.search(low, max(0, m.start() - 50), m.start()):
            continue  # "Đại sứ Nhật Bản tại Việt Nam": the envoy's post
        p = m.end()
        if low.startswith(_VENUE_SKIP, p):
            continue
        end = _place(text, low, hits, p)
        if end is None:
            continue
        while True:  # ", thủ đô Tokyo", ", tỉnh Vân Nam", ", Trung Quốc"
            c = _VENUE_CONT.match(low, end)
            q = c.end() if c else (_skip_spaces(text, end + 1) if text[end:end + 1] == "," else -1)
            if q < 0:
                break
            h = _entity_at(hits, q)
            if c is None and (h is None or h[2].kind not in ("country", "territory")):
                break
            nxt = h[1] if (h is not None and c is None) else _place(text, low, hits, q)
            if nxt is None:
                break
            end = nxt
        v = text[p:end].strip(" ,")
        if len(v) >= 3:
            return "tại " + v
    return None


def _place(text: str, low: str, hits: list[Hit], p: int) -> int | None:
    """The end of the place or building named at ``p``: a head word ("trụ sở", "tỉnh", "tp.") and
    what follows up to a comma or a sentence end (abbreviation dots kept, a place name finished),
    or a place of the lexicon / capitalised words; None when ``p`` names neither."""
    if _VENUE_HEAD.match(low, p):
        end = p
        limit = min(len(text), p + 80)
        while end < limit and text[end] not in ",;:()\n":
            if text[end] in ".!?" and not _ABBREV_DOT.search(low, p, end + 1):
                break
            end += 1
        for a, b, _e in hits:  # a place name the cut would split ("tp. hồ chí minh")
            if a < end < b:
                end = b
        return end if end > p else None
    h = _entity_at(hits, p)
    if h is None and not text[p:p + 1].isupper():
        return None
    end = p
    while True:
        h = _entity_at(hits, end)
        if h is not None:
            end = h[1]
        else:
            w = _WORD.match(text, end)
            if w is None or not w.group()[0].isupper():
                break
            end = w.end() - (1 if w.group().endswith(".") else 0)
        if text[end:end + 1] != " " or not (text[end + 1:end + 2].isupper() or _entity_at(hits, end + 1)):
            break
        end += 1
    return end if end > p else None
