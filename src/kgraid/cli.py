"""The ``kgraid`` command: a thin shell over the library.

Every subcommand parses its arguments, calls one library function and prints the result.
Library errors become messages and exit codes here and only here.

Exit codes (all commands):
  0  success (``validate``: the graph conforms)
  1  ``validate``/``build``: SHACL non-conformance; ``eval``: F1 below --min-f1
  2  error: bad arguments, unreadable input, store or endpoint failure
  3  ``build``: partial failure — some inputs failed, the rest were built
  130 interrupted (Ctrl-C); the store holds only whole articles
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import KgraidError

__all__ = ["main", "emit", "add_output_options", "open_store"]

log = logging.getLogger("kgraid")

# Modules that add their own subcommands with a ``register(subparsers)`` function.
_PLUGIN_MODULES = ("query", "export", "evaluate", "link", "network", "serve", "resolve",
                   "views")


# ---------------------------------------------------------------------- helpers
def add_output_options(p: argparse.ArgumentParser, formats: Sequence[str] = (
        "table", "json", "csv", "tsv"), default: str = "table") -> None:
    p.add_argument("--format", choices=list(formats), default=default,
                   help=f"output format (default: {default})")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print only the result, no progress or notes")


def emit(rows: list[dict[str, Any]] | dict[str, Any], fmt: str, *, out=None) -> None:
    """Print ``rows`` (or one mapping) as a table, JSON, CSV or TSV."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump(rows, out, indent=2, ensure_ascii=False, default=str)
        out.write("\n")
        return
    if isinstance(rows, dict):
        rows = [{"key": k, "value": v} for k, v in rows.items()]
    if not rows:
        return
    cols = list(dict.fromkeys(k for r in rows for k in r))
    if fmt in ("csv", "tsv"):
        w = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
        return
    cells = [[("" if r.get(c) is None else str(r.get(c))).replace("\n", " ") for c in cols]
             for r in rows]
    widths = [min(60, max([len(c)] + [len(row[i]) for row in cells])) for i, c in enumerate(cols)]
    out.write("  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join((v if len(v) <= w else v[:w - 1] + "…").ljust(w)
                            for v, w in zip(row, widths)).rstrip() + "\n")


def open_store(spec: str | None, *, read_only: bool = False, memory: bool = False):
    """A store from a ``--store`` value: a directory (embedded), or http(s):// (remote)."""
    if memory or spec is None:
        from .store import KgStore
        return KgStore(None)
    if spec.startswith(("http://", "https://")):
        try:
            from .remote import RemoteStore
        except ModuleNotFoundError as e:  # pragma: no cover - packaging error
            raise KgraidError(f"remote stores are not available: {e}") from e
        return RemoteStore(spec)
    from .store import KgStore
    return KgStore(spec, read_only=read_only)


