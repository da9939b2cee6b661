"""Search: one matcher for Datasette, the canned queries, alert keywords and ``presswatch search``.

A query is normalised like stored text (``pipeline.normalize``: NFC, Ð/ð→Đ/đ, tone placement, NFD
input) and read into groups of syllables: a quoted phrase ``"hải nam"``, or a run of bare words.
``word*`` is a prefix. The query picks the way it matches:

- **marks** — it carries a Vietnamese mark (or đ): syllables match with those marks, any case
  ("hải nam" finds "Hải Nam", not "hai năm"; "Đà Nẵng" not "đã nâng");
- **folded** — it has none: syllables match accent-free ("hai nam" finds both, "doi ngoai" finds
  "đối ngoại").

A run of bare words matches side by side and in order (a phrase) or, ranked lower, all near each
other (FTS5 ``NEAR``, ``NEAR_DISTANCE`` syllables apart); a quoted phrase only side by side. Several
groups must all match. In SQLite (db/search.py) a query reads one table, ``Query.table``: the
folded ``articles_fts`` or, for a marks query, ``articles_fts_marks``, with ``Query.fts`` (every
hit) and ``Query.fts_phrase`` (the exact phrases, ranked first). In Python, ``Query.spans`` finds the same matches in
a text (highlighting, alert keywords: ``Query.matches``).
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

from pipeline.normalize import fold, fold_aligned, lower_aligned, normalize_inline

__all__ = ["Query", "Group", "parse", "NEAR_DISTANCE", "highlight", "snippet"]

NEAR_DISTANCE = 10
_TOKEN = re.compile(r"[^\W_]+")  # what FTS5 unicode61 calls a token: letters and digits
_PART = re.compile(r'"([^"]*)"?(\*?)|([^"]+)')
NOTHING = '""'  # an FTS5 expression that matches no row (an empty or wordless query)


def _is_marked(s: str) -> bool:
    return fold(s) != s.lower()


@dataclass(frozen=True)
class Group:
    """Syllables that belong together: ``exact`` (quoted: only side by side), ``prefix`` (the last
    syllable is a prefix). ``words``: in the query's mode (lower case; folded in folded mode)."""

    words: tuple[str, ...]
    exact: bool = False
    prefix: bool = False

    def pattern(self) -> re.Pattern[str]:
        """The syllables side by side as a regular expression on text in the query's mode (one
        capturing group per syllable, a prefix's group the whole syllable; tokens as FTS5 unicode61
        cuts them: runs of letters and digits)."""
        return _pattern(self.words, self.prefix)

    def _phrase(self) -> str:
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")

    def fts(self, strict: bool) -> str:
        """The group as FTS5: a phrase, or for a bare run (not ``strict``) NEAR, which holds the
        phrase itself (side by side is near), so the index is read once."""
        if len(self.words) == 1 or self.exact or strict:
            return self._phrase()
        parts = [f'"{w}"' for w in self.words]
        if self.prefix:
            parts[-1] += "*"
        return f"NEAR({' '.join(parts)}, {NEAR_DISTANCE})"


