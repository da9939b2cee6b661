"""The layers of the tree, checked by walking every import (AST, imports inside functions included).

- ``config`` imports nothing of ours (its ``datasette_plugins/`` hook file is Datasette's plugin
  directory, loaded by Datasette, not part of the package: it may call into ``pipeline.publish``);
- ``db`` imports only ``config`` (and itself);
- pure ``pipeline`` modules never import ``spiders``, Scrapy or Twisted: only ``pipeline/run/`` and
  ``pipeline/cli/`` (the run and CLI modules) may;
- ``spiders`` never imports the run or CLI modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"config", "db", "pipeline", "spiders"}
SCRAPY = {"scrapy", "twisted"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in the file, at any depth (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    pkg = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names if base in OURS]
    return out


def allowed(rel: str, module: str) -> bool:
    top = module.split(".")[0]
    if rel.startswith("config/datasette_plugins/"):
        return top not in ("spiders", *SCRAPY) and not module.startswith(("pipeline.run", "pipeline.cli"))
    if rel.startswith("config/"):
        return top not in OURS - {"config"}
    if rel.startswith("db/"):
        return top not in OURS - {"db", "config"}
    if rel.startswith(("pipeline/run/", "pipeline/cli/")):
        return True
    if rel.startswith("pipeline/"):
        return top not in ("spiders", *SCRAPY) and not module.startswith(("pipeline.run", "pipeline.cli"))
    if rel.startswith("spiders/"):
        return not module.startswith(("pipeline.run", "pipeline.cli"))
    return True


def package_files() -> list[Path]:
    return sorted(p for d in OURS for p in (ROOT / d).rglob("*.py") if "samples/www" not in p.as_posix())


def test_every_import_respects_the_layers():
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod}"
           for p in package_files() for line, mod in imports_of(p) if not allowed(p.relative_to(ROOT).as_posix(), mod)]
    assert not bad, "layer violations:\n" + "\n".join(bad)


@pytest.mark.parametrize(("rel", "module", "ok"), [
    ("config/__init__.py", "pipeline.urls", False),
    ("db/articles.py", "pipeline.article", False),
    ("db/articles.py", "config", True),
    ("pipeline/extract/body.py", "scrapy.http", False),
    ("pipeline/dedup.py", "spiders.news", False),
    ("pipeline/run/crawl.py", "spiders.news", True),
    ("spiders/news.py", "pipeline.run.scheduler", False),
])
def test_the_checker_catches_violations(rel, module, ok):
    assert allowed(rel, module) is ok


def test_imports_inside_functions_are_seen(tmp_path, monkeypatch):
    src = ROOT / "pipeline" / "_layer_probe.py"
    src.write_text("def f():\n    from spiders.news import NewsSpider\n    return NewsSpider\n", encoding="utf-8")
    try:
        assert (2, "spiders.news") in imports_of(src)
        assert not allowed("pipeline/_layer_probe.py", "spiders.news")
    finally:
        src.unlink()


def test_no_module_over_400_lines():
    """A module the next engineer can read: the package code stays under ~400 lines a file."""
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in package_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420]
    assert not long, "split these modules:\n" + "\n".join(long)
