"""Press summary generation time: a week of 2,000 articles in 300 stories (invented, tests/reportlib.py).

    python bench/report.py [--stories 300] [--articles 2000] [--runs 3]

Builds the database once (stories reported by 1-13 outlets so that the articles add up), then times
``build_report`` (the SQL and grouping) and each output: DOCX (python-docx), PDF (WeasyPrint),
HTML, Markdown. Prints the median of ``--runs`` runs per format, the pages of the PDF and the
ratio of each format to the data step measured in the same run. Target: DOCX and PDF under 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db import open_db  # noqa: E402
from pipeline.report import Period, build_report, render  # noqa: E402
from tests.reportlib import build_stories_db  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=300)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    per_story = max(1, round(2 * args.articles / args.stories - 1))  # story i has 1 + i % per_story reports
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        db_path = build_stories_db(Path(tmp) / "bench.db", stories=args.stories, per_story=per_story, days=6)
        built = time.perf_counter() - t0
        db = open_db(db_path)
        n_articles = db.execute("select count(*) from articles").fetchone()[0]
        times: dict[str, list[float]] = {"data": [], "docx": [], "pdf": [], "html": [], "md": []}
        size: dict[str, int] = {}
        rep = None
        for _ in range(args.runs):
            t = time.perf_counter()
            rep = build_report(db.conn, Period.since("7d"))
            times["data"].append(time.perf_counter() - t)
            for fmt in ("docx", "pdf", "html", "md"):
                t = time.perf_counter()
                out = render(rep, fmt)
                times[fmt].append(time.perf_counter() - t)
                size[fmt] = len(out)
        assert rep is not None
        pages = size and render(rep, "pdf").count(b"/Type /Page\n") or 0
        db.close()
    print(f"{n_articles} articles, {len(rep.stories)} stories in {len(rep.groups)} provinces "
          f"(database built in {built:.1f} s)")
    base = statistics.median(times["data"])
    for fmt, ts in times.items():
        med = statistics.median(ts)
        extra = f"{size[fmt] / 1024:8.0f} KiB" if fmt in size else ""
        total = f"  data+render {med + (base if fmt != 'data' else 0):.2f} s" if fmt != "data" else ""
        print(f"{fmt:5} median {med:6.2f} s  ({med / base:5.1f}x data){total} {extra}")
    if pages:
        print(f"PDF pages: {pages}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
