"""Sentences of an article read for activities: their lexicon hits, trigger kinds and sides.

``sentences(title, description, text, lex) -> list[Sent]``: title, lead and the first
``MAX_SENTENCES`` sentences of the text (normalised by ``pipeline.relevance.matching``), each with
the provinces it names (and how strongly as the acting side), the countries and foreign localities
(partners, "tỉnh Vân Nam" with its prefix; lower-case names after a cue word or a foreign
counterpart's title too), whether a foreign place is where the Vietnamese side goes or meets
(``abroad``: after tại/sang/ở/đến/tới/thăm, not an envoy's post), the kinds its trigger phrases
point to (``rules.triggers``) and whether it is an *anchor* (a trigger, the Vietnamese local side
and a foreign side in one sentence; not an aggregate). Reading stops after ``MAX_ANCHORS`` anchors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pipeline.activities import rules, spans
from pipeline.activities.dates import event_date
from pipeline.relevance.lexicon import Lexicon, _key
from pipeline.relevance.matching import _match, _segments, _sentence_starts

MAX_SENTENCES = 12  # body sentences read (the event is told at the top; speed)
_MAX_CHARS = 3000
MAX_ANCHORS = 5  # enough to place the event; reading stops there
_AT = re.compile(r"(?:tại|ở|trên)\s+(?:địa bàn\s+)?$")
# a foreign place after these words is where the Vietnamese side goes or meets: the trip is abroad
# (these three are matched on the lower-cased text before the place)
_ABROAD_BEFORE = re.compile(r"(?<!\w)(?:tại|sang|ở|đến|tới|thăm|công du)\s+(?:(?:thủ đô|tỉnh|thành phố|tp\.?|nước"
                            r"|các tỉnh|vương quốc|cộng hòa|cộng hoà|liên bang|nước bạn|xứ sở|đất nước|vùng|bang"
                            r"|quận|châu|thủ phủ|khu tự trị)\s+){0,2}$")
_ENVOY_BEFORE = re.compile(r"(?:đại sứ|lãnh sự|đại diện)[^,.;]{0,40}$")
_VN_ENVOY_BEFORE = re.compile(r"(?:đại sứ|lãnh sự)[^,.;]{0,30}việt nam\s+tại\s+$")
_PREFIX = re.compile(r"(?<!\w)(tỉnh|thành phố|tp\.?|thủ phủ|bang|châu)\s+$", re.IGNORECASE)
_PREFIX_SPELLING = {"tp": "thành phố", "tp.": "thành phố"}
_ACTOR_BEFORE = re.compile(r"(?:UBND|HĐND|Ủy ban nhân dân|Tỉnh ủy|Thành ủy|Tỉnh uỷ|Thành uỷ|tỉnh|thành phố|TP\.?"
                           r"|Thành phố|Tỉnh|lãnh đạo|đoàn|Đoàn|của)\s*$")
_NATIONAL = re.compile(r"\b(?:Thủ tướng|Chủ tịch nước|Tổng Bí thư|Chủ tịch Quốc hội|Bộ trưởng Bộ Ngoại giao)\b")



@dataclass
class Sent:
    where: str
    text: str
    provinces: list[tuple[str, str | None, float]]  # name, unit_2025, weight as local actor
    countries: list[str]
    partners: list[str]
    orgs: list[str]
    abroad: bool  # a foreign place introduced by tại/sang/ở/đến/thăm: the Vietnamese side is abroad
    kinds: dict[str, float]
    hits: list[spans.Hit] = field(default_factory=list)  # (start, end, entity) of the lexicon entities
    anchor: bool = False
    _dates: dict[str | None, str | None] = field(default_factory=dict)

    def date(self, pub: str | None) -> str | None:
        """``event_date`` of this sentence (read once)."""
        if pub not in self._dates:
            self._dates[pub] = event_date(self.text, pub)
        return self._dates[pub]
    local: bool = False
    foreign: bool = False

def _read(text: str, where: str, lex: Lexicon) -> Sent:
    kinds = rules.triggers(text)
    if not kinds and where == "text":  # no trigger: never an anchor, not worth matching
        return Sent(where, text, [], [], [], [], False, {})
    hits: list[spans.Hit] = []
    provinces: list[tuple[str, str | None, float]] = []
    countries: list[str] = []
    partners: list[str] = []
    orgs: list[str] = []
    abroad = False
    masked = rules.VN_MISSION.sub(lambda m: "_" * len(m.group()), text) if "Việt Nam" in text else text
    for start, end, _term, kind, _w, ent in _match(text, lex, headline=where != "text") + _envoy_places(text, lex):
        if ent is None:
            continue
        hits.append((start, end, ent))
        before = text[max(0, start - 40):start]
        if kind == "province":
            w = 0.4 if _AT.search(before) else (1.5 if _ACTOR_BEFORE.search(before) else 1.0)
            provinces.append((ent.name, ent.parent, w))
        elif kind in ("country", "territory", "locality"):
            name = ent.parent if kind == "locality" and ent.parent else ent.name
            prev = before.rsplit(None, 1)[-1] if before.strip() else ""
            if name == "Việt Nam" or (kind == "locality" and prev in lex.person_words):
                continue  # "Nguyễn Văn Sơn" is a person, not Wenshan
            inside_vn_mission = masked[start:end].startswith("_") and not masked[end:end + 1].strip("_")
            if not inside_vn_mission:
                countries.append(name)
            if kind == "locality":
                partners.append(_partner(text, start, end, before, ent.name, lex))
            low = before.lower()
            if _ABROAD_BEFORE.search(low) and (not _ENVOY_BEFORE.search(low) or _VN_ENVOY_BEFORE.search(low)):
                abroad = True  # a foreign place of the visit, or the Vietnamese embassy there
        elif kind == "org":
            orgs.append(ent.name)
    s = Sent(where, text, provinces, list(dict.fromkeys(countries)), list(dict.fromkeys(partners)), orgs,
              abroad, kinds, hits)
    s.local = bool([p for p in provinces if p[2] >= 1.0]) or bool(rules.LOCAL_ACTOR.search(text))
    s.foreign = bool(countries or partners or orgs or rules.FOREIGN_ACTOR.search(masked)
                     or "nguoi_viet_nn" in kinds)
    return s


# a foreign counterpart's title: the place after it is foreign in any case ("tổng lãnh sự trung quốc")
_ENVOY_CUE = re.compile(r"(?<!\w)(?:đại sứ|tổng lãnh sự|lãnh sự|thị trưởng|tỉnh trưởng|thống đốc|phó thị trưởng"
                        r"|phó tỉnh trưởng)[^\S\n]+(?!tại\b)")


def _envoy_places(text: str, lex: Lexicon) -> list[Any]:
    """Countries and foreign localities written in lower case right after a foreign counterpart's
    title, which the lexicon's own cue words do not cover (those in their spelling are found by
    ``_match``); hits shaped like ``_match``'s, found with the lexicon's any-case names."""
    low = text.lower()
    if lex.re_entities_lc is None or len(low) != len(text) or not any(
            w in low for w in ("đại sứ", "lãnh sự", "trưởng", "thống đốc")):
        return []
    out = []
    for m in _ENVOY_CUE.finditer(low):
        h = lex.re_entities_lc.match(low, m.end())
        if h is None or text[h.start():h.start() + 1].isupper():
            continue
        ent = lex.entities_lc.get(_key(text[h.start():h.end()]).lower())
        if ent is not None and ent.kind in ("country", "locality", "territory") and ent.name != "Việt Nam":
            out.append((h.start(), h.end(), ent.name, ent.kind, ent.weight, ent))
    return out


def _partner(text: str, start: int, end: int, before: str, name: str, lex: Lexicon) -> str:
    """A foreign locality as the text names it, with its prefix ("tỉnh Vân Nam"); in the lexicon's
    spelling when the text writes it in another case ("tp. osaka" -> "thành phố Osaka")."""
    pm = _PREFIX.search(before)
    written = text[start:end]
    exact = _key(written) in lex.entities
    if not pm:
        return written if exact else name
    prefix = pm.group(1)
    if not exact:
        prefix = _PREFIX_SPELLING.get(prefix.lower(), prefix.lower())
    return f"{prefix} {written if exact else name}"


def sentences(title: str, description: str, text: str, lex: Lexicon) -> list[Sent]:
    out: list[Sent] = []
    n_body = anchors = 0
    # the event is told at the top: normalise and read only the start of a long text (speed)
    for where, seg in _segments(title, description, text[:_MAX_CHARS]):
        starts = _sentence_starts(seg) if where != "title" else [0]
        for i, s0 in enumerate(starts):
            s1 = starts[i + 1] if i + 1 < len(starts) else len(seg)
            chunk = seg[s0:s1].strip()
            if not chunk:
                continue
            if where == "text":
                n_body += 1
                if n_body > MAX_SENTENCES:
                    return out
            out.append(_read(chunk, where, lex))
            out[-1].anchor = is_anchor(out[-1])
            if out[-1].anchor:
                anchors += 1
                if anchors >= MAX_ANCHORS:
                    return out
    return out


def is_anchor(s: Sent) -> bool:
    if not (s.kinds and s.local and s.foreign) or rules.SUMMARY.search(s.text):
        return False
    actor = [p for p in s.provinces if p[2] >= 1.0] or re.search(r"UBND|Tỉnh ủy|Thành ủy|HĐND", s.text)
    if _NATIONAL.search(s.text) and not actor:
        return False
    return True
