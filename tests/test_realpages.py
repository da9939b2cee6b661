"""Every real saved page of ../shared/realpages extracts right, field by field (tests/realpages.toml:
title, minute, author, first and last line, no text from outside the article, must_contain /
must_not_contain), and non-articles (listings, an aggregator's redirect stub) are refused with the
right reason. Skipped when ../shared is absent; the pages are never copied into the repo."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REALPAGES = ROOT.parent / "shared" / "realpages"

_spec = importlib.util.spec_from_file_location("bench_realpages", ROOT / "bench" / "realpages.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

PAGES = bench.expectations()


def test_expectations_cover_the_manifest() -> None:
    if not (REALPAGES / "MANIFEST.tsv").exists():
        pytest.skip("../shared/realpages absent")
    import csv

    with open(REALPAGES / "MANIFEST.tsv", encoding="utf-8") as f:
        html_pages = {r["local_file"] for r in csv.DictReader(f, delimiter="\t") if r["local_file"].endswith(".html")}
    assert html_pages <= {p["file"] for p in PAGES}


@pytest.mark.parametrize("exp", PAGES, ids=[p["file"].split("/")[-1][:50] for p in PAGES])
def test_real_page_extracts_right(exp: dict) -> None:
    page = REALPAGES / exp["file"]
    if not page.exists():
        pytest.skip(f"{page} absent")
    res = bench.check_page(exp, page.read_bytes())
    assert {k: v for k, v in res.items() if v is not True} == {}
