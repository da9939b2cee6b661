"""Page bytes -> text the extractor can trust. The one decoder of presswatch: the crawl, ``extract``,
``reextract`` and ``recheck`` all reach it through ``pipeline.process.process_page``.

Order (what Vietnamese outlets actually serve decides it, not only what they declare):

1. a byte-order mark (UTF-8, UTF-16) wins;
2. a body that is valid UTF-8 with non-ASCII bytes is UTF-8, whatever the HTTP header or the
   ``<meta charset>`` says (random Latin-1 or Windows-1258 text is almost never valid UTF-8);
3. a body that is *overwhelmingly* valid UTF-8 (a stray Windows-1252 quote pair pasted in) is
   UTF-8, its few broken bytes read as Windows-1252 (so 0x93/0x94 become “ ”);
4. otherwise the declared charset (HTTP ``Content-Type``, then ``<meta>``/``<?xml encoding>``),
   with the WHATWG meaning of labels (ISO-8859-1 = Windows-1252);
5. otherwise Windows-1258, the legacy Vietnamese code page.

The text is returned in NFC (Windows-1258 writes tone marks as combining characters) without a
leading XML declaration (lxml refuses a str that has one).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Decoded", "decode_page", "page_text", "charset_from_content_type"]

_CHARSET_META = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_ALIASES = {
    "windows-1258": "cp1258", "cp1258": "cp1258", "x-cp1258": "cp1258",
    # WHATWG: the Latin-1 and ASCII labels mean windows-1252
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252",
    "utf8": "utf-8", "unicode": "utf-8", "utf-16": "utf-8",  # a meta tag cannot really say utf-16
}
# share of broken UTF-8 sequences among non-ASCII bytes under which a page is "UTF-8 with a stray byte"
MOSTLY_UTF8 = 0.05


def _cp1252_bytes(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read bytes that are not UTF-8 as Windows-1252 (curly quotes, dashes)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    return bad.decode("cp1252", "replace"), err.end


codecs.register_error("presswatch-cp1252", _cp1252_bytes)


@dataclass(frozen=True)
class Decoded:
    text: str  # NFC, no BOM, no leading XML declaration
    encoding: str  # the codec that was used (Python's name: utf-8, cp1258, cp1252, ...)
    why: str  # bom | utf-8 | mostly utf-8 | declared | meta | fallback


def codec_name(label: str | bytes | None) -> str | None:
    """Python codec name for a charset label (WHATWG aliases applied), None if unknown."""
    if not label:
        return None
    name = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset=`` label of an HTTP Content-Type header, as written (None when absent)."""
    m = _CT_CHARSET.search(content_type or "")
    return m.group(1) if m else None


def _broken_share(body: bytes) -> float:
    sample = body[:400_000]
    high = sum(1 for b in sample if b >= 0x80)
    if not high:
        return 1.0
    bad = sample.decode("utf-8", "replace").count("\ufffd")
    return bad / high


def decode_page(body: bytes | str, content_type: str | None = None) -> Decoded:
    """Decode a page body (bytes as downloaded or stored) with the rules of this module.

    ``content_type``: the HTTP Content-Type header value, if any. A str body is taken as already
    decoded (only the BOM and XML declaration are removed). Never raises."""
    if isinstance(body, str):
        return Decoded(_finish(body.lstrip("\ufeff")), "utf-8", "text")
    if body.startswith(b"\xef\xbb\xbf"):
        return Decoded(_finish(body[3:].decode("utf-8", "presswatch-cp1252")), "utf-8", "bom")
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(_finish(body.decode("utf-16", "replace")), "utf-16", "bom")
    if not body.isascii():
        try:
            return Decoded(_finish(body.decode("utf-8")), "utf-8", "utf-8")
        except UnicodeDecodeError:
            if _broken_share(body) <= MOSTLY_UTF8:
                return Decoded(_finish(body.decode("utf-8", "presswatch-cp1252")), "utf-8", "mostly utf-8")
    head = body[:4096]
    labels: list[tuple[str | None, str]] = [(charset_from_content_type(content_type), "declared")]
    labels += [(m.group(1).decode("ascii", "ignore"), "meta")
               for m in (_XML_ENCODING.search(head), _CHARSET_META.search(head)) if m]
    for label, why in labels:
        codec = codec_name(label)
        if codec and codec not in ("utf-8", "utf-16"):  # UTF-8 was tried above
            return Decoded(_finish(body.decode(codec, "replace")), codec, why)
        if codec == "utf-8" and body.isascii():
            return Decoded(_finish(body.decode("ascii")), "utf-8", why)
    if body.isascii():
        return Decoded(_finish(body.decode("ascii")), "utf-8", "fallback")
    return Decoded(_finish(body.decode("cp1258", "replace")), "cp1258", "fallback")


def _finish(text: str) -> str:
    text = _XML_DECL.sub("", text, count=1)
    return unicodedata.normalize("NFC", text)


def page_text(body: bytes | str, content_type: str | None = None) -> str:
    """``decode_page(body, content_type).text``."""
    return decode_page(body, content_type).text
