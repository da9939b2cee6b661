"""``extract_activities``: the foreign-affairs activities one article reports (see the package docstring).

How it reads an article:

1. Title, lead and the first ``MAX_SENTENCES`` sentences of the text are cut into sentences and
   matched against the lexicon (provinces, countries, foreign localities, organisations) and the
   trigger phrases of ``rules``.
2. An *anchor* is a sentence holding a trigger, the Vietnamese local side (a province not merely
   named as a venue, or an organ such as UBND/Tỉnh ủy) and a foreign side (a country, foreign
   locality, organisation, a diplomat or a delegation; overseas Vietnamese for ``nguoi_viet_nn``).
   No anchor: no activity. Aggregate sentences ("đã ký kết 12 thỏa thuận") are not anchors.
3. The kind comes from the title and the first anchor (signing > overseas Vietnamese > a trip abroad
   > a conference/event > a reception); the locality is the province the title and anchors name most,
   as actor first; partner countries those of the title and first anchor (the rest of the text only
   when they name none); the date is the first date expression of the anchors, in reading order.
4. A later anchor that names its own dated conference, forum or signing on another day is a second
   activity (a trip's separately dated sub-events).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.activities import rules
from pipeline.activities.dates import event_date
from pipeline.relevance.lexicon import Lexicon, load_lexicon
from pipeline.relevance.matching import _match, _segments, _sentence_starts

MAX_SENTENCES = 12  # body sentences read (the event is told at the top; speed)
_MAX_CHARS = 3000
MAX_ANCHORS = 5  # enough to place the event; reading stops there
_EVENT_KINDS = ("ky_ket", "su_kien_quoc_te", "xuc_tien")
_AT = re.compile(r"(?:tại|ở|trên)\s+(?:địa bàn\s+)?$")
_ABROAD_BEFORE = re.compile(r"(?:tại|sang|ở|đến|tới)\s+(?:(?:thủ đô|Thủ đô|tỉnh|thành phố|TP\.?|nước|các tỉnh"
                            r"|Vương quốc|Cộng hòa|Liên bang|nước bạn|xứ sở|đất nước|vùng|bang|quận)\s+){0,2}$")
_PREFIX = re.compile(r"(?:(tỉnh|thành phố|TP\.?|Thành phố|Tỉnh)\s+)$")
_ACTOR_BEFORE = re.compile(r"(?:UBND|HĐND|Ủy ban nhân dân|Tỉnh ủy|Thành ủy|Tỉnh uỷ|Thành uỷ|tỉnh|thành phố|TP\.?"
                           r"|Thành phố|Tỉnh|lãnh đạo|đoàn|Đoàn|của)\s*$")
_FOREIGN_TITLE = re.compile(r"Đại sứ|Lãnh sự|Thống đốc|Tỉnh trưởng|Thị trưởng|Hội đồng Dân biểu|Chính quyền")
_NATIONAL = re.compile(r"\b(?:Thủ tướng|Chủ tịch nước|Tổng Bí thư|Chủ tịch Quốc hội|Bộ trưởng Bộ Ngoại giao)\b")


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


@dataclass
class _Sent:
    where: str
    text: str
    provinces: list[tuple[str, str | None, float]]  # name, unit_2025, weight as local actor
    countries: list[str]
    partners: list[str]
    orgs: list[str]
    abroad: bool  # a foreign place introduced by tại/sang/ở/đến
    kinds: dict[str, float]
    local: bool = False
    foreign: bool = False


def _get(article: Any, name: str) -> Any:
    if isinstance(article, Mapping):
        return article.get(name)
    return getattr(article, name, None)


def _read(text: str, where: str, lex: Lexicon) -> _Sent:
    kinds = rules.triggers(text)
    if not kinds and where == "text":  # no trigger: never an anchor, not worth matching
        return _Sent(where, text, [], [], [], [], False, {})
    provinces: list[tuple[str, str | None, float]] = []
    countries: list[str] = []
    partners: list[str] = []
    orgs: list[str] = []
    abroad = False
    masked = rules.VN_MISSION.sub(lambda m: "_" * len(m.group()), text) if "Việt Nam" in text else text
    for start, end, _term, kind, _w, ent in _match(text, lex, headline=where != "text"):
        if ent is None:
            continue
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
                pm = _PREFIX.search(before)
                partners.append(f"{pm.group(1)} {text[start:end]}" if pm else text[start:end])
            if _ABROAD_BEFORE.search(before) and (
                    not re.search(r"(?:Đại sứ|Lãnh sự|đại diện)[^,.;]{0,40}$", before)
                    or re.search(r"(?:Đại sứ|Lãnh sự)[^,.;]{0,30}Việt Nam\s+tại\s+$", before)):
                abroad = True  # a foreign place of the visit, or the Vietnamese embassy there
        elif kind == "org":
            orgs.append(ent.name)
    s = _Sent(where, text, provinces, list(dict.fromkeys(countries)), list(dict.fromkeys(partners)), orgs,
              abroad, kinds)
    s.local = bool([p for p in provinces if p[2] >= 1.0]) or bool(rules.LOCAL_ACTOR.search(text))
    s.foreign = bool(countries or partners or orgs or rules.FOREIGN_ACTOR.search(masked)
                     or "nguoi_viet_nn" in kinds)
    return s


def _sentences(title: str, description: str, text: str, lex: Lexicon) -> list[_Sent]:
    out: list[_Sent] = []
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
            if _is_anchor(out[-1]):
                anchors += 1
                if anchors >= MAX_ANCHORS:
                    return out
    return out


def _is_anchor(s: _Sent) -> bool:
    if not (s.kinds and s.local and s.foreign) or rules.SUMMARY.search(s.text):
        return False
    actor = [p for p in s.provinces if p[2] >= 1.0] or re.search(r"UBND|Tỉnh ủy|Thành ủy|HĐND", s.text)
    if _NATIONAL.search(s.text) and not actor:
        return False
    return True


def _kind(first: _Sent, title: _Sent | None) -> str:
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


def _event_named(sents: list[_Sent]) -> bool:
    return any(_NAMED_EVENT.search(s.text) and ("su_kien_quoc_te" in s.kinds or "xuc_tien" in s.kinds)
               for s in sents)


def _locality(sents: list[_Sent], anchors: list[_Sent]) -> tuple[str | None, str | None]:
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


def _countries(title: _Sent | None, anchors: list[_Sent], sents: list[_Sent]) -> list[str]:
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


def _date(kind: str, anchors: list[_Sent], sents: list[_Sent], pub: str | None) -> str | None:
    """The first date of the anchors in reading order (a trip: the earliest, its first day); else the
    first date of a trigger sentence at the top of the text (the news lead)."""
    dates = [d for d in (event_date(s.text, pub) for s in anchors[:4]) if d is not None]
    if dates:
        return min(dates) if kind == "doan_ra" else dates[0]
    top = [s for s in sents if s.where != "title"][:3]
    for s in top:
        if s.kinds and s.local:
            d = event_date(s.text, pub)
            if d is not None:
                return d
    return None


def _split_name(title: str, name: str, lex: Lexicon) -> tuple[str, str]:
    """A title and the capitalised words after it, cut where the person's name starts: at a Vietnamese
    family name, else after the last place or country the words name ("Đại sứ Nhật Bản tại Việt Nam
    Ito Naoki")."""
    words = (title + " " + name).split()
    n_title = len(title.split())
    for i in range(1, len(words) - 1):
        if words[i] in rules.SURNAMES and i >= 1 and words[i - 1] not in ("tỉnh", "thành", "phố"):
            if i < n_title or i == n_title:
                return " ".join(words[:i]), " ".join(words[i:])
            break
    whole = " ".join(words)
    ends = [b for _a, b, _t, k, _w, e in _match(whole, lex) if e is not None and k != "block"]
    if ends and max(ends) < len(whole) - 2:
        cut = max(ends)
        rest = whole[cut:].strip()
        if rest.startswith("tại Việt Nam "):  # "Đại sứ Nhật Bản tại Việt Nam Ito Naoki"
            cut += len(whole[cut:]) - len(whole[cut:].lstrip()) + len("tại Việt Nam")
            rest = whole[cut:].strip()
        if len(rest.split()) >= 2:
            return whole[:cut].strip(), rest
    return title, name


def _leaders(sents: list[_Sent], lex: Lexicon) -> list[dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for s in sents:
        for rx in (rules.LEADER_TITLE, rules.LEADER_NAME_FIRST):
            for m in rx.finditer(s.text):
                title, name = _split_name(" ".join(m.group("title").split()).strip(" ,-–"),
                                          m.group("name").strip().rstrip("."), lex)
                if len(name.split()) < 2 or name in out or any(name in k or k in name for k in out):
                    continue
                if lex.entities.get(name) is not None:
                    continue  # a place, not a person ("Chủ tịch UBND tỉnh Quảng Nam")
                foreign = bool(_FOREIGN_TITLE.search(title)) and "Việt Nam" not in title
                ents = [e for _a, _b, _t, k, _w, e in _match(title, lex) if e is not None]
                if any(e.kind in ("country", "locality", "territory") and e.name != "Việt Nam" for e in ents):
                    foreign = True
                if any(e.kind == "province" for e in ents) or "UBND" in title or "Tỉnh ủy" in title:
                    foreign = False
                out[name] = {"side": "foreign" if foreign else "vn", "title": title, "name": name}
    return list(out.values())[:8]


def _venue(anchors: list[_Sent]) -> str | None:
    for s in anchors:
        for m in rules.VENUE.finditer(s.text):
            before = s.text[max(0, m.start() - 50):m.start()]
            if re.search(r"(?:Đại sứ|Lãnh sự|đại diện|Đại sứ quán)[^,.;]*$", before):
                continue
            v = m.group("v").strip()
            if v.startswith(("Việt Nam", "buổi", "hội nghị", "lễ")) or len(v) < 3:
                continue
            return "tại " + v
    return None


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
    sents = _sentences(vals[0], vals[1], vals[2], lex)
    anchors = [s for s in sents if _is_anchor(s)]
    if not anchors:
        return []
    title = sents[0] if sents and sents[0].where == "title" else None
    first = anchors[0]
    kind = _kind(first, title)
    locality, unit = _locality(sents, anchors)
    if locality is None:
        return []
    countries = [] if kind == "nguoi_viet_nn" else _countries(title, anchors, sents)
    date = _date(kind, anchors, sents, pub)
    partners = list(dict.fromkeys(p for s in anchors[:3] for p in s.partners))
    evidence = next((s.text for s in anchors if s.where != "title" and len(s.text) < 400), first.text)
    if title is not None and _is_anchor(title):
        evidence = title.text
    main = Activity(kind, date, locality, countries, partners, _leaders(anchors[:4], lex), _venue(anchors[:3]),
                    evidence, unit)
    out = [main]
    seen_dates = {date}
    for s in anchors[1:]:
        if len(out) >= 4:
            break
        ev = [k for k in _EVENT_KINDS if k in s.kinds]
        if not ev or not _event_named([s]) and "ky_ket" not in ev:
            continue
        d = event_date(s.text, pub)
        if d is None or d in seen_dates:
            continue
        seen_dates.add(d)
        k = "ky_ket" if "ky_ket" in ev else ev[0]
        out.append(Activity(k, d, locality, s.countries or countries, s.partners, _leaders([s], lex),
                            _venue([s]), s.text, unit))
    return out


def acting_localities(activities: list[Activity] | list[dict[str, Any]]) -> list[str]:
    """The localities that act in these activities, in order, each once."""
    out: dict[str, None] = {}
    for a in activities:
        loc = a.get("locality") if isinstance(a, dict) else a.locality
        if loc:
            out[loc] = None
    return list(out)
