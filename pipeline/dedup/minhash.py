"""MinHash signatures of word shingles over the accent-folded text, and their LSH band hashes.

Pure functions (numpy + datasketch): text -> shingle hashes -> signature (uint32 x num_perm) -> band hashes
(signed 64-bit, one per band, what ``minhash_bands`` stores)."""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
from datasketch import MinHash

from pipeline.dedup.settings import DedupConfig, load_config
from pipeline.normalize import fold

# -- pure functions ---------------------------------------------------------------------------
_M1, _M2, _P = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), np.uint64(0x100000001B3)
_WORD = re.compile(r"\w+")
# an outlet's byline prefix: "(Dân trí) - ", "(TTXVN) – ", "(PLO)- ", "TPO - "
_PREFIX = re.compile(r"^\s*(\([^)\n]{1,30}\)|[A-ZĐ]{2,10})\s*[-–—:]\s*")


_TOKEN_FOLDS: dict[str, str] = {}


def _fold_tokens(tokens: Iterable[str]) -> list[str]:
    """``normalize.fold`` of each white-space token, memoised (news re-uses a few thousand
    syllables): folding token by token gives what folding the whole text gives."""
    cache, out = _TOKEN_FOLDS, []
    for t in tokens:
        f = cache.get(t)
        if f is None:
            if len(cache) >= 500_000:
                cache.clear()
            f = cache[t] = fold(t)
        out.append(f)
    return out


def fast_fold(s: str) -> str:
    """``normalize.fold(s)`` with white space collapsed to single spaces (memoised per token)."""
    return " ".join(t for t in _fold_tokens(s.split()) if t)  # a lone combining mark folds to nothing


def fast_content_hash(text: str) -> str:
    """``pipeline.process.content_hash`` (sha1 of the folded, space-collapsed text), memoised per token."""
    return hashlib.sha1(fast_fold(text).encode()).hexdigest()


def _words(text: str) -> list[str]:
    text = text or ""
    m = _PREFIX.match(text)
    return _WORD.findall(fast_fold(text[m.end():] if m else text))


def shingles(text: str, k: int = 3) -> list[bytes]:
    """Distinct k-word shingles of the accent-folded normalised text (fewer words: one shingle)."""
    w = _words(text)
    if len(w) < k:
        return [" ".join(w).encode()] if w else []
    return list(dict.fromkeys(" ".join(w[i : i + k]).encode() for i in range(len(w) - k + 1)))


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[Any, str]:
    m = MinHash(num_perm=num_perm, seed=1, hashfunc=zlib.crc32, scheme="affine32")
    return m.permutations, "affine32"


_MASK32 = np.uint64(0xFFFFFFFF)


def shingle_hashes(text: str, k: int = 3) -> np.ndarray:
    """32-bit hashes of the distinct k-word shingles of ``shingles(text, k)``, computed from one
    CRC-32 per word (a polynomial over the k word hashes, mixed): no string per shingle."""
    w = _words(text)
    if not w:
        return np.zeros(0, dtype=np.uint32)
    h = np.fromiter((zlib.crc32(x.encode()) for x in w), dtype=np.uint64, count=len(w))
    n = max(1, len(w) - k + 1)
    c = np.zeros(n, dtype=np.uint64)
    for j in range(min(k, len(w))):
        c = c * _P ^ h[j : j + n]
    c ^= c >> np.uint64(31)
    c *= _M1
    c ^= c >> np.uint64(29)
    return np.unique((c ^ (c >> np.uint64(32))) & _MASK32).astype(np.uint32)


def _identity(x: Any) -> Any:
    return x


def signature(text: str, cfg: DedupConfig | None = None) -> np.ndarray:
    """MinHash signature (uint32 x num_perm, datasketch's affine32 scheme) of the text's word shingles."""
    cfg = cfg or load_config()
    perms, scheme = _permutations(cfg.num_perm)
    m = MinHash(num_perm=cfg.num_perm, seed=1, hashfunc=_identity, permutations=perms, scheme=scheme)
    hv = shingle_hashes(text, cfg.shingle)
    if len(hv):
        m.update_batch(hv.tolist())
    return np.asarray(m.hashvalues, dtype=np.uint32)


def signature_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def band_hashes_batch(sigs: np.ndarray, b: int, r: int) -> np.ndarray:
    """(n, b) signed 64-bit LSH band hashes of (n, num_perm) signatures: a polynomial hash of each
    band's r rows with the band index mixed in, finished with splitmix64 (bands never collide)."""
    rows = np.asarray(sigs, dtype=np.uint32)[:, : b * r].reshape(len(sigs), b, r).astype(np.uint64)
    h = np.broadcast_to(np.arange(1, b + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15), rows.shape[:2]).copy()
    for k in range(r):
        h = h * _P ^ rows[:, :, k]
    h ^= h >> np.uint64(30)
    h *= _M1
    h ^= h >> np.uint64(27)
    h *= _M2
    h ^= h >> np.uint64(31)
    return h.view(np.int64)


def band_hashes(sig: np.ndarray, b: int, r: int) -> list[int]:
    """One signed 64-bit hash per LSH band of one signature (SQLite INTEGER)."""
    return [int(x) for x in band_hashes_batch(np.asarray(sig)[None, :], b, r)[0]]


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) != len(b) or not len(a):
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)
