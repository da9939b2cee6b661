"""Page bytes -> text the extractor can trust, and a cheap "is this Vietnamese?" check.

Decoding follows the browser order (BOM, HTTP charset, <meta charset>, then a guess) through
w3lib, as Scrapy does, with two corrections for what Vietnamese sites actually serve:

- a page declared as a single-byte charset (ISO-8859-1, Windows-1252, …) whose bytes are valid
  UTF-8 with non-ASCII characters is UTF-8 (a wrong declaration: random Latin-1 text is almost
  never valid UTF-8);
- a page with no usable declaration that is not valid UTF-8 is read as Windows-1258 (the legacy
  Vietnamese code page), not Windows-1252.

Windows-1258 writes tone marks as combining characters, so the text is returned in NFC; the
extractor's normalisation does the rest.
"""

from __future__ import annotations

import re
import unicodedata

from w3lib.encoding import html_to_unicode

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SINGLE_BYTE = {"cp1252", "latin-1", "latin_1", "iso8859-1", "iso-8859-1", "ascii", "cp1250", "cp1251"}
_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
_WORD = re.compile(r"[^\W\d_]+")


def _guess(body: bytes) -> str | None:
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1258"


def page_text(body: bytes, content_type: str | None = None) -> str:
    """The page as text (NFC), with any leading XML declaration removed (lxml refuses a str with one)."""
    enc, text = html_to_unicode(content_type, body, auto_detect_fun=_guess)
    if enc.lower().replace("_", "-") in _SINGLE_BYTE or enc.lower() in _SINGLE_BYTE:
        try:
            as_utf8 = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not body.isascii():
                text = as_utf8.lstrip("\ufeff")
    text = _XML_DECL.sub("", text, count=1)
    return unicodedata.normalize("NFC", text)


def vietnamese_share(text: str) -> float:
    """Share of words carrying a Vietnamese letter or tone mark (most Vietnamese syllables do; English ~0)."""
    words = _WORD.findall(unicodedata.normalize("NFC", text[:20000]))
    if not words:
        return 0.0
    marked = 0
    for w in words:
        if any(c in _VI_LETTERS for c in w) or not w.isascii():
            marked += 1
    return marked / len(words)


def looks_vietnamese(text: str, threshold: float = 0.15) -> bool:
    return vietnamese_share(text) >= threshold
