"""``score``: the relevance of one article (see the package docstring for how it is computed)."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from typing import Any

from pipeline.article import Article, Relevance
from pipeline.relevance.lexicon import _ENTITY_KINDS, Lexicon, load_lexicon
from pipeline.relevance.matching import _WORDS, _match, _segments, _Sent, _sentence_starts


def _fields(article: Any) -> tuple[str, str, str]:
    def get(name: str) -> Any:
        if isinstance(article, Mapping):
            return article.get(name)
        return getattr(article, name, None)

    vals = []
    for name in ("title", "description", "text"):
        v = get(name)
        if v is not None and not isinstance(v, str):
            raise TypeError(f"article {name} must be a string, got {type(v).__name__}")
        vals.append(v or "")
    return vals[0], vals[1], vals[2]


def _sat(x: float, scale: float) -> float:
    return 1.0 - math.exp(-max(0.0, x) / scale) if scale > 0 else 0.0


def score(article: Article | Mapping[str, Any], lexicon: Lexicon | None = None) -> Relevance:
    """Score an Article, a mapping or an object with ``title``, ``text`` and optional ``description``.

    Inputs: the three fields as strings (None or missing counts as ""); any text is accepted, odd
    text (empty, no Vietnamese, control characters, huge) simply scores low; a field that is not a
    string raises ``TypeError``. ``lexicon``: from ``load_lexicon()`` (config/relevance.toml,
    gazetteer.toml, countries.toml) when None.

    Returns a ``Relevance``: ``score`` in [0, 1] (4 decimals), ``relevant`` (score >= the lexicon's
    threshold), ``provinces`` (gazetteer spelling, in order of appearance), ``units_2025`` (their
    provincial units since 1 July 2025), ``countries`` (countries, territories, organisations, and
    the countries of foreign localities) and ``evidence``: dicts {term, kind, where, weight}, kind a
    lexicon kind, "cooccurrence" (a sentence, up to 3) or "penalty" (weight = the factor applied).
    """
    lex = lexicon or load_lexicon()
    title, description, text = _fields(article)
    pos, p = lex.position, lex.params
    sents: list[_Sent] = []
    provinces: dict[str, None] = {}
    units: dict[str, None] = {}
    countries: dict[str, None] = {}
    lead_left = 0 if description.strip() else lex.lead_sentences
    for where, seg in _segments(title, description, text):
        starts = _sentence_starts(seg) if where != "title" else [0]
        seg_sents: list[_Sent] = []
        for i, s0 in enumerate(starts):
            s1 = starts[i + 1] if i + 1 < len(starts) else len(seg)
            wh = where
            if where == "text":
                wh = "body"
                if lead_left and len(_WORDS.findall(seg[s0:s1])) >= 8:
                    wh, lead_left = "lead", lead_left - 1
            seg_sents.append(_Sent(wh, seg[s0:s1]))
        for start, _end, term, kind, weight, ent in _match(seg, lex, headline=where != "text"):
            s = seg_sents[bisect_right(starts, start) - 1]
            s.hits.append((term, kind, weight))
            if ent is not None and ent.kind == "province":
                provinces.setdefault(ent.name, None)
                units.setdefault(ent.parent or ent.name, None)
            elif ent is not None:
                if ent.kind in ("country", "territory", "org"):
                    countries.setdefault(ent.name, None)
                if ent.parent:
                    countries.setdefault(ent.parent, None)
        sents.extend(seg_sents)

    sum_l = sum_li = sum_f = sum_a = sum_n = sum_d = 0.0
    triples = pairs = 0.0
    evidence: dict[tuple[str, str, str], float] = {}
    best_cooc: list[tuple[float, str, str]] = []
    title_national = title_local = head_fa = head_partner = head_internal = acting_local = False
    inst_min, fa_w = p["institutional_min_actor"], p["foreign_actor_weight"]
    for s in sents:
        pw = pos[s.where]
        lw = liw = fw = partner_w = aw = nw = fnw = dw = iw = 0.0
        for term, kind, w in s.hits:
            ew = w
            if kind == "province":
                lw = max(lw, w)
                acting_local = True
            elif kind == "venue":
                ew = w * p["venue_factor"]
                lw = max(lw, ew)
            elif kind == "co_organiser":
                lw = max(lw, w)
            elif kind == "actor":
                lw = max(lw, w)
                if w >= inst_min:  # "các địa phương", "địa phương": not an institution that acts
                    liw = max(liw, w)
            elif kind in ("foreign_actor", "foreign_national"):
                ew = fa_w
                fw, partner_w = max(fw, fa_w), max(partner_w, fa_w)
                if kind == "foreign_national":
                    fnw = max(fnw, w)
            elif kind in _ENTITY_KINDS:
                fw = max(fw, w)
            elif kind == "partner":
                fw, partner_w = max(fw, w), max(partner_w, w)
            elif kind == "action":
                aw = max(aw, w)
            elif kind == "national":
                nw = max(nw, w)
            elif kind == "distractor":
                dw += w
            elif kind == "internal":
                iw = max(iw, w)
            ek = (term, kind, s.where)
            evidence[ek] = evidence.get(ek, 0.0) + ew * pw
        if liw > 0:
            acting_local = True
        elif fnw > 0:
            nw = max(nw, fnw)  # a foreign head of state with no local actor beside: national diplomacy
        if aw == 0 and liw >= p["implied_min_actor"] and partner_w >= p["implied_min_partner"]:
            aw = p["implied_action"]  # a local institution and a foreign counterpart: an encounter
        if s.where == "title":
            title_national = nw > 0
            title_local = lw > 0
        if s.where != "body":
            head_fa = head_fa or fw >= p["triple_min_partner"] or aw > 0
            head_partner = head_partner or fw >= p["triple_min_partner"]
            head_internal = head_internal or iw > 0
        sum_l += pw * lw
        sum_li += pw * liw
        sum_f += pw * fw
        sum_a += pw * aw
        sum_n += pw * nw
        sum_d += pw * dw
        if lw > 0 and fw >= p["triple_min_partner"] and aw > 0:
            c = pw * (lw * fw * aw) ** (1 / 3)
            triples += c
            best_cooc.append((c, s.where, s.text))
        elif lw > 0 and (fw > 0 or aw > 0):
            pairs += pw * math.sqrt(lw * max(fw, aw))

    local = _sat(sum_l, p["scale_local"])
    foreign = _sat(sum_f, p["scale_foreign"])
    action = _sat(sum_a, p["scale_action"])
    core = (local * foreign * action) ** p["core_power"]
    cooc = _sat(triples + p["pair_factor"] * pairs, p["cooc_scale"])
    raw = p["channel_share"] * core + (1 - p["channel_share"]) * cooc
    factors: list[tuple[str, float]] = []
    if sum_n > p["national_floor"]:
        ratio = sum_n / (sum_n + sum_li)
        factors.append(("national actors dominate local ones", 1 - p["national_penalty"] * ratio**2))
    if sum_d > sum_a:
        factors.append(("distractor vocabulary outweighs actions",
                        1 / (1 + p["distractor_penalty"] * (sum_d - sum_a) / (sum_a + 1))))
    if not head_fa and raw > 0:
        factors.append(("no foreign partner or action in the title or lead", p["unfocused_factor"]))
    if title_national and not title_local:
        factors.append(("national actor in the title, no local actor", p["national_title_factor"]))
    if not acting_local and raw > 0:
        factors.append(("no Vietnamese locality acts (only venues or vague mentions)", p["no_local_factor"]))
    if head_internal and not head_partner and raw > 0:
        factors.append(("internal foreign-affairs work (training, review), no foreign partner in the title or lead",
                        p["internal_factor"]))
    value = raw
    for _why, f in factors:
        value *= f
    value = round(min(1.0, max(0.0, value)), 4)

    ev: list[dict[str, Any]] = [
        {"term": term, "kind": kind, "where": where, "weight": round(w, 3)}
        for (term, kind, where), w in sorted(evidence.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    for c, where, stext in sorted(best_cooc, key=lambda x: -x[0])[:3]:
        snippet = stext.strip()
        snippet = snippet if len(snippet) <= 120 else snippet[:117] + "..."
        ev.append({"term": snippet, "kind": "cooccurrence", "where": where, "weight": round(c, 3)})
    for why, f in factors:
        ev.append({"term": why, "kind": "penalty", "where": "article", "weight": round(f, 3)})
    return Relevance(
        score=value,
        relevant=value >= lex.threshold,
        provinces=list(provinces),
        countries=list(countries),
        evidence=ev,
        units_2025=list(units),
    )
