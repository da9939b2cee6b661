"""Screenshots of the main Datasette pages, for docs/: articles, search, article, chart, and the
analysts' workspace (home, stories, report: tests/test_workspace_browser.py).

    python bench/screenshots.py [OUT_DIR]        # default: docs/

Runs the headless-Chromium test of tests/test_datasette.py (the sample database, the real
`presswatch serve` command) with PRESSWATCH_SCREENSHOTS set, so the pictures show exactly what
the test checked. Needs Debian's chromium (/usr/bin/chromium) and the playwright package.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("articles", "search", "article", "chart", "home", "stories", "report")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    env = {**os.environ, "PRESSWATCH_SCREENSHOTS": str(out)}
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_datasette.py", "tests/test_workspace_browser.py", "-k", "browser",
         "-q", "-rs"],
        cwd=ROOT, env=env,
    )
    if r.returncode != 0:
        return r.returncode
    shots = {n: out / f"{n}.png" for n in NAMES}
    fresh = [n for n, p in shots.items() if p.exists() and p.stat().st_mtime >= started]
    for n in NAMES:
        print(f"{out / (n + '.png')}: {'written' if n in fresh else 'NOT written (test skipped?)'}")
    return 0 if len(fresh) == len(NAMES) else 1


if __name__ == "__main__":
    sys.exit(main())
