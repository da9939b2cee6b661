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
               capitalised: bool = False) -> bool:
    if ent.kind == "block":
        return False
    if ent.prefixes and not _preceded_by(text, start, ent.prefixes):
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
    return _resolve(cands)


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
    for rx, table, lower in ((lex.re_terms_ci, lex.terms_ci, True), (lex.re_terms_cs, lex.terms_cs, False)):
        if rx is None:
            continue
        for m in rx.finditer(text):
            k = _key(m.group())
            t = table.get(k.lower() if lower else k)
            if t is None or not _term_ok(t, text, m.start(), m.end()):
                continue
            for kind, w in t.kinds:
                cands.append((m.start(), -(m.end() - m.start()), m.end(), t.phrase, kind, w, None))


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
