"""Story evidence: what one report of an event shares with another, weighted, with an explanation.

An article's ``Features`` are story keys (what ``story_keys`` stores) with a label each:

- ``@name``: a place, country or organisation in its canonical spelling, found through the relevance
  lexicon (gazetteer.toml, countries.toml: "TP.HCM" and "Thành phố Hồ Chí Minh" are one key,
  "Houaphanh" and "Hủa Phăn" too) and config/variants.toml;
- ``a b``: accent-folded pairs of adjacent capitalised words outside those names (people, titles,
  other names: "tran luu", "bi thu");
- ``#kind``: the kinds of activity of the title and lead (config/dedup.toml ``[activities]``);
- ``!kind``: the occasion: the kinds of activity of the title, else of the first lead sentence that
  names one, its framing left out ("trong khuôn khổ chuyến thăm …, đã dự lễ kỷ niệm …" is an
  anniversary, not a visit);
- ``=YYYY-MM-DD``: the event day bound to the activity in the lead (pipeline/dedup/eventdate.py
  ``read_event_dates``), ``?YYYY-MM-DD``: the event day when none is bound (the first day named),
  ``~YYYY-MM-DD``: other days it names (the announced date of a programme, the end of a visit).

``judge`` weighs two articles' keys with the IDF of each name over the stored corpus (a province in
half of the day's news weighs little, a rare foreign place much), the event dates, the activity and
the title similarity, and says whether they report one event, with the explanation stored in
``story_links``. Pure apart from the cached lexicons.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from config import CONFIG_DIR
from pipeline.dedup.eventdate import LEAD_SENTENCES, date_label, read_event_dates, sentences
from pipeline.dedup.guards import title_similarity
from pipeline.dedup.minhash import fast_fold
from pipeline.dedup.settings import DedupConfig
from pipeline.dedup.stories import _NOT_NAME_START

VARIANTS_FILE = CONFIG_DIR / "variants.toml"
_SEGMENT = re.compile(r"[^\w\s]+|\n")


@dataclass
class Features:
    """One article's story keys (key -> label, in order: names, activities, dates) and title."""

    keys: dict[str, str] = field(default_factory=dict)
    title: str = ""

    def names(self) -> set[str]:
        return {k for k in self.keys if kind(k) == "name"}


@dataclass(frozen=True)
class Verdict:
    same: bool
    score: float
    explanation: str


def kind(key: str) -> str:
    """'name', 'activity' or 'date' for a story key."""
    return {"#": "activity", "!": "activity", "=": "date", "?": "date", "~": "date"}.get(key[:1], "name")


# -- names ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Names:
    canon: dict[str, str]  # surface (keyed by ``_key``; lower-cased for case-free aliases) -> canonical name
    rx: tuple[tuple[re.Pattern[str], bool], ...]  # (pattern, case-free) in order of precedence


_HYPHEN = re.compile(r"\s*[-–—]\s*")


def _key(s: str) -> str:
    return _HYPHEN.sub("-", " ".join(s.split()))


def _alternation(phrases: Iterable[str], flags: int = 0) -> re.Pattern[str] | None:
    ps = sorted(set(phrases), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ps) + r")(?!\w)", flags) if ps else None