@dataclass(frozen=True)
class Query:
    """A parsed query: its text as typed, its mode ("marks" or "folded") and its groups (all must match)."""

    text: str
    mode: str
    groups: tuple[Group, ...]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def _expr(self, words: tuple[Group, ...], strict: bool) -> str:
        # no column filter: both tables hold title and text only (a filter would cost a tenth more)
        if not words:
            return NOTHING
        return " AND ".join(g.fts(strict) for g in words)

    def _folded_groups(self) -> tuple[Group, ...]:
        return tuple(Group(tuple(fold(w) for w in g.words), g.exact, g.prefix) for g in self.groups)

    @property
    def match(self) -> str:
        """FTS5 expression on ``articles_fts`` (accent-free, phrase or NEAR): every hit of the query, and
        for a marks query a superset of them (``marks`` then narrows)."""
        return self._expr(self._folded_groups(), strict=False)

    @property
    def phrase(self) -> str:
        """As ``match`` with every group as a phrase: the hits ranked first."""
        return self._expr(self._folded_groups(), strict=True)

    @property
    def table(self) -> str:
        """The FTS table this query reads: ``articles_fts_marks`` for a marks query, else
        ``articles_fts`` (db/search.py)."""
        return "articles_fts_marks" if self.mode == "marks" else "articles_fts"

    @property
    def fts(self) -> str:
        """The expression for ``table`` alone: ``marks`` for a marks query, else ``match``."""
        return self.marks or self.match

    @property
    def fts_phrase(self) -> str:
        """As ``fts`` with every group as a phrase (side by side only): the hits ranked first."""
        return self._expr(self.groups, strict=True) if self.mode == "marks" else self.phrase

    @property
    def marks(self) -> str:
        """FTS5 expression on ``articles_fts_marks`` for a marks query; '' for a folded one."""
        if self.mode != "marks":
            return ""
        return self._expr(self.groups, strict=False)

    def _form(self, text: str) -> str:
        """``text`` in the query's mode, character for character (spans in it are spans of ``text``)."""
        return lower_aligned(text) if self.mode == "marks" else fold_aligned(text)

    def group_spans(self, text: str, strict: bool = False, *, every: bool = True) -> list[list[tuple[int, int]]]:
        """Per group, the character spans (start, end) in ``text`` (normalised like stored text) of
        the syllables where it matches ([] for a group not found). ``every``: stop at the first group
        not found (then the last list is empty). ``strict``: bare runs only side by side (no NEAR)."""
        out: list[list[tuple[int, int]]] = []
        form = self._form(text)
        toks: list[tuple[int, int, str]] | None = None  # tokenised only for NEAR
        for g in self.groups:
            found: list[tuple[int, int]] = []
            if all(w in form for w in g.words):  # else a syllable is absent: nothing to tokenise
                found = [m.span(i + 1) for m in g.pattern().finditer(form) for i in range(len(g.words))]
                if not found and not (strict or g.exact or len(g.words) == 1):
                    if toks is None:
                        toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(form)]
                    found = _near_spans(g, toks)
            out.append(found)
            if every and not found:
                break
        return out

    def spans(self, text: str, strict: bool = False, *, partial: bool = False) -> list[tuple[int, int]]:
        """The spans of ``group_spans`` together, sorted: [] when the query does not match ``text``
        (every group must), unless ``partial``: then the groups found in it (an article matches
        when each group is found in its title *or* its text, as in FTS5; each field shows its own)."""
        per = self.group_spans(text, strict, every=not partial)
        if not partial and (len(per) < len(self.groups) or not all(per)):
            return []
        return sorted({sp for found in per for sp in found})

    def matches(self, text: str, strict: bool = False) -> bool:
        """Whether ``text`` alone matches (the same rule as the FTS5 expressions)."""
        return bool(self.spans(text, strict))

    def matches_fields(self, fields: list[str], strict: bool = False) -> bool:
        """Whether an article with these fields (title, text, ...) matches: every group found in one
        of them, as FTS5 reads a query over several columns."""
        if not self.groups:
            return False
        found = [False] * len(self.groups)
        for f in fields:
            for k, spans in enumerate(self.group_spans(f, strict, every=False)):
                found[k] = found[k] or bool(spans)
        return all(found)


def _eq(tok: str, word: str, prefix: bool) -> bool:
    return tok.startswith(word) if prefix else tok == word


@functools.lru_cache(maxsize=1024)
def _pattern(words: tuple[str, ...], prefix: bool) -> re.Pattern[str]:
    parts = [f"({re.escape(w)})" for w in words]
    if prefix:
        parts[-1] = parts[-1][:-1] + "[^\\W_]*)"
    return re.compile("(?<![^\\W_])" + "[\\W_]+".join(parts) + ("" if prefix else "(?![^\\W_])"))


