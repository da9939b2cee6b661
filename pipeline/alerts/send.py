"""Sending alert messages through apprise, and keeping channel secrets out of what is stored or logged."""

from __future__ import annotations

import hashlib
import logging
import warnings


def channel_id(raw: str) -> str:
    """A short stable id of a channel (hash of its unexpanded URL): stored, never the URL itself."""
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def redact(url: str) -> str:
    """'mailtos://user:secret@host/…' -> 'mailtos://…' (for listings)."""
    return url.split("://", 1)[0] + "://…" if "://" in url else "…"


class SendError(RuntimeError):
    """A message apprise could not send; the text is apprise's reason with the secrets scrubbed."""


def send(url: str, title: str, body: str, secrets: list[str] | None = None,
         attach: list[str] | None = None) -> None:
    """Send one message (plain text) to one apprise URL (${VAR}s already expanded), with the files
    ``attach`` (paths) attached where the channel takes attachments (e-mail); raises SendError with
    apprise's reason (``secrets`` scrubbed from it). Blocks for as long as the channel takes."""
    import apprise

    ap = apprise.Apprise()
    with apprise.LogCapture(level=logging.WARNING, fmt="%(levelname)s %(message)s") as logs, \
            warnings.catch_warnings():
        # apprise's e-mail plugin imports the deprecated imghdr module when it is first loaded
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        ok = ap.add(url) and ap.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT,
                                      attach=attach or None)
        captured = logs.getvalue()
    if not ok:
        msg = " | ".join(line.strip() for line in captured.splitlines() if line.strip())[-600:]
        raise SendError(scrub(msg or "apprise could not send (no reason logged)", secrets or []))


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every non-empty secret (the values of a channel's ${VAR}s) replaced by ***."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text
