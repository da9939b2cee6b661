"""Deduplication across URLs and outlets, and story clusters.

- **Exact copies**: equal ``content_hash`` (accent-folded, space-collapsed text) -> ``duplicate_of``.
- **Near copies**: MinHash (datasketch) over word shingles of the accent-folded normalised text;
  the LSH index is persisted as band hashes in ``minhash_bands`` and queried by band, so a restart
  needs no re-reading of stored texts. A candidate over the threshold is a copy unless the
  template-reuse guards say otherwise (dates far apart, other numbers, same outlet with another
  title). A copy points at the *earliest* article of its group and is not news for alerts
  (``is_duplicate``).
- **Stories**: articles of one event share a ``story_id``, decided from weighted evidence
  (pipeline/dedup/evidence.py): names unified through the gazetteer, the country lexicon and
  config/variants.toml, capitalised word pairs (people, titles), the activity, event dates read from
  the text (pipeline/dedup/eventdate.py), title similarity; names weighted by IDF over the stored
  corpus (``story_key_df``). Candidates within +/- ``window_days``, or +/- ``event_window_days``
  with the same event date. Each link is stored with its explanation (``story_links``).
  Guards: other event dates (strong only when both are bound to the activity of their leads), other
  occasions (the activity of the titles or first lead sentences, framing left out), other venues in
  the titles, the story's first report must not speak against the link. A report matching two
  stories whose first reports do not speak against each other joins them (one event stored twice);
  an alerted story keeps its id. ``presswatch recluster`` recomputes stories
  (pipeline/dedup/recluster.py); an alerted story keeps its id.

Thresholds are in config/dedup.toml. ``pipeline.process`` calls ``analyse`` for every new or
rewritten article; the result travels as ``Article.dedup`` (a ``DedupResult``) and db/articles.py
writes it with the article.
"""

from pipeline.dedup.canonical import canonical_from_page, find_canonical_link
from pipeline.dedup.guards import Doc, article_day, numbers, text_event_match, title_similarity
from pipeline.dedup.index import Match, analyse, find_duplicate, find_story, index_rows, is_duplicate, reindex
from pipeline.dedup.minhash import (
    band_hashes,
    band_hashes_batch,
    estimated_jaccard,
    fast_content_hash,
    fast_fold,
    shingle_hashes,
    shingles,
    signature,
    signature_bytes,
    signature_from_bytes,
)
from pipeline.dedup.settings import CONFIG_FILE, DedupConfig, load_config
from pipeline.dedup.stories import entity_keys

__all__ = [
    "DedupConfig", "load_config", "CONFIG_FILE", "shingles", "shingle_hashes", "signature", "signature_bytes",
    "signature_from_bytes", "reindex", "fast_fold", "fast_content_hash", "band_hashes_batch", "band_hashes",
    "numbers", "title_similarity", "entity_keys", "analyse", "find_duplicate", "find_story", "is_duplicate",
    "canonical_from_page", "find_canonical_link", "index_rows", "text_event_match", "estimated_jaccard",
    "article_day", "Doc", "Match",
]
