"""JSON lines in, JSON lines out: ``classify_jsonl`` (``presswatch classify``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from pipeline.relevance.lexicon import Lexicon, load_lexicon
from pipeline.relevance.scoring import score


def _classify_line(line: str, lex: Lexicon) -> dict[str, Any]:
    try:
        obj = json.loads(line.lstrip("\ufeff"))
    except json.JSONDecodeError as e:
        return {"error": f"not JSON: {e.msg} (column {e.colno})"}
    except (ValueError, RecursionError) as e:
        return {"error": f"not JSON: {type(e).__name__}"}
    if not isinstance(obj, dict):
        return {"error": f"expected a JSON object with title and text, got {type(obj).__name__}"}
    ident = {"id": obj["id"]} if "id" in obj else {}  # echoed: outputs match inputs without relying on order
    if not any(isinstance(obj.get(k), str) for k in ("title", "text", "description")):
        return ident | {"error": "no title or text (strings)"}
    try:
        from pipeline.activities import classify_activities  # (imports this package: not at the top)
        from pipeline.activities.dates import published_warning

        out = ident | score(obj, lex).to_dict()
        out["activities"] = classify_activities(obj, bool(out["relevant"]))
        warning = published_warning(obj.get("published"))
        return out | ({"warning": warning} if warning else {})
    except TypeError as e:
        return ident | {"error": str(e)}
    except Exception as e:  # one odd article must not stop a batch: report it on its line
        return ident | {"error": f"cannot score: {type(e).__name__}: {e}"}


def _dump(obj: dict[str, Any]) -> str:
    s = json.dumps(obj, ensure_ascii=False)
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a \ud800 escape in the input
        s = json.dumps(obj)
    return s


def classify_jsonl(infile: str | Path | IO[str], outfile: str | Path | IO[str]) -> int:
    """Read JSON lines {"title", "text"[, "description", "published", "id"]} and write one JSON line
    per input line (blank lines skipped), in order: the input's "id" when it has one, score, relevant,
    provinces, countries, evidence, activities, and "warning" when "published" cannot be read
    (ISO 8601 or dd/mm/yyyy; relative dates are then left null); a bad line gives {"error": ...}
    (with the "id" when the line is a JSON object carrying one). ``infile``/``outfile``: paths (UTF-8)
    or open text files (left open). Returns the number of lines written; raises ``OSError`` for a file that cannot
    be opened and ``ConfigError`` for a broken lexicon (config/*.toml)."""
    lex = load_lexicon()
    fin = open(infile, encoding="utf-8") if isinstance(infile, str | Path) else infile
    fout = open(outfile, "w", encoding="utf-8") if isinstance(outfile, str | Path) else outfile
    n = 0
    try:
        for line in fin:
            if not line.strip():
                continue
            fout.write(_dump(_classify_line(line, lex)) + "\n")
            n += 1
        fout.flush()
    finally:
        if fin is not infile:
            fin.close()
        if fout is not outfile:
            fout.close()
    return n
