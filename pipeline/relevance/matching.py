"""Cutting an article into sentences and finding lexicon hits in them.

``_segments`` gives (where, text) in reading order (title, lead, text); ``_sentence_starts`` the
sentence offsets of a segment; ``_match`` the non-overlapping hits of a segment as
(start, end, term, kind, weight, entity), longest phrase first at a place, with the guards of the
gazetteer (person names, required prefixes, words that must not follow) applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.normalize import fold, normalize_inline, normalize_text
from pipeline.relevance.lexicon import Lexicon, _Entity, _key, _Term

# ---------------------------------------------------------------------------------------------
# Text segmentation
# ---------------------------------------------------------------------------------------------

_BOUNDARY = re.compile(r"\n+|[.!?…]+[\"”’)\]]*[^\S\n]+(?=\S)")
_PREV_TOKEN = re.compile(r"(\S+)$")
_ABBREV = frozenset({"ThS", "Th.S", "Tp", "tp", "St", "Mr", "Ms", "Dr"})  # besides short all-caps ones
_WORDS = re.compile(r"\w+")


def _sentence_starts(text: str) -> list[int]:
    """Start offsets of the sentences of a normalised text (paragraphs always split)."""
    starts = [0]
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if end >= len(text):
            break
        if m.group().startswith("\n"):
            starts.append(end)
            continue
        before = _PREV_TOKEN.search(text, max(0, m.start() - 12), m.start())
        tok = before.group(1) if before else ""
        if (len(tok) <= 3 and tok.isupper()) or tok in _ABBREV:
            continue  # "TP. Đà Nẵng", "TS. Nguyễn": not a sentence end
        nxt = text[end]
        if nxt.isupper() or nxt.isdigit() or nxt in "\"“‘(['":
            starts.append(end)
    return starts


@dataclass
class _Sent:
    where: str
    text: str
    hits: list[tuple[str, str, float]] = field(default_factory=list)  # (term, kind, weight)


def _segments(title: str, description: str, text: str) -> list[tuple[str, str]]:
    """(where, normalised segment) in reading order; the title's repetition in the text dropped."""
    out: list[tuple[str, str]] = []
    t = normalize_inline(title)
    if t:
        out.append(("title", t))
    d = normalize_text(description)
    if d:
        out.append(("lead", d))
    body = normalize_text(text)
    if body:
        ft = t.casefold()
        paras = [p for p in body.split("\n") if p.strip() and p.strip().casefold() != ft]
        body = "\n".join(paras)
        if d and paras and paras[0].strip().casefold() == d.casefold():
            body = "\n".join(paras[1:])
        out.append(("text", body))
    return out


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------


_PREV_WORD = re.compile(r"(\w+)$")


def _prev_word(text: str, start: int) -> str:
    """The word directly before `start` when only one space separates them (no comma, no
    quote), else ''."""
    if start < 2 or text[start - 1] != " ":
        return ""
    m = _PREV_WORD.search(text, max(0, start - 40), start - 1)
    return m.group(1) if m else ""


def _followed_by(text: str, end: int, words: tuple[str, ...]) -> bool:
    rest = text[end:end + 30]
    rest_l = rest.lower()
    for w in words:
        if not w[0].isalnum():
            if rest.startswith(w):
                return True
        elif rest_l.startswith(" " + w.lower()) and not (rest_l[len(w) + 1:len(w) + 2].isalnum()):
            return True
    return False


def _preceded_by(text: str, start: int, words: tuple[str, ...]) -> bool:
    before = text[max(0, start - 40):start]
    return any(before.endswith(w + " ") for w in words)


def _entity_ok(ent: _Entity, text: str, start: int, end: int, matched: str, lex: Lexicon,
               capitalised: bool = False, prefixes_checked: bool = False) -> bool:
    if ent.kind == "block":
        return False
    if ent.prefixes and not prefixes_checked and not _preceded_by(text, start, ent.prefixes):
        return False
    if ent.not_followed_by and _followed_by(text, end, ent.not_followed_by):
        return False
    if ent.guard:
        prev = _prev_word(text, start)
        if prev in lex.person_words:
            return False  # part of a person's name: "Phó Thủ tướng Nguyễn Hòa Bình"
        if ent.kind != "province" and " " not in matched and "-" not in matched and not capitalised:
            # a one-word name glued to other capitalised words is another proper noun
            if prev[:1].isupper() and not ent.prefixes:
                return False
            nxt = text[end:end + 2]
            if len(nxt) == 2 and nxt[0] == " " and nxt[1].isupper():
                return False
    return True


def _term_ok(t: _Term, text: str, start: int, end: int) -> bool:
    if t.not_followed_by and _followed_by(text, end, t.not_followed_by):
        return False
    if t.not_preceded_by and _preceded_by(text, start, t.not_preceded_by):
        return False
    return True


_VOWELS = re.compile(r"[aeiouy]")


