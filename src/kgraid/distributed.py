"""``kgraid build --executor dask --scheduler ADDRESS``: the per-article work on Dask.

The build itself stays in the client process: it reads the inputs, skips unchanged and
duplicate articles, and writes every result through its store (embedded or remote), so the
store has one writer and the same guarantees as a local build. Only the per-article work —
:func:`kgraid.pipeline.process_articles` (spaCy, extraction, RDF, SHACL validation) — runs on
the cluster's workers, a few dozen articles per task, with a bounded number of tasks in flight
(memory stays flat however large the corpus) and results taken back in input order.

Dask is an existing engine, not something kgraid schedules itself: any ``dask.distributed``
cluster works (``dask scheduler`` + ``dask worker`` on machines, dask-kubernetes, dask-jobqueue
on Slurm/PBS, Coiled...). Every worker needs the same kgraid version and spaCy model as the
client; :func:`dask_executor` checks that before sending work. A worker that dies has its
tasks re-run on others by Dask; a task that keeps killing workers, a lost scheduler or a
version mismatch raises :class:`~kgraid.errors.KgraidError` (exit code 2).
"""
from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from .errors import KgraidError
from .ingest import Article

if TYPE_CHECKING:
    from .pipeline import ArticleResult

__all__ = ["dask_executor", "worker_info", "DEFAULT_TASK_SIZE"]

log = logging.getLogger(__name__)

#: Articles per Dask task: large enough for spaCy's batching, small enough to balance load.
DEFAULT_TASK_SIZE = 16
#: Seconds to wait for the scheduler to answer when connecting.
CONNECT_TIMEOUT = 30.0

Executor = Callable[[Iterable[list[Article]]], Iterator[list["ArticleResult"]]]


def worker_info() -> dict[str, str]:
    """What a worker (or the client) runs: kgraid's extractor version and the spaCy model.
    Runs on every worker before any work is sent."""
    from .model import model_id
    from .rdf import EXTRACTOR_VERSION
    try:
        from importlib.metadata import version
        kgraid_version = version("kgraid")
    except Exception:  # noqa: BLE001 - not installed as a distribution (source tree)
        kgraid_version = "unknown"
    return {"kgraid": kgraid_version, "extractor": EXTRACTOR_VERSION, "model": model_id()}


def _process(articles: list[Article], validate: bool, engine: str) -> list["ArticleResult"]:
    from .pipeline import process_articles
    return process_articles(articles, validate=validate, engine=engine)


def _connect(scheduler: str, client: Any | None, timeout: float) -> tuple[Any, bool]:
    if client is not None:
        return client, False
    try:
        from distributed import Client
    except ImportError as e:
        raise KgraidError("--executor dask needs Dask: pip install 'kgraid[dask]'") from e
    try:
        return Client(scheduler, timeout=timeout, set_as_default=False), True
    except (OSError, TimeoutError) as e:
        raise KgraidError(f"cannot connect to the Dask scheduler at {scheduler}: {e}. Start "
                          "one with 'dask scheduler' (and workers with 'dask worker "
                          "ADDRESS'), or check --scheduler") from e


def _check_workers(client: Any, scheduler: str) -> int:
    """Compare every worker with this process; returns the number of worker threads."""
    workers = client.scheduler_info().get("workers", {})
    if not workers:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        workers = client.scheduler_info().get("workers", {})
    mine = worker_info()
    try:
        theirs = client.run(worker_info)
    except Exception as e:  # noqa: BLE001 - a worker that cannot import kgraid
        raise KgraidError(f"Dask workers at {scheduler} cannot run kgraid: {e}. Install the "
                          "same kgraid and spaCy model on every worker") from e
    for address, info in theirs.items():
        if info["extractor"] != mine["extractor"] or info["model"] != mine["model"]:
            raise KgraidError(
                f"Dask worker {address} runs {info['extractor']} with model {info['model']}, "
                f"this process {mine['extractor']} with {mine['model']}: the graphs would "
                "differ from a local build. Install the same versions on every worker")
    threads = sum(int(w.get("nthreads", 1)) for w in workers.values()) or 1
    log.info("Dask: %d workers, %d threads at %s", len(theirs), threads, scheduler)
    return threads


def dask_executor(scheduler: str | None, *, validate: bool = True, engine: str = "auto",
                  task_size: int = DEFAULT_TASK_SIZE, in_flight: int | None = None,
                  client: Any | None = None, connect_timeout: float = CONNECT_TIMEOUT,
                  ) -> Executor:
    """An ``executor`` for :func:`kgraid.pipeline.build` that runs the per-article work on the
    Dask cluster at ``scheduler`` (``tcp://host:8786``, or pass a connected ``client``).

    Each chunk of articles is split into tasks of at most ``task_size`` articles; at most
    ``in_flight`` tasks (default: twice the cluster's threads) are submitted ahead of the
    results being consumed. Results are yielded per chunk, in input order."""
    if not scheduler and client is None:
        raise KgraidError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    size = max(1, task_size)

    def run(chunks: Iterable[list[Article]]) -> Iterator[list["ArticleResult"]]:
        conn, owned = _connect(scheduler or "", client, connect_timeout)
        try:
            limit = in_flight or 2 * _check_workers(conn, scheduler or str(conn))
            # one entry per input chunk: its futures, in order
            pending: deque[list[Any]] = deque()
            submitted = 0
            for chunk in chunks:
                futures = [conn.submit(_process, chunk[i:i + size], validate, engine,
                                       pure=False)
                           for i in range(0, len(chunk), size)]
                pending.append(futures)
                submitted += len(futures)
                while pending and submitted > limit:
                    done = pending.popleft()
                    submitted -= len(done)
                    yield _gather(conn, done)
            while pending:
                yield _gather(conn, pending.popleft())
        finally:
            if owned:
                conn.close()

    return run


def _gather(client: Any, futures: list[Any]) -> list["ArticleResult"]:
    try:
        parts = client.gather(futures)
    except KgraidError:
        raise
    except Exception as e:  # noqa: BLE001 - KilledWorker, CommClosedError, lost scheduler
        raise KgraidError(f"the Dask cluster failed to process a batch: "
                          f"{type(e).__name__}: {e}") from e
    finally:
        for f in futures:
            f.release()
    return [r for part in parts for r in part]
