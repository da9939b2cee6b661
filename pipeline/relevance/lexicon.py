"""Relevance lexicons: config/relevance.toml, gazetteer.toml and countries.toml read with ``tomllib``,
validated, and compiled into a few regular expressions (character tries, longest phrase first).

``load_lexicon(config_dir=None) -> Lexicon`` is cached per directory; it raises ``config.ConfigError``
naming the file and entry for a file that is missing, not TOML, not UTF-8 or malformed.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import CONFIG_DIR, ConfigError
from pipeline.normalize import normalize_inline

KINDS = ("actor", "partner", "action", "national", "distractor", "internal")
_ENTITY_KINDS = ("country", "territory", "org", "locality")


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
    # any-case names: lower-cased key -> entity (keys shared by two entities left out), the
    # cue words (lower case) that let a name count in any case, and the case-insensitive regex
    entities_lc: dict[str, _Entity] = field(default_factory=dict)
    case_cues: tuple[str, ...] = ()
    re_entities_lc: re.Pattern[str] | None = None
    re_cues: re.Pattern[str] | None = None
    re_terms_lc: re.Pattern[str] | None = None  # re_terms_ci's phrases lower-cased, no flag: for text.lower()


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
               "national_title_factor", "institutional_min_actor", "foreign_actor_weight", "venue_factor",
               "no_local_factor", "internal_factor")


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


def _lower_map(entities: dict[str, _Entity]) -> dict[str, _Entity]:
    """Lower-cased key -> entity, for names written in any case; a lower-cased key that two
    different entities share is left out (ambiguous in lower case)."""
    out: dict[str, _Entity] = {}
    clash: set[str] = set()
    for k, e in entities.items():
        lk = k.lower()
        old = out.get(lk)
        if old is not None and old is not e:
            clash.add(lk)
        out[lk] = e
    for lk in clash:
        del out[lk]
    return out


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
    """Read and compile the three lexicon files (cached per directory).

    ``config_dir``: a folder holding relevance.toml, gazetteer.toml and countries.toml (default: the
    bundled ``config/``). Returns the compiled ``Lexicon`` (threshold, position weights, score
    parameters, terms and entities keyed by their normalised phrase, and their regexes).
    Raises ``ConfigError`` naming the file and entry at fault.
    """
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
    guards = gaz.get("guards", {})
    cues = tuple(c.lower() for c in _strs(gpath, "guards.case_cues", guards.get("case_cues")))
    entities_lc = _lower_map(entities)
    return Lexicon(
        threshold=threshold, position=position, lead_sentences=lead_sentences, params=params,
        terms_ci=ci, terms_cs=cs, entities=entities, person_words=person_words,
        re_terms_ci=_alternation((t.phrase for t in ci.values()), re.IGNORECASE),
        re_terms_lc=_alternation(t.phrase.lower() for t in ci.values()),
        re_terms_cs=_alternation(t.phrase for t in cs.values()),
        re_entities=_alternation(e_key for e_key in entities),
        entities_lc=entities_lc, case_cues=cues,
        re_cues=re.compile(r"(?<!\w)(?:" + "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
                           + r")(?:[^\S\n]+|(?<=\.))") if cues else None,
        re_entities_lc=_alternation(entities_lc),  # keys are lower case: run on text.lower()
    )
