"""Press summary generation time: a week of 2,000 articles in 300 stories (invented, tests/reportlib.py).

    python bench/report.py [--stories 300] [--articles 2000] [--runs 3]

Builds the database once (stories reported by 1-13 outlets so that the articles add up), then times
``build_report`` (the SQL and grouping) and each output: DOCX (python-docx), PDF (fpdf2, what
``render(rep, "pdf")`` makes), HTML, Markdown, and for comparison the same report through
WeasyPrint from the printable HTML (``pdf-weasy``, the PDF path before; skipped when WeasyPrint or
Pango is missing). Prints the median of ``--runs`` runs per format, the pages of the PDF, the ratio
of each format to the data step measured in the same run and the load average (other work on the
machine slows every figure). Target: DOCX and PDF under 5 s.
"""

from __future__ import annotations

import argparse
import logging
import os
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


def weasyprint_pdf(rep: object) -> bytes | None:
    """The report's printable HTML through WeasyPrint (the PDF path before fpdf2), None without it."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError):
        return None
    from pipeline.report.html_page import document

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    out = HTML(string=document(rep)).write_pdf()  # type: ignore[arg-type]
    return bytes(out) if out is not None else None


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
        times: dict[str, list[float]] = {"data": [], "docx": [], "pdf": [], "html": [], "md": [], "pdf-weasy": []}
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
            t = time.perf_counter()
            weasy = weasyprint_pdf(rep)
            if weasy is not None:
                times["pdf-weasy"].append(time.perf_counter() - t)
                size["pdf-weasy"] = len(weasy)
        assert rep is not None
        pdf = render(rep, "pdf")
        pages = pdf.count(b"/Type /Page\n")
        db.close()
    print(f"{n_articles} articles, {len(rep.stories)} stories in {len(rep.groups)} provinces "
          f"(database built in {built:.1f} s)")
    print("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)")
    base = statistics.median(times["data"])
    for fmt, ts in times.items():
        if not ts:
            continue
        med = statistics.median(ts)
        extra = f"{size[fmt] / 1024:8.0f} KiB" if fmt in size else ""
        total = f"  data+render {med + (base if fmt != 'data' else 0):.2f} s" if fmt != "data" else ""
        print(f"{fmt:9} median {med:6.2f} s  ({med / base:5.1f}x data){total} {extra}")
    if pages:
        print(f"PDF pages: {pages}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
