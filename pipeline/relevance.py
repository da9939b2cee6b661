"""Relevance to local foreign affairs (đối ngoại địa phương): a score, a verdict, and why.

Pure and deterministic: lexicons are data in ``config/`` (relevance.toml, gazetteer.toml,
countries.toml), read once with ``tomllib`` and compiled into a few regular expressions.

How an article is scored (weights and scales are in config/relevance.toml):

1. Title, lead (the description, else the first sentences of the text) and body are
   normalised with ``pipeline.normalize`` and cut into sentences.
2. Every sentence collects hits: Vietnamese local actors (UBND tỉnh, Thành ủy, Sở Ngoại vụ,
   a province of the gazetteer), foreign partners (a country, an international
   organisation, a foreign province, an ambassador, overseas Vietnamese), foreign-affairs
   actions (tiếp xã giao, ký kết, kết nghĩa, xúc tiến đầu tư), national-only actors
   (Thủ tướng, Bộ Ngoại giao) and distractors (tourism, sport, markets, traffic). A hit
   weighs its lexicon weight times its position weight (title > lead > body). Longer
   phrases win over shorter ones at the same place ("Lào Cai" the province, not "Lào").
3. Three channels (local, foreign, action) saturate as 1 - exp(-sum/scale); their product
   (to the power core_power, 1/3 = geometric mean) is the "core": all three are needed.
   Sentences holding a local actor together with a concrete foreign counterpart and an
   action ("triples"), or with one of them ("pairs"), make the co-occurrence channel; a
   local institution and a foreign counterpart (ambassador, delegation) in one sentence
   imply an encounter. raw = share * core + (1 - share) * co-occurrence.
4. Penalties multiply raw: national actors dominating the local ones, distractors
   outweighing the actions, no foreign counterpart or action in the title or lead (a
   passing mention), a title naming a national actor and no local one. Each penalty is
   listed in the evidence (kind "penalty"), as are the best co-occurring sentences.

Provinces: ``provinces`` holds the names as the article uses them, in the gazetteer's
spelling (pre-merger names stay pre-merger: "Bình Dương"); ``units_2025`` holds the
provincial units in force since 1 July 2025 they belong to ("Thành phố Hồ Chí Minh").
``to_dict()`` gives exactly score, relevant, provinces, countries, evidence.
"""

from __future__ import annotations

import functools
import json
import math
import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from config import CONFIG_DIR, ConfigError
from pipeline.normalize import fold, normalize_inline, normalize_text

__all__ = ["Relevance", "Lexicon", "score", "classify_jsonl", "load_lexicon", "KINDS"]

KINDS = ("actor", "partner", "action", "national", "distractor")
_ENTITY_KINDS = ("country", "territory", "org", "locality")


@dataclass
class Relevance:
    score: float
    relevant: bool
    provinces: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    units_2025: list[str] = field(default_factory=list)  # not stored: derived from provinces

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "relevant": self.relevant,
            "provinces": list(self.provinces),
            "countries": list(self.countries),
            "evidence": [dict(e) for e in self.evidence],
        }


# ---------------------------------------------------------------------------------------------
# Lexicon loading
# ---------------------------------------------------------------------------------------------

_HYPHEN = r"[^\S\n]*[-–—][^\S\n]*"
_SPACE = r"[^\S\n]+"
_HYPHEN_SPLIT = re.compile(r"\s*[-–—]\s*")


def _units(phrase: str) -> list[str]:
    """A phrase as regex units: one per character, any run of spaces or a hyphen (with or
    without spaces around it) made one flexible unit."""
    out: list[str] = []
    for i, part in enumerate(_HYPHEN_SPLIT.split(phrase)):
        if i:
            out.append(_HYPHEN)
        for j, word in enumerate(part.split()):
            if j:
                out.append(_SPACE)
            out.extend(re.escape(c) for c in word)
    return out


def _trie_re(node: dict[str, Any]) -> str:
    """Regex of a character trie: common prefixes factored out (much faster than a flat
    alternation of hundreds of phrases); longer continuations are tried first."""
    end = "" in node
    branches = [u + _trie_re(child) for u, child in node.items() if u != ""]
    if not branches:
        return ""
    if len(branches) == 1 and not end:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if end else "")


_NEEDS_KEYING = re.compile(r"[-–—]|\s\s|[^\S ]")


