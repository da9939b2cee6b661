"""Benchmark of the activity extractor on labelled real articles (not part of the repository).

    python bench/activities.py [path/to/shared/relevance] [-v]

Reads activities.jsonl (the labels: see ACTIVITIES.md there) and the article texts of dev.jsonl and
more.jsonl. Per article, the first labelled activity is compared with the first extracted one:
kind right, event date exact (null = null counts), and per field F1 over the article's sets of
localities (as the text names them, and as 2025 units) and partner countries (all activities).
Printed per kind of the label and per file (dev.jsonl ids r…, more.jsonl ids n…), with activity
counts (extracted vs labelled). Negatives (every article whose label is not positive) must give
no activity: counted without and with the relevance gate the pipeline applies. Speed: median ms per
positive article over several passes, with relevance scoring timed in the same run (ratio) and
the load average (the figures vary with the machine's load). ``-v`` prints every miss. Exits 0 (with a note) when the
data is absent.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.activities import extract_activities  # noqa: E402
from pipeline.relevance import load_lexicon, score  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "relevance"
GOALS = {"kind": 0.90, "locality F1": 0.90, "country F1": 0.90, "date exact": 0.85, "ms/article": 2.0}


class F1:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, pred: set[str], gold: set[str]) -> None:
        self.tp += len(pred & gold)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 1.0


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    shared = Path(args[0]) if args else DEFAULT
    if not (shared / "activities.jsonl").exists():
        print(f"no {shared / 'activities.jsonl'}: nothing to measure")
        return 0
    lex = load_lexicon()
    units = {e.name: e.parent for e in lex.entities.values() if e.kind == "province"}
    arts = {}
    for name in ("dev.jsonl", "more.jsonl"):
        for line in (shared / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                o = json.loads(line)
                arts[o["id"]] = o
    lines = (shared / "activities.jsonl").read_text(encoding="utf-8").splitlines()
    labels = [json.loads(x) for x in lines if x.strip()]
    groups: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    f1s: dict[str, dict[str, F1]] = defaultdict(lambda: defaultdict(F1))
    counts = defaultdict(lambda: [0, 0])
    positives = []
    for lab in labels:
        a = arts.get(lab["id"])
        if a is None:
            continue
        positives.append(a)
        pred = extract_activities(a)
        gold = lab["activities"]
        keys = ["all", "file " + ("dev" if lab["id"].startswith("r") else "more")]
        keys.append("kind " + (gold[0]["kind"] if gold else "(none)"))
        for k in keys:
            counts[k][0] += len(pred)
            counts[k][1] += len(gold)
            f1s[k]["locality F1"].add({p.locality for p in pred if p.locality}, {g["locality"] for g in gold})
            f1s[k]["unit F1"].add({p.locality_unit or "" for p in pred},
                                  {units.get(g["locality"], g["locality"]) for g in gold})
            f1s[k]["country F1"].add({c for p in pred for c in p.partner_countries},
                                     {c for g in gold for c in g["partner_countries"]})
        if not gold:
            for k in keys:
                groups[k]["no activity"].append(float(not pred))
            continue
        p0, g0 = (pred[0] if pred else None), gold[0]
        ok_kind = p0 is not None and p0.kind == g0["kind"]
        ok_date = (p0.date if p0 else None) == g0["date"]
        for k in keys:
            groups[k]["kind"].append(float(ok_kind))
            groups[k]["date exact"].append(float(ok_date))
        if verbose and not (ok_kind and ok_date and p0 and p0.locality == g0["locality"]
                            and set(p0.partner_countries) == set(g0["partner_countries"])):
            got = (p0.kind, p0.date, p0.locality, p0.partner_countries) if p0 else None
            print(f"  {lab['id']}: got {got} want {(g0['kind'], g0['date'], g0['locality'], g0['partner_countries'])}")
            if p0:
                print(f"      evidence: {p0.evidence[:140]}")
    print(f"{'group':<24}{'n':>4}{'kind':>7}{'date':>7}{'loc F1':>8}{'unit F1':>8}{'ctry F1':>8}{'acts got/want':>15}")
    for k in sorted(groups, key=lambda x: (x != "all", x)):
        g = groups[k]
        n = len(g["kind"]) + len(g["no activity"])

        def pct(vals: list[float]) -> str:
            return f"{100 * sum(vals) / len(vals):.0f}%" if vals else "-"

        print(f"{k:<24}{n:>4}{pct(g['kind']):>7}{pct(g['date exact']):>7}{f1s[k]['locality F1'].f1():>8.2f}"
              f"{f1s[k]['unit F1'].f1():>8.2f}{f1s[k]['country F1'].f1():>8.2f}{counts[k][0]:>8}/{counts[k][1]}")
    neg = [a for a in arts.values() if a.get("label") != "positive"]
    invented = [a["id"] for a in neg if extract_activities(a)]
    gated = [i for i in invented if score(arts[i], lex).relevant]
    print(f"negatives: {len(neg)}; with an activity: {len(invented)} without the relevance gate {invented}, "
          f"{len(gated)} with it {gated}")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        for a in positives:
            extract_activities(a, lexicon=lex)
        times.append((time.perf_counter() - t0) / max(1, len(positives)) * 1000)
    ms = statistics.median(times)
    base = []
    for _ in range(5):
        t0 = time.perf_counter()
        for a in positives:
            score(a, lex)
        base.append((time.perf_counter() - t0) / max(1, len(positives)) * 1000)
    bms = statistics.median(base)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"speed: {ms:.2f} ms per positive article (median of 5 passes over {len(positives)}; goal <= 2 ms); "
          f"relevance score() in the same run: {bms:.2f} ms (ratio {ms / bms:.2f}); load average {load}")
    g = groups["all"]
    print("goals: " + ", ".join(f"{name} >= {goal}" for name, goal in GOALS.items() if name != "ms/article")
          + f"; measured kind {sum(g['kind']) / len(g['kind']):.2f}, "
          f"date {sum(g['date exact']) / len(g['date exact']):.2f}, "
          f"locality F1 {f1s['all']['locality F1'].f1():.2f}, country F1 {f1s['all']['country F1'].f1():.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
