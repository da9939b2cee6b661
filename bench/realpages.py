"""How many real saved pages extract right, field by field (title, minute, author, first and last
paragraph, no boilerplate), with pipeline.extract.explain_extraction.

    python bench/realpages.py [--verbose]

Pages: ../shared/realpages (MANIFEST.tsv), expectations: tests/realpages.toml (short phrases only; see
its header). "No boilerplate": no text of the page outside the article's own container (``body`` XPath),
its title and its sapo reaches the extracted text; listings and stubs must be refused with the
expected reason. tests/test_realpages.py asserts the same checks (``check_page``).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lxml import html as lhtml  # noqa: E402

from pipeline.extract import explain_extraction  # noqa: E402

REALPAGES = ROOT.parent / "shared" / "realpages"
EXPECTED = ROOT / "tests" / "realpages.toml"
FIELDS = ("title", "minute", "author", "first", "last", "no_boilerplate")


def _nfc(s: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s or "")).strip()


def expectations() -> list[dict[str, Any]]:
    """The [[page]] tables of tests/realpages.toml."""
    with open(EXPECTED, "rb") as f:
        return list(tomllib.load(f)["page"])


def outside_text(page: bytes, body_xpath: str) -> list[str]:
    """Strings (>= 25 chars) of the page's visible text outside the article container, the h1 and the
    sapo, and not also said inside the container: none of them may reach the article's text."""
    t = lhtml.fromstring(page.decode("utf-8", "replace"))
    for bad in t.xpath("//script|//style|//noscript|//head"):
        bad.drop_tree()
    art = t.xpath(body_xpath)
    keep = art + t.xpath("(//h1)[1]|(//*[contains(@class,'sapo') or self::p[@class='description']])[1]")
    inside = " ".join(_nfc(a.text_content()) for a in keep)
    out: list[str] = []
    for el in t.iter():
        if not isinstance(el.tag, str) or any(a is el or a in el.iterancestors() for a in keep):
            continue
        for s in (el.text, el.tail):
            s = _nfc(s)
            if len(s) >= 25 and s not in inside:
                out.append(s)
    return out


def check_page(exp: dict[str, Any], page: bytes) -> dict[str, bool | str]:
    """Field -> True (right) or a short description of what came out instead."""
    art, why = explain_extraction(page, exp["url"])
    res: dict[str, bool | str] = {}
    if "reject" in exp:
        ok = art is None and exp["reject"] in (why or "") and exp.get("reject_contains", "") in (why or "")
        res["rejected"] = True if ok else f"got {why!r}" if art is None else f"accepted: {art.title!r}"
        return res
    if art is None:
        return {f: f"not extracted: {why}" for f in FIELDS}
    lines = art.text.split("\n\n")
    res["title"] = art.title == exp["title"] or repr(art.title)
    res["minute"] = (art.published or "")[:16] == exp["published"] or repr(art.published)
    res["author"] = (art.author or "") == exp["author"] or repr(art.author)
    res["first"] = lines[0].startswith(exp["first"]) or repr(lines[0][:60])
    res["last"] = exp["last"] in lines[-1] or repr(lines[-1][:60])
    leaks = [s for s in outside_text(page, exp["body"]) if s in art.text]
    leaks += [p for p in exp.get("must_not_contain", []) if p in art.text]
    missing = [p for p in exp.get("must_contain", []) if p not in art.text]
    res["no_boilerplate"] = (not leaks and not missing) or f"leaked {leaks[:3]} missing {missing}"
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    if not (REALPAGES / "MANIFEST.tsv").exists():
        print(f"{REALPAGES} absent: nothing to measure")
        return 1
    right = {f: 0 for f in FIELDS}
    n_art = n_rej = rej_ok = pages_ok = 0
    for exp in expectations():
        p = REALPAGES / exp["file"]
        if not p.exists():
            print(f"missing {exp['file']}")
            continue
        res = check_page(exp, p.read_bytes())
        good = all(v is True for v in res.values())
        pages_ok += good
        if "rejected" in res:
            n_rej += 1
            rej_ok += res["rejected"] is True
        else:
            n_art += 1
            for f in FIELDS:
                right[f] += res[f] is True
        if args.verbose or not good:
            bad = {k: v for k, v in res.items() if v is not True}
            print(f"{'ok ' if good else 'BAD'} {exp['file'][:70]} {bad if bad else ''}")
    print(f"{n_art} article pages: " + ", ".join(f"{f} {right[f]}/{n_art}" for f in FIELDS))
    print(f"{n_rej} non-articles refused with the right reason: {rej_ok}/{n_rej}")
    print(f"pages right in every field: {pages_ok}/{n_art + n_rej}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
