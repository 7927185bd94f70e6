"""Views: query results that kgraid computes when it writes a store, so that the queries
that aggregate over the whole store answer at once.

Three queries of ``queries/`` group every operation or casualty figure of the store with
the labels of what it involves: ``timeline.rq``, ``operations_by_place_date.rq`` and
``conflicting_figures.rq``. Every article graph repeats the labels of the entities it
mentions, so on a 1M-triple store they took 0.6 to 1.1 s however they were written. Their
grouping now runs once per write, in the view definitions of ``resources/views/`` (SELECT
queries over the union of all graphs, one column per row property), and its rows are
stored in one derived named graph per view (``graph/_view/NAME``). The query files read
those rows: the timeline view holds every operation, dated or not, and ``timeline.rq``
reads its dated rows.

The definitions say what the rows are; :mod:`kgraid.viewrows` computes the same solutions
one operation or event at a time from the store's indexes (a test checks that the two agree
on the articles and on every edge case of the definitions). Evaluated whole, the
definitions hash-join tables of the entire store: on the 10,000-article bench store they
peaked at 455 and 353 MiB against 268 and 223 MiB key by key, where the memory stops
growing once the storage engine's cache is full (about 200 MiB), at about twice the time
(30 and 16 s against 17 and 7 s; bench/README.md).

The rules that keep a view true to the store:

- A view graph names the digest of the definition that computed it
  (``kgv:definitionHash``), written after its rows. A query that reads a view (header line
  ``# View: NAME``) first checks that the digest is there and is the installed
  definition's; if not, it stops with an error that says to run ``kgraid views --store``.
- Every kgraid write (:func:`kgraid.pipeline.build`, :func:`kgraid.link.link_store`,
  :func:`kgraid.resolve.resolve_store`, :func:`kgraid.resolve.resolve_remote`,
  :func:`kgraid.resolve.unmerge`) runs inside :func:`maintained`: the digests go before it
  writes (:func:`drop`) and the views are computed again when it is done
  (:func:`refresh`, which writes only the rows that changed). A write or a refresh that
  stops half-way leaves views that no query reads, never stale ones.
- Writes made outside kgraid (another tool's SPARQL Update, ``oxigraph load``) are not seen:
  after one, run ``kgraid views``.

On a store behind the Graph Store Protocol the views are computed locally from a copy of the
remote quads (the server's own default graph may not be the union of its graphs) and PUT
back, one graph per view.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import inspect
import json
import logging
import re
import sys
import time
from dataclasses import dataclass
from functools import cache, wraps
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import pyoxigraph as ox
from rdflib import URIRef

from . import viewrows
from .errors import QueryError
from .rdf import BASE
from .sparqltext import header_comments

__all__ = ["VIEWS", "KGV", "DIGEST_QUERY", "view_graph", "definition", "definition_hash",
           "refresh", "drop", "maintained", "maintains", "declared_views", "stale_views",
           "check_views", "embedded_digests", "remote_digests", "RefreshReport", "register"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The views, by name: each is ``resources/views/NAME.rq`` and the graph ``graph/_view/NAME``.
#: A refresh computes them in this order, the larger first: the process keeps the memory the
#: first one freed and the second adds to it (with the whole-store SPARQL evaluation on the
#: 10,000-article store, timeline then conflicting_figures peaked at 551 MiB, the other way
#: round at 451 MiB).
VIEWS = ("conflicting_figures", "timeline")
#: The views' own vocabulary (row properties and the definition digest).
KGV = "https://w3id.org/kgraid/view#"
_DIGEST = KGV + "definitionHash"


def view_graph(name: str) -> str:
    """The IRI of the named graph that holds view ``name``."""
    return f"{BASE}graph/_view/{name}"


@cache
def definition(name: str) -> str:
    """The SELECT query that computes view ``name``: its ``?row`` column is the row's IRI,
    and every other column ``some_name`` the row's property ``kgv:someName``."""
    if name not in VIEWS:
        raise QueryError(f"unknown view {name!r}; the views are {', '.join(VIEWS)}")
    return (resources.files("kgraid") / "resources" / "views" / f"{name}.rq").read_text("utf-8")


