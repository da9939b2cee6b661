"""Commands that read or rewrite stored data never create a database: a wrong --db path (missing, a
folder, not SQLite) is one clear line and exit code 1, and nothing appears on disk. Commands that
write (crawl) create a missing file but refuse a folder or a non-SQLite file the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

READERS = [
    ["status"], ["serve", "--port", "9"], ["alerts", "list"], ["alerts", "send"], ["search", "hợp tác"],
    ["report", "-o", "out.html"], ["activities"], ["reextract"], ["rescore"], ["recheck"], ["recluster"],
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_read_commands_never_create_a_database(args, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "typo.db"
    r = cli(*args, "--db", str(missing))
    assert r.exit_code == 1 and f"no database at {missing}" in r.output, r.output
    assert not missing.exists() and sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["status"], ["search", "x"], ["reextract"], ["crawl", "--site", "dantri"]],
                         ids=lambda a: a[0])
def test_a_folder_or_another_file_is_one_clear_line(args, cli, tmp_path):
    folder, text = tmp_path / "adir", tmp_path / "sites.toml"
    folder.mkdir()
    text.write_text("[sites.x]\n", encoding="utf-8")
    r = cli(*args, "--db", str(folder))
    assert r.exit_code == 1 and "is a folder, not a database file" in r.output, r.output
    r = cli(*args, "--db", str(text))
    assert r.exit_code == 1 and "is not a SQLite database" in r.output, r.output
    assert "Traceback" not in r.output and text.read_text(encoding="utf-8") == "[sites.x]\n"


def test_an_existing_database_is_accepted(cli, tmp_db):
    r = cli("status", "--db", str(tmp_db.path))
    assert r.exit_code == 0, r.output
    assert Path(tmp_db.path).stat().st_size > 0
