"""Benchmark of the relevance scorer on labelled real articles (not part of the repository).

    python bench/relevance.py [FILE.jsonl ...]

Default: ../shared/relevance/dev.jsonl and more.jsonl relative to the repository root; the
seeds are read from ../shared/seeds/*.txt (first line = title). Prints, for the files together:

- precision, recall, F1, the confusion matrix and the hard negatives rejected;
- each kind separately: accuracy per gold label (positive, national_fa, local_other, other,
  world), hard negatives per label, full texts vs excerpts;
- short excerpts: every article cut to its first 900 characters of text (as many outlets'
  stored excerpts are), F1 and how many verdicts change against the whole text;
- the margin: articles whose score is within 0.1 of the threshold;
- cross-validated F1 of the threshold choice (5 folds, and leave-one-file-out): the threshold
  is picked on the other folds from a grid and applied to the held-out fold;
- the misses, the seeds' verdicts and the speed in articles per second on one core (median of
  5 timed passes; full articles = the seeds, 5-12 kB).

Exits 0 (with a note) when the data is absent.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.relevance import load_lexicon, score  # noqa: E402

SHARED = ROOT.parent / "shared"
DEFAULT = [SHARED / "relevance" / "dev.jsonl", SHARED / "relevance" / "more.jsonl"]
GOAL_F1, GOAL_HARD, GOAL_SPEED = 0.95, 0.95, 250.0
EXCERPT = 900


def _seeds(shared: Path) -> list[dict[str, str]]:
    out = []
    for p in sorted((shared / "seeds").glob("*.txt")):
        lines = p.read_text(encoding="utf-8").strip().split("\n", 1)
        out.append({"id": p.stem, "title": lines[0].strip(), "text": lines[1] if len(lines) > 1 else ""})
    return out


def _speed(items: list[dict[str, str]], runs: int = 5, min_items: int = 1000) -> float:
    reps = max(1, -(-min_items // max(1, len(items))))
    batch = items * reps
    rates = []
    for _ in range(runs):
        t0 = time.process_time()  # CPU time of this process: one core, robust to a busy machine
        for it in batch:
            score(it)
        rates.append(len(batch) / (time.process_time() - t0))
    return statistics.median(rates)


def prf(gold: list[bool], pred: list[bool]) -> tuple[float, float, float]:
    """Precision, recall, F1 of boolean verdicts (0.0 where undefined)."""
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _best_threshold(scores: list[float], gold: list[bool]) -> float:
    grid = [x / 100 for x in range(20, 81, 2)]
    return max(grid, key=lambda t: (prf(gold, [s >= t for s in scores])[2], -abs(t - 0.5)))


def cross_validated(scores: list[float], gold: list[bool], folds: list[int]) -> tuple[float, list[float]]:
    """F1 over all held-out predictions when each fold's threshold is chosen on the other folds;
    returns (F1, thresholds chosen)."""
    pred = [False] * len(scores)
    chosen = []
    for f in sorted(set(folds)):
        tr = [i for i, x in enumerate(folds) if x != f]
        t = _best_threshold([scores[i] for i in tr], [gold[i] for i in tr])
        chosen.append(t)
        for i, x in enumerate(folds):
            if x == f:
                pred[i] = scores[i] >= t
    return prf(gold, pred)[2], chosen


def _load(paths: list[Path]) -> list[dict[str, Any]]:
    items = []
    for path in paths:
        for x in path.read_text(encoding="utf-8").splitlines():
            if x.strip():
                it = json.loads(x)
                it["_file"] = path.name
                items.append(it)
    return items


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv[1:]] or DEFAULT
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"skipped: no labelled set at {missing[0]}")
        return 0
    items = _load(paths)
    lex = load_lexicon()
    gold = [it.get("label") == "positive" for it in items]
    rels = [score({"title": it.get("title", ""), "text": it.get("text", "")}) for it in items]
    pred = [r.relevant for r in rels]
    scores = [r.score for r in rels]
    p, rc, f1 = prf(gold, pred)
    hard = [i for i, it in enumerate(items) if not gold[i] and it.get("hard")]
    hard_ok = sum(not pred[i] for i in hard)
    print(f"relevance on {' + '.join(p.name for p in paths)} ({len(items)} articles)")
    print(f"  precision {p:.3f}  recall {rc:.3f}  F1 {f1:.3f}   (goal F1 >= {GOAL_F1})")
    print(f"  hard negatives rejected {hard_ok}/{len(hard)} = {hard_ok / max(1, len(hard)):.0%}"
          f"   (goal >= {GOAL_HARD:.0%})")
    tp = sum(g and q for g, q in zip(gold, pred, strict=True))
    fn = sum(g and not q for g, q in zip(gold, pred, strict=True))
    fp = sum(q and not g for g, q in zip(gold, pred, strict=True))
    print("  confusion matrix       predicted +   predicted -")
    print(f"    gold positive        {tp:>10}   {fn:>11}")
    print(f"    gold negative        {fp:>10}   {len(items) - tp - fn - fp:>11}")

    print("  by kind (correct / n):")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        groups[f"label {it.get('label')}"].append(i)
        if not gold[i] and it.get("hard"):
            groups[f"hard {it.get('label')}"].append(i)
        groups["text full" if it.get("text_status") == "full" else "text excerpt"].append(i)
        groups[f"file {it['_file']}"].append(i)
    for k in sorted(groups):
        ids = groups[k]
        ok = sum(pred[i] == gold[i] for i in ids)
        print(f"    {k:<24} {ok:>3}/{len(ids):<3}")

    cut = [score({"title": it.get("title", ""), "text": it.get("text", "")[:EXCERPT]}) for it in items]
    cpred = [r.relevant for r in cut]
    cp, cr, cf = prf(gold, cpred)
    changed = [items[i]["id"] for i in range(len(items)) if cpred[i] != pred[i]]
    chard = sum(not cpred[i] for i in hard)
    print(f"  short excerpts (text cut to {EXCERPT} chars): P {cp:.3f} R {cr:.3f} F1 {cf:.3f}, hard rejected "
          f"{chard}/{len(hard)}; verdicts changed vs whole text: {len(changed)} {changed}")
    near = [(items[i]["id"], scores[i], items[i]["label"]) for i in range(len(items))
            if abs(scores[i] - lex.threshold) < 0.1]
    print(f"  margin: {len(near)} articles within 0.1 of the threshold {lex.threshold}: "
          + ", ".join(f"{a} {s:.2f} {lab}" for a, s, lab in near))
    folds5 = [i % 5 for i in range(len(items))]
    cv5, t5 = cross_validated(scores, gold, folds5)
    print(f"  cross-validated F1 (threshold chosen on the other folds): 5-fold {cv5:.3f} "
          f"(thresholds {', '.join(f'{t:.2f}' for t in t5)})", end="")
    if len(paths) > 1:
        fnames = [it["_file"] for it in items]
        cvf, tf = cross_validated(scores, gold, [paths.index(Path(next(p for p in paths if p.name == n)))
                                                 for n in fnames])
        print(f"; leave-one-file-out {cvf:.3f} (thresholds {', '.join(f'{t:.2f}' for t in tf)})")
    else:
        print()
    for i, it in enumerate(items):
        if gold[i] != pred[i]:
            print(f"  {'FN' if gold[i] else 'FP'} {it.get('id')} {scores[i]:.3f} {it.get('title', '')[:70]}")

    seeds = _seeds(SHARED)
    if seeds:
        ok = 0
        for s in seeds:
            r = score(s)
            ok += r.relevant
            print(f"  seed {s['id']}: {'relevant' if r.relevant else 'NOT relevant'} {r.score:.3f} {r.provinces}")
        print(f"  seeds relevant {ok}/{len(seeds)}")
    dev = [{"title": i.get("title", ""), "text": i.get("text", "")} for i in items]
    print(f"  speed {_speed(dev):.0f} articles/s on one core (labelled excerpts repeated, median of 5 passes)")
    if seeds:
        print(f"  speed {_speed(seeds, min_items=200):.0f} articles/s on full articles (the seeds, 5-12 kB)"
              f"   (goal >= {GOAL_SPEED:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