@cache
def definition_hash(name: str) -> str:
    """SHA-256 of view ``name``'s definition and of the code that computes its rows
    (:mod:`kgraid.viewrows`): what a view graph records as its origin, so that a view
    written by another version of either is read as stale."""
    code = Path(viewrows.__file__).read_text("utf-8")
    return hashlib.sha256((definition(name) + "\n" + code).encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------- writing
def _is_embedded(store: Any) -> bool:
    return hasattr(store, "raw")


def drop(store: Any) -> None:
    """Make every view of ``store`` (a KgStore or a RemoteStore) unreadable until the next
    :func:`refresh`. On an embedded store only the digest triple goes (removing a view graph
    of 100k triples from the on-disk store took 1.5-2.7 s, and the next refresh keeps its
    unchanged rows); on a remote one the graphs are deleted."""
    for name in VIEWS:
        if _is_embedded(store):
            _remove_digest(store.raw, name)
        else:
            store.remove_graph(view_graph(name))


def _remove_digest(raw: ox.Store, name: str) -> None:
    g = ox.NamedNode(view_graph(name))
    for q in list(raw.quads_for_pattern(g, ox.NamedNode(_DIGEST), None, g)):
        raw.remove(q)


#: The row properties that are lists joined by GROUP_CONCAT, with their separators. SPARQL
#: leaves the order of a GROUP_CONCAT to the engine (two stores with the same triples gave
#: "eastern Syria | Deir ez-Zor" and "Deir ez-Zor | eastern Syria"), so each list is
#: sorted here: a store's views depend on its triples only, not on the order they came in.
_LISTS = {KGV + "places": " | ", KGV + "actors": " | ", KGV + "targets": " | ",
          KGV + "dateText": " | ", KGV + "articles": " ", KGV + "otherSources": "; "}
#: Quads written or removed at a time while a view is written: bounds the memory a refresh
#: holds besides the engine's own (about 15 MB of quads).
_BATCH = 50_000


def _canonical(term: Any, sep: str | None) -> Any:
    """``term`` with its list sorted, when it is a list joined by ``sep``."""
    if sep is None or not isinstance(term, ox.Literal):
        return term
    return ox.Literal(sep.join(sorted(term.value.split(sep))))


def _property(column: str) -> ox.NamedNode:
    """The row property of a definition's column: ``event_label`` is ``kgv:eventLabel``."""
    return ox.NamedNode(KGV + re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), column))


@cache
def _columns(name: str) -> list[tuple[str, ox.NamedNode, str | None]]:
    """The columns of view ``name`` but ``?row``: name, row property, list separator."""
    variables = ox.Store().query(definition(name)).variables
    return [(v.value, p, _LISTS.get(p.value)) for v in variables if v.value != "row"
            for p in (_property(v.value),)]


def _solutions(source: ox.Store, name: str, engine: str) -> Iterator[dict[str, Any]]:
    """The solutions of view ``name`` over ``source``, as column name to term: computed one
    key at a time by :mod:`kgraid.viewrows` (``engine="rows"``), or by evaluating the SPARQL
    definition over the whole store (``"sparql"``; a test checks that the two agree). The
    definition is a SELECT, not a CONSTRUCT, because a CONSTRUCT keeps every triple it
    emitted to remove duplicates (on a 10,000-article store that doubled the refresh's
    memory, bench/README.md)."""
    if engine == "rows":
        yield from viewrows.ROWS[name](source)
        return
    if engine != "sparql":
        raise ValueError(f"unknown view engine {engine!r}")
    results = source.query(definition(name), use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    for solution in results:
        yield {n: t for n in names if (t := solution[n]) is not None}


def _compute(source: ox.Store, name: str, engine: str = "rows",
             ) -> Iterator[tuple[ox.NamedNode, set[ox.Quad]]]:
    """The rows of view ``name`` over ``source``, one solution at a time: the row's IRI (its
    ``?row`` column) and its quads, one per bound column. A row that comes out twice (an
    event with two labels) is two solutions with the same IRI."""
    g = ox.NamedNode(view_graph(name))
    columns = _columns(name)
    for solution in _solutions(source, name, engine):
        row = solution.get("row")
        if not isinstance(row, ox.NamedNode):  # a key column unbound: no row
            continue
        yield row, {ox.Quad(row, p, _canonical(o, sep), g)
                    for v, p, sep in columns if (o := solution.get(v)) is not None}


def _digest_quad(name: str) -> ox.Quad:
    g = ox.NamedNode(view_graph(name))
    return ox.Quad(g, ox.NamedNode(_DIGEST), ox.Literal(definition_hash(name)), g)


class _Writer:
    """Removes then adds quads of an embedded store in batches of :data:`_BATCH`."""

    def __init__(self, store: Any) -> None:
        self.raw: ox.Store = store.raw
        # the bulk loader on disk is not atomic, hence the digest written after the rows
        self.bulk = getattr(store, "path", None) is not None
        self.add: list[ox.Quad] = []
        self.remove: list[ox.Quad] = []

    def queue(self, remove: Any = (), add: Any = ()) -> None:
        self.remove.extend(remove)
        self.add.extend(add)
        if len(self.add) + len(self.remove) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        for q in self.remove:  # first: a later solution of a row may add one of them back
            self.raw.remove(q)
        if self.add:
            (self.raw.bulk_extend if self.bulk else self.raw.extend)(self.add)
        self.add, self.remove = [], []


def _write_embedded(store: Any, name: str,
                    rows: Iterator[tuple[ox.NamedNode, set[ox.Quad]]]) -> int:
    """Make the view graph ``name`` hold ``rows`` and then its digest; return the number of
    rows. Only the difference is written, row by row as the definition's solutions come:
    each row's old quads are looked up by its IRI, and the rows no solution gave are removed
    at the end. An incremental build changes few rows, and on disk removing triples one by
    one took 10 us each, ``remove_graph`` 24 us each (1.5-2.7 s for a whole view). Besides
    the engine, a refresh holds the set of row IRIs and one batch of quads, not two copies
    of the view. The old digest goes first and the new one last, so a refresh cut short
    leaves a view no query reads. (Writing the view graph while the solutions are read is
    safe: neither way of computing them reads a ``kgv:`` triple or a row's IRI.)"""
    raw: ox.Store = store.raw
    g = ox.NamedNode(view_graph(name))
    fresh = not raw.contains_named_graph(g)
    _remove_digest(raw, name)  # unreadable while it changes
    writer = _Writer(store)
    seen: set[ox.NamedNode] = set()
    for row, quads in rows:
        if row in seen or fresh:  # a second solution of a row: its quads join the first's
            writer.queue(add=quads)
        else:
            old = set(raw.quads_for_pattern(row, None, None, g))
            writer.queue(remove=old - quads, add=quads - old)
        seen.add(row)
    writer.flush()
    if not fresh:  # a read sees the store as it was when it began (pyoxigraph's
        # repeatable read), so removing while reading is safe; one quad at a time keeps the
        # batches bounded when many rows went (an unmerge)
        for q in raw.quads_for_pattern(None, None, None, g):
            if q.subject not in seen:
                writer.queue(remove=(q,))
        writer.flush()
    raw.add(_digest_quad(name))
    return len(seen)


@dataclass
class RefreshReport:
    rows: dict[str, int]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"views": {"rows": self.rows, "seconds": round(self.seconds, 3)}}


