"""``extract_activities``: the foreign-affairs activities one article reports (see the package docstring).

How it reads an article:

1. ``pipeline.activities.sentences`` reads the title, lead and the first ``MAX_SENTENCES`` sentences
   of the text (lexicon hits, trigger kinds, whether a foreign place is where the Vietnamese side
   goes) and marks the *anchors*: a trigger, the Vietnamese local side (a province not merely named
   as a venue, or an organ such as UBND/Tỉnh ủy) and a foreign side (a country, foreign locality,
   organisation, a diplomat or a delegation; overseas Vietnamese for ``nguoi_viet_nn``) in one
   sentence. No anchor: no activity. Aggregate sentences ("đã ký kết 12 thỏa thuận") are not anchors.
2. The anchors are cut into activities (``_groups``): a later anchor on another day starts its own
   activity when it names its own dated conference, forum or signing, a trip abroad after something
   else, or other partner countries; otherwise it adds to the activity before it. Each activity's
   date, partners, leaders and venue come from its own anchors only (the title belongs to the first).
3. The kind comes from the title and the first anchor (signing > overseas Vietnamese > a trip abroad
   > a conference/event > a reception); then the direction (``_direction``): who travels where — a
   foreign destination or venue (tại/sang/thăm/đến + a foreign place, or a "tại …" venue abroad)
   makes a reception or talks ``doan_ra``; a venue abroad is never ``doan_vao``. The locality is the
   province the title and anchors name most, as actor first; partner countries those of the title
   and first anchor (the rest of the text only when they name none); the date is the first date
   expression of the anchors (a trip: its first day).
4. Leaders and venue are read by ``pipeline.activities.spans``, in any letter case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.activities import rules, spans
from pipeline.activities.sentences import MAX_ANCHORS, MAX_SENTENCES, Sent, sentences
from pipeline.relevance.lexicon import Lexicon, load_lexicon
from pipeline.relevance.matching import _match

__all__ = ["Activity", "extract_activities", "acting_localities", "MAX_SENTENCES", "MAX_ANCHORS"]

_EVENT_KINDS = ("ky_ket", "su_kien_quoc_te", "xuc_tien")
@dataclass
class Activity:
    """One activity: ``kind`` (one of rules.KINDS), ``date`` ISO day or None, ``locality`` (gazetteer
    spelling, as the text names it), ``locality_unit`` (its unit since 1 July 2025; not in to_dict),
    ``partner_countries`` and ``partners`` (foreign localities/organisations), ``leaders``
    ({side: vn|foreign, title, name}), ``venue`` ("tại …" as written, or None), ``evidence`` (the
    sentence it was read from)."""

    kind: str
    date: str | None
    locality: str | None
    partner_countries: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    leaders: list[dict[str, str]] = field(default_factory=list)
    venue: str | None = None
    evidence: str = ""
    locality_unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Exactly kind, date, locality, partner_countries, partners, leaders, venue, evidence."""
        d = asdict(self)
        d.pop("locality_unit")
        return d

    def completeness(self) -> int:
        """How many fields are filled (which of two reports of one event is the more complete)."""
        return sum(bool(v) for v in (self.date, self.locality, self.partner_countries, self.partners,
                                     self.leaders, self.venue)) + len(self.leaders) + len(self.partners)


def _get(article: Any, name: str) -> Any:
    if isinstance(article, Mapping):
        return article.get(name)
    return getattr(article, name, None)


def _kind(first: Sent, title: Sent | None) -> str:
    heads = [s for s in (title, first) if s is not None]
    has = {k for s in heads for k in s.kinds}
    abroad = any(s.abroad for s in heads)
    if "ky_ket" in has:
        return "ky_ket"
    if "nguoi_viet_nn" in has:
        return "nguoi_viet_nn"
    event = next((k for k in ("xuc_tien", "su_kien_quoc_te") if k in has), None)
    trip = "doan_ra" in has or abroad
    if abroad and (event is None or not _event_named(heads)):
        return "doan_ra"
    if event is not None and _event_named(heads):
        return event
    if trip and abroad:
        return "doan_ra"
    if "doan_vao" in has:
        if not any(rules.RECEPTION.search(s.text) for s in heads) and any(rules.TALKS_ONLY.search(s.text)
                                                                          for s in heads):
            return "khac"  # bilateral talks, venue not stated: neither đoàn vào nor đoàn ra
        return "doan_vao"
    if event is not None:
        return event
    if "vien_tro" in has:
        return "vien_tro"
    return "khac"


