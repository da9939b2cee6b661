"""Speed of pipeline.extract.extract_article against bare trafilatura.extract on the same pages.

    python bench/extract.py [--rounds 7]

Pages: the real saved pages in ../shared/realpages (skipped when absent) and any HTML fixtures in the
repository (tests/**/*.htm*, config/samples/**/*.htm*, .gz too). Each round times both extractors on
every page (interleaved, so machine noise hits both); the median round is reported as pages/s. The
ratio is extract_article time / bare trafilatura time (target <= 1.25). Peak memory is measured in a
separate pass with tracemalloc (Python allocations only: libxml2's trees are not traced) and as the
peak RSS of a fresh child process doing one pass with one extractor.
"""

from __future__ import annotations

import argparse
import csv
import gc
import gzip
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from pipeline.extract import extract_article  # noqa: E402

SHARED = ROOT.parent / "shared" / "realpages"


def pages() -> list[tuple[str, str, bytes]]:
    """(name, url, bytes) of every page available."""
    out: list[tuple[str, str, bytes]] = []
    manifest = SHARED / "MANIFEST.tsv"
    if manifest.exists():
        with open(manifest, encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                p = SHARED / row["local_file"]
                if p.suffix == ".html" and p.exists():
                    out.append((row["local_file"], row["original_url"], p.read_bytes()))
    for pattern in ("tests/**/*.htm*", "config/samples/**/*.htm*"):
        for p in sorted(ROOT.glob(pattern)):
            if not p.is_file():
                continue
            data = p.read_bytes()
            if p.suffix == ".gz":
                data = gzip.decompress(data)
            out.append((str(p.relative_to(ROOT)), f"https://fixture.example.vn/{p.stem}", data))
    return out


def run_ours(items: list[tuple[str, str, bytes]]) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = 0
    for _, url, data in items:
        n += extract_article(data, url) is not None
    return time.perf_counter() - t0, n


def run_bare(items: list[tuple[str, str, str]]) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = 0
    for _, _, text in items:
        n += trafilatura.extract(text) is not None
    return time.perf_counter() - t0, n


def peak(fn, arg) -> int:  # type: ignore[no-untyped-def]
    gc.collect()
    tracemalloc.start()
    fn(arg)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--mem", choices=["ours", "bare", "none"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    items = pages()
    if args.mem:  # child process: one pass of one extractor, then its peak RSS (KB)
        if args.mem == "ours":
            run_ours(items)
        elif args.mem == "bare":
            run_bare([(n, u, d.decode("utf-8", "replace")) for n, u, d in items])
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        return 0
    if not items:
        print("no pages found (../shared/realpages absent and no HTML fixtures in the repo)")
        return 1
    # the bare baseline gets what trafilatura users usually pass: the page as a string
    texts = [(name, url, data.decode("utf-8", "replace")) for name, url, data in items]
    size = sum(len(d) for _, _, d in items)
    print(f"{len(items)} pages, {size / 1024:.0f} KB")
    run_ours(items)  # warm-up: imports, caches
    run_bare(texts)
    ours, bare = [], []
    accepted = 0
    for i in range(args.rounds):
        if i % 2:
            bare.append(run_bare(texts)[0])
            t, accepted = run_ours(items)
            ours.append(t)
        else:
            t, accepted = run_ours(items)
            ours.append(t)
            bare.append(run_bare(texts)[0])
    m_ours, m_bare = statistics.median(ours), statistics.median(bare)
    ratio = m_ours / m_bare
    print(
        f"extract_article     : {len(items) / m_ours:7.1f} pages/s  (median of {args.rounds} rounds, "
        f"{1000 * m_ours / len(items):.1f} ms/page; {accepted}/{len(items)} accepted as articles)"
    )
    print(
        f"trafilatura.extract : {len(items) / m_bare:7.1f} pages/s  "
        f"({1000 * m_bare / len(items):.1f} ms/page)"
    )
    print(
        f"ratio (time ours / time bare): {ratio:.2f}  (target <= 1.25: {'OK' if ratio <= 1.25 else 'OVER'})"
    )
    # the same on the article pages only (bare trafilatura is slowest on listing pages, which flatters us)
    arts = [(i, t) for i, t in zip(items, texts, strict=True) if extract_article(i[2], i[1]) is not None]
    if arts and len(arts) < len(items):
        a_items, a_texts = [a for a, _ in arts], [t for _, t in arts]
        a_o, a_b = [], []
        for _ in range(args.rounds):  # interleaved, like the main rounds
            a_o.append(run_ours(a_items)[0])
            a_b.append(run_bare(a_texts)[0])
        a_ours, a_bare = statistics.median(a_o), statistics.median(a_b)
        print(
            f"articles only ({len(a_items)} pages): extract_article {len(a_items) / a_ours:.1f} pages/s, "
            f"trafilatura.extract {len(a_items) / a_bare:.1f} pages/s, ratio {a_ours / a_bare:.2f}"
        )
    p_ours = peak(run_ours, items)
    p_bare = peak(run_bare, texts)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = {}
    for which in ("none", "ours", "bare"):
        out = subprocess.run([sys.executable, __file__, "--mem", which], capture_output=True, text=True)
        ok = out.returncode == 0 and out.stdout.split()
        child[which] = int(out.stdout.split()[-1]) / 1024 if ok else 0.0
    print(
        f"peak traced memory: extract_article {p_ours / 2**20:.1f} MB, "
        f"trafilatura.extract {p_bare / 2**20:.1f} MB;"
        f" this process max RSS {rss:.0f} MB"
    )
    print(
        f"peak RSS of a fresh process doing one pass: extract_article {child['ours']:.0f} MB, "
        f"trafilatura.extract {child['bare']:.0f} MB (imports and pages only: {child['none']:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
