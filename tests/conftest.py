"""Shared fixtures of the test suite.

- ``loop_site`` / ``loop_site_module``: the one loopback web server (tests/loopback.py ``LoopServer``)
  on 127.0.0.1:0, started, closed after the test (or the module). Register routes with
  ``loop_site.add(path, body, status=..., headers=..., delay=..., conditional=True)``; read what it
  saw in ``hits``, ``path_hits``, ``statuses``, ``posts``, ``request_headers``...
- ``tmp_db``: a migrated SQLite database in a temp directory (``db.open_db``), closed afterwards;
  its file is ``tmp_db.path`` (a Path).
- ``cli``: runs ``pipeline.cli.main`` in process with click's CliRunner and returns the result;
  exceptions other than SystemExit propagate (a traceback fails the test). ``cli.subprocess(...)``
  runs ``python -m pipeline.cli`` as a child process (``sys.executable``); tests that use it are
  ``@pytest.mark.slow``.

Tests that start a child process (the CLI, Datasette, the scheduler, a browser) are marked
``slow``: ``python -m pytest -m "not slow"`` is the fast subset, ``python -m pytest`` runs everything.
A test without the mark that starts one (itself or through a fixture) fails, saying so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import LoopServer

ROOT = Path(__file__).resolve().parent.parent

# trafilatura's first import makes urllib3 warn that PySocks is absent (an environment matter, not the
# code under test); import it once here so that filterwarnings = error does not fail whichever test
# happens to import it first.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import trafilatura  # noqa: F401

# -- keep the fast subset fast: a child process needs @pytest.mark.slow ---------------------------

_current: list[pytest.Item | None] = [None]
_popen_init = subprocess.Popen.__init__


def _guarded_popen_init(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> None:
    item = _current[0]
    if item is not None and item.get_closest_marker("slow") is None:
        pytest.fail(f"{item.nodeid} starts a child process ({str(args[0] if args else kwargs.get('args'))[:100]}): "
                    "mark it @pytest.mark.slow", pytrace=False)
    _popen_init(self, *args, **kwargs)


subprocess.Popen.__init__ = _guarded_popen_init  # type: ignore[method-assign]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _current[0] = item
    try:
        yield
    finally:
        _current[0] = None


@pytest.fixture
def loop_site() -> Iterator[LoopServer]:
    with LoopServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def loop_site_module() -> Iterator[LoopServer]:
    with LoopServer() as srv:
        yield srv


@pytest.fixture
def tmp_db(tmp_path: Path) -> Iterator[Any]:
    from db import open_db

    path = tmp_path / "test.db"
    db = open_db(path)
    db.path = path  # type: ignore[attr-defined]  # sqlite_utils.Database has no file name attribute of its own
    yield db
    db.close()


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a child presswatch: this one without PRESSWATCH_* settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSWATCH_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def run_cli(*args: str, timeout: float = 300, env: dict[str, str] | None = None,
            cwd: str | Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline.cli ARGS`` as a child process (the interpreter running the tests)."""
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


class Cli:
    """``cli("sites", "--sites", f)``: the click command in process; ``cli.subprocess(...)``: a child."""

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Any:
        from click.testing import CliRunner

        from pipeline.cli import main

        return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    @staticmethod
    def subprocess(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, **kw)


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (skipped without either); one for the whole run."""
    from tests.serverlib import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