_NAMED_EVENT = re.compile(r"(?:^|\s)(?:tổ chức|tham dự|dự|khai mạc|diễn ra|đồng chủ trì|chủ trì|đồng tổ chức)?\s*"
                          r"(?:Hội nghị|Hội thảo|Diễn đàn|Tọa đàm|Toạ đàm|Lễ hội|Lễ kỷ niệm|Festival|Ngày|Tuần"
                          r"|Phiên họp|Kỳ họp|Họp mặt|Lễ khai trương|Lễ khánh thành|Lễ công bố|Liên hoan|Triển lãm"
                          r"|Hội chợ|Giải)\b|(?:họp mặt|hội nghị|lễ kỷ niệm|kỷ niệm \d+ năm|diễn đàn|hội thảo"
                          r"|giao hữu)")


def _event_named(sents: list[Sent]) -> bool:
    return any(_NAMED_EVENT.search(s.text) and ("su_kien_quoc_te" in s.kinds or "xuc_tien" in s.kinds)
               for s in sents)


def _locality(sents: list[Sent], anchors: list[Sent]) -> tuple[str | None, str | None]:
    score: dict[str, float] = {}
    units: dict[str, str | None] = {}
    order: dict[str, int] = {}
    anchor_ids = {id(a) for a in anchors}
    for i, s in enumerate(sents):
        mult = 3.0 if s.where == "title" else 2.0 if id(s) in anchor_ids else 0.5
        for name, unit, w in s.provinces:
            score[name] = score.get(name, 0.0) + mult * w
            units.setdefault(name, unit)
            order.setdefault(name, i)
    if not score:
        return None, None
    best = max(score, key=lambda n: (score[n], -order[n]))
    return best, units[best]


def _countries(title: Sent | None, anchors: list[Sent], sents: list[Sent]) -> list[str]:
    heads = ([title] if title is not None else []) + anchors[:1]
    found = [c for s in heads for c in s.countries]
    if not found:
        found = [c for s in anchors[1:3] for c in s.countries]
    if not found:
        count: dict[str, int] = {}
        for s in sents:
            for c in s.countries:
                count[c] = count.get(c, 0) + 1
        if count:
            top = max(count.values())
            found = [c for c in count if count[c] == top][:1]
    return list(dict.fromkeys(found))


def _date(kind: str, anchors: list[Sent], sents: list[Sent], pub: str | None) -> str | None:
    """The first date of the anchors in reading order (a trip: the earliest, its first day); else the
    first date of a trigger sentence at the top of the text (the news lead)."""
    dates = [d for d in (s.date(pub) for s in anchors[:4]) if d is not None]
    if dates:
        return min(dates) if kind == "doan_ra" else dates[0]
    top = [s for s in sents if s.where != "title"][:3]
    for s in top:
        if s.kinds and s.local:
            d = s.date(pub)
            if d is not None:
                return d
    return None


