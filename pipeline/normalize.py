"""Vietnamese text normalisation: the one place where text is made canonical.

Everything that stores, indexes or matches text goes through these functions:

- ``normalize_text``: NFC, the look-alikes Ð/ð (U+00D0/U+00F0, Icelandic eth) made Đ/đ (U+0110/U+0111),
  tone marks placed the way the Vietnamese press writes them (hòa, khỏe, thủy rather than
  hoà, khoẻ, thuỷ), zero-width characters dropped, white space tidied.
- ``fold_d``: đ→d, Đ→D (SQLite FTS5 ``remove_diacritics 2`` folds every other mark but not đ).
- ``fold``: every diacritic removed and lower-cased, for accent-insensitive matching.
- ``match_form``: normalised and lower-cased, for accent-sensitive matching (lexicons).
- ``search_fold``: ``fold`` with white space collapsed (the Datasette ``vn_fold`` SQL function).
- ``looks_vietnamese`` / ``guess_language``: the one "is this Vietnamese text?" check; mojibake
  (UTF-8 read as a single-byte code page: "Quáº£ng", "Ä‘Ă³n") is not Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = ["normalize_text", "normalize_inline", "fold_d", "fold", "fold_aligned", "lower_aligned", "search_fold",
           "match_form", "d_words", "looks_vietnamese", "vietnamese_share", "mojibake_share", "guess_language"]

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng (combining, NFD)
# oa/oe/uy closing a syllable with the mark on the second vowel: move it to the first
# ("hoà" -> "hòa", "khoẻ" -> "khỏe", "thuỵ" -> "thụy"); not after q ("quý" stays).
# (a following combining mark means another vowel: "hoặc" is o + a + dot below + breve, so ă)
_OA_OE = re.compile(r"(?<![qQ])([oO])([aAeE])([\u0300\u0301\u0303\u0309\u0323])(?![\w\u0300-\u036f])")
_UY = re.compile(r"(?<![qQ])([uU])([yY])([\u0300\u0301\u0303\u0309\u0323])(?![\w\u0300-\u036f])")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u0189": "\u0110"})
_FOLD_D = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D", "\u00f0": "d", "\u0189": "D"})


def _tones(nfd: str) -> str:
    nfd = _OA_OE.sub(r"\1\3\2", nfd)
    return _UY.sub(r"\1\3\2", nfd)


_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_LOOKALIKE_SET = "\u00d0\u00f0\u0189"
# in NFC text, old-style tone placement shows as o/u followed by a plain a/e/y carrying a tone mark
# that closes the word ("hoà", "khoẻ", "thuỷ"; not "hoàng", where the mark is where it belongs)
_OLD_TONE_HINT = re.compile("(?<![qQ])[oOuU][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ](?!\\w)")


def _canonical(s: str) -> str:
    """Zero-width characters dropped, look-alikes mapped, NFC with new-style tone placement. Text that
    is already canonical (most of it) is returned after two C-speed checks, without the NFD round trip."""
    if any(c in s for c in _ZERO_WIDTH_CHARS):  # str.__contains__ is far faster than a regex search
        s = _ZERO_WIDTH.sub("", s)
    if any(c in s for c in _LOOKALIKE_SET):
        s = s.translate(_LOOKALIKES)
    if unicodedata.is_normalized("NFC", s) and not _OLD_TONE_HINT.search(s):
        return s
    return unicodedata.normalize("NFC", _tones(unicodedata.normalize("NFD", s)))


def normalize_inline(s: str | None) -> str:
    """Normalise a one-line string (title, author, name): all white space becomes one space."""
    if not s:
        return ""
    return " ".join(_canonical(s).split())


def normalize_text(s: str | None) -> str:
    """Normalise a multi-line text: paragraphs kept (one blank line between), lines trimmed."""
    if not s:
        return ""
    s = _canonical(s.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in s.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def fold_d(s: str) -> str:
    """đ→d and Đ→D (and their look-alikes Ð/ð), nothing else."""
    return s.translate(_FOLD_D)


def fold(s: str) -> str:
    """Accent-free lower case: 'Đối ngoại Đà Nẵng' -> 'doi ngoai da nang'."""
    s = unicodedata.normalize("NFD", fold_d(s))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s).lower()


class _Aligned(dict[int, int | str]):
    """A ``str.translate`` table applying ``fn`` to one character at a time, computed once per
    character: one character in, one out (a character ``fn`` would drop or expand stays as it is)."""

    def __init__(self, fn: Callable[[str], str]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, code: int) -> int | str:
        out = self.fn(chr(code))
        self[code] = value = out if len(out) == 1 else code
        return value


_FOLD_ALIGNED = _Aligned(fold)
_LOWER_ALIGNED = _Aligned(str.lower)


def fold_aligned(s: str) -> str:
    """``fold`` character by character, the length kept: position i of the result is character i of
    ``s`` folded ("Đà Nẵng" -> "da nang"), so spans found in it are spans of ``s``."""
    return s.translate(_FOLD_ALIGNED)


def lower_aligned(s: str) -> str:
    """``s.lower()`` with the length kept (a character whose lower case is longer stays as it is)."""
    return s.translate(_LOWER_ALIGNED)


def search_fold(s: str | None) -> str | None:
    """``fold`` with runs of white space made one space; None stays None (SQL NULL)."""
    if s is None:
        return None
    return " ".join(fold(str(s)).split())


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


# -- the language check --------------------------------------------------------------------------
_VI_LETTERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯ")
_VI_CHARS = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
_LETTER_WORD = re.compile(r"[^\W\d_]+")
# What UTF-8 Vietnamese looks like when read as Windows-1252/1258 or Latin-1: a lead byte shown as
# Ã/Â/Ä/Æ/á/Ă followed by a continuation byte shown as a Latin-1 symbol or letter, and U+FFFD.
_MOJIBAKE = re.compile(r"(?:[ÃÂÄÆ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                       r"\u2013-\u203a\u20ac\u2122\u0102\u0103\u01a0\u01a1\u01af\u01b0\u0300-\u0323]"
                       r"|á[º»¹¼½¾]|Ä[‘\u0090]|Æ°|Ă[\u00a0-\u00bf]|\ufffd)")


def mojibake_share(text: str) -> float:
    """Mojibake sequences per word (0 for clean text; > 0.05 means the page was decoded wrongly)."""
    sample = text[:20000]
    words = len(_LETTER_WORD.findall(sample))
    return len(_MOJIBAKE.findall(sample)) / words if words else 0.0


def vietnamese_share(text: str) -> float:
    """Share of words carrying a Vietnamese letter or tone mark (most Vietnamese syllables do; English ~0)."""
    words = _LETTER_WORD.findall(unicodedata.normalize("NFC", text[:20000]))
    if not words:
        return 0.0
    marked = sum(1 for w in words if not w.isascii() or any(c in _VI_LETTERS for c in w))
    return marked / len(words)


def looks_vietnamese(text: str, threshold: float = 0.15) -> bool:
    """Vietnamese text, correctly decoded: enough marked words and (almost) no mojibake."""
    return vietnamese_share(text) >= threshold and mojibake_share(text) < 0.02


def guess_language(text: str) -> str | None:
    """"vi" when the text is Vietnamese (``looks_vietnamese`` on its first 2,000 characters), else None."""
    sample = text[:2000]
    if not sample:
        return None
    return "vi" if len(_VI_CHARS.findall(sample)) > len(sample) / 50 and mojibake_share(sample) < 0.02 else None
