"""Re-clustering after the story rules changed (``presswatch recluster``): the dedup index of recent
articles dropped and recomputed oldest first (``pipeline.dedup.index.reindex``), then every alerted
story given back its id, so that the alert outbox (``UNIQUE(subscription, story_key)``) still sends
one message per story."""

from __future__ import annotations

import logging

import sqlite_utils

from db import stories as q
from pipeline.dedup.index import reindex

log = logging.getLogger(__name__)


def recluster_since(db: sqlite_utils.Database, cutoff: str | None) -> tuple[int, int, int]:
    """Recompute copies, story keys, stories and story links of the articles published (else stored)
    since ``cutoff`` (ISO date-time; None: all). Returns (articles re-clustered, stories among them,
    alerted story ids kept). An alerted story whose id another story took meanwhile keeps the new id
    (logged): its next report may then alert once more."""
    ids = q.ids_since(db, cutoff)
    if not ids:
        return 0, 0, 0
    alerted = q.alerted_stories(db, ids)
    reindex(db, ids=ids)
    kept = 0
    with db.atomic():
        for article_id, old in sorted(alerted.items()):
            new = q.story_of(db, article_id)
            if new is None or new == old:
                kept += new == old
                continue
            if q.story_used(db, old):
                log.warning("article %s: alerted story %s is now story %s (id %s taken by another story)",
                            article_id, old, new, old)
                continue
            q.rename_story(db, new, old)
            kept += 1
    return len(ids), q.count_stories(db, ids), kept