def _leaders(sents: list[Sent], lex: Lexicon) -> list[dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for s in sents:
        for p in spans.leaders(s.text, s.hits, lex):
            if p["name"] not in out and not any(p["name"] in k or k in p["name"] for k in out):
                out[p["name"]] = p
    return list(out.values())[:8]


def _venue(sents: list[Sent]) -> str | None:
    return next((v for v in (spans.venue(s.text, s.hits) for s in sents) if v), None)


def _direction(kind: str, heads: list[Sent], venue: str | None, lex: Lexicon) -> str:
    """Who travels where: a Vietnamese delegation with a foreign destination or venue is đoàn ra,
    never đoàn vào (nor "other" for talks held abroad)."""
    if kind not in ("doan_vao", "khac"):
        return kind
    if any(s.abroad for s in heads) or (venue is not None and _foreign_place(venue, lex)):
        return "doan_ra"
    return kind


def _foreign_place(venue: str, lex: Lexicon) -> bool:
    ents = [e for _a, _b, _t, _k, _w, e in _match(venue, lex) if e is not None]
    return bool(ents) and ents[-1].kind in ("country", "locality", "territory") and ents[-1].name != "Việt Nam" \
        and not any(e.kind == "province" for e in ents)


def _groups(anchors: list[Sent], pub: str | None) -> list[list[Sent]]:
    """The anchors cut into activities: a later anchor on another day starts a new activity when it
    names its own dated conference, forum or signing, a trip abroad after something else, or other
    partner countries; the others add to the activity before them. At most 4."""
    groups: list[list[Sent]] = [[anchors[0]]]
    dates = [anchors[0].date(pub)]
    seen = {dates[0]}
    for s in anchors[1:]:
        d = s.date(pub) if len(groups) < 4 else None
        cur = groups[-1]
        if d is None or d in seen or dates[-1] is None:  # undated, a day already told, or the lead's date
            cur.append(s)
            if dates[-1] is None and d is not None:
                dates[-1] = d
                seen.add(d)
            continue
        ev = [k for k in _EVENT_KINDS if k in s.kinds]
        event = bool(ev) and (_event_named([s]) or "ky_ket" in ev)
        cur_abroad = any(x.abroad for x in cur)
        countries = {c for x in cur for c in x.countries}
        trip = s.abroad and not cur_abroad
        other = bool(s.countries) and bool(countries) and not countries & set(s.countries) \
            and bool({"doan_vao", "doan_ra"} & set(s.kinds))
        if event or trip or other:
            groups.append([s])
            dates.append(d)
            seen.add(d)
        else:
            cur.append(s)
    return groups


def extract_activities(article: Any, published: str | None = None, lexicon: Lexicon | None = None,
                       *, relevant: bool | None = None) -> list[Activity]:
    """The activities an article reports (see the module docstring), in reading order.

    ``article``: an Article, or a mapping/object with ``title``, ``text``, optional ``description``
    and ``published`` (strings; None or missing count as ""). ``published``: ISO date overriding the
    article's, used to resolve dates without a year and relative dates. ``relevant``: the relevance
    verdict when known (False gives []). ``lexicon``: from ``load_lexicon()`` when None.
    Returns [] when the article reports no activity. Raises ``TypeError`` for a field that is not a string.
    """
    if relevant is False:
        return []
    vals = []
    for name in ("title", "description", "text"):
        v = _get(article, name)
        if v is not None and not isinstance(v, str):
            raise TypeError(f"article {name} must be a string, got {type(v).__name__}")
        vals.append(v or "")
    pub = published if published is not None else _get(article, "published")
    pub = pub if isinstance(pub, str) else None
    lex = lexicon or load_lexicon()
    sents = sentences(vals[0], vals[1], vals[2], lex)
    anchors = [s for s in sents if s.anchor]
    if not anchors:
        return []
    title = sents[0] if sents and sents[0].where == "title" else None
    locality, unit = _locality(sents, anchors)
    if locality is None:
        return []
    out: list[Activity] = []
    for i, group in enumerate(_groups(anchors, pub)):
        first = group[0]
        body = next((x for x in group if x.where != "title"), None)
        main = i == 0
        kind = _kind(first, title if main else None)
        venue = _venue(group[:3])
        kind = _direction(kind, [x for x in (title if main else None, first, body) if x is not None], venue, lex)
        if main:
            countries = [] if kind == "nguoi_viet_nn" else _countries(title, group, sents)
            loc, u = locality, unit
        else:
            countries = list(dict.fromkeys(c for x in group for c in x.countries)) or out[0].partner_countries
            own = [p for x in group for p in x.provinces if p[2] >= 1.0]
            loc, u = (own[0][0], own[0][1]) if own else (locality, unit)
        date = _date(kind, group, sents if main else group, pub)
        partners = _partners(group[:3])
        evidence = next((x.text for x in group if x.where != "title" and len(x.text) < 400), first.text)
        if main and title is not None and title.anchor:
            evidence = title.text
        out.append(Activity(kind, date, loc, countries, partners, _leaders(group[:4], lex), venue, evidence, u))
    return out


def _partners(sents: list[Sent]) -> list[str]:
    """The foreign localities of these sentences, each once (its fullest spelling: "tỉnh Vân Nam")."""
    out: list[str] = []
    for p in (p for s in sents for p in s.partners):
        same = [i for i, q in enumerate(out) if q.endswith(" " + p) or p.endswith(" " + q) or q == p]
        if not same:
            out.append(p)
        elif len(p) > len(out[same[0]]):
            out[same[0]] = p
    return out


def acting_localities(activities: list[Activity] | list[dict[str, Any]]) -> list[str]:
    """The localities that act in these activities, in order, each once."""
    out: dict[str, None] = {}
    for a in activities:
        loc = a.get("locality") if isinstance(a, dict) else a.locality
        if loc:
            out[loc] = None
    return list(out)
