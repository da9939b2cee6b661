"""Every ``PRESSWATCH_*`` environment variable, in one place, read when asked (never at import).

Each function below reads its variable at call time, so a test's ``monkeypatch.setenv`` or a
child process's environment is always seen. A value that cannot be used raises ``ConfigError``
naming the variable; an unset or empty variable means the default.

===========================  =============================================  =======  ====================
Variable                     Meaning                                        Unit     Default
===========================  =============================================  =======  ====================
PRESSWATCH_DB                The SQLite database file (``--db`` wins)       path     presswatch.db in the
                                                                                     working directory
PRESSWATCH_ALERTS            The alerts TOML file (``--alerts`` wins)       path     config/alerts.toml
PRESSWATCH_CACHE_SECONDS     Datasette response cache lifetime; 0 turns it  seconds  60
                             off (``serve --cache-seconds`` sets it)
PRESSWATCH_DOWNLOAD_TIMEOUT  Per-request download timeout of a crawl        seconds  30 (spiders/settings)
PRESSWATCH_KILL_GRACE        SIGTERM to SIGKILL of a child crawl (its       seconds  20
                             timeout, or ``presswatch run`` stopping)
PRESSWATCH_START_STAGGER     Gap between the sites' first passes            seconds  5
PRESSWATCH_MAX_PARALLEL      Child crawls running at once                   count    4
PRESSWATCH_RETIRE_AFTER      A sitemap shard unchanged this long is         seconds  604800 (7 days)
                             retired (fetched only when its lastmod moves)
PRESSWATCH_RETIRED_RECHECK   A retired shard is fetched anyway this often   seconds  2592000 (30 days)
PRESSWATCH_MAX_PAGE_COUNT    Test hook: cap the database file at this many  pages    no cap
                             SQLite pages (simulates a full disk)
PRESSWATCH_CI_VENV           The virtualenv ``.ci/run`` builds (shell)      path     a temporary dir
PRESSWATCH_SCREENSHOTS       Tests/bench: save Datasette screenshots here   path     not saved
PRESSWATCH_CHROMIUM          Tests: the browser of the Datasette UI tests   path     /usr/bin/chromium
PRESSWATCH_AUTH_FILE         Datasette logins: a file of ``user:hash``      path     none (no logins)
                             lines (datasette-auth-passwords hashes)
PRESSWATCH_AUTH_USERS        Datasette logins: ``user:hash`` pairs          text     none (no logins)
                             separated by spaces or commas
===========================  =============================================  =======  ====================

Seconds may also be written as a duration: ``90``, ``90s``, ``15m``, ``2h``, ``7d``.

Names a user chooses for secrets are not read by presswatch itself: an alert channel URL in the
alerts file may say ``${PRESSWATCH_SMTP_PASS}`` (or any other variable) and it is expanded from
the environment when the channel is used (pipeline/alerts). ``SECRET_EXAMPLES`` lists the names
the bundled docs and config use as examples.

docs/configuration.md carries the same table; tests/test_docs.py checks that they agree.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from config import ConfigError, parse_duration

__all__ = [
    "VARIABLES", "SECRET_EXAMPLES", "Variable", "db_path", "alerts_file", "cache_seconds",
    "download_timeout", "kill_grace", "start_stagger", "max_parallel", "retire_after",
    "retired_recheck", "max_page_count", "auth_users",
]


@dataclass(frozen=True)
class Variable:
    name: str
    meaning: str
    unit: str
    default: str


VARIABLES: dict[str, Variable] = {v.name: v for v in (
    Variable("PRESSWATCH_DB", "The SQLite database file (--db wins)", "path", "presswatch.db"),
    Variable("PRESSWATCH_ALERTS", "The alerts TOML file (--alerts wins)", "path", "config/alerts.toml"),
    Variable("PRESSWATCH_CACHE_SECONDS", "Datasette response cache lifetime; 0 = off", "seconds", "60"),
    Variable("PRESSWATCH_DOWNLOAD_TIMEOUT", "Per-request download timeout of a crawl", "seconds", "30"),
    Variable("PRESSWATCH_KILL_GRACE", "SIGTERM to SIGKILL of a child crawl", "seconds", "20"),
    Variable("PRESSWATCH_START_STAGGER", "Gap between the sites' first passes", "seconds", "5"),
    Variable("PRESSWATCH_MAX_PARALLEL", "Child crawls at once", "count", "4"),
    Variable("PRESSWATCH_RETIRE_AFTER", "Unchanged sitemap shard retired after", "seconds", "604800"),
    Variable("PRESSWATCH_RETIRED_RECHECK", "Retired shard fetched anyway every", "seconds", "2592000"),
    Variable("PRESSWATCH_MAX_PAGE_COUNT", "Test hook: database size cap", "pages", "no cap"),
    Variable("PRESSWATCH_CI_VENV", "Virtualenv of .ci/run (shell)", "path", "a temporary directory"),
    Variable("PRESSWATCH_SCREENSHOTS", "Tests/bench: screenshot directory", "path", "not saved"),
    Variable("PRESSWATCH_CHROMIUM", "Tests: browser for the UI tests", "path", "/usr/bin/chromium"),
    Variable("PRESSWATCH_AUTH_FILE", "Datasette logins: file of user:hash lines", "path", "none"),
    Variable("PRESSWATCH_AUTH_USERS", "Datasette logins: user:hash pairs", "text", "none"),
)}

# secrets a user names in an alert channel URL (``${NAME}``); examples only, never read here
SECRET_EXAMPLES = ("PRESSWATCH_SMTP_PASS", "PRESSWATCH_TELEGRAM_TOKEN", "PRESSWATCH_TELEGRAM_CHAT",
                   "PRESSWATCH_SLACK_TOKENS")


def _raw(name: str) -> str | None:
    assert name in VARIABLES, name  # every variable read is in the table
    value = os.environ.get(name)
    return value if value is not None and value.strip() else None


def _seconds(name: str, default: float, *, positive: bool = False) -> float:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        try:
            value = parse_duration(raw)
        except ValueError:
            raise ConfigError(f"${name}={raw!r}: not a number of seconds "
                              "(e.g. 20, 90s, 15m, 2h, 7d)") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"${name}={raw!r}: not a finite number of seconds")
    if value < 0 or (positive and value == 0):
        raise ConfigError(f"${name}={raw!r}: must be {'above' if positive else 'at least'} 0 seconds")
    return value


def _count(name: str, default: int | None) -> int | None:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"${name}={raw!r}: not a whole number") from None
    if value < 1:
        raise ConfigError(f"${name}={raw!r}: must be 1 or more")
    return value


def db_path() -> str | None:
    """PRESSWATCH_DB: the database file, or None (then presswatch.db in the working directory)."""
    return _raw("PRESSWATCH_DB")


def alerts_file() -> str | None:
    """PRESSWATCH_ALERTS: the alerts TOML file, or None (then the bundled config/alerts.toml)."""
    return _raw("PRESSWATCH_ALERTS")


def cache_seconds(default: float = 60.0) -> float:
    """PRESSWATCH_CACHE_SECONDS: lifetime of a cached Datasette answer; 0 turns the cache off."""
    return _seconds("PRESSWATCH_CACHE_SECONDS", default)


def download_timeout() -> float | None:
    """PRESSWATCH_DOWNLOAD_TIMEOUT: per-request timeout, or None (spiders/settings.py's 30 s)."""
    if _raw("PRESSWATCH_DOWNLOAD_TIMEOUT") is None:
        return None
    return _seconds("PRESSWATCH_DOWNLOAD_TIMEOUT", 30.0, positive=True)


def kill_grace() -> float:
    """PRESSWATCH_KILL_GRACE: seconds between SIGTERM and SIGKILL of a child crawl (20)."""
    return _seconds("PRESSWATCH_KILL_GRACE", 20.0)


def start_stagger() -> float:
    """PRESSWATCH_START_STAGGER: seconds between the sites' first passes at start-up (5)."""
    return _seconds("PRESSWATCH_START_STAGGER", 5.0)


def max_parallel() -> int:
    """PRESSWATCH_MAX_PARALLEL: child crawls running at once (4)."""
    value = _count("PRESSWATCH_MAX_PARALLEL", 4)
    assert value is not None
    return value


def retire_after() -> float:
    """PRESSWATCH_RETIRE_AFTER: a sitemap shard unchanged this many seconds is retired (7 days)."""
    return _seconds("PRESSWATCH_RETIRE_AFTER", 7 * 86400.0)


def retired_recheck() -> float:
    """PRESSWATCH_RETIRED_RECHECK: a retired shard is fetched anyway this often (30 days)."""
    return _seconds("PRESSWATCH_RETIRED_RECHECK", 30 * 86400.0)


def max_page_count() -> int | None:
    """PRESSWATCH_MAX_PAGE_COUNT (test hook): cap the database at this many pages, or None."""
    return _count("PRESSWATCH_MAX_PAGE_COUNT", None)


_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _auth_pairs(text: str, origin: str) -> dict[str, str]:
    users: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        for pair in line.split("#", 1)[0].replace(",", " ").split():
            name, sep, hashed = pair.partition(":")
            if not sep or not _USER.match(name) or not hashed.startswith("pbkdf2_sha256$"):
                raise ConfigError(f"{origin}, line {n}: expected user:pbkdf2_sha256$… (a hash from "
                                  f"`datasette hash-password`), got {pair[:24]!r}…")
            users[name] = hashed
    return users


def auth_users() -> dict[str, str]:
    """PRESSWATCH_AUTH_FILE and PRESSWATCH_AUTH_USERS: the Datasette accounts, user -> PBKDF2 hash
    (datasette-auth-passwords' format; never a password). {} when neither is set. Raises
    ConfigError for a file that cannot be read or a pair that is not ``user:pbkdf2_sha256$…``."""
    users: dict[str, str] = {}
    path = _raw("PRESSWATCH_AUTH_FILE")
    if path is not None:
        try:
            with open(path, encoding="utf-8") as fh:
                users.update(_auth_pairs(fh.read(), f"$PRESSWATCH_AUTH_FILE ({path})"))
        except OSError as e:
            raise ConfigError(f"$PRESSWATCH_AUTH_FILE={path!r}: cannot read: {e.strerror or e}") from None
    raw = _raw("PRESSWATCH_AUTH_USERS")
    if raw is not None:
        users.update(_auth_pairs(raw, "$PRESSWATCH_AUTH_USERS"))
    return users
