"""What travels between the scheduler, the crawl workers and the writer: a pass job carries the whole
effective ``SiteSpec`` (a worker on another machine has no sites file and no database), and every
message is a JSON object checked on arrival (``ValueError`` naming what is wrong; the consumer logs
and drops it, never crashes).

- ``job_message(job_id, spec)`` / ``parse_job(data)``: "run one pass of this site".
- ``spec_to_dict`` / ``spec_from_dict``: a SiteSpec as plain JSON values and back.
- ``MAX_MESSAGE_BYTES``: a larger message is refused (logged and dropped) before it is parsed.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from config import SiteSpec

# a job is a few kB; an item is a compressed page (DOWNLOAD_MAXSIZE 10 MB of HTML compresses to ~2 MB)
# plus its extracted text: 16 MB is far above any honest message and far below Redis's 512 MB limit
MAX_MESSAGE_BYTES = 16 * 1024 * 1024

_FIELDS = {f.name: f for f in dataclasses.fields(SiteSpec)}
_TUPLES = {name for name, f in _FIELDS.items() if str(f.type).startswith("tuple")}


def spec_to_dict(spec: SiteSpec) -> dict[str, Any]:
    """All fields of a SiteSpec as JSON values (tuples become lists)."""
    d = dataclasses.asdict(spec)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


def spec_from_dict(d: Any) -> SiteSpec:
    """A SiteSpec from ``spec_to_dict``'s output. Raises ValueError (unknown field, missing key/name/
    domains, a field of the wrong type)."""
    if not isinstance(d, dict):
        raise ValueError("site spec is not an object")
    unknown = set(d) - set(_FIELDS)
    if unknown:
        raise ValueError(f"site spec has unknown field(s): {', '.join(sorted(unknown))}")
    for req in ("key", "name", "domains"):
        if req not in d:
            raise ValueError(f"site spec has no {req!r}")
    kw: dict[str, Any] = {}
    for k, v in d.items():
        if k in _TUPLES:
            if not isinstance(v, list | tuple) or not all(isinstance(x, str) for x in v):
                raise ValueError(f"site spec field {k!r} must be a list of strings")
            v = tuple(v)
        elif k in ("every", "min_every", "max_every", "timeout"):
            if not isinstance(v, int | float) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"site spec field {k!r} must be a positive number of seconds")
            v = float(v)
        elif k in ("key", "name", "article_pattern") and not isinstance(v, str):
            raise ValueError(f"site spec field {k!r} must be a string")
        kw[k] = v
    try:
        return SiteSpec(**kw)
    except TypeError as e:
        raise ValueError(f"site spec: {e}") from None


def job_message(job_id: str, spec: SiteSpec) -> dict[str, Any]:
    """The message asking a worker for one pass of ``spec`` (the scheduler's effective spec)."""
    return {"type": "pass", "job": job_id, "site": spec_to_dict(spec)}


def parse_job(data: bytes | str | dict[str, Any]) -> tuple[str, SiteSpec]:
    """``(job_id, spec)`` of a pass message. Raises ValueError for anything else (too large, not JSON,
    no job id, a bad spec)."""
    msg = loads(data) if not isinstance(data, dict) else data
    if msg.get("type") != "pass":
        raise ValueError(f"not a pass job (type {msg.get('type')!r})")
    job = msg.get("job")
    if not isinstance(job, str) or not job:
        raise ValueError("pass job without a job id")
    return job, spec_from_dict(msg.get("site"))


def loads(data: bytes | str) -> dict[str, Any]:
    """A message's JSON object. Raises ValueError when it is larger than MAX_MESSAGE_BYTES, not JSON,
    or not an object."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise ValueError(f"message of {len(data)} bytes is larger than the limit ({MAX_MESSAGE_BYTES})")
    try:
        msg = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"not JSON: {e}") from None
    if not isinstance(msg, dict):
        raise ValueError("message is not a JSON object")
    return msg


def dumps(msg: dict[str, Any]) -> str:
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":"))
