"""Deduplication across URLs and outlets, and story clusters.

- **Exact copies**: equal ``content_hash`` (accent-folded, space-collapsed text) -> ``duplicate_of``.
- **Near copies**: MinHash (datasketch) over word shingles of the accent-folded normalised text;
  the LSH index is persisted as band hashes in ``minhash_bands`` and queried by band, so a restart
  needs no re-reading of stored texts. A candidate over the threshold is a copy unless the
  template-reuse guards say otherwise (dates far apart, other numbers, same outlet with another
  title). A copy points at the *earliest* article of its group and is not news for alerts
  (``is_duplicate``).
- **Stories**: articles of one event (shared named-entity keys - accent-folded pairs of
  capitalised words - within +/- ``window_days``, similar titles) share a ``story_id``.

Thresholds are in config/dedup.toml. ``pipeline.process`` calls ``analyse`` for every new or
rewritten article; the result travels as ``Article.dedup`` (a ``DedupResult``) and db/articles.py
writes it with the article.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import numpy as np
import sqlite_utils
from datasketch import MinHash
from datasketch.lsh import _optimal_param

from config import VN_TZ
from db.articles import IndexRows
from pipeline.article import Article, DedupResult
from pipeline.normalize import fold
from pipeline.urls import canonical_url

__all__ = [
    "DedupConfig", "load_config", "shingles", "shingle_hashes", "signature", "reindex", "fast_fold",
    "fast_content_hash", "band_hashes_batch", "band_hashes", "numbers", "title_similarity",
    "entity_keys", "analyse", "find_duplicate", "find_story", "is_duplicate", "canonical_from_page",
    "find_canonical_link", "index_rows", "text_event_match", "estimated_jaccard",
    "article_day",
]

CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "dedup.toml"


@dataclass(frozen=True)
class DedupConfig:
    num_perm: int = 128
    shingle: int = 3
    threshold: float = 0.5
    lsh_threshold: float = 0.4
    copy_threshold: float = 0.85
    max_days: int = 7
    min_numbers_jaccard: float = 0.5
    min_title_same_site: float = 0.5
    window_days: int = 3
    min_shared: int = 3
    min_score: float = 0.35
    max_keys: int = 60
    common: frozenset[str] = field(default_factory=frozenset)

    @property
    def bands(self) -> tuple[int, int]:
        """(b, r): LSH bands and rows per band for ``lsh_threshold`` (datasketch's optimum)."""
        return _bands(self.lsh_threshold, self.num_perm)


@lru_cache(maxsize=8)
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    b, r = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(b), int(r)


def load_config(path: str | Path | None = None) -> DedupConfig:
    return _load_config(str(path or CONFIG_FILE))


@lru_cache(maxsize=4)
def _load_config(path: str) -> DedupConfig:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    kw: dict[str, Any] = {}
    for section in ("minhash", "story"):
        for k, v in (data.get(section) or {}).items():
            if k not in DedupConfig.__dataclass_fields__:
                raise ValueError(f"{path}: [{section}] unknown key {k!r}")
            kw[k] = frozenset(v) if k == "common" else v
    cfg = DedupConfig(**kw)
    if not 0 < cfg.lsh_threshold <= cfg.threshold < 1 or cfg.num_perm < 16:
        raise ValueError(f"{path}: need 0 < lsh_threshold <= threshold < 1 and num_perm >= 16")
    return cfg


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
    return " ".join(_fold_tokens(s.split()))


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


_NUMBER = re.compile(r"\d+(?:[.,/:-]\d+)*")


def numbers(text: str) -> set[str]:
    """The numbers, dates and figures of a text ('3.11', '2025', '1,5'), separators unified."""
    return {re.sub(r"[.,/:-]", ".", n) for n in _NUMBER.findall(text or "")}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def title_similarity(a: str, b: str) -> float:
    """Jaccard of the accent-folded title words."""
    return _jaccard(set(_words(a)), set(_words(b)))


_SEGMENT = re.compile(r"[^\w\s]+|\n")
# capitalised at the start of a sentence or as a title, never the first word of a name (accent-folded)
_NOT_NAME_START = frozenset(
    "tai theo ong ba sang chieu toi dem ngay trong sau truoc voi ve khi hom nam thang tu den o cung con "
    "nhung cac mot nhieu de va tham du pho dong dai duoc tu nay do la".split()
)


def entity_keys(title: str, text: str, max_keys: int = 60, common: Iterable[str] = ()) -> list[str]:
    """Named-entity keys: accent-folded pairs of adjacent capitalised words ('Tây Ninh' -> 'tay ninh',
    'Nguyễn Văn Quyết' -> 'nguyen van', 'van quyet'), most frequent first. A pair never spans
    punctuation and never starts with a word that opens sentences or titles ('Tại', 'Ông', 'Phó')."""
    raw: Counter[str] = Counter()
    for seg in _SEGMENT.split(f"{title}\n{text}"):  # both normalised by extraction already
        words = seg.split()
        for w1, w2 in zip(words, words[1:], strict=False):
            if w1[:1].isupper() and w2[:1].isupper() and not w1.isdigit() and not w2.isdigit():
                raw[f"{w1} {w2}"] += 1
    skip = set(common)
    counts: Counter[str] = Counter()
    for pair, n in raw.items():
        key = fast_fold(pair)
        if key not in skip and key.split(" ", 1)[0] not in _NOT_NAME_START:
            counts[key] += n
    return [k for k, _ in counts.most_common(max_keys)]


def _day(s: str | None) -> date | None:
    if not s or len(s) < 10:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


def article_day(published: str | None, fetched_at: str | None) -> str:
    d = _day(published) or _day(fetched_at) or date.today()
    return d.isoformat()


@dataclass
class Doc:
    """What the near-copy guards compare."""

    site: str | None
    title: str
    text: str
    published: str | None


def text_event_match(a: Doc, b: Doc, jaccard: float, cfg: DedupConfig) -> bool:
    """Given two texts whose estimated Jaccard passed the LSH threshold: one article (True) or a
    template re-used for another event (False)?

    - published further apart than ``max_days``: another event, unless a near-verbatim copy
      (``copy_threshold``) on another outlet (a content farm copying an old article);
    - the numbers and dates of the texts disagree (``min_numbers_jaccard``): another event;
    - the same outlet under a clearly different title, below ``copy_threshold``: another event."""
    if jaccard < cfg.threshold:
        return False
    da, db_ = _day(a.published), _day(b.published)
    far = da is not None and db_ is not None and abs((da - db_).days) > cfg.max_days
    same_site = bool(a.site) and a.site == b.site
    if far and (same_site or jaccard < cfg.copy_threshold):
        return False
    na, nb = numbers(a.title + " " + a.text), numbers(b.title + " " + b.text)
    if na and nb and _jaccard(na, nb) < cfg.min_numbers_jaccard:
        return False
    if same_site and jaccard < cfg.copy_threshold:
        return title_similarity(a.title, b.title) >= cfg.min_title_same_site
    return True


# -- index queries ----------------------------------------------------------------------------
@dataclass
class Match:
    duplicate_of: int | None = None  # the earliest article of the group
    supersedes: int | None = None  # the new article is earlier than this group root: it takes its place
    jaccard: float = 0.0
    exact: bool = False


_FAR = datetime(9999, 1, 1, tzinfo=UTC)


def _instant(s: str | None) -> datetime | None:
    """An ISO date or date-time as an aware datetime (no offset: Vietnam time)."""
    if not s:
        return None
    try:
        d = datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=VN_TZ)


