"""Benchmark of the relevance scorer on labelled real articles (not part of the repository).

    python bench/relevance.py [path/to/dev.jsonl]

Default: ../shared/relevance/dev.jsonl relative to the repository root; the seeds are read
from the sibling folder ../shared/seeds/*.txt (first line = title). Prints precision,
recall, F1, the confusion matrix, how many hard negatives are rejected, the seeds' verdicts
and the speed in articles per second on one core (median of several timed passes over the
set repeated). Exits 0 (with a note) when the data is absent.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.relevance import load_lexicon, score  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "relevance" / "dev.jsonl"
GOAL_F1, GOAL_HARD, GOAL_SPEED = 0.92, 0.90, 500.0


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


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    if not path.is_file():
        print(f"skipped: no labelled set at {path}")
        return 0
    items = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    load_lexicon()
    tp = fp = fn = tn = hard = hard_ok = 0
    misses = []
    for it in items:
        r = score({"title": it.get("title", ""), "text": it.get("text", "")})
        gold = it.get("label") == "positive"
        tp += gold and r.relevant
        fp += (not gold) and r.relevant
        fn += gold and not r.relevant
        tn += (not gold) and not r.relevant
        if not gold and it.get("hard"):
            hard += 1
            hard_ok += not r.relevant
        if gold != r.relevant:
            what = "FN" if gold else "FP"
            misses.append(f"  {what} {it.get('id')} {r.score:.3f} {it.get('title', '')[:70]}")
    p = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    hr = hard_ok / hard if hard else 1.0
    print(f"relevance on {path} ({len(items)} articles)")
    print(f"  precision {p:.3f}  recall {rc:.3f}  F1 {f1:.3f}   (goal F1 >= {GOAL_F1})")
    print(f"  hard negatives rejected {hard_ok}/{hard} = {hr:.0%}   (goal >= {GOAL_HARD:.0%})")
    print("  confusion matrix       predicted +   predicted -")
    print(f"    gold positive        {tp:>10}   {fn:>11}")
    print(f"    gold negative        {fp:>10}   {tn:>11}")
    for m in misses:
        print(m)

    seeds = _seeds(path.parent.parent)
    if seeds:
        ok = 0
        for s in seeds:
            r = score(s)
            ok += r.relevant
            verdict = "relevant" if r.relevant else "NOT relevant"
            print(f"  seed {s['id']}: {verdict} {r.score:.3f} {r.provinces}")
        print(f"  seeds relevant {ok}/{len(seeds)}")
    dev = [{"title": i.get("title", ""), "text": i.get("text", "")} for i in items]
    rate = _speed(dev)
    print(f"  speed {rate:.0f} articles/s on one core (dev set repeated, median of 5 passes)"
          f"   (goal >= {GOAL_SPEED:.0f})")
    if seeds:
        print(f"  speed {_speed(seeds, min_items=200):.0f} articles/s on the seeds (full articles, 5-12 kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