def _key(s: str) -> str:
    """Lookup key of a phrase or a matched text: white space single, hyphens bare."""
    if not _NEEDS_KEYING.search(s):
        return s
    return _HYPHEN_SPLIT.sub("-", " ".join(s.split()))


def _alternation(phrases: Iterable[str], flags: int = 0) -> re.Pattern[str] | None:
    trie: dict[str, Any] = {}
    for p in set(phrases):
        node = trie
        for u in _units(p.lower() if flags & re.IGNORECASE else p):
            node = node.setdefault(u, {})
        node[""] = {}
    if not trie:
        return None
    return re.compile(r"(?<!\w)" + _trie_re(trie) + r"(?!\w)", flags)


@dataclass(frozen=True)
class _Term:
    phrase: str
    kinds: tuple[tuple[str, float], ...]
    not_followed_by: tuple[str, ...] = ()
    not_preceded_by: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class _Entity:
    name: str
    kind: str  # province | country | territory | org | locality | block
    weight: float
    parent: str | None = None  # country of a locality/org; 2025 unit of a province
    guard: bool = False
    prefixes: tuple[str, ...] = ()
    not_followed_by: tuple[str, ...] = ()


@dataclass
class Lexicon:
    threshold: float
    position: dict[str, float]
    lead_sentences: int
    params: dict[str, float]
    terms_ci: dict[str, _Term]
    terms_cs: dict[str, _Term]
    entities: dict[str, _Entity]
    person_words: frozenset[str]
    re_terms_ci: re.Pattern[str] | None
    re_terms_cs: re.Pattern[str] | None
    re_entities: re.Pattern[str] | None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text: {e}") from None


