"""Build throughput: ``kgraid build`` against bare ``nlp.pipe`` on the same texts.

Both sides run as fresh processes on the same JSON Lines corpus, one right after the other
(side by side, so they see the same machine load), with the same number of processes:

- **nlp**: the same spaCy pipeline object the build uses (:func:`kgraid.nlp.load_nlp`: the
  same model and components, kgraid's sentence and gazetteer rules included), ``nlp.pipe``
  over the same article bodies (read with :func:`kgraid.ingest.iter_articles`) with
  ``n_process`` = the build's ``--jobs`` and the same batch size; the docs are consumed and
  dropped. Nothing else.
- **build**: ``kgraid build CORPUS --store NEW_DIR --jobs N`` as a user runs it (ingest,
  NLP, extraction, RDF, SHACL validation, store writes, post-build steps).

Times are whole-process wall times (interpreter start and model load included on both sides);
the "pipe only" time of the nlp side is reported too. Peak memory is sampled over the whole
process tree (parent and workers, summed) every 0.2 s with psutil, and the largest single
process comes from ``wait4``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .measure import ROOT, emit, peak_rss_mb, wait_child

KGRAID = [sys.executable, "-m", "kgraid.cli"]
BATCH_SIZE = 32  # kgraid.pipeline.process_articles' nlp.pipe batch size


@dataclass
class Timed:
    seconds: float
    articles: int
    peak_tree_rss_mb: float
    peak_process_rss_mb: float
    returncode: int
    detail: dict[str, Any]
    cpu_s: float = 0.0          # CPU time of the measured process tree
    other_cores: float = 0.0    # cores busy with other processes meanwhile, on average

    @property
    def per_article_ms(self) -> float:
        return 1000 * self.seconds / max(1, self.articles)

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "per_article_ms": self.per_article_ms,
                "articles_per_s": self.articles_per_s}


def _tree_rss(pid: int) -> float:
    import psutil
    try:
        p = psutil.Process(pid)
        procs = [p] + p.children(recursive=True)
    except psutil.Error:
        return 0.0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.Error:
            pass
    return total / 2 ** 20


def _busy_s() -> float:
    import psutil
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


LAST_CPU: dict[str, float] = {}


def run_measured(cmd: list[str], *, timeout: float | None = None,
                 env: dict[str, str] | None = None) -> tuple[float, int, str, str, float, float]:
    """Run ``cmd``: (wall s, exit code, stdout, stderr, peak tree RSS MiB, peak process RSS
    MiB). ``LAST_CPU`` then holds the CPU seconds of the command's process tree and the
    average number of cores other processes kept busy meanwhile (the machine is shared)."""
    busy0 = _busy_s()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=ROOT,
                                env={**os.environ, **(env or {})})
        peak = [0.0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _tree_rss(proc.pid))
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            status, usage = wait_child(proc, cmd, t, timeout, poll=0.05)
        finally:
            stop.set()
        seconds = time.perf_counter() - t
        busy = _busy_s() - busy0
        sampler.join()
        cpu = usage.ru_utime + usage.ru_stime
        LAST_CPU.update(cpu_s=cpu, other_cores=max(0.0, (busy - cpu) / seconds))
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (seconds, proc.returncode, out.read(), err.read(), peak[0],
                usage.ru_maxrss / 1024)


def measure_nlp(corpus: Path, n_process: int, timeout: float | None = None) -> Timed:
    cmd = [sys.executable, "-m", "bench.throughput", "--nlp-worker", str(corpus),
           "--n-process", str(n_process)]
    seconds, code, out, err, tree, proc = run_measured(cmd, timeout=timeout)
    if code != 0:
        raise RuntimeError(f"nlp worker failed ({code}): {err[-3000:]}")
    detail = json.loads(out.strip().splitlines()[-1])
    return Timed(seconds, detail["articles"], tree, proc, code, detail, **LAST_CPU)


def measure_build(corpus: Path, jobs: int, work: Path, extra: list[str],
                  timeout: float | None = None) -> Timed:
    store = work / f"build-{corpus.stem}-j{jobs}"
    if store.exists():
        shutil.rmtree(store)
    cmd = KGRAID + ["build", str(corpus), "--store", str(store), "--jobs", str(jobs),
                    "--format", "json", "-q", *extra]
    seconds, code, out, err, tree, proc = run_measured(cmd, timeout=timeout)
    if code not in (0, 1, 3):
        raise RuntimeError(f"kgraid build failed ({code}): {err[-3000:]}")
    report = json.loads(out)
    detail = {k: report.get(k) for k in ("built", "skipped", "invalid", "failed", "facts")}
    detail["exit_code"] = code
    detail["store_bytes"] = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    n = sum(report.get(k, 0) for k in ("built", "invalid", "failed"))
    shutil.rmtree(store, ignore_errors=True)
    return Timed(seconds, n, tree, proc, code, detail, **LAST_CPU)


# ---------------------------------------------------------------------- nlp worker
def nlp_worker(corpus: Path, n_process: int) -> dict[str, Any]:
    from kgraid.ingest import Article, iter_articles
    from kgraid.nlp import load_nlp

    t0 = time.perf_counter()
    bodies = [a.body for a in iter_articles([corpus]) if isinstance(a, Article)]
    nlp = load_nlp()
    t1 = time.perf_counter()
    n = 0
    for _doc in nlp.pipe(bodies, batch_size=BATCH_SIZE, n_process=n_process):
        n += 1
    t2 = time.perf_counter()
    return {"articles": n, "words": sum(len(b.split()) for b in bodies),
            "load_s": t1 - t0, "pipe_s": t2 - t1, "components": nlp.pipe_names,
            "model": f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}",
            "n_process": n_process, "batch_size": BATCH_SIZE, "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.throughput")
    p.add_argument("--nlp-worker", type=Path, metavar="CORPUS")
    p.add_argument("--n-process", type=int, default=1)
    args = p.parse_args(argv)
    if args.nlp_worker:
        emit(nlp_worker(args.nlp_worker, args.n_process))
        return 0
    p.error("use python -m bench.run")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