def _date(value: str) -> dt.date:
    from .ingest import parse_date
    try:
        return parse_date(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: expected a whole number of at least 1")
    return n


# ---------------------------------------------------------------------- build
def _cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build

    if args.published and (len(args.inputs) != 1 or Path(args.inputs[0]).is_dir()):
        raise KgraidError("--published applies to a single article file (or '-')")
    store = open_store(args.store, memory=args.memory)
    steps: list[Callable] = []
    embedded = hasattr(store, "raw")
    if not args.no_resolve:
        from .resolve import resolve_remote, resolve_store
        steps.append(resolve_store if embedded else resolve_remote)
    if args.link:
        from .link import link_store

        def _link(s):
            r = link_store(s, online=args.link == "online", endpoint=args.endpoint)
            d = r.as_dict() if hasattr(r, "as_dict") else dict(r)
            return {"links": {k: v for k, v in d.items() if k in (
                "linked_offline", "linked_online", "unlinked", "ambiguous", "requests_sent",
                "cache_hits", "errors", "endpoint_error")}}
        steps.append(_link)

    show = not args.quiet and args.format != "json"
    tty = sys.stderr.isatty()

    def progress(outcome, done: int) -> None:
        if outcome.status == "failed":
            print(f"kgraid: {outcome.origin}: {outcome.reason}", file=sys.stderr)
        elif outcome.status == "invalid":
            print(f"kgraid: {outcome.origin}: {outcome.reason}", file=sys.stderr)
            for v in outcome.violations[:20]:
                print(f"  focus {v.focus}\n    {v.message}"
                      + (f"\n    evidence: {v.evidence}" if v.evidence else ""), file=sys.stderr)
        for w in outcome.warnings:
            print(f"kgraid: warning: {outcome.origin}: {w}", file=sys.stderr)
        if show and (tty or done % 100 == 0):
            end = "\r" if tty else "\n"
            print(f"[{done}] {outcome.status:<8} {outcome.article_id or outcome.origin}"[:100]
                  .ljust(100 if tty else 0), end=end, file=sys.stderr, flush=True)

    executor = None
    if args.executor == "dask":
        from .distributed import dask_executor
        executor = dask_executor(args.scheduler, validate=not args.no_validate,
                                 engine=args.engine)
    report = build(args.inputs, store, published=args.published,
                   keep_invalid=args.keep_invalid, validate=not args.no_validate,
                   engine=args.engine, jobs=args.jobs, force=args.force, progress=progress,
                   executor=executor, post_build=steps, shapes=args.shapes,
                   chunk_size=args.batch, views=not args.no_views)
    if show and tty:
        print(" " * 100, end="\r", file=sys.stderr)
    if args.report:
        Path(args.report).write_text(json.dumps(report.as_dict(), indent=2, default=str),
                                     encoding="utf-8")
    if args.format == "json":
        emit(report.as_dict(), "json")
    elif not args.quiet:
        t = report.totals
        where = args.store if not args.memory else "memory"
        print(f"built {report.count('built')}, skipped {report.count('skipped')}, "
              f"invalid {report.count('invalid')}, failed {report.count('failed')} "
              f"-> {where}")
        print(f"facts: {t['memberships']} memberships, {t['operations']} operations, "
              f"{t['claims']} claims, {t['entities']} entities")
        for k, v in report.post.items():
            print(f"{k}: {json.dumps(v, default=str) if not isinstance(v, str) else v}")
        if report.interrupted:
            print("interrupted: re-run the same command to finish the build", file=sys.stderr)
    return report.exit_code(args.keep_invalid)


def _add_build(sub) -> None:
    p = sub.add_parser("build", help="build the graph from articles",
                       description="Read articles (.txt/.md with optional YAML front matter, "
                       ".jsonl, a directory read recursively, or - for stdin), extract facts, "
                       "validate each article's graph with SHACL and merge it into the store. "
                       "Unchanged articles are skipped. Exit: 0 all built, 1 some graphs did "
                       "not conform (not merged), 2 error, 3 some inputs failed (the rest was "
                       "built), 130 interrupted.")
    p.add_argument("inputs", nargs="+", help="files, directories or - (stdin)")
    p.add_argument("--store", default="kg.db",
                   help="store directory, or an http(s):// SPARQL Graph Store (default kg.db)")
    p.add_argument("--memory", action="store_true", help="build in memory (nothing kept)")
    p.add_argument("--published", type=_date, help="publication date for a single file")
    p.add_argument("--keep-invalid", action="store_true",
                   help="merge graphs that do not conform too (their reports are still shown)")
    p.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    p.add_argument("--shapes", help="a SHACL file of your own, checked with kgraid's shapes")
    p.add_argument("--engine", choices=["pyshacl", "turbo", "auto"], default="auto",
                   help="SHACL engine (auto: pyshacl-turbo when installed, else pySHACL)")
    p.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--force", action="store_true", help="rebuild unchanged articles too")
    p.add_argument("--batch", type=_positive, default=64, metavar="N",
                   help="articles read, processed and written to the store together "
                        "(default 64; progress and the store advance by whole batches)")
    p.add_argument("--no-resolve", action="store_true",
                   help="skip cross-article entity resolution and operation merging")
    p.add_argument("--no-views", action="store_true",
                   help="do not compute the views timeline.rq and conflicting_figures.rq read "
                   "(a whole-store aggregation; its memory grows with the store): they are "
                   "left unreadable until `kgraid views` or a build without this flag")
    p.add_argument("--link", nargs="?", const="offline", choices=["offline", "online"],
                   help="link entities to Wikidata after the build (offline gazetteer by "
                   "default; 'online' asks --endpoint)")
    p.add_argument("--endpoint", help="SPARQL endpoint for --link online")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="where the per-article work runs")
    p.add_argument("--scheduler", help="Dask scheduler address for --executor dask")
    p.add_argument("--report", help="write the full build report (JSON) to this file")
    add_output_options(p, ("text", "json"), "text")
    p.set_defaults(func=_cmd_build)


# ---------------------------------------------------------------------- validate
def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate_file
    report = validate_file(args.file, engine=args.engine)
    if args.format == "json":
        emit(report.as_dict(), "json")
    elif not args.quiet:
        if report.conforms:
            print(f"{args.file}: conforms")
        else:
            print(f"{args.file}: does not conform ({len(report.violations)} violation(s))")
            for v in report.violations:
                print(f"  focus {v.focus}\n    path {v.path}\n    {v.message}"
                      + (f"\n    evidence: {v.evidence}" if v.evidence else ""))
    return 0 if report.conforms else 1


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="check an RDF file against the kgraid SHACL shapes",
                       description="Validate a graph file (.ttl .trig .nq .nt .jsonld) against "
                       "ontology/shapes.ttl. Exit: 0 conforms, 1 does not conform, 2 error.")
    p.add_argument("file")
    p.add_argument("--engine", choices=["pyshacl", "turbo", "auto"], default="pyshacl")
    add_output_options(p, ("text", "json"), "text")
    p.set_defaults(func=_cmd_validate)


# ---------------------------------------------------------------------- stats
def _cmd_stats(args: argparse.Namespace) -> int:
    from .stats import store_stats
    store = open_store(args.store, read_only=True)
    emit(store_stats(store), args.format)
    return 0


def _add_stats(sub) -> None:
    p = sub.add_parser("stats", help="count articles, entities and facts in a store",
                       description="Counts of articles, entities by type, memberships, "
                       "operations, claims, named graphs and triples. Exit: 0, or 2 on error.")
    p.add_argument("--store", default="kg.db")
    add_output_options(p)
    p.set_defaults(func=_cmd_stats)


# ---------------------------------------------------------------------- main
def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kgraid", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[-1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_build(sub)
    _add_validate(sub)
    _add_stats(sub)
    for name in _PLUGIN_MODULES:
        try:
            mod = importlib.import_module(f".{name}", __package__)
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.{name}":
                continue
            raise
        register = getattr(mod, "register", None)
        if register is not None:
            register(sub)
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version
        return f"kgraid {version('kgraid')}"
    except Exception:  # noqa: BLE001
        return "kgraid (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = make_parser()
        args = parser.parse_args(argv)
        level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
        logging.basicConfig(level=level, format="kgraid: %(levelname)s: %(message)s")
        if args.verbose < 2:
            for noisy in ("rdflib", "pyshacl", "distributed", "urllib3"):
                logging.getLogger(noisy).setLevel(logging.ERROR)
        return int(args.func(args) or 0)
    except KgraidError as e:
        print(f"kgraid: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kgraid: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