def refresh(store: Any) -> RefreshReport:
    """Compute every view of ``store`` again from its current content and write it (on an
    embedded store, only the rows that changed). Returns the rows per view and the time."""
    start = time.perf_counter()
    rows: dict[str, int] = {}
    if _is_embedded(store):
        for name in VIEWS:
            rows[name] = _write_embedded(store, name, _compute(store.raw, name))
        if hasattr(store, "flush"):
            store.flush()
    else:
        copy = ox.Store()  # the definitions read no kgv: triple, so old rows do not matter
        store.load_into(copy)
        for name in VIEWS:
            triples: dict[ox.Triple, None] = {}  # ordered, without the duplicates
            subjects: set[ox.NamedNode] = set()
            for row, quads in _compute(copy, name):
                subjects.add(row)
                triples.update(dict.fromkeys(q.triple for q in quads))
            body = ox.serialize([*triples, _digest_quad(name).triple],
                                format=ox.RdfFormat.N_TRIPLES) or b""
            store.replace_ntriples(view_graph(name), body)  # one PUT, the digest last
            rows[name] = len(subjects)
        store.flush()
    report = RefreshReport(rows, time.perf_counter() - start)
    log.info("views: %s in %.2f s", ", ".join(f"{n} {r} rows" for n, r in rows.items()),
             report.seconds)
    return report


@contextlib.contextmanager
def maintained(store: Any, *, compute: bool = True) -> Iterator[None]:
    """Around a write to ``store``: the views are dropped before it and computed again after
    it. Nested writes (a build that links) refresh once, when the outermost one ends; a write
    that raises leaves the store without views (a query that reads one then says so).

    On a remote store, whose every write goes through :class:`~kgraid.remote.RemoteStore`,
    the views are dropped just before the first graph is sent, and a write that sends
    nothing (a re-run of an unchanged build) sends nothing for the views either, unless they
    are missing or stale. An embedded store is written by many paths (resolution updates
    the pyoxigraph store itself), so its views are dropped first and computed again every
    time: 9.1 s at 1M triples in the 2026-12-07 bench run (bench/RESULTS.md). With
    ``compute=False`` the views are dropped and left so (``kgraid build --no-views``)."""
    depth = getattr(store, "_kgraid_views_depth", 0)
    remote = not _is_embedded(store)
    wrote: list[bool] = []
    if depth == 0:
        if remote:
            def first_write() -> None:
                wrote.append(True)
                drop(store)
            store.before_write = first_write
        else:
            drop(store)
    store._kgraid_views_depth = depth + 1
    try:
        yield
    finally:
        store._kgraid_views_depth = depth
        if depth == 0 and remote:
            store.before_write = None
    if depth == 0:
        if not compute:  # dropped before the write (on a remote store, if it wrote)
            return
        if remote and not wrote and not stale_views(list(VIEWS), remote_digests(store)):
            return
        refresh(store)