def _order_key(published: str | None, fetched_at: str | None, id_: int) -> tuple[datetime, int]:
    return (_instant(published) or _instant(fetched_at) or _FAR, id_)


def _in(ids: Sequence[Any]) -> str:
    return ",".join("?" * len(ids))


def find_duplicate(db: sqlite_utils.Database, a: Article, sig: np.ndarray, bands: list[int],
                   chash: str, cfg: DedupConfig, exclude: int | None = None) -> Match | None:
    """The stored group this article copies (exactly or nearly), or None. ``exclude``: the
    article's own id when it is stored already (re-indexing)."""
    new_doc = Doc(a.site, a.title, a.text, a.published)
    hits: dict[int, tuple[float, bool]] = {}
    for (id_,) in db.execute("SELECT id FROM articles WHERE content_hash = ? AND id IS NOT ? ORDER BY id LIMIT 5",
                             [chash, exclude]):
        hits[id_] = (1.0, True)
    if not hits and bands:
        b, _ = cfg.bands
        cand = {aid for h, band, aid in db.execute(
            f"SELECT hash, band, article_id FROM minhash_bands WHERE hash IN ({_in(bands)})", bands)
            if 0 <= band < b and bands[band] == h and aid != exclude}
        if cand:
            ids = sorted(cand)[:200]
            rows = db.execute(
                f"SELECT article_id, minhash FROM article_minhash WHERE article_id IN ({_in(ids)})", ids
            ).fetchall()
            close = {i: estimated_jaccard(sig, signature_from_bytes(m)) for i, m in rows}
            close = {i: j for i, j in close.items() if j >= cfg.threshold}
            if close:
                ids = sorted(close)
                for i, site, title, text, published in db.execute(
                    f"SELECT id, site, title, text, published FROM articles WHERE id IN ({_in(ids)})", ids
                ):
                    if text_event_match(new_doc, Doc(site, title, text, published), close[i], cfg):
                        hits[i] = (close[i], False)
    if not hits:
        return None
    ids = sorted(hits)
    roots: dict[int, int] = {}
    for i, dup in db.execute(f"SELECT id, duplicate_of FROM articles WHERE id IN ({_in(ids)})", ids):
        roots[i] = dup or i
    root_ids = sorted(set(roots.values()))
    order = {
        i: _order_key(p, f, i)
        for i, p, f in db.execute(
            f"SELECT id, published, fetched_at FROM articles WHERE id IN ({_in(root_ids)})", root_ids)
    }
    root = min(root_ids, key=lambda i: order.get(i, (_FAR, i)))
    best = max(hits[i][0] for i in ids if roots[i] == root)
    exact = any(hits[i][1] for i in ids if roots[i] == root)
    new_when = _instant(a.published)
    if new_when is not None and root in order and new_when < order[root][0]:
        return Match(supersedes=root, jaccard=best, exact=exact)
    return Match(duplicate_of=root, jaccard=best, exact=exact)