@lru_cache(maxsize=2)
def _names(variants_file: str) -> _Names:
    """The lexicon's places, countries and organisations (matched with its own compiled trie
    expression) plus config/variants.toml, compiled once."""
    from pipeline.relevance import load_lexicon

    lex = load_lexicon()
    canon: dict[str, str] = {}
    for surface, ent in lex.entities.items():
        if ent.kind != "block":
            canon[_key(surface)] = ent.name
    cs_terms: set[str] = set()
    ci_terms: set[str] = set()
    try:
        with open(variants_file, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        data = {}
    for n, v in enumerate(data.get("variant", [])):
        name, aliases = v.get("name"), v.get("aliases", [])
        if not isinstance(name, str) or not isinstance(aliases, list):
            raise ValueError(f"{variants_file}: variant {n + 1} needs a name and a list of aliases")
        known = next((canon[_key(a)] for a in [name, *aliases] if _key(a) in canon), name)
        for a in [name, *aliases]:
            if _key(a) in canon:
                continue
            if len(a.split()) > 1:
                canon[_key(a).lower()] = known
                ci_terms.add(a)
            else:
                canon[_key(a)] = known
                cs_terms.add(a)
    rx: list[tuple[re.Pattern[str], bool]] = []
    for pat, free in ((_alternation(ci_terms, re.IGNORECASE), True), (lex.re_entities, False),
                      (_alternation(cs_terms), False)):
        if pat is not None:
            rx.append((pat, free))
    return _Names(canon, tuple(rx))


def _find_names(text: str) -> tuple[dict[str, str], str]:
    """(key -> canonical name, the text with the matched names blanked out by '|')."""
    nm = _names(str(VARIANTS_FILE))
    spans: list[tuple[int, int, str]] = []
    taken = bytearray(len(text))  # characters inside a name found already (earlier patterns win)
    for rx, free in nm.rx:
        for m in rx.finditer(text):
            k = _key(m.group())
            name = nm.canon.get(k.lower() if free else k)
            if name and not any(taken[m.start():m.end()]):
                spans.append((m.start(), m.end(), name))
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    found: dict[str, str] = {}
    parts, last = [], 0
    for a, b, name in sorted(spans):
        found.setdefault("@" + fast_fold(name), name)
        parts += [text[last:a], " | "]
        last = b
    parts.append(text[last:])
    return found, "".join(parts)


def _pairs(text: str, common: frozenset[str]) -> dict[str, tuple[str, int]]:
    """Folded pairs of adjacent capitalised words (not across punctuation) -> (first spelling, count)."""
    out: dict[str, tuple[str, int]] = {}
    for seg in _SEGMENT.split(text):
        words = seg.split()
        for w1, w2 in zip(words, words[1:], strict=False):
            if w1[:1].isupper() and w2[:1].isupper() and not w1.isdigit() and not w2.isdigit():
                key = fast_fold(f"{w1} {w2}")
                if key not in common and key.split(" ", 1)[0] not in _NOT_NAME_START:
                    label, n = out.get(key, (f"{w1} {w2}", 0))
                    out[key] = (label, n + 1)
    return out


_NOT_WORD = re.compile(r"[^\w ]+")
# framing of the reported occasion: "trong khuôn khổ chuyến thăm …", "nhân dịp …", "bên lề …" (folded)
_FRAME = re.compile(r"(?<!\w)(?:trong khuon kho|nhan dip|nhan chuyen|trong chuong trinh|ben le|theo loi moi)"
                    r"(?!\w)[^,.;:]*")


@lru_cache(maxsize=8)
def _trigger_rx(activities: tuple[tuple[str, tuple[str, ...]], ...], extra: tuple[str, ...]) -> re.Pattern[str]:
    """One expression over all trigger words: a named group per kind (``k0``, ``k1``...), ``kx`` for ``extra``."""
    alts = [f"(?P<k{n}>" + "|".join(re.escape(t) for t in sorted(ts, key=len, reverse=True)) + ")"
            for n, (_, ts) in enumerate(activities) if ts]
    if extra:
        alts.append("(?P<kx>" + "|".join(re.escape(t) for t in sorted(extra, key=len, reverse=True)) + ")")
    return re.compile(r"(?<!\w)(?:" + "|".join(alts or ["(?!)"]) + r")(?!\w)")


def _kinds(folded: str, cfg: DedupConfig, extra: tuple[str, ...] = ()) -> list[str]:
    """The activity kinds (config order) whose trigger words an accent-folded text holds (never across
    punctuation); with ``extra``, "*" when only one of those words is there."""
    head = " ".join(_NOT_WORD.sub(" | ", folded).split())
    hit: set[str] = set()
    rx = _trigger_rx(cfg.activities, extra)
    pos = 0
    while (m := rx.search(head, pos)) is not None:  # overlapping triggers: restart one word further
        hit.add(m.lastgroup or "")
        nxt = head.find(" ", m.start() + 1)
        if nxt < 0:
            break
        pos = nxt + 1
    out = [k for n, (k, _) in enumerate(cfg.activities) if f"k{n}" in hit]
    if not out and "kx" in hit:
        out.append("*")
    return out


def _activities(title: str, text: str, cfg: DedupConfig) -> dict[str, str]:
    return {"#" + k: k for k in _kinds(fast_fold(title + " " + text[:400]), cfg)}


def _lead(title: str, text: str) -> list[str]:
    """The first ``LEAD_SENTENCES`` sentences of the text (a repeated title not counted)."""
    head = text[:1000]
    out: list[str] = []
    for a, b in sentences(head):
        sent = head[a:b].strip()
        if sent and sent != title.strip():
            out.append(sent)
            if len(out) == LEAD_SENTENCES:
                break
    return out


def _occasion(title: str, lead: list[str], cfg: DedupConfig) -> dict[str, str]:
    """``!kind`` keys: the activity kinds of the title, else of the first lead sentence naming one,
    its framing ("trong khuôn khổ …") left out."""
    for sent in [title, *lead]:
        kinds = _kinds(_FRAME.sub(" ", fast_fold(sent)), cfg)
        if kinds:
            return {"!" + k: k for k in kinds}
    return {}


def features(title: str, text: str, day: date, cfg: DedupConfig) -> Features:
    """The story keys of an article published on ``day`` (Vietnam time): names (lexicon and variant
    names first, then capitalised pairs, most frequent first), activities, event dates; at most
    ``cfg.max_keys`` names. Raises ValueError for a malformed config/variants.toml."""
    full = f"{title}\n{text}"
    found, masked = _find_names(full)
    pairs = _pairs(masked, cfg.common)
    ordered = sorted(pairs, key=lambda k: -pairs[k][1])
    keys: dict[str, str] = dict(found)
    for k in ordered[: max(0, cfg.max_keys - len(keys))]:
        keys[k] = pairs[k][0]
    keys.update(_activities(title, text, cfg))
    keys.update(_occasion(title, _lead(title, text), cfg))
    ed = read_event_dates(title, text, day, lambda sent: bool(_kinds(fast_fold(sent), cfg, cfg.date_triggers)))
    if ed.event is not None:
        keys[("=" if ed.bound else "?") + ed.event.isoformat()] = date_label(ed.event)
    for d in ed.others:
        keys["~" + d.isoformat()] = date_label(d)
    return Features(keys=keys, title=title)


# -- weighing ------------------------------------------------------------------------------------
PRIOR_ARTICLES = 100  # a young database weighs names as if it held this many more unrelated articles


def idf(df: int, n: int) -> float:
    """Inverse document frequency of a key found in ``df`` of ``n`` stored articles (>= 0), smoothed
    with ``PRIOR_ARTICLES`` so that the first stored articles do not make every name worthless."""
    return max(0.0, math.log((n + PRIOR_ARTICLES) / (df + 0.5)))


@lru_cache(maxsize=4096)
def title_places(title: str) -> frozenset[str]:
    """The place/organisation keys (``@...``) a title names."""
    return frozenset(_find_names(title)[0])


def judge(new: Features, keys: Iterable[str], title: str, weights: dict[str, float], cfg: DedupConfig,
          labels: dict[str, str] | None = None) -> Verdict:
    """Does a stored article (its story ``keys`` and ``title``) report the event of ``new``?

    ``weights``: key -> IDF over the stored corpus (a key missing weighs as a rare one).
    Name overlap = IDF of the shared names over the mean of (the smaller side's names, the geometric
    mean of both sides): a short report inside a long one counts, a long one sharing a few names
    does not. Score = 0.5 x overlap + 0.3 x title similarity + 0.15 x min(1, shared names / 8),
    plus ``date_bonus`` for the same event date (half for another shared date), minus
    ``date_conflict`` when both event dates are bound to the lead's activity and no date agrees
    (``weak_date_conflict`` when either is not bound), minus ``occasion_conflict`` when the
    occasions (``!`` keys) differ, minus 0.3 when each title names a
    place the other article never names (another venue), plus/minus the activity terms. Same
    event when the score reaches ``link_score`` and the shared names weigh ``min_evidence``."""
    other = set(keys)
    labels = {**(labels or {}), **new.keys}

    def w(k: str) -> float:
        return 0.0 if k in cfg.common else weights.get(k, idf(0, 1000))

    mine, theirs = new.names(), {k for k in other if kind(k) == "name"}
    shared = sorted(mine & theirs, key=lambda k: -w(k))
    s = sum(w(k) for k in shared)
    wa, wb = sum(w(k) for k in mine), sum(w(k) for k in theirs)
    overlap = 0.5 * (s / min(wa, wb) + s / math.sqrt(wa * wb)) if wa > 0 and wb > 0 else 0.0
    ts = title_similarity(new.title, title)
    score = 0.5 * min(1.0, overlap) + 0.3 * ts + 0.15 * min(1.0, len(shared) / 8)
    notes = []
    first_new = {k[1:]: k[0] for k in new.keys if k[:1] in "=?"}
    first_old = {k[1:]: k[0] for k in other if k[:1] in "=?"}
    all_new = {k[1:] for k in new.keys if kind(k) == "date"}
    all_old = {k[1:] for k in other if kind(k) == "date"}
    if first_new.keys() & first_old.keys():
        score += cfg.date_bonus
        notes.append("same event date " + ", ".join(_dl(x) for x in sorted(first_new.keys() & first_old.keys())))
    elif all_new & all_old:
        score += cfg.date_bonus / 2
        notes.append("both name " + ", ".join(_dl(x) for x in sorted(all_new & all_old)[:2]))
    elif first_new and first_old:
        pair = f"{_dl(min(first_new))} vs {_dl(min(first_old))}"
        if "=" in first_new.values() and "=" in first_old.values():  # both bound to the activity of the lead
            score -= cfg.date_conflict
            notes.append(f"other event dates ({pair})")
        else:
            score -= cfg.weak_date_conflict
            notes.append(f"other dates named ({pair}, not both bound to the event)")
    o_new = {k[1:] for k in new.keys if k[:1] == "!"}
    o_old = {k[1:] for k in other if k[:1] == "!"}
    if o_new and o_old and not _occasions(o_new, cfg) & _occasions(o_old, cfg):
        score -= cfg.occasion_conflict
        notes.append(f"other occasion ({', '.join(sorted(o_new))} vs {', '.join(sorted(o_old))})")
    tp_new, tp_old = title_places(new.title), title_places(title)
    if tp_new - theirs and tp_old - mine:
        score -= 0.3
        notes.append("other venues in the titles")
    a_new = {k for k in new.keys if k[:1] == "#"}
    a_old = {k for k in other if k[:1] == "#"}
    if a_new & a_old:
        score += cfg.activity_bonus
        notes.append("same activity " + ", ".join(sorted(k[1:] for k in a_new & a_old)))
    elif a_new and a_old:
        score -= cfg.activity_conflict
        notes.append("other activity")
    notes.append(f"title similarity {ts:.2f}")
    same = score >= cfg.link_score and s >= cfg.min_evidence
    head = "shared: " + ", ".join(labels.get(k, k) for k in shared[:6]) if shared else "shared: nothing"
    return Verdict(same, round(score, 3), "; ".join([head, *notes]))


def _occasions(kinds: set[str], cfg: DedupConfig) -> set[str]:
    """Activity kinds with those of one occasion (``same_occasion``) named by the first of their group."""
    out = set()
    for k in kinds:
        out.add(next((g[0] for g in cfg.same_occasion if k in g), k))
    return out


def _dl(iso: str) -> str:
    try:
        return date_label(date.fromisoformat(iso))
    except ValueError:
        return iso
