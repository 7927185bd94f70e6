"""Run the kgraid benchmarks and write ``bench/RESULTS.md``.

    .venv/bin/python -m bench.run                     # everything, default sizes
    .venv/bin/python -m bench.run --only queries,export --triples 1000000
    .venv/bin/python -m bench.run --articles 200 --scale-articles 1000   # a quick pass

Sections (``--only`` picks some; the others keep their last results in bench/results.json):

- ``build``:   ``kgraid build`` vs bare ``nlp.pipe`` on ``--articles`` articles, for each of
               ``--jobs`` (same process count on both sides): throughput ratio; and the
               speed-up of the largest job count over one job.
- ``scale``:   ``kgraid build`` of ``--scale-articles`` articles with ``--scale-jobs``
               processes: time per article against the same build of ``--articles``; peak
               memory of both.
- ``graphs``:  synthetic graphs of each of ``--graph-sizes`` triples: generation time, store
               size, median time of every query in queries/ on it (kgraid only).
- ``queries``: every query in queries/ on the ``--triples`` graph, kgraid vs rdflib in memory.
- ``export``:  ``kgraid export --format turtle`` of the ``--triples`` graph.

Generated corpora and graphs are cached in ``--work`` (default bench/out/, not in git).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

from . import corpus as corpus_mod
from . import graphs as graphs_mod
from . import queries as queries_mod
from .measure import ROOT, machine
from .report import render
from .throughput import KGRAID, measure_build, measure_nlp, run_measured

log = logging.getLogger("bench")
SECTIONS = ("build", "scale", "graphs", "queries", "export")


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _stamp(args: argparse.Namespace) -> dict[str, str]:
    return {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python -m bench.run " + " ".join(shlex.quote(a) for a in args.argv),
            "load_before": _load()}


# ---------------------------------------------------------------------- sections
def section_build(args: argparse.Namespace) -> dict[str, Any]:
    c = corpus_mod.corpus(args.articles, args.work, args.seed)
    rows = []
    for jobs in args.jobs:
        pairs = []
        for k in range(args.repeats):
            log.info("build: nlp.pipe on %d articles, %d process(es), pair %d of %d",
                     args.articles, jobs, k + 1, args.repeats)
            nlp = measure_nlp(c, jobs)
            log.info("  nlp.pipe %.1f s (%.2f art/s); kgraid build ...", nlp.seconds,
                     nlp.articles_per_s)
            b = measure_build(c, jobs, args.work, args.build_args)
            log.info("  kgraid build %.1f s (%.2f art/s): ratio %.2f", b.seconds,
                     b.articles_per_s, b.articles_per_s / nlp.articles_per_s)
            pairs.append((nlp, b))
        rows.append(_build_row(jobs, pairs))
    out: dict[str, Any] = {"articles": args.articles, "rows": rows,
                           "build_args": args.build_args, "repeats": args.repeats}
    one = next((r for r in rows if r["jobs"] == 1), None)
    most = max(rows, key=lambda r: r["jobs"])
    if one is not None and most is not one:
        def med(row: dict[str, Any], side: str) -> float:  # over all pairs of the row
            return statistics.median(q[side] for q in row["pairs"])
        out["speedup"] = {"jobs": most["jobs"],
                          "build": med(one, "build_s") / med(most, "build_s"),
                          "nlp": med(one, "nlp_s") / med(most, "nlp_s")}
    return out


def _build_row(jobs: int, pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    """One process count's row from its (nlp, build) pairs, each pair measured one right after
    the other. The ratio is the median of the pairs' ratios (a pair shares the machine's state
    of the moment: the bare 2-process pipe alone took 78-106 s in four runs of one day); the
    row's nlp and build are the pair with that median ratio, and every pair is kept."""
    ratios = [b.articles_per_s / n.articles_per_s for n, b in pairs]
    mid = sorted(range(len(pairs)), key=lambda i: ratios[i])[(len(pairs) - 1) // 2]
    nlp, b = pairs[mid]
    return {"jobs": jobs, "nlp": nlp.as_dict(), "build": b.as_dict(), "ratio": ratios[mid],
            "ratio_pipe_only": b.articles_per_s / (nlp.articles / nlp.detail["pipe_s"]),
            "pairs": [{"nlp_s": n.seconds, "build_s": bb.seconds, "ratio": r}
                      for (n, bb), r in zip(pairs, ratios)]}


def section_scale(args: argparse.Namespace, previous: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for n in (args.articles, args.scale_articles):
        reused = _reusable_build(previous, n, args) if n == args.articles else None
        if reused is not None:
            log.info("scale: reusing the 'build' section's %d-article --jobs %d build of %s",
                     n, args.scale_jobs, previous["build"]["date"])
            rows.append({"articles": n, "build": reused, "from_build_section": True})
            continue
        c = corpus_mod.corpus(n, args.work, args.seed)
        log.info("scale: kgraid build of %d articles, %d jobs", n, args.scale_jobs)
        b = measure_build(c, args.scale_jobs, args.work, args.build_args)
        log.info("  %.1f s, %.1f ms/article, peak tree RSS %.0f MiB", b.seconds,
                 b.per_article_ms, b.peak_tree_rss_mb)
        rows.append({"articles": n, "build": b.as_dict()})
    small, large = rows[0]["build"], rows[1]["build"]
    return {"jobs": args.scale_jobs, "rows": rows,
            "per_article_ratio": large["per_article_ms"] / small["per_article_ms"],
            "rss_ratio": large["peak_tree_rss_mb"] / small["peak_tree_rss_mb"]}


def _reusable_build(previous: dict[str, Any], n: int, args: argparse.Namespace,
                    ) -> dict[str, Any] | None:
    """The 'build' section's measurement of the same build (same corpus size, jobs and
    arguments), when there is one: the small point of the scale comparison need not be
    measured twice. ``--remeasure`` turns this off."""
    sec = previous.get("build")
    if args.remeasure or not sec or sec.get("articles") != n or \
            sec.get("build_args") != args.build_args:
        return None
    for row in sec["rows"]:
        if row["jobs"] == args.scale_jobs:
            return dict(row["build"])
    return None


def _kgraid_queries(store_dir: Path, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    files = queries_mod.query_files(args.queries)
    return queries_mod.run_kgraid(store_dir, files, args.runs, args.budget, args.kgraid_cap,
                                  queries_mod.bound_runs(store_dir, files))


def section_graphs(args: argparse.Namespace) -> dict[str, Any]:
    rows = []
    for size in args.graph_sizes:
        t = time.perf_counter()
        path = graphs_mod.graph_store(size, args.work, args.seed)
        gen = time.perf_counter() - t
        size_bytes = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        log.info("graph %d: %.1f s (0 = cached), %.0f MiB", size, gen, size_bytes / 2 ** 20)
        q = _kgraid_queries(path, args)
        rows.append({"triples_target": size, "generate_s": gen, "store_mib": size_bytes / 2 ** 20,
                     "queries": q})
    return {"rows": rows}


def section_queries(args: argparse.Namespace) -> dict[str, Any]:
    path = graphs_mod.graph_store(args.triples, args.work, args.seed)
    from kgraid import views
    from kgraid.store import KgStore
    with KgStore(path) as store:  # what every build does once at its end, timed here
        refresh = views.refresh(store)
    n_triples = len(KgStore(path, read_only=True))
    files = queries_mod.query_files(args.queries)
    log.info("queries: kgraid on %d triples", n_triples)
    bound = queries_mod.bound_runs(path, files)
    kg = queries_mod.run_kgraid(path, files, args.runs, args.budget, args.kgraid_cap, bound)
    nq = path.with_suffix(".nq")
    if not nq.exists():
        import pyoxigraph as ox
        store = ox.Store.read_only(str(path))
        tmp = nq.with_suffix(".tmp")
        store.dump(str(tmp), format=ox.RdfFormat.N_QUADS)
        tmp.replace(nq)
    log.info("queries: rdflib in memory (load + %d queries)", len(files))
    rl = queries_mod.run_rdflib(nq, files, args.runs, args.budget, args.rdflib_cap, bound)
    rows = queries_mod.compare(kg, rl)
    speedups = [r["speedup"] for r in rows if r["speedup"] is not None]
    return {"triples": n_triples, "rows": rows, "rdflib_load_s": rl["load_s"],
            "views_refresh_s": refresh.seconds, "views_rows": refresh.rows,
            "rdflib_peak_rss_mb": rl["peak_rss_mb"], "rdflib_triples": rl["triples"],
            "min_speedup": min(speedups) if speedups else None}


def section_export(args: argparse.Namespace) -> dict[str, Any]:
    path = graphs_mod.graph_store(args.triples, args.work, args.seed)
    out = args.work / "export.ttl"
    rows = []
    for fmt in args.export_formats:
        target = out.with_suffix("." + {"turtle": "ttl", "trig": "trig", "nquads": "nq",
                                        "ntriples": "nt", "jsonld": "jsonld"}[fmt])
        cmd = KGRAID + ["export", "--store", str(path), "--format", fmt, "-o", str(target)]
        seconds, code, _o, err, tree, proc = run_measured(cmd)
        if code != 0:
            raise RuntimeError(f"kgraid export failed ({code}): {err[-2000:]}")
        rows.append({"format": fmt, "seconds": seconds, "bytes": target.stat().st_size,
                     "peak_rss_mb": proc})
        log.info("export %s: %.1f s, %.0f MiB", fmt, seconds, target.stat().st_size / 2 ** 20)
        target.unlink()
    import pyoxigraph as ox
    from kgraid.store import KgStore
    from kgraid.views import VIEWS, view_graph
    store = KgStore(path, read_only=True)
    in_views = sum(1 for name in VIEWS for _ in store.raw.quads_for_pattern(
        None, None, None, ox.NamedNode(view_graph(name))))
    return {"triples": len(store), "view_triples": in_views, "rows": rows}


# ---------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run",
                                description=(__doc__ or "").split("\n\n")[0],
                                epilog="See bench/README.md.")
    p.add_argument("--only", default=",".join(SECTIONS),
                   help=f"comma-separated sections to run (default: all of {','.join(SECTIONS)})")
    p.add_argument("--articles", type=int, default=1000, help="corpus size for 'build' (1000)")
    p.add_argument("--jobs", type=_ints, default=[1, 2], help="process counts for 'build' (1,2)")
    p.add_argument("--repeats", type=int, default=1,
                   help="(nlp.pipe, build) pairs per process count in 'build'; the ratio is "
                        "their median (1)")
    p.add_argument("--scale-articles", type=int, default=10000,
                   help="large corpus for 'scale' (10000)")
    p.add_argument("--scale-jobs", type=int, default=2, help="--jobs of the 'scale' builds (2)")
    p.add_argument("--remeasure", action="store_true",
                   help="'scale': measure the small build again instead of reusing 'build'")
    p.add_argument("--build-args", default="",
                   help="extra 'kgraid build' arguments, e.g. '--no-resolve'")
    p.add_argument("--graph-sizes", type=_ints, default=[100_000, 1_000_000],
                   help="synthetic graph sizes in triples for 'graphs' (100000,1000000)")
    p.add_argument("--triples", type=int, default=1_000_000,
                   help="graph size for 'queries' and 'export' (1000000)")
    p.add_argument("--export-formats", default="turtle",
                   help="comma-separated export formats (turtle)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per query (5)")
    p.add_argument("--budget", type=float, default=30.0,
                   help="seconds of timed runs per query before stopping early (30)")
    p.add_argument("--rdflib-cap", type=float, default=120.0,
                   help="stop an rdflib query after this many seconds (120)")
    p.add_argument("--kgraid-cap", type=float, default=60.0,
                   help="stop a kgraid query worker after this many seconds (60)")
    p.add_argument("--queries", type=Path, default=ROOT / "queries")
    p.add_argument("--seed", type=int, default=20170108)
    p.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = p.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    args.build_args = args.build_args.split()
    args.export_formats = [f for f in args.export_formats.split(",") if f]
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = set(only) - set(SECTIONS)
    if bad:
        p.error(f"unknown sections: {', '.join(sorted(bad))}")
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s", stream=sys.stderr)
    args.work.mkdir(parents=True, exist_ok=True)

    results: dict[str, Any] = {}
    if args.results.exists():
        results = json.loads(args.results.read_text())
    results["machine"] = machine()
    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "build": lambda: section_build(args),
        "scale": lambda: section_scale(args, results),
        "graphs": lambda: section_graphs(args),
        "queries": lambda: section_queries(args),
        "export": lambda: section_export(args),
    }
    for name in SECTIONS:
        if name not in only:
            continue
        stamp = _stamp(args)
        t = time.perf_counter()
        data = runners[name]()
        results[name] = {**stamp, **data, "section_s": time.perf_counter() - t,
                         "load_after": _load()}
        args.results.write_text(json.dumps(results, indent=1, default=str))
        args.out.write_text(render(results))
        log.info("%s done in %.0f s; %s updated", name, time.perf_counter() - t, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
