"""A served Datasette (or any HTTP child process) and Debian's Chromium, for the browser and JSON tests.

- ``serving(cmd)``: start ``cmd`` (a server listening on 127.0.0.1), wait until ``/-/versions.json``
  answers, yield; stop it (SIGTERM, then SIGKILL) afterwards. Use it inside ``@slow`` tests' fixtures.
- ``free_port()``, ``wait_http(url, proc)``, ``CHROMIUM``/``CHROMIUM_ARGS`` (Playwright drives Debian's
  /usr/bin/chromium and downloads no browser); the ``browser`` fixture is in tests/conftest.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

CHROMIUM = os.environ.get("PRESSWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"datasette exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


@contextmanager
def serving(cmd: Sequence[str], port: int, env: Mapping[str, str] | None = None,
            grace: float = 15) -> Iterator[str]:
    """``cmd`` serving on 127.0.0.1:``port``; yields its base URL once ``/-/versions.json`` answers."""
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=dict(env) if env is not None else None)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/-/versions.json", proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
