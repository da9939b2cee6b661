"""The place names an alert subscription may filter on: provinces of the gazetteer, countries (and
territories, organisations) of the country lexicon, read through ``pipeline.relevance.load_lexicon``.

``canonical(kind, name)`` gives the name articles carry ("Ha Noi" → "Hà Nội", "Japan" → "Nhật Bản"
where the lexicon lists "Japan" as an alias) or raises ``UnknownPlace`` with the nearest known names
(difflib on accent-free names) and, for a country given as a province or the reverse, where it
belongs.
"""

from __future__ import annotations

import difflib
import functools

from pipeline.normalize import fold

__all__ = ["UnknownPlace", "canonical"]

_COUNTRY_KINDS = ("country", "territory", "org")


class UnknownPlace(ValueError):
    """A name that is no known province / country; the message suggests the nearest ones."""


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, dict[str, str]]:
    """kind ("provinces" | "countries") -> accent-free spelling -> canonical name. Every alias of an
    entity counts; a foreign locality counts as its country (articles list the country)."""
    from pipeline.relevance import load_lexicon

    out: dict[str, dict[str, str]] = {"provinces": {}, "countries": {}}
    for alias, ent in load_lexicon().entities.items():
        if ent.kind == "province":
            out["provinces"].setdefault(fold(ent.name), ent.name)
            out["provinces"].setdefault(fold(alias), ent.name)
        elif ent.kind in _COUNTRY_KINDS:
            out["countries"].setdefault(fold(ent.name), ent.name)
            out["countries"].setdefault(fold(alias), ent.name)
    return out


def canonical(kind: str, name: str) -> str:
    """The canonical name of ``name`` in ``kind`` ("provinces" or "countries"), matched accent- and
    case-free on the names and aliases of the lexicon. Raises UnknownPlace."""
    names = _names()
    key = " ".join(fold(name).split())
    known = names[kind]
    if key in known:
        return known[key]
    other = "countries" if kind == "provinces" else "provinces"
    hint = ""
    if key in names[other]:
        hint = f"; {names[other][key]!r} is one of the {other}, not the {kind}"
    near = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
    sugg = list(dict.fromkeys(known[k] for k in near))
    what = "province" if kind == "provinces" else "country"
    msg = f"unknown {what} {name!r}" + hint
    if sugg:
        msg += f" (did you mean {', '.join(repr(s) for s in sugg)}?)"
    raise UnknownPlace(msg)