def find_story(db: sqlite_utils.Database, a: Article, keys: list[str], day: str,
               cfg: DedupConfig) -> int | None:
    """The story_id of the stored article that best reports the same event, or None."""
    if len(keys) < cfg.min_shared:
        return None
    d = date.fromisoformat(day)
    w = timedelta(days=cfg.window_days)
    lo, hi = (d - w).isoformat(), (d + w).isoformat()
    shared = {
        aid: n for aid, n in db.execute(
            f"SELECT article_id, count(DISTINCT key) FROM story_keys WHERE key IN ({_in(keys)}) "
            "AND day BETWEEN ? AND ? GROUP BY article_id HAVING count(DISTINCT key) >= ?",
            [*keys, lo, hi, cfg.min_shared])
    }
    if not shared:
        return None
    ids = sorted(shared, key=lambda i: -shared[i])[:100]
    sizes = dict(db.execute(
        f"SELECT article_id, count(DISTINCT key) FROM story_keys WHERE article_id IN ({_in(ids)}) "
        "GROUP BY article_id", ids).fetchall())
    best: tuple[float, int] | None = None
    for i, title, story in db.execute(
        f"SELECT id, title, coalesce(story_id, id) FROM articles WHERE id IN ({_in(ids)})", ids
    ):
        overlap = shared[i] / max(1, min(len(keys), sizes.get(i, len(keys))))
        score = 0.7 * overlap + 0.3 * title_similarity(a.title, title)
        if score >= cfg.min_score and (best is None or score > best[0]):
            best = (score, story)
    return best[1] if best else None


def _story_of(db: sqlite_utils.Database, article_id: int) -> int | None:
    row = db.execute("SELECT coalesce(story_id, id) FROM articles WHERE id = ?", [article_id]).fetchone()
    return int(row[0]) if row else None


def analyse(db: sqlite_utils.Database, a: Article, cfg: DedupConfig | None = None,
            fetched_at: str | None = None, exclude: int | None = None) -> DedupResult:
    """Everything the store writes with an article: signature, bands, duplicate, story.
    ``exclude``: the article's own id when it is stored already (re-indexing, re-clustering).
    Reads the stored index (minhash_bands, article_minhash, story_keys); writes nothing."""
    from db import utcnow

    cfg = cfg or load_config()
    body = a.title + "\n" + a.text if len(a.text.split()) < 50 else a.text
    sig = signature(body, cfg)
    b, r = cfg.bands
    bands = band_hashes(sig, b, r) if _words(body) else []  # no words: nothing to compare
    chash = fast_content_hash(a.text)
    m = find_duplicate(db, a, sig, bands, chash, cfg, exclude)
    day = article_day(a.published, fetched_at or utcnow())
    out = DedupResult(minhash=signature_bytes(sig), bands=bands, story_day=day)
    if m is not None and m.duplicate_of is not None:
        out.duplicate_of = m.duplicate_of
        out.duplicate_jaccard = round(m.jaccard, 3)
        out.story_id = _story_of(db, m.duplicate_of)
        return out
    out.story_keys = entity_keys(a.title, a.text, cfg.max_keys, cfg.common)
    if m is not None and m.supersedes is not None:
        out.supersedes = m.supersedes
        out.story_id = _story_of(db, m.supersedes)
        return out
    out.story_id = find_story(db, a, out.story_keys, day, cfg)
    return out


