"""Idempotence of ``kgraid build``: the same corpus built twice, rebuilt with --force, built
from its files in another order, or built in two halves gives an isomorphic graph (every named
graph, the derived ones included)."""
from __future__ import annotations

import contextlib
import io
import json
import random
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kgraid.cli import main as kgraid_main
from conftest import seed_and_dev_corpus, store_graphs as graphs


pytestmark = pytest.mark.slow


def cli_build(*args: str) -> tuple[int, dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        rc = kgraid_main(["build", *args, "--format", "json"])
    return rc, json.loads(out.getvalue())


def assert_isomorphic(a: dict[str, Graph], b: dict[str, Graph]) -> None:
    assert sorted(a) == sorted(b)
    differ = {}
    for name in a:
        if not isomorphic(a[name], b[name]):
            _, only_a, only_b = graph_diff(to_isomorphic(a[name]), to_isomorphic(b[name]))
            differ[name] = (sorted(only_a)[:5], sorted(only_b)[:5])
    assert differ == {}, differ


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = seed_and_dev_corpus(tmp_path_factory.mktemp("idem") / "corpus",
                            keep=lambda name: name.startswith(("wcep_", "gov_07", "gov_11")))
    assert len(list(d.iterdir())) == 12
    return d


@pytest.fixture(scope="module")
def first(corpus: Path, tmp_path_factory) -> tuple[Path, dict[str, Graph]]:
    store = tmp_path_factory.mktemp("first") / "kg.db"
    rc, report = cli_build(str(corpus), "--store", str(store))
    assert rc == 0 and report["built"] == 12 and report["failed"] == 0, report
    return store, graphs(store)


def test_second_build_skips_everything_and_changes_nothing(corpus, first) -> None:
    store, before = first
    rc, report = cli_build(str(corpus), "--store", str(store))
    assert rc == 0
    assert (report["built"], report["skipped"]) == (0, 12)
    assert {a["reason"] for a in report["articles"]} == {"unchanged"}
    assert_isomorphic(graphs(store), before)


def test_forced_rebuild_gives_the_same_graph(corpus, first) -> None:
    store, before = first
    rc, report = cli_build(str(corpus), "--store", str(store), "--force")
    assert rc == 0 and report["built"] == 12
    assert_isomorphic(graphs(store), before)


def test_other_file_order_gives_the_same_graph(corpus, first, tmp_path) -> None:
    _, before = first
    files = sorted(str(p) for p in corpus.iterdir())
    random.Random(7).shuffle(files)
    files.reverse()
    rc, report = cli_build(*files, "--store", str(tmp_path / "kg.db"))
    assert rc == 0 and report["built"] == 12
    assert [a["origin"] for a in report["articles"]] == files  # really built in that order
    assert_isomorphic(graphs(tmp_path / "kg.db"), before)


def test_two_halves_give_the_same_graph_as_one_build(corpus, first, tmp_path) -> None:
    _, before = first
    files = sorted(str(p) for p in corpus.iterdir())
    store = tmp_path / "kg.db"
    rc, report = cli_build(*files[1::2], "--store", str(store))
    assert rc == 0 and report["built"] == 6
    rc, report = cli_build(str(corpus), "--store", str(store))
    assert rc == 0 and (report["built"], report["skipped"]) == (6, 6)
    assert_isomorphic(graphs(store), before)


def test_a_new_extractor_rebuilds_every_article(corpus, first, tmp_path, monkeypatch) -> None:
    # an upgrade that changes the extraction must not leave the old triples of "unchanged"
    # articles in the store: the extractor's digest is part of every content hash
    import shutil
    import kgraid.pipeline
    store = tmp_path / "kg.db"
    shutil.copytree(first[0], store)
    monkeypatch.setattr(kgraid.pipeline, "EXTRACTOR_VERSION", "kgraid-extract-other")
    rc, report = cli_build(str(corpus), "--store", str(store))
    assert rc == 0 and (report["built"], report["skipped"]) == (12, 0), report
    rc, report = cli_build(str(corpus), "--store", str(store))
    assert rc == 0 and (report["built"], report["skipped"]) == (0, 12), report


def test_another_model_version_rebuilds_every_article(corpus, first, tmp_path,
                                                      monkeypatch) -> None:
    # the same model files under another version (a model directory named by KGRAID_MODEL):
    # the model is part of every content hash, so nothing built with the old one is kept
    import importlib.util
    import shutil

    from kgraid.model import model_id, model_name
    package = Path(importlib.util.find_spec(model_name()).origin).parent
    data = next(p for p in package.iterdir() if p.is_dir() and (p / "meta.json").is_file())
    model = tmp_path / "model"
    shutil.copytree(data, model)
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    meta["version"] += "-local"
    (model / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    store = tmp_path / "kg.db"
    shutil.copytree(first[0], store)
    monkeypatch.setenv("KGRAID_MODEL", str(model))
    assert model_id().endswith("-local")
    rc, report = cli_build(str(corpus), "--store", str(store))
    assert rc == 0 and (report["built"], report["skipped"]) == (12, 0), report
    rc, report = cli_build(str(corpus), "--store", str(store))
    assert rc == 0 and (report["built"], report["skipped"]) == (0, 12), report
