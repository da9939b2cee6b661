"""The README is kept true: its quick start and command table match the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented_and_no_documented_command_is_missing():
    commands = set(main.commands)
    documented = set(re.findall(r"`presswatch ([a-z]+)", README))
    assert commands - documented == set(), "commands missing from README"
    assert documented - commands == set(), "README documents commands that do not exist"


def test_documented_options_exist():
    for cmd, opts in re.findall(r"\| `presswatch ([a-z]+) ([^`]*)`", README):
        help_text = CliRunner().invoke(main, [cmd, "--help"]).output
        for opt in re.findall(r"--[a-z-]+", opts):
            assert opt in help_text, (cmd, opt)


def test_quick_start_is_two_commands_install_and_run_then_install_and_test():
    block = README.split("## Quick start", 1)[1].split("```", 2)[1]
    lines = [ln.split("#")[0].strip() for ln in block.splitlines()[1:] if ln.strip()]
    assert lines == ["pip install -e . && presswatch run", "pip install -e '.[test]' && pytest"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[test]'" in ci and "\npytest" in ci
