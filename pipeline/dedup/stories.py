"""Story keys: accent-folded pairs of adjacent capitalised words, the names that reports of one event share."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pipeline.dedup.minhash import fast_fold

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