def index_rows(d: DedupResult) -> IndexRows:
    """The db-side rows of a dedup result (db.articles.write_index)."""
    return IndexRows(minhash=d.minhash, bands=list(d.bands), story_keys=list(d.story_keys), story_day=d.story_day,
                     supersedes=d.supersedes)


def is_duplicate(x: Any) -> bool:
    """True for a copy of an earlier article (not news for alerts): an Article (or a stage item
    holding one) whose dedup result has ``duplicate_of``, or a database row (dict) with ``duplicate_of`` set.
    In SQL: ``duplicate_of IS NOT NULL``."""
    art = getattr(x, "article", None) or x
    if isinstance(art, Article):
        return art.duplicate_of is not None
    if isinstance(x, dict):
        return x.get("duplicate_of") is not None
    return False


# -- canonical URLs from the page -------------------------------------------------------------
_LINK_TAG = re.compile(rb"<(link|meta)\b[^>]*>", re.I)
_ATTR = re.compile(rb"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def find_canonical_link(html: bytes | str) -> str | None:
    """``<link rel=canonical href>``, else ``<meta property=og:url content>``, from the page head."""
    body = html.encode("utf-8", "replace") if isinstance(html, str) else html
    head = body[:200_000]
    end = head.lower().find(b"</head>")
    if end > 0:
        head = head[:end]
    og = None
    for m in _LINK_TAG.finditer(head):
        attrs = {k.lower(): (v1 or v2 or v3) for k, v1, v2, v3 in _ATTR.findall(m.group(0))}
        if m.group(1).lower() == b"link" and b"canonical" in attrs.get(b"rel", b"").lower().split():
            href = attrs.get(b"href", b"").strip()
            if href:
                return href.decode("utf-8", "replace")
        if m.group(1).lower() == b"meta" and attrs.get(b"property", b"").lower() == b"og:url" and og is None:
            og = attrs.get(b"content", b"").strip().decode("utf-8", "replace") or None
    return og


def canonical_from_page(url: str, canonical_link: str | None, spec: Any = None) -> str:
    """The storage key after download: the page's canonical link (``rel=canonical`` / ``og:url``)
    when it is an article URL of the same site, else the canonical form of ``url``."""
    own = canonical_url(url, spec if spec is not None else ())
    if not canonical_link:
        return own
    link = canonical_url(urljoin(url, canonical_link.strip()), spec if spec is not None else ())
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or parts.path in ("", "/"):
        return own
    if spec is not None:
        return link if spec.is_article_url(link) else own
    host, own_host = (parts.hostname or ""), (urlsplit(own).hostname or "")
    def base(h: str) -> str:
        return ".".join(h.split(".")[-2:])
    return link if host and base(host) == base(own_host) else own


def reindex(db: sqlite_utils.Database, *, rebuild: bool = False, batch: int = 500,
            ids: list[int] | None = None) -> int:
    """Index the articles that have no MinHash yet (stored before deduplication existed, or all of
    them with ``rebuild`` - after num_perm or lsh_threshold changed; or exactly ``ids``, whose index
    is dropped first: ``presswatch recluster``): oldest first, each is checked against those indexed
    before it, so copies in the backlog get ``duplicate_of`` and stories form.
    Returns the number of articles indexed."""
    from db.articles import articles_by_id, clear_index, set_links, unindexed_ids, write_index

    cfg = load_config()
    if rebuild or ids is not None:
        clear_index(db, ids)
    todo = unindexed_ids(db)
    done = 0
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        by_id = articles_by_id(db, chunk)
        for aid in chunk:
            _, url, site, title, text, published, fetched_at = by_id[aid]
            a = Article(url=url, title=title, text=text, site=site, published=published)
            out = analyse(db, a, cfg, fetched_at=fetched_at, exclude=aid)
            with db.atomic():
                set_links(db, aid, out.duplicate_of, out.story_id)
                write_index(db, aid, index_rows(out))
            done += 1
    return done
