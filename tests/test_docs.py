"""The docs are kept true: site-spec fields, environment variables, canned queries and the README's
layout table are checked against the code (files only: no subprocess, no git)."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from pathlib import Path

import yaml

import config
from config import settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PACKAGE_DIRS = ("pipeline", "spiders", "db", "config")
ENV_NAME = re.compile(r"\bPRESSWATCH_[A-Z0-9_]*[A-Z0-9]\b")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The body of a '## heading' section, up to the next '## ' heading."""
    head = f"## {heading}\n"
    assert head in text, f"no '## {heading}' section"
    return text.split(head, 1)[1].split("\n## ", 1)[0]


# (a) every SiteSpec field -------------------------------------------------------------------------

def test_every_site_spec_field_is_documented_in_adding_an_outlet() -> None:
    doc = _read(DOCS / "adding-an-outlet.md")
    fields = [f.name for f in dataclasses.fields(config.SiteSpec) if f.name not in ("extra", "key")]
    assert len(fields) > 10  # the scan sees the real dataclass
    missing = [f for f in fields if f"`{f}`" not in doc]
    assert missing == [], f"SiteSpec fields not documented in docs/adding-an-outlet.md: {missing}"


# (b) every PRESSWATCH_* variable ----------------------------------------------------------------

def _package_env_names() -> dict[str, str]:
    found: dict[str, str] = {}
    for top in PACKAGE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "__pycache__" in rel or rel == "config/settings.py":
                continue
            for name in ENV_NAME.findall(_read(path)):
                found.setdefault(name, rel)
    return found


def test_the_scan_finds_the_variables() -> None:
    names = _package_env_names()
    assert {"PRESSWATCH_CACHE_SECONDS", "PRESSWATCH_SMTP_PASS"} <= set(names), names


def test_every_env_variable_in_the_code_is_defined_in_settings_and_documented() -> None:
    doc = _read(DOCS / "configuration.md")
    defined = set(settings.VARIABLES) | set(settings.SECRET_EXAMPLES)
    names = _package_env_names()
    undefined = {n: where for n, where in names.items() if n not in defined}
    assert undefined == {}, f"PRESSWATCH_* names not defined in config/settings.py: {undefined}"
    undocumented = {n: where for n, where in names.items() if f"`{n}`" not in doc}
    assert undocumented == {}, f"PRESSWATCH_* names not documented in docs/configuration.md: {undocumented}"


def test_every_settings_variable_is_documented_and_read_nowhere_else() -> None:
    doc = _read(DOCS / "configuration.md")
    missing = [n for n in [*settings.VARIABLES, *settings.SECRET_EXAMPLES] if f"`{n}`" not in doc]
    assert missing == [], f"not in docs/configuration.md: {missing}"
    source = _read(ROOT / "config" / "settings.py")
    assert [n for n in settings.VARIABLES if n not in source] == []
    # the package reads its environment only through config/settings.py (setting a variable for a
    # child process, ``os.environ["PRESSWATCH_X"] = ...``, is not a read)
    direct = re.compile(r"""os\.(?:environ\.get\(|getenv\()\s*["']PRESSWATCH_"""
                        r"""|os\.environ\[\s*["']PRESSWATCH_\w+["']\s*\](?!\s*=[^=])""")
    readers = []
    for top in PACKAGE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            text = _read(path)
            # also through a constant: ENV = "PRESSWATCH_X" ... os.environ.get(ENV)
            consts = re.findall(r"""^\s*([A-Z_][A-Z0-9_]*)\s*=\s*["']PRESSWATCH_""", text, re.M)
            via = any(re.search(rf"os\.(?:environ\.get\(|getenv\(|environ\[)\s*{c}\b(?!\]\s*=[^=])", text)
                      for c in consts)
            if rel != "config/settings.py" and (direct.search(text) or via):
                readers.append(rel)
    assert readers == [], f"read PRESSWATCH_* directly instead of through config.settings: {readers}"


# (c) every canned query ---------------------------------------------------------------------------

def test_every_canned_query_is_documented_in_datasette_md() -> None:
    meta = yaml.safe_load(_read(ROOT / "config" / "datasette.yml"))
    queries = [q for db in (meta.get("databases") or {}).values() for q in ((db or {}).get("queries") or {})]
    assert queries, "no canned queries found in config/datasette.yml"
    doc = _read(DOCS / "datasette.md")
    missing = [q for q in queries if not re.search(rf"(?<![\w-]){re.escape(q)}(?![\w-])", doc)]
    assert missing == [], f"canned queries not in docs/datasette.md: {missing}"


# (d) the README's layout table --------------------------------------------------------------------

def _ignored(name: str) -> bool:
    patterns = [ln.strip().rstrip("/") for ln in _read(ROOT / ".gitignore").splitlines()
                if ln.strip() and not ln.startswith("#")]
    return any(fnmatch.fnmatch(name, p) for p in patterns)


def _tracked_top_folders() -> set[str]:
    """Top-level folders that hold project files: not hidden, not ignored by .gitignore."""
    return {p.name for p in ROOT.iterdir()
            if p.is_dir() and not p.name.startswith((".", "_")) and not _ignored(p.name)
            and any(f.is_file() for f in p.rglob("*"))}


def _pipeline_subpackages() -> set[str]:
    return {p.name for p in (ROOT / "pipeline").iterdir() if p.is_dir() and (p / "__init__.py").is_file()}


def _layout_folders() -> list[str]:
    """The folders the README's layout table names in its first column (`x/`, `pipeline/y/`)."""
    rows = [ln for ln in _section(_read(ROOT / "README.md"), "Layout").splitlines() if ln.startswith("|")]
    return [m for ln in rows for m in re.findall(r"`([\w./-]+)/`", ln.split("|")[1])]


def test_readme_layout_lists_every_top_folder_and_pipeline_subpackage() -> None:
    listed = set(_layout_folders())
    tops = _tracked_top_folders()
    assert {"spiders", "pipeline", "db", "config", "tests", "bench", "docs"} <= tops  # the scan works
    assert sorted(tops - listed) == [], "top-level folders missing from README's Layout table"
    subs = {f"pipeline/{s}" for s in _pipeline_subpackages()}
    assert sorted(subs - listed) == [], "pipeline sub-packages missing from README's Layout table"


def test_readme_layout_names_no_folder_that_does_not_exist() -> None:
    layout = _section(_read(ROOT / "README.md"), "Layout")
    named = set(_layout_folders())
    assert named, "no folders found in README's Layout table"
    gone = sorted(f for f in named if not (ROOT / f).is_dir())
    assert gone == [], f"README's Layout table names folders that do not exist: {gone}"
    # every folder path mentioned in the table (`pipeline/extract/`, `spiders/stages/...`) exists
    tops = _tracked_top_folders()
    for path in re.findall(r"`([\w.-]+(?:/[\w.-]+)*)/", layout):
        if path.split("/")[0] in tops:
            assert (ROOT / path).is_dir(), f"README's Layout table names a missing folder: {path}/"