def _near_spans(g: Group, toks: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """NEAR as FTS5 reads it: one occurrence of every syllable, in any order, with at most
    NEAR_DISTANCE syllables between the first and the last of them."""
    k = len(g.words)
    pos = [[i for i, t in enumerate(toks) if _eq(t[2], w, g.prefix and j == k - 1)] for j, w in enumerate(g.words)]
    if not all(pos):
        return []
    out: set[tuple[int, int]] = set()
    for start in sorted({p for ps in pos for p in ps}):
        window = [[p for p in ps if start <= p <= start + NEAR_DISTANCE + 1] for ps in pos]
        if all(window):
            out.update((toks[p][0], toks[p][1]) for ps in window for p in ps)
    return sorted(out)


@functools.lru_cache(maxsize=1024)
def parse(query: str | None) -> Query:
    """Read a query as typed (any normalisation, NFD, Ð look-alikes, stray quotes and operators).
    Never raises: a query without words gives an empty ``Query`` whose expressions match nothing."""
    text = normalize_inline(query or "")
    mode = "marks" if _is_marked(text) else "folded"
    groups: list[Group] = []
    for m in _PART.finditer(text):
        quoted, star, bare = m.group(1), m.group(2), m.group(3)
        chunk = quoted if quoted is not None else bare
        words = [w.lower() for w in _TOKEN.findall(chunk)]
        if not words:
            continue
        if quoted is not None:
            groups.append(Group(tuple(words), exact=True, prefix=bool(star) or chunk.rstrip().endswith("*")))
            continue
        # a bare run: split after a prefix word ("da* nang": the prefix ends its group)
        run: list[str] = []
        for piece in chunk.split():
            pw = [w.lower() for w in _TOKEN.findall(piece)]
            if not pw:
                continue
            run += pw
            if piece.endswith("*"):
                groups.append(Group(tuple(run), prefix=True))
                run = []
        if run:
            groups.append(Group(tuple(run)))
    return Query(text, mode, tuple(groups))


def highlight(text: str | None, query: Query, *, strict: bool = False) -> str:
    """``text`` as HTML (escaped) with the matched syllables in <mark>; the whole text. Each group of
    the query found in ``text`` is marked, even when another is only in the article's other field."""
    if not text:
        return ""
    return _marked(text, query.spans(text, strict, partial=True))


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    merged: list[tuple[int, int]] = []
    for s, e in spans:  # syllables side by side make one <mark>: "<mark>Đà Nẵng</mark>"
        if merged and s >= merged[-1][1] and not text[merged[-1][1]:s].strip():
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    out, at = [], 0
    for s, e in merged:
        if s < at:
            continue
        out += [html.escape(text[at:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        at = e
    out.append(html.escape(text[at:]))
    return "".join(out)


def snippet(text: str | None, query: Query, *, width: int = 240) -> str:
    """HTML: about ``width`` characters of ``text`` around its first match (escaped, matches in
    <mark>, "…" where cut); the opening of the text when nothing matches."""
    if not text:
        return ""
    flat = " ".join(text.split())
    spans = query.spans(flat, partial=True)
    if not spans:
        cut = flat[:width]
        return html.escape(cut) + (" …" if len(flat) > width else "")
    first = spans[0][0]
    lo = max(0, first - width // 3)
    if lo:
        sp = flat.find(" ", lo)
        lo = sp + 1 if 0 <= sp < first else lo
    hi = min(len(flat), lo + width)
    if hi < len(flat):
        sp = flat.rfind(" ", lo, hi)
        hi = sp if sp > spans[0][1] else hi
    inner = [(s - lo, e - lo) for s, e in spans if s >= lo and e <= hi]
    return ("… " if lo else "") + _marked(flat[lo:hi], inner) + (" …" if hi < len(flat) else "")
