"""The analyst's workspace in a real headless Chromium (Playwright driving Debian's /usr/bin/chromium)
against the real ``presswatch serve`` command: home, story list with filters, an article, the
press summary, and the press summary printed to PDF fits A4 (no text outside the page box).

``PRESSWATCH_SCREENSHOTS=DIR`` saves the pictures of docs/ (``python bench/screenshots.py``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reportlib import PROVINCES, build_stories_db
from tests.serverlib import free_port, serving
from tests.test_datasette import shot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_stories_db(tmp_path_factory.mktemp("ws") / "presswatch.db", stories=24, days=5)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSWATCH_AUTH")}
    with serving([sys.executable, "-m", "pipeline.cli", "serve", "--db", str(db), "--port", str(port)], port,
                 env=env) as base:
        yield base


def test_home_stories_article_and_report(served: str, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{served}/")
        assert page.locator("h1").first.inner_text() == "Đối ngoại địa phương trên báo chí"
        assert page.locator(".pw-health").count() == 1
        assert page.locator(".pw-counts li").count() >= 2
        assert page.locator("a", has_text="Dữ liệu gốc").count() == 1  # raw tables stay reachable
        shot(page, "home", full_page=True)

        page.locator(".pw-nav a", has_text="Danh sách tin").click()
        page.wait_for_url("**/-/tin")
        rows = page.locator("table.pw-stories tbody tr")
        assert rows.count() == 24
        assert page.locator("th", has_text="Thời gian (giờ VN)").count() == 1
        shot(page, "stories", full_page=True)

        # filters: a province, then today only; then a search typed without accents
        page.select_option('select[name="tinh"]', PROVINCES[0])
        page.locator("form.pw-filters button[type=submit]").click()
        page.wait_for_url("**tinh=**")
        chips = page.locator("table.pw-stories td.pw-places").all_inner_texts()
        assert chips and all(PROVINCES[0] in c for c in chips)
        page.select_option('select[name="ky"]', "hom-nay")
        page.locator("form.pw-filters button[type=submit]").click()
        page.wait_for_url("**ky=hom-nay**")
        assert page.locator("table.pw-stories tbody tr").count() <= len(chips)
        page.goto(f"{served}/-/tin")
        page.fill('input[name="q"]', "da nang")
        page.locator('input[name="q"]').press("Enter")
        page.wait_for_url("**q=da+nang**")
        titles = page.locator("table.pw-stories td.pw-title a").all_inner_texts()
        assert titles and all("Đà Nẵng" in t for t in titles), titles

        # an article, from its title
        page.locator("table.pw-stories td.pw-title a").first.click()
        page.wait_for_selector("article.pw-article")
        assert page.locator("article.pw-article h1").inner_text() == titles[0]

        # the press summary, and printed to PDF
        page.goto(f"{served}/-/diem-bao?ky=7")
        assert page.locator(".pw-report h2").count() >= 3
        assert page.locator(".pw-report .pw-story").count() == 24
        assert page.locator("a.pw-download").count() == 3
        shot(page, "report", full_page=True)
        page.emulate_media(media="print")
        assert not page.locator("form.pw-filters").is_visible()
        assert not page.locator("header").is_visible()
        pdf = tmp_path / "print.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        assert not errors, errors
    finally:
        page.close()
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    _assert_fits_a4(pdf)


def _assert_fits_a4(pdf: Path) -> None:
    """Every word of every page lies inside the page box (595 x 842 pt), and every title is there."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)
    assert pages
    for w, h, body in pages:
        assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2, (w, h)
        for x0, y0, x1, y1 in re.findall(r'xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"', body):
            assert 0 <= float(x0) and float(x1) <= float(w) + 0.5, (x0, x1)
            assert 0 <= float(y0) and float(y1) <= float(h) + 0.5, (y0, y1)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    from tests.reportlib import story_title

    for i in range(24):
        assert story_title(i) in flat, story_title(i)
