"""Vietnamese text normalisation: the one place where text is made canonical.

Everything that stores, indexes or matches text goes through these functions:

- ``normalize_text``: NFC, the look-alike Ð (U+00D0, Icelandic eth) made Đ (U+0110),
  tone marks placed the way the Vietnamese press writes them (hòa, khỏe, thủy rather than
  hoà, khoẻ, thuỷ), zero-width characters dropped, white space tidied.
- ``fold_d``: đ→d, Đ→D (SQLite FTS5 ``remove_diacritics 2`` folds every other mark but not đ).
- ``fold``: every diacritic removed and lower-cased, for accent-insensitive matching.
- ``match_form``: normalised and lower-cased, for accent-sensitive matching (lexicons).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text", "normalize_inline", "fold_d", "fold", "match_form", "d_words"]

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng (combining, NFD)
# oa/oe/uy closing a syllable with the mark on the second vowel: move it to the first
# ("hoà" -> "hòa", "khoẻ" -> "khỏe", "thuỵ" -> "thụy"); not after q ("quý" stays).
# (a following combining mark means another vowel: "hoặc" is o + a + dot below + breve, so ă)
_OA_OE = re.compile(r"(?<![qQ])([oO])([aAeE])([\u0300\u0301\u0303\u0309\u0323])(?![\w\u0300-\u036f])")
_UY = re.compile(r"(?<![qQ])([uU])([yY])([\u0300\u0301\u0303\u0309\u0323])(?![\w\u0300-\u036f])")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u0189": "\u0110"})
_FOLD_D = str.maketrans({"đ": "d", "Đ": "D"})


def _tones(nfd: str) -> str:
    nfd = _OA_OE.sub(r"\1\3\2", nfd)
    return _UY.sub(r"\1\3\2", nfd)


def normalize_inline(s: str | None) -> str:
    """Normalise a one-line string (title, author, name): all white space becomes one space."""
    if not s:
        return ""
    s = _ZERO_WIDTH.sub("", s).translate(_LOOKALIKES)
    s = unicodedata.normalize("NFC", _tones(unicodedata.normalize("NFD", s)))
    return " ".join(s.split())


def normalize_text(s: str | None) -> str:
    """Normalise a multi-line text: paragraphs kept (one blank line between), lines trimmed."""
    if not s:
        return ""
    s = _ZERO_WIDTH.sub("", s).translate(_LOOKALIKES).replace("\r\n", "\n").replace("\r", "\n")
    s = unicodedata.normalize("NFC", _tones(unicodedata.normalize("NFD", s)))
    lines = [_SPACES.sub(" ", line).strip() for line in s.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def fold_d(s: str) -> str:
    """đ→d and Đ→D, nothing else."""
    return s.translate(_FOLD_D)


def fold(s: str) -> str:
    """Accent-free lower case: 'Đối ngoại Đà Nẵng' -> 'doi ngoai da nang'."""
    s = unicodedata.normalize("NFD", fold_d(s))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s).lower()


def match_form(s: str) -> str:
    """Normalised, lower-cased one-line text for accent-sensitive matching."""
    return normalize_inline(s).lower()


_WORD = re.compile(r"\w+")


def d_words(s: str) -> str:
    """The distinct words of ``s`` that contain đ/Đ, with đ folded: an FTS column that lets an
    accent-free query ('doi ngoai') find 'đối ngoại' (see db/schema.py)."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(s):
        if "đ" in w or "Đ" in w:
            seen.setdefault(fold_d(w).lower(), None)
    return " ".join(seen)
