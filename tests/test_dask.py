"""`kgraid build --executor dask`: a real two-worker Dask cluster on loopback builds the same
graph as a local build."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from rdflib.compare import isomorphic

from kgraid.errors import KgraidError
from kgraid.pipeline import build
from kgraid.store import KgStore

distributed = pytest.importorskip("distributed")

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator["distributed.LocalCluster"]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                  processes=True, dashboard_address=None) as c:
        yield c


def _graphs(store: KgStore) -> dict[str, object]:
    return {name: store.graph(name) for name in store.graph_names()}


def test_dask_build_equals_local_build(cluster: "distributed.LocalCluster") -> None:
    from kgraid.distributed import dask_executor

    local = KgStore(None)
    local_report = build([ARTICLES], local)
    assert local_report.count("built") == len(list(ARTICLES.glob("*.txt"))) >= 2

    remote = KgStore(None)
    # task_size=1: each article is its own task, so both workers get work
    report = build([ARTICLES], remote,
                   executor=dask_executor(cluster.scheduler_address, task_size=1))
    assert report.count("built") == local_report.count("built")
    assert [o.article_id for o in report.outcomes] == [o.article_id for o in
                                                       local_report.outcomes]
    mine, theirs = _graphs(local), _graphs(remote)
    assert sorted(mine) == sorted(theirs)
    for name in mine:
        assert len(mine[name]) > 20
        assert isomorphic(mine[name], theirs[name]), name

    # Incremental: unchanged articles are skipped by the client, nothing is sent.
    again = build([ARTICLES], remote, executor=dask_executor(cluster.scheduler_address))
    assert again.count("skipped") == local_report.count("built") and again.count("built") == 0


def test_both_workers_take_part(cluster: "distributed.LocalCluster") -> None:
    from kgraid.distributed import dask_executor

    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        with distributed.get_task_stream(client) as stream:
            report = build([ARTICLES], KgStore(None), force=True,
                           executor=dask_executor(None, client=client, task_size=1))
    assert report.count("built") >= 2
    workers = {t["worker"] for t in stream.data if str(t["key"]).startswith("_process")}
    assert len(workers) == 2


def test_unreachable_scheduler_is_a_clear_error() -> None:
    from kgraid.distributed import dask_executor
    from kgraid.serve import free_port

    run = dask_executor(f"tcp://127.0.0.1:{free_port()}", connect_timeout=2.0)
    with pytest.raises(KgraidError, match="cannot connect to the Dask scheduler"):
        build([ARTICLES], KgStore(None), executor=run)


def test_scheduler_is_required() -> None:
    from kgraid.distributed import dask_executor

    with pytest.raises(KgraidError, match="--scheduler"):
        dask_executor(None)


def test_cli_build_on_dask(cluster: "distributed.LocalCluster", tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from kgraid.cli import main

    db = tmp_path / "kg.db"
    code = main(["build", str(ARTICLES), "--store", str(db), "--executor", "dask",
                 "--scheduler", cluster.scheduler_address, "--no-resolve", "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["built"] == len(list(ARTICLES.glob("*.txt"))) and out["failed"] == 0
    store = KgStore(db, read_only=True)
    assert len([g for g in store.graph_names() if "/graph/_" not in g]) == out["built"]