def _num(path: Path, where: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ConfigError(f"{path}: {where}: must be a number, got {v!r}")
    return float(v)


def _strs(path: Path, where: str, v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ConfigError(f"{path}: {where}: must be a list of non-empty strings")
    return tuple(normalize_inline(x) for x in v)


_SCORE_KEYS = ("scale_local", "scale_foreign", "scale_action", "cooc_scale", "pair_factor", "implied_action",
               "implied_min_actor", "implied_min_partner",
               "triple_min_partner", "core_power", "unfocused_factor",
               "channel_share", "national_penalty", "national_floor", "distractor_penalty",
               "national_title_factor")


def _load_terms(path: Path, data: dict[str, Any]) -> tuple[dict[str, _Term], dict[str, _Term]]:
    terms = data.get("terms")
    if not isinstance(terms, dict):
        raise ConfigError(f"{path}: missing [terms.KIND] tables")
    unknown = sorted(set(terms) - set(KINDS))
    if unknown:
        raise ConfigError(f"{path}: [terms.{unknown[0]}]: unknown kind (known: {', '.join(KINDS)})")
    acc: dict[tuple[bool, str], dict[str, Any]] = {}
    for kind, table in terms.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [terms.{kind}] must be a table of phrase = weight")
        for phrase, spec in table.items():
            where = f"[terms.{kind}] {phrase!r}"
            opts: dict[str, Any] = {}
            if isinstance(spec, dict):
                bad = sorted(set(spec) - {"weight", "case", "not_followed_by", "not_preceded_by"})
                if bad:
                    raise ConfigError(f"{path}: {where}: unknown option {bad[0]!r}")
                weight = _num(path, where, spec.get("weight"))
                case = spec.get("case", False)
                if not isinstance(case, bool):
                    raise ConfigError(f"{path}: {where}: case must be true or false")
                opts["nf"] = _strs(path, where, spec.get("not_followed_by"))
                opts["np"] = _strs(path, where, spec.get("not_preceded_by"))
            else:
                weight = _num(path, where, spec)
                case = False
            phrase_n = normalize_inline(phrase)
            if not phrase_n:
                raise ConfigError(f"{path}: {where}: empty phrase")
            k = _key(phrase_n) if case else _key(phrase_n).lower()
            slot = acc.setdefault((case, k), {"phrase": phrase_n, "kinds": {}, "nf": (), "np": ()})
            slot["kinds"][kind] = weight
            slot["nf"] = tuple(dict.fromkeys(slot["nf"] + opts.get("nf", ())))
            slot["np"] = tuple(dict.fromkeys(slot["np"] + opts.get("np", ())))
    ci: dict[str, _Term] = {}
    cs: dict[str, _Term] = {}
    for (case, k), s in acc.items():
        t = _Term(s["phrase"], tuple(s["kinds"].items()), s["nf"], s["np"])
        (cs if case else ci)[k] = t
    return ci, cs


def _load_entities(gpath: Path, gaz: dict[str, Any], cpath: Path, cty: dict[str, Any],
                   ent_w: dict[str, float]) -> tuple[dict[str, _Entity], frozenset[str]]:
    entities: dict[str, _Entity] = {}

    def add(path: Path, alias: str, ent: _Entity) -> None:
        k = _key(normalize_inline(alias))
        old = entities.get(k)
        if old is not None and (old.name, old.kind) != (ent.name, ent.kind):
            raise ConfigError(f"{path}: alias {alias!r} of {ent.name!r} is already an alias of {old.name!r}")
        entities[k] = ent

    guards = gaz.get("guards", {})
    if not isinstance(guards, dict):
        raise ConfigError(f"{gpath}: [guards] must be a table")
    unit_prefixes = _strs(gpath, "guards.unit_prefixes", guards.get("unit_prefixes"))
    person_words = frozenset(_strs(gpath, "guards.person_words", guards.get("person_words")))
    provs = gaz.get("province")
    if not isinstance(provs, list) or not provs:
        raise ConfigError(f"{gpath}: no [[province]] entries")
    for i, p in enumerate(provs):
        where = f"[[province]] #{i + 1}"
        if not (isinstance(p, dict) and all(isinstance(p.get(k), str) for k in ("name", "unit_2025"))):
            raise ConfigError(f"{gpath}: {where}: needs name and unit_2025 (strings)")
        name = normalize_inline(p["name"])
        ent = _Entity(name, "province", ent_w["province"], normalize_inline(p["unit_2025"]),
                      guard=True, prefixes=unit_prefixes if p.get("prefix_required") else ())
        for a in (name,) + _strs(gpath, f"{where} ({name}).aliases", p.get("aliases")):
            add(gpath, a, ent)
    default_prefixes = _strs(cpath, "default_prefixes", cty.get("default_prefixes"))
    ctys = cty.get("country")
    if not isinstance(ctys, list) or not ctys:
        raise ConfigError(f"{cpath}: no [[country]] entries")
    for i, c in enumerate(ctys):
        where = f"[[country]] #{i + 1}"
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            raise ConfigError(f"{cpath}: {where}: needs a name (string)")
        name = normalize_inline(c["name"])
        kind = c.get("kind", "country")
        if kind not in _ENTITY_KINDS:
            raise ConfigError(f"{cpath}: {where} ({name}): kind must be one of {', '.join(_ENTITY_KINDS)}")
        parent = c.get("country")
        if kind == "locality" and not isinstance(parent, str):
            raise ConfigError(f"{cpath}: {where} ({name}): a locality needs its country")
        prefixes: tuple[str, ...] = ()
        if c.get("prefix_required"):
            prefixes = _strs(cpath, f"{where}.prefixes", c.get("prefixes")) or default_prefixes
        ent = _Entity(name, kind, ent_w[kind], normalize_inline(parent) if isinstance(parent, str) else None,
                      guard=bool(c.get("guard")), prefixes=prefixes,
                      not_followed_by=_strs(cpath, f"{where}.not_followed_by", c.get("not_followed_by")))
        for a in (name,) + _strs(cpath, f"{where} ({name}).aliases", c.get("aliases")):
            add(cpath, a, ent)
    for b in _strs(gpath, "guards.blockers", guards.get("blockers")):
        entities[_key(b)] = _Entity(b, "block", 0.0)
    return entities, person_words


@functools.lru_cache(maxsize=8)
def load_lexicon(config_dir: str | Path | None = None) -> Lexicon:
    """Read and compile the three lexicon files (cached per directory)."""
    d = Path(config_dir) if config_dir else CONFIG_DIR
    rpath, gpath, cpath = d / "relevance.toml", d / "gazetteer.toml", d / "countries.toml"
    rel, gaz, cty = _read_toml(rpath), _read_toml(gpath), _read_toml(cpath)
    threshold = _num(rpath, "threshold", rel.get("threshold"))
    if not 0.0 < threshold < 1.0:
        raise ConfigError(f"{rpath}: threshold must be between 0 and 1")
    pos = rel.get("position", {})
    position = {w: _num(rpath, f"position.{w}", pos.get(w)) for w in ("title", "lead", "body")}
    lead_sentences = int(_num(rpath, "position.lead_sentences", pos.get("lead_sentences", 2)))
    sc = rel.get("score", {})
    params = {k: _num(rpath, f"score.{k}", sc.get(k)) for k in _SCORE_KEYS}
    ew = rel.get("entities", {})
    ent_w = {k: _num(rpath, f"entities.{k}", ew.get(k)) for k in ("province",) + _ENTITY_KINDS}
    ci, cs = _load_terms(rpath, rel)
    entities, person_words = _load_entities(gpath, gaz, cpath, cty, ent_w)
    return Lexicon(
        threshold=threshold, position=position, lead_sentences=lead_sentences, params=params,
        terms_ci=ci, terms_cs=cs, entities=entities, person_words=person_words,
        re_terms_ci=_alternation((t.phrase for t in ci.values()), re.IGNORECASE),
        re_terms_cs=_alternation(t.phrase for t in cs.values()),
        re_entities=_alternation(e_key for e_key in entities),
    )


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


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


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


def score(article: Any, lexicon: Lexicon | None = None) -> Relevance:
    """Score an Article, a mapping or an object with title, text and optional description."""
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
            if ent is not None and kind == "province":
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
    title_national = title_local = head_fa = False
    for s in sents:
        pw = pos[s.where]
        lw = liw = fw = partner_w = aw = nw = dw = 0.0
        for term, kind, w in s.hits:
            if kind == "province":
                lw = max(lw, w)
            elif kind == "actor":
                lw, liw = max(lw, w), max(liw, w)
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
            ek = (term, kind, s.where)
            evidence[ek] = evidence.get(ek, 0.0) + w * pw
        if aw == 0 and liw >= p["implied_min_actor"] and partner_w >= p["implied_min_partner"]:
            aw = p["implied_action"]  # a local institution and a foreign counterpart: an encounter
        if s.where == "title":
            title_national = nw > 0
            title_local = lw > 0
        if s.where != "body" and (fw >= p["triple_min_partner"] or aw > 0):
            head_fa = True
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


# ---------------------------------------------------------------------------------------------
# JSON lines
# ---------------------------------------------------------------------------------------------


def _classify_line(line: str, lex: Lexicon) -> dict[str, Any]:
    try:
        obj = json.loads(line.lstrip("\ufeff"))
    except json.JSONDecodeError as e:
        return {"error": f"not JSON: {e.msg} (column {e.colno})"}
    except (ValueError, RecursionError) as e:
        return {"error": f"not JSON: {type(e).__name__}"}
    if not isinstance(obj, dict):
        return {"error": f"expected a JSON object with title and text, got {type(obj).__name__}"}
    if not any(isinstance(obj.get(k), str) for k in ("title", "text", "description")):
        return {"error": "no title or text (strings)"}
    try:
        return score(obj, lex).to_dict()
    except TypeError as e:
        return {"error": str(e)}
    except Exception as e:  # one odd article must not stop a batch: report it on its line
        return {"error": f"cannot score: {type(e).__name__}: {e}"}


def _dump(obj: dict[str, Any]) -> str:
    s = json.dumps(obj, ensure_ascii=False)
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a \ud800 escape in the input
        s = json.dumps(obj)
    return s


def classify_jsonl(infile: str | Path | IO[str], outfile: str | Path | IO[str]) -> int:
    """Read JSON lines {"title", "text"[, "description"]} and write one JSON line per input
    line (blank lines skipped), in order: score, relevant, provinces, countries, evidence; a
    bad line gives {"error": ...}. Returns the number of lines written."""
    lex = load_lexicon()
    fin = open(infile, encoding="utf-8") if isinstance(infile, str | Path) else infile
    fout = open(outfile, "w", encoding="utf-8") if isinstance(outfile, str | Path) else outfile
    n = 0
    try:
        for line in fin:
            if not line.strip():
                continue
            fout.write(_dump(_classify_line(line, lex)) + "\n")
            n += 1
        fout.flush()
    finally:
        if fin is not infile:
            fin.close()
        if fout is not outfile:
            fout.close()
    return n