def _caps_variant(text: str) -> str | None:
    """For a line written in capitals ("ĐOÀN ĐẠI BIỂU TỈNH QUẢNG NAM THĂM LÀO"), the same line
    with words capitalised ("Đoàn Đại Biểu Tỉnh Quảng Nam Thăm Lào") so that case-sensitive
    names match; acronyms without a vowel (UBND, TP, HCM) stay. None for ordinary text."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 6 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return None

    def word(m: re.Match[str]) -> str:
        w = m.group()
        return w[0] + w[1:].lower() if _VOWELS.search(fold(w)) else w

    out = _WORDS.sub(word, text)
    return out if len(out) == len(text) else None


_Cand = tuple[int, int, int, str, str, float, "_Entity | None"]  # start, -length, end, term, kind, w, ent
_Hit = tuple[int, int, str, str, float, "_Entity | None"]  # start, end, term, kind, weight, entity


def _match(text: str, lex: Lexicon, headline: bool = False) -> list[_Hit]:
    """Non-overlapping hits (start, end, term, kind, weight, entity), longest first at a place.
    A headline (title, lead) written in capitals is matched in both spellings."""
    cands: list[_Cand] = []
    _candidates(text, lex, False, cands)
    caps = _caps_variant(text) if headline else None
    if caps is not None:  # matches of both spellings, each (span, term, kind) once
        _candidates(caps, lex, True, cands)
        cands = list({c[:5]: c for c in cands}.values())
    return _roles(text, _resolve(cands))


_FOREIGN = frozenset({"country", "territory", "locality"})
_GAP_TO_FOREIGN = re.compile(r"[^\S\n]*(?:(?:nước|tỉnh|thành phố|TP|châu|bang|quận|huyện|thị xã)[^\S\n]+)?\Z")
_VENUE_WORDS = ("tại", "ở", "Tại", "Ở")
_VENUE_LIST = re.compile(r"(?:,|[^\S\n]+và|[^\S\n]+cùng)?[^\S\n]+(?:(?:tỉnh|thành phố|TP\.?)[^\S\n]+)?\Z")


def _roles(text: str, hits: list[_Hit]) -> list[_Hit]:
    """Roles that depend on the words around a hit, the same for every outlet and text length:

    - an actor or national term directly followed by a foreign place is that place's own
      institution ("Thành ủy Đông Hưng", "Thủ tướng Nhật Bản", "Chủ tịch nước Lào"): kind
      "foreign_actor" (a counterpart, and a national actor only where no local one is present);
    - a province directly after "tại"/"ở" (or listed after such a venue: "tại Hà Nội và Ninh
      Bình") is where something happens: kind "venue", a weaker local actor than one that acts;
    - a local actor right after "phối hợp với" shortly after a national actor co-organises what
      the national body leads ("do Ủy ban Nhà nước … phối hợp với UBND thành phố tổ chức"):
      kind "co_organiser", a local actor that is not the one acting."""
    out: list[_Hit] = []
    prev_venue_end = -1
    last_national = -1000
    for i, (a, b, term, kind, w, ent) in enumerate(hits):
        if kind == "national":
            last_national = b
        if kind == "actor" and a - last_national < 150 and "\n" not in text[last_national:a] \
                and text[max(0, a - 14):a].lower().endswith("phối hợp với "):
            kind = "co_organiser"  # "do <national body> phối hợp với UBND thành phố tổ chức"
        elif kind in ("actor", "national"):
            for a2, _b2, _t2, k2, _w2, e2 in hits[i + 1:i + 4]:
                if a2 < b:
                    continue
                if e2 is not None and k2 in _FOREIGN and _GAP_TO_FOREIGN.match(text, b, a2):
                    kind = "foreign_actor" if kind == "actor" else "foreign_national"
                break
        elif kind == "province" and out and out[-1][3] == "co_organiser" and not text[out[-1][1]:a].strip():
            kind = "co_organiser"  # the place in the co-organiser's name: "UBND thành phố Hà Nội"
        elif kind == "province" and (_prev_word(text, a) in _VENUE_WORDS
                                     or (prev_venue_end >= 0 and _VENUE_LIST.match(text, prev_venue_end, a))):
            kind = "venue"  # "tại Hà Nội", and "tại Hà Nội và Ninh Bình"
        if kind == "venue":
            prev_venue_end = b
        elif ent is not None:
            prev_venue_end = -1
        out.append((a, b, term, kind, w, ent))
    return out


def _candidates(text: str, lex: Lexicon, capitalised: bool, cands: list[_Cand]) -> None:
    if lex.re_entities is not None:
        for m in lex.re_entities.finditer(text):
            ent = lex.entities.get(_key(m.group()))
            if ent is None:
                continue
            a, b = m.span()
            if ent.kind == "block":
                cands.append((a, a - b, b, ent.name, "block", 0.0, ent))
            elif _entity_ok(ent, text, a, b, m.group(), lex, capitalised):
                cands.append((a, a - b, b, ent.name, ent.kind, ent.weight, ent))
    low = text.lower()
    same = len(low) == len(text)  # else a letter whose lower case is longer ("İ"): offsets would shift
    if lex.re_entities_lc is not None and not capitalised and same:
        _any_case_candidates(text, low, lex, cands)
    for rx, table, lower in ((lex.re_terms_ci, lex.terms_ci, True), (lex.re_terms_cs, lex.terms_cs, False)):
        if rx is None:
            continue
        haystack = text
        if lower and same and lex.re_terms_lc is not None:
            rx, haystack = lex.re_terms_lc, low  # the same phrases, lower case, without IGNORECASE: faster
        for m in rx.finditer(haystack):
            k = _key(text[m.start():m.end()])
            t = table.get(k.lower() if lower else k)
            if t is None or not _term_ok(t, text, m.start(), m.end()):
                continue
            for kind, w in t.kinds:
                cands.append((m.start(), -(m.end() - m.start()), m.end(), t.phrase, kind, w, None))


_CAPS_START = re.compile(r"(?<!\w)[A-ZĐÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĨŨƠƯẠ-Ỹ]{2}")


def _cue_before(text: str, start: int, cues: tuple[str, ...]) -> bool:
    """A locality cue word (lower case: "tỉnh", "thành phố", "tp", "ubnd", …) directly before
    ``start``, in any case."""
    before = text[max(0, start - 40):start].lower()
    return any(before.endswith(c + " ") or (c.endswith(".") and before.endswith(c)) for c in cues)


def _name_case_ok(matched: str, text: str, start: int, lex: Lexicon) -> bool:
    """A name not written in its gazetteer spelling counts when it is in capitals ("KHÁNH HÒA"),
    every word is capitalised ("Thành Phố Huế"), it starts with a cue word ("tp đà nẵng"), or a
    cue word precedes it ("tỉnh khánh hòa"). Lower case alone never counts: "hòa bình" (peace),
    "bình định" (a verb phrase), "lào xào"."""
    words = [w for w in _WORDS.findall(matched) if w[0].isalpha()]
    if words and (matched.isupper() or all(w[0].isupper() for w in words)):
        return True
    low = matched.lower()
    if any(low.startswith(c + " ") for c in lex.case_cues):
        return True
    return _cue_before(text, start, lex.case_cues)


def _any_case_candidates(text: str, low: str, lex: Lexicon, cands: list[_Cand]) -> None:
    """Names of the gazetteer and the country list written in another case than theirs
    (``low`` = ``text.lower()``, of the same length)."""
    assert lex.re_entities_lc is not None
    # a name in another case than its own starts at a cue word, right after one, or at a word
    # in capitals: only those places are tried (a scan of all text would halve the speed)
    starts: set[int] = {m.start() for m in _CAPS_START.finditer(text)}
    if lex.re_cues is not None:
        for m in lex.re_cues.finditer(low):
            starts.update((m.start(), m.end()))
    rx = lex.re_entities_lc
    for pos in sorted(starts):
        hit = rx.match(low, pos)
        if hit is None:
            continue
        a, b = hit.span()
        matched = text[a:b]
        k = _key(matched)
        if k in lex.entities:
            continue  # the gazetteer spelling itself: found by the case-sensitive pass
        ent = lex.entities_lc.get(k.lower())
        if ent is None:
            continue
        if ent.kind == "block":
            cands.append((a, a - b, b, ent.name, "block", 0.0, ent))
            continue
        if not _name_case_ok(matched, text, a, lex):
            continue
        if ent.prefixes and not _cue_before(text, a, tuple(p.lower() for p in ent.prefixes)):
            continue
        if _entity_ok(ent, text, a, b, matched, lex, prefixes_checked=True):
            cands.append((a, a - b, b, ent.name, ent.kind, ent.weight, ent))


def _resolve(cands: list[_Cand]) -> list[_Hit]:
    # overlaps are resolved among entities and among terms separately: "Ủy ban nhân dân
    # thành phố Huế" is an actor term AND the place "thành phố Huế"
    out: list[_Hit] = []
    for group in (True, False):
        taken_end = -1
        taken_span: tuple[int, int] | None = None
        for start, _neg, end, term, kind, w, ent in sorted(
            (c for c in cands if (c[6] is not None) == group), key=lambda c: (c[0], c[1], c[3], c[4])
        ):
            if taken_span is not None and (start, end) == taken_span:
                out.append((start, end, term, kind, w, ent))  # same phrase, another kind
                continue
            if start < taken_end:
                continue
            taken_end, taken_span = end, (start, end)
            out.append((start, end, term, kind, w, ent))
    out.sort(key=lambda h: (h[0], h[1], h[2], h[3]))
    return [h for h in out if h[3] != "block"]
