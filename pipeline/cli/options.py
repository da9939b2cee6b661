"""Options and process helpers shared by the presswatch commands.

- ``existing_db_option``: ``--db PATH`` for commands that only read (``status``, ``serve``,
  ``alerts list``, ``search``, ``report``...): the path must be an existing SQLite database. A
  missing path, a folder or a file that is not SQLite is one clear line and exit code 1; nothing is
  created. Use it in place of ``db_option``; the command receives the checked path as ``db_path``
  (a str). ``check_existing_db(path)`` is the same check for a path from elsewhere.
- ``db_option``: ``--db PATH`` for commands that write (``crawl``, ``run``, ``demo``): a missing file is
  created; an existing path must be a SQLite database (a folder or another file: one line, exit 1).
- ``stop_on_sigterm()``: inside it, SIGTERM and SIGINT raise KeyboardInterrupt (SIGINT even when it
  was ignored at start), so ``with`` blocks and ``finally`` clauses (child processes, temporary
  folders) are cleaned up.
- ``serve_foreground(db_path, metadata, host, port, url)``: Datasette in the foreground for ``serve`` and
  ``demo``: a port in use is one line and exit 1 (no success line); Ctrl-C/SIGTERM stop it.
- ``run_foreground(proc)``: wait for a child; Ctrl-C or SIGTERM stops it (SIGTERM, then SIGKILL) and
  returns. Returns the child's exit code.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

SQLITE_MAGIC = b"SQLite format 3\x00"


def check_existing_db(path: str | Path) -> str:
    """``path`` as a str when it is an existing SQLite database file; otherwise ``click.ClickException``
    (exit code 1) with one line saying what is wrong. Reads 16 bytes; creates nothing."""
    p = Path(path)
    if not p.exists():
        raise click.ClickException(f"no database at {p}: check --db (or $PRESSWATCH_DB); "
                                   "`presswatch crawl` or `presswatch run` creates one")
    if p.is_dir():
        raise click.ClickException(f"{p} is a folder, not a database file")
    try:
        with p.open("rb") as f:
            head = f.read(16)
    except OSError as e:
        raise click.ClickException(f"cannot read {p}: {e.strerror}") from None
    if head and head != SQLITE_MAGIC:
        raise click.ClickException(f"{p} is not a SQLite database")
    return str(p)


def _existing_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    from db import default_db_path

    return check_existing_db(value or default_db_path())


def _new_or_existing_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    from db import default_db_path

    p = Path(value or default_db_path())
    if p.exists() or p.is_symlink():
        return check_existing_db(p)  # a folder or another kind of file: one clear line, not a traceback
    return str(p)


db_option = click.option(
    "--db", "db_path", default=None, metavar="PATH", callback=_new_or_existing_db,
    help="SQLite file, created when missing (default: $PRESSWATCH_DB or presswatch.db in the working directory).",
)

existing_db_option = click.option(
    "--db", "db_path", default=None, metavar="PATH", callback=_existing_db,
    help="An existing SQLite file (default: $PRESSWATCH_DB or presswatch.db in the working directory).",
)


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM and SIGINT raise KeyboardInterrupt in the main thread while inside the block; SIGINT
    too even when this process was started with it ignored (a background job of a script, a CI
    runner): a Ctrl-C or ``kill -INT`` always stops it, as it stops ``presswatch run``."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    old: dict[int, Callable[..., Any] | int | None] = {
        s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)


def run_foreground(proc: subprocess.Popen[Any], grace: float = 10.0) -> int:
    """Wait for ``proc``; on Ctrl-C/SIGTERM (inside ``stop_on_sigterm``) stop it and return its code."""
    from pipeline.run.children import end_process

    try:
        return proc.wait()
    except KeyboardInterrupt:
        end_process(proc, grace)
        return 0
    finally:
        if proc.poll() is None:
            end_process(proc, grace)


def serve_foreground(db_path: str, meta: Path, host: str, port: int, url: str) -> None:
    """Datasette until it exits or Ctrl-C/SIGTERM; a port in use or a Datasette that dies is exit 1."""
    from pipeline.run.children import ChildStartError, start_datasette

    try:
        proc = start_datasette(db_path, meta, host, port)
    except ChildStartError as e:
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:
        return
    try:
        click.echo(f"Datasette on {url} (Ctrl-C stops)")
        code = run_foreground(proc)
    except KeyboardInterrupt:  # the signal came before run_foreground was waiting
        from pipeline.run.children import end_process

        end_process(proc, 10)
        code = 0
    if code not in (0, -15):
        raise click.ClickException(f"Datasette exited with code {code}")
