"""Shared fixtures: the repository's paths and a store built once from the bundled articles."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "articles"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seed_store():
    """An in-memory KgStore built from data/articles (the two seed articles), shared by the
    session: tests must not write to it."""
    from kgraid.pipeline import build
    from kgraid.resolve import resolve_store
    from kgraid.store import KgStore
    store = KgStore(None)
    report = build([DATA], store, post_build=[resolve_store])
    assert report.count("built") == 2, report.as_dict()
    return store


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """A writable copy of data/articles."""
    dst = tmp_path / "articles"
    shutil.copytree(DATA, dst)
    return dst


def require_shared(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{p} is missing: CI runs with ../shared beside the repository")
        pytest.skip(f"{p} not present (../shared is beside the repository in CI)")
    return p


def seed_and_dev_corpus(dst: Path, keep=lambda name: True) -> Path:
    """``dst`` filled with the seed articles and the dev articles whose file name ``keep``
    accepts (never the dev folder's README); skips or fails like :func:`require_shared`."""
    dev = require_shared("dev-articles")
    dst.mkdir(parents=True, exist_ok=True)
    for f in sorted(DATA.glob("*.txt")):
        shutil.copy(f, dst / f.name)
    for f in sorted(dev.glob("*.md")):
        if f.name.lower() != "readme.md" and keep(f.name):
            shutil.copy(f, dst / f.name)
    return dst


def store_graphs(store_path: Path) -> dict:
    """Every named graph of the on-disk store at ``store_path``, as rdflib Graphs by IRI."""
    from kgraid.store import KgStore
    store = KgStore(store_path)
    try:
        return {n: store.graph(n) for n in store.graph_names()}
    finally:
        store.close()
