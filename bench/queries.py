"""Every query of ``queries/`` on a synthetic store: kgraid (pyoxigraph) vs rdflib in memory.

kgraid side: :func:`kgraid.query.run_query` on the on-disk store, exactly what
``kgraid query FILE --store DB`` runs (rows converted to rdflib terms included); one warm-up,
then the median of ``--runs`` runs. rdflib side, in a separate process so its memory is its
own: the same quads loaded from N-Quads into an ``rdflib.Dataset`` whose default graph is the
union (as kgraid's), then the median of up to ``--runs`` runs of each query within a time
budget (a single run when the first takes more than half the cap); a query that exceeds
``--rdflib-cap`` seconds is stopped and reported as "> cap", so its speed-up is a lower bound.
Row counts of both sides are compared.

Queries are run without bindings: the files in ``queries/`` treat every bindable variable as
optional (``COALESCE``), so an unbound run is the widest, slowest form of each query. A lookup
(a file whose header says ``# Requires: ?var``: ``entity_profile.rq``, ``links_about_item.rq``)
does not run unbound (``kgraid query`` refuses it, exit 2); it is run the way it is used, with
its variable bound on both sides (see :data:`BOUND`), in rows named ``FILE [var=value]``.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from .measure import ROOT, emit, median_time, peak_rss_mb, run_child

log = logging.getLogger(__name__)


def query_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.rq"))


def unbound_files(files: list[Path]) -> list[Path]:
    """The files that run without a binding (not lookups: see the module's docstring)."""
    from kgraid.query import load_query, required_bindings

    return [f for f in files if not required_bindings(load_query(f))]


#: Queries meant to be run bound, as they are documented to be used: file name -> the
#: bindings, each a function of the store's most mentioned person and place (see
#: :func:`bound_runs`) giving a ``--bind`` value (a plain string, or an IRI in <...>).
BOUND: dict[str, list[tuple[str, str]]] = {
    # by name, as an analyst types it ("Dorrian"), and by the entity's IRI
    "entity_profile.rq": [("label", "person_surname"), ("entity", "person_iri")],
    # the Wikidata item of the most mentioned place
    "links_about_item.rq": [("item", "place_item")],
}


def bound_runs(store_dir: Path, files: list[Path]) -> list[tuple[str, Path, dict[str, str]]]:
    """(row name, file, bindings) for the files in :data:`BOUND`; bindings in ``--bind``
    syntax."""
    from kgraid.query import run_query
    from kgraid.store import KgStore

    wanted = [f for f in files if f.name in BOUND]
    if not wanted:
        return []
    store = KgStore(store_dir, read_only=True)
    top_entities = files[0].parent / "top_entities.rq"
    values: dict[str, str] = {}
    person = next(iter(run_query(top_entities, store=store,
                                 bindings={"class": "Person"}).dicts()), None)
    if person is not None:
        values["person_surname"] = str(person["label"]).split()[-1]
        values["person_iri"] = f"<{person['entity']}>"
    for place in run_query(top_entities, store=store, bindings={"class": "Place"}).dicts():
        items = run_query("PREFIX owl: <http://www.w3.org/2002/07/owl#> "
                          "SELECT DISTINCT ?entity ?item WHERE { ?entity owl:sameAs ?item }",
                          store=store, bindings={"entity": place["entity"]})
        item = next(iter(items.dicts()), None)
        if item is not None:
            values["place_item"] = f"<{item['item']}>"
            break
    out = []
    for f in wanted:
        for var, source in BOUND[f.name]:
            if source in values:
                value = values[source]
                shown = f"<…/{value[1:-1].rsplit('/', 1)[-1]}>" if value[:1] == "<" else value
                out.append((f"{f.name} [{var}={shown}]", f, {var: value}))
    return out


def parse_bound(bindings: dict[str, str] | None) -> dict[str, Any]:
    """``--bind``-syntax values as the terms kgraid binds (the same on both sides)."""
    from kgraid.query import parse_bindings

    return parse_bindings([f"{k}={v}" for k, v in (bindings or {}).items()])


def _count(result: Any) -> int:
    kind = getattr(result, "kind", None)
    if kind == "ask":
        return int(bool(result.boolean))
    return len(result)


#: Address-space limit of a query worker: a query that blows up fails with MemoryError
#: instead of taking the machine's memory from everything else.
MEMORY_CAP = 8 * 2 ** 30


def _cap_memory() -> None:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def kgraid_worker(store_dir: Path, query: Path, runs: int, budget: float,
                  bindings: dict[str, str] | None = None) -> dict[str, Any]:
    """In its own process: one warm-up and up to ``runs`` timed runs of one query."""
    from kgraid.query import run_query
    from kgraid.store import KgStore

    _cap_memory()
    terms = parse_bound(bindings) or None
    store = KgStore(store_dir, read_only=True)
    try:
        med, times, result = median_time(
            lambda: run_query(query, store=store, bindings=terms), runs=runs, warmup=1,
            budget=budget)
    except MemoryError:
        return {"median_s": None, "error": f"out of memory (cap {MEMORY_CAP / 2 ** 30:.0f} GiB)"}
    return {"median_s": med, "runs": len(times), "rows": _count(result),
            "peak_rss_mb": peak_rss_mb()}


def run_kgraid(store_dir: Path, files: list[Path], runs: int, budget: float,
               cap: float = 120.0, bound: list[tuple[str, Path, dict[str, str]]] = (),
               ) -> dict[str, dict[str, Any]]:
    """Every query (and every bound run) in its own worker process, stopped after ``cap``
    seconds."""
    import subprocess

    out: dict[str, dict[str, Any]] = {}
    for name, f, bindings in [(f.name, f, {}) for f in unbound_files(files)] + list(bound):
        cmd = [sys.executable, "-m", "bench.queries", "--kgraid-worker", str(store_dir),
               "--runs", str(runs), "--budget", str(budget),
               "--bindings", json.dumps(bindings), str(f)]
        try:
            r = run_child(cmd, cwd=ROOT, timeout=cap)
        except subprocess.TimeoutExpired:
            out[name] = {"median_s": None, "capped_at_s": cap, "rows": None}
        else:
            if r.returncode != 0:
                out[name] = {"median_s": None, "rows": None,
                             "error": r.stderr.strip().splitlines()[-1][:300]
                             if r.stderr.strip() else f"exit {r.returncode}"}
            else:
                out[name] = json.loads(r.stdout.strip().splitlines()[-1])
        log.info("kgraid  %-40s %s", name, out[name])
    return out


# ---------------------------------------------------------------------- rdflib worker
class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def rdflib_worker(nquads: Path, files: list[Path], runs: int, budget: float, cap: float,
                  bound: list[tuple[str, Path, dict[str, str]]] = ()) -> dict[str, Any]:
    """Runs in its own process: load, then time each query; prints one JSON object."""
    from rdflib import Dataset

    from kgraid.query import load_query

    _cap_memory()
    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(str(nquads), format="nquads")
    load_s = time.perf_counter() - t
    load_rss = peak_rss_mb()
    signal.signal(signal.SIGALRM, _alarm)
    results: dict[str, Any] = {}
    for name, f, bindings in [(f.name, f, {}) for f in unbound_files(files)] + list(bound):
        text = load_query(f)
        init = parse_bound(bindings)
        times: list[float] = []
        rows = None
        try:
            while len(times) < max(1, runs) and (not times or sum(times) < budget):
                signal.alarm(int(cap) + 1)
                t = time.perf_counter()
                res = ds.query(text, initBindings=init)
                rows = (int(bool(res.askAnswer)) if res.type == "ASK" else len(list(res)))
                times.append(time.perf_counter() - t)
                signal.alarm(0)
                if times[0] > cap / 2:
                    break  # slow: one run is the figure
            results[name] = {"median_s": statistics.median(times), "runs": len(times),
                               "rows": rows}
        except _Timeout:
            signal.alarm(0)
            results[name] = {"median_s": None, "capped_at_s": cap, "runs": 0, "rows": None}
        except MemoryError:
            signal.alarm(0)
            results[name] = {"median_s": None, "runs": 0, "rows": None,
                               "error": f"out of memory (cap {MEMORY_CAP / 2 ** 30:.0f} GiB)"}
        except Exception as e:  # rdflib may not support a construct oxigraph does
            signal.alarm(0)
            results[name] = {"median_s": None, "error": f"{type(e).__name__}: {e}"[:300],
                               "runs": len(times), "rows": rows}
        print(f"rdflib {name}: {results[name]}", file=sys.stderr, flush=True)
    return {"load_s": load_s, "load_peak_rss_mb": load_rss, "peak_rss_mb": peak_rss_mb(),
            "triples": len(ds), "queries": results}


def run_rdflib(nquads: Path, files: list[Path], runs: int, budget: float, cap: float,
               bound: list[tuple[str, Path, dict[str, str]]] = ()) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.queries", "--rdflib-worker", str(nquads),
           "--runs", str(runs), "--budget", str(budget), "--rdflib-cap", str(cap),
           "--bound", json.dumps([[n, str(f), b] for n, f, b in bound]), *map(str, files)]
    r = run_child(cmd, cwd=ROOT)
    if r.returncode != 0:
        raise RuntimeError(f"rdflib worker failed: {r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def compare(kg: dict[str, dict[str, Any]], rl: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, k in kg.items():
        r = rl["queries"].get(name, {})
        ks, rs = k.get("median_s"), r.get("median_s")
        speedup, bound = None, ""
        if ks is not None and rs is not None:
            speedup = rs / ks
        elif ks is not None and "capped_at_s" in r:
            speedup, bound = r["capped_at_s"] / ks, ">"
        rows.append({"query": name, "kgraid_s": ks, "kgraid_rows": k.get("rows"),
                     "kgraid_capped_at_s": k.get("capped_at_s"),
                     "kgraid_error": k.get("error"),
                     "rdflib_s": rs, "rdflib_capped": "capped_at_s" in r,
                     "rdflib_error": r.get("error"), "rdflib_rows": r.get("rows"),
                     "speedup": speedup, "speedup_bound": bound})
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.queries")
    p.add_argument("--rdflib-worker", type=Path, metavar="NQUADS")
    p.add_argument("--kgraid-worker", type=Path, metavar="STORE")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--budget", type=float, default=30.0)
    p.add_argument("--rdflib-cap", type=float, default=120.0)
    p.add_argument("--bindings", default="{}",
                   help="JSON object: variable -> value in --bind syntax")
    p.add_argument("--bound", default="[]", help="JSON list of [row name, file, bindings]")
    p.add_argument("files", nargs="*", type=Path)
    args = p.parse_args(argv)
    if args.kgraid_worker:
        emit(kgraid_worker(args.kgraid_worker, args.files[0], args.runs, args.budget,
                           json.loads(args.bindings) or None))
        return 0
    if args.rdflib_worker:
        bound = [(n, Path(f), b) for n, f, b in json.loads(args.bound)]
        emit(rdflib_worker(args.rdflib_worker, args.files, args.runs, args.budget,
                           args.rdflib_cap, bound))
        return 0
    p.error("use python -m bench.run --only queries")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
