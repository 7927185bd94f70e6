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