def maintains(write: Callable[..., T]) -> Callable[..., T]:
    """Decorate a function that writes the store passed as its ``store`` argument (or, when
    it has none, its first) so that it runs :func:`maintained`; its ``views`` argument, when
    it has one and it is false, leaves the views dropped. A bare ``pyoxigraph.Store`` (a
    scratch copy a remote write works on) has no views and is passed through."""
    signature = inspect.signature(write)
    param = "store" if "store" in signature.parameters else next(iter(signature.parameters))

    @wraps(write)
    def run(*args: Any, **kw: Any) -> T:
        arguments = signature.bind_partial(*args, **kw).arguments
        store = arguments[param]
        if isinstance(store, ox.Store):
            return write(*args, **kw)
        with maintained(store, compute=bool(arguments.get("views", True))):
            return write(*args, **kw)
    return run


# ------------------------------------------------------------------------- reading
_VIEW_RE = re.compile(r"^#\s*View:\s*(?P<names>.*)$", re.IGNORECASE)


def declared_views(query: str) -> list[str]:
    """The views a query reads, from the ``# View: NAME`` lines of its header (the comments
    before the first SPARQL token)."""
    names: list[str] = []
    for line in header_comments(query):
        m = _VIEW_RE.match(line)
        if m:
            names += re.findall(r"[A-Za-z_][A-Za-z0-9_]*", m.group("names"))
    return names


#: The SELECT that reads a view graph's digest, with ``?g`` bound to the graph's IRI.
DIGEST_QUERY = f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?g <{_DIGEST}> ?h }} }}"


def stale_views(names: list[str], digests: Callable[[str], set[str]],
                ) -> list[tuple[str, str]]:
    """The views of ``names`` that cannot be read, each with why: ``digests(graph_iri)``
    gives the definition digests a view graph records (none when it is missing)."""
    bad: list[tuple[str, str]] = []
    for name in names:
        if name not in VIEWS:
            bad.append((name, "no such view"))
            continue
        found = digests(view_graph(name))
        if not found:
            bad.append((name, "missing"))
        elif definition_hash(name) not in found:
            bad.append((name, "computed by another version of its definition"))
    return bad


def embedded_digests(store: Any):
    """:func:`stale_views`' reader for an embedded store."""
    def read(iri: str) -> set[str]:
        g = ox.NamedNode(iri)
        return {q.object.value for q in store.raw.quads_for_pattern(
            g, ox.NamedNode(_DIGEST), None, g)}
    return read


def remote_digests(store: Any):
    """:func:`stale_views`' reader for a :class:`~kgraid.remote.RemoteStore`."""
    def read(iri: str) -> set[str]:
        rows = store.query(DIGEST_QUERY, {"g": URIRef(iri)})
        return {str(r["h"]) for r in rows if "h" in r}
    return read


def check_views(names: list[str], digests: Callable[[str], set[str]], where: str) -> None:
    """Refuse (:class:`QueryError` naming ``where``) a query that reads a view the store
    lacks or holds from another version of its definition: its rows would be silently empty
    or wrong."""
    bad = stale_views(names, digests)
    if not bad:
        return
    what = "; ".join(f"the {n} view is {why}" if why != "no such view"
                     else f"{n}: no such view ({', '.join(VIEWS)})" for n, why in bad)
    raise QueryError(f"{where}: {what}. The view is computed when kgraid writes the store; "
                     "run `kgraid views --store STORE` to compute it (for example after a "
                     "write made with another tool or a build that stopped half-way)")


# ---------------------------------------------------------------------------- CLI
VIEWS_HELP = """\
Compute the views of a store again: the rows that timeline.rq and conflicting_figures.rq
read. kgraid does this itself at the end of every build, link and unmerge; run it after a
build that stopped half-way or a write made with another tool.

exit codes: 0 the views were written, 2 error (store or endpoint failure).
"""


def register(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("views", help="compute the views the aggregate queries read",
                              description=VIEWS_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", required=True,
                   help="store directory, or http(s)://HOST:PORT for a Graph Store Protocol server")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: one JSON object on stdout (rows per view, seconds)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=cmd_views)
    return p


def cmd_views(args: argparse.Namespace) -> int:
    from .cli import open_store
    from .errors import StoreError
    if not args.store.startswith(("http://", "https://")) and not Path(args.store).is_dir():
        raise StoreError(f"{args.store}: no store there (a directory made by `kgraid build`)")
    store = open_store(args.store)
    try:
        report = refresh(store)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(report.as_dict()))
    elif not args.quiet:
        for name, n in report.rows.items():
            print(f"{name}: {n} rows")
        print(f"{report.seconds:.2f} s", file=sys.stderr)
    return 0
