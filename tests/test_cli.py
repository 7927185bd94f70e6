"""The CLI: every command has --help; build, stats and export work end to end."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kgraid.cli import main, make_parser
from kgraid.store import KgStore
from kgraid import views


def _commands():
    parser = make_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)


def test_core_commands_exist():
    assert {"build", "validate", "stats", "merges", "unmerge"} <= set(_commands())


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "usage:" in out and len(out) > 200


def test_top_level_help_documents_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "Exit codes" in out and "130" in out


def test_build_json_and_stats(tmp_path, corpus, capsys):
    store = str(tmp_path / "kg")
    assert main(["build", str(corpus), "--store", store, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["built"] == 2 and report["facts"]["memberships"] >= 4
    assert main(["stats", "--store", store, "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["articles"] == 2 and stats["claims"] >= 20 and stats["triples"] > 500
    # the two views are counted in the totals and apart, and they are the article graphs' rest
    assert stats["named graphs"] == 4 and stats["view graphs"] == 2
    kg = KgStore(Path(store), read_only=True)
    view_graphs = {views.view_graph(n) for n in views.VIEWS}
    articles = sum(len(kg.graph(g)) for g in kg.graph_names() if g not in view_graphs)
    kg.close()
    assert 0 < stats["view triples"] == stats["triples"] - articles


def test_partial_failure_exit_code(tmp_path, corpus, capsys):
    (corpus / "bad.txt").write_bytes(b"\x00\x01\x02 binary")
    assert main(["build", str(corpus), "--memory", "-q"]) == 3
    assert "bad.txt" in capsys.readouterr().err


def test_missing_store_is_a_clear_error(tmp_path, capsys):
    assert main(["stats", "--store", str(tmp_path / "nope")]) == 2
    assert "no store there" in capsys.readouterr().err


def test_stdin_article(tmp_path):
    text = "The Syrian Observatory for Human Rights said that 25 ISIL members were killed near Raqqa."
    out = subprocess.run([sys.executable, "-m", "kgraid.cli", "build", "-", "--memory",
                          "--published", "2017-01-09", "--format", "json"],
                         input=text.encode(), capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr.decode()
    assert json.loads(out.stdout)["facts"]["claims"] == 1
