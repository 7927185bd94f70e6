"""Stage 7b: write the graph out, and read RDF files in, without touching the network.

``export_store`` writes a store as

- ``trig`` / ``nquads``: every named graph kept (lossless: the article graphs and the derived
  ``graph/_...`` graphs), written by pyoxigraph straight from the store;
- ``turtle`` / ``ntriples``: the union of all graphs as one graph, each distinct triple once
  (the views of :mod:`kgraid.views` left out: they are rows computed from the rest),
  in a fixed order, so two exports of the same store are byte-identical (not sorted by IRI:
  sorting a million triples by their strings took minutes). Both are read in parts by
  parallel threads (one query each: the export assumes nothing writes the store meanwhile;
  kgraid opens it read-only). Turtle's parts hold whole subjects, one part per ``rdf:type``
  (then the untyped subjects), so each subject's triples stay grouped; N-Triples, which has
  no grouping, is read one predicate at a time;
- ``jsonld``: every named graph kept, written by rdflib with a *local* ``@context`` (a JSON
  object of prefixes, never a URL a reader would have to fetch).

Prefixes (``kgr:``, ``org:``, ``prov:``, ``sem:``, ``person:``...) are bound in every format
that has them. A file is written to a temporary name beside the target and renamed into place,
so a failed export never leaves a half-written file.

``load_rdf`` reads a user's RDF file (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) into
a store with pyoxigraph's parsers, which never fetch anything: a JSON-LD remote ``@context`` is
refused with an error, ``owl:imports`` is just a triple, RDF/XML external entities are not
resolved.
"""
from __future__ import annotations

import argparse
import itertools
import logging
import operator
import os
import shutil
import sys
import tempfile
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable, Iterator

import pyoxigraph as ox
from rdflib import RDF, RDFS, Dataset
from rdflib.namespace import PROV

from .errors import InputError, KgraidError, StoreError
from .rdfio import check_xml_entities
from .query import _from_ox, open_read_only
from .rdf import BASE, KGR, PREFIXES
from .store import KgStore
from .views import KGV

__all__ = ["EXPORT_FORMATS", "SUFFIXES", "export_store", "export_prefixes", "load_rdf",
           "rdf_format_for", "register"]

log = logging.getLogger(__name__)

#: Export format name -> file suffix.
SUFFIXES = {"turtle": ".ttl", "trig": ".trig", "nquads": ".nq", "ntriples": ".nt",
            "jsonld": ".jsonld"}
EXPORT_FORMATS = tuple(SUFFIXES)
_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG,
               "nquads": ox.RdfFormat.N_QUADS, "ntriples": ox.RdfFormat.N_TRIPLES}
#: Suffix -> pyoxigraph format, for reading.
_READ_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".turtle": ox.RdfFormat.TURTLE,
                 ".trig": ox.RdfFormat.TRIG, ".nt": ox.RdfFormat.N_TRIPLES,
                 ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD,
                 ".json": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
                 ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
                 ".n3": ox.RdfFormat.N3}


def export_prefixes() -> dict[str, str]:
    """Prefixes bound in exports. ``kgi:`` (``.../id/``) is replaced by one prefix per kind of
    entity, so that local names hold no ``/`` (which Turtle would have to escape)."""
    out = {p: str(ns) for p, ns in PREFIXES.items() if p != "kgi"}
    for kind in ("person", "organization", "place", "role"):
        out[kind] = f"{BASE}id/{kind}/"
    return out


# ---------------------------------------------------------------------------- writing
#: The union of all graphs, each distinct triple once. ``DISTINCT`` works on the store's
#: encoded terms, so only the distinct triples are decoded to strings; no ORDER BY (sorting a
#: million triples by their decoded strings took minutes). Unbound, it reads in the store's
#: index order: one subject's triples come together, so Turtle groups them. With ``?p``
#: bound it gives one predicate's triples (the subquery projects ``?p``, so the bound value
#: reaches into it).
_UNION_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
_PREDICATES_QUERY = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
#: Turtle in parts that each hold whole subjects: the subjects of one type (``?t`` bound;
#: both subqueries project it, so the bound value reaches the inner one), then the subjects
#: without a type. Correct only when no subject has two types (one part per type would
#: write such a subject twice): :data:`_MULTI_TYPED` checks, and the export falls back to
#: one query, :data:`_UNION_NO_VIEWS`, when one has.
_TYPES_QUERY = "SELECT DISTINCT ?t WHERE { ?s a ?t }"
_TYPED_PART = ("CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o ?t WHERE { "
               "{ SELECT DISTINCT ?s ?t WHERE { ?s a ?t } } ?s ?p ?o } }")
#: The views (kgraid.views: rows the aggregate queries read, computed from the rest) are
#: left out of the union formats, which are the graph; TriG and N-Quads keep every graph.
#: A view row has no type and only ``kgv:`` properties, so the untyped part and the
#: one-query fallback filter on the predicate, and the N-Triples parts skip ``kgv:`` ones.
_NOT_A_VIEW = f'FILTER(!STRSTARTS(STR(?p), "{KGV}"))'
_UNTYPED_PART = ("CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
                 "{ { SELECT DISTINCT ?s WHERE { ?s ?p0 ?o0 } } MINUS { ?s a ?t } } "
                 f"?s ?p ?o {_NOT_A_VIEW} }} }}")
_UNION_NO_VIEWS = ("CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
                   f"?s ?p ?o {_NOT_A_VIEW} }} }}")
_MULTI_TYPED = ("ASK { { SELECT ?s WHERE { ?s a ?t } GROUP BY ?s "
                "HAVING (COUNT(DISTINCT ?t) > 1) } }")
#: The predicates of most triples of a kgraid store: read first, while the list of all
#: predicates is being made (absent ones give empty parts).
_FIRST = tuple(str(p) for p in (RDF.type, RDFS.label, KGR.mentionedIn, PROV.wasDerivedFrom,
                                KGR.entityType))


def _union_parts(store: KgStore) -> Iterator[tuple[bytes, int]] | None:
    """The union of all graphs as N-Triples, in one part per predicate, each as (bytes,
    triples): the heavy predicates of :data:`_FIRST`, then the others by IRI; inside a part,
    the store's index order (two exports of one store are byte-identical). Threads (one per
    core, at most 4) read the parts: pyoxigraph releases the GIL while it evaluates a query
    and serializes its triples, so decoding the store's terms (most of an export's time) runs
    on every core; 1M triples, 2 cores: 8.3 s instead of about 15 s with one query. Turtle
    does not use it: it would split every subject's triples over the parts (77 instead of
    40 MiB at 1M triples)."""
    raw = store.raw

    def part(p: str) -> tuple[bytes, int]:
        found = raw.query(_UNION_QUERY, use_default_graph_as_union=True,
                          substitutions={ox.Variable("p"): ox.NamedNode(p)})
        data = found.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        return data, data.count(b"\n")  # pyoxigraph's N-Triples: one triple per line

    def plan(pool: ThreadPoolExecutor) -> list[Future]:
        first = [pool.submit(part, p) for p in _FIRST]
        listed = sorted(r[0].value for r in raw.query(_PREDICATES_QUERY,
                                                       use_default_graph_as_union=True))
        return first + [pool.submit(part, p) for p in listed
                        if p not in _FIRST and not p.startswith(KGV)]

    return _run_parts(min(4, os.cpu_count() or 1), plan)


def _turtle_parts(store: KgStore, prefixes: dict[str, str]) -> Iterator[tuple[bytes, int]] | None:
    """The union of all graphs as Turtle, in parts of :data:`_TYPED_PART` (types in IRI
    order) and :data:`_UNTYPED_PART` last, each as (bytes, triples); ``None`` when a subject
    has two types. Every part is one Turtle document with the same ``@prefix`` lines, which
    are kept for the first part only. Threads: one more than the cores (at most 4): handing
    each triple to the serializer holds the GIL, while the other parts are evaluated and
    decoded in Rust meanwhile (on 2 cores 3 threads beat 2 and 4). 1M triples, 2 cores:
    ``kgraid export --format turtle`` 9.8-12.5 s over six runs, against 14.7-16.4 s with one
    query.
    """
    raw = store.raw

    def part(query: str, t: Any = None) -> tuple[bytes, int]:
        subs = {ox.Variable("t"): t} if t is not None else None
        triples = _Counted(iter(raw.query(query, use_default_graph_as_union=True,
                                          substitutions=subs)))
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
        return data, triples.n

    def types() -> list[Any]:
        found = [r[0] for r in raw.query(_TYPES_QUERY, use_default_graph_as_union=True)]
        return sorted((t for t in found if not isinstance(t, ox.Literal)), key=str)

    def plan(pool: ThreadPoolExecutor) -> list[Future] | None:
        multi = pool.submit(lambda: bool(raw.query(_MULTI_TYPED,
                                                   use_default_graph_as_union=True)))
        listed = pool.submit(types)
        untyped = pool.submit(part, _UNTYPED_PART)
        if multi.result():
            return None
        return [pool.submit(part, _TYPED_PART, t) for t in listed.result()] + [untyped]

    return _run_parts(min(4, (os.cpu_count() or 1) + 1), plan, _prefix_header(prefixes))


def _run_parts(workers: int, plan: Callable[[ThreadPoolExecutor], list[Future] | None],
               header: bytes = b"") -> Iterator[tuple[bytes, int]] | None:
    """Run ``plan`` on a pool of ``workers`` threads; its futures' (bytes, count) results
    in order, the ``header`` kept only where it comes first (an empty part has none), the
    pool shut down once they are read; ``None`` (pool shut down) when the plan gives up."""
    pool = ThreadPoolExecutor(workers, thread_name_prefix="kgraid-export")
    try:
        parts = plan(pool)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    if parts is None:
        pool.shutdown(wait=True, cancel_futures=True)
        return None

    def in_order() -> Iterator[tuple[bytes, int]]:
        written = False
        try:
            for fut in parts:
                data, n = fut.result()
                if written and header and data.startswith(header):
                    data = data[len(header):]
                written = written or bool(data)
                yield data, n
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return in_order()


def _prefix_header(prefixes: dict[str, str]) -> bytes:
    """The ``@prefix`` lines pyoxigraph's Turtle serializer starts a document with."""
    probe = ox.Triple(ox.NamedNode("urn:x-kgraid:probe"), ox.NamedNode("urn:x-kgraid:probe"),
                      ox.Literal(""))
    data = ox.serialize([probe], format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
    return b"".join(line for line in data.splitlines(keepends=True)
                    if line.startswith(b"@prefix "))


class _Counted:
    """The items of an iterator, counted without Python code per item (``zip`` and
    ``itertools.count`` are C): the serializer that consumes it holds the GIL for each item,
    and a Python ``__next__`` cost about 0.7 s per million triples. Read :attr:`n` once the
    items are consumed."""

    def __init__(self, items: Iterator[ox.Triple]) -> None:
        self._seen = itertools.count()
        self._items = map(operator.itemgetter(0), zip(items, self._seen))
        self._n: int | None = None

    def __iter__(self) -> Iterator[ox.Triple]:
        return self._items

    @property
    def n(self) -> int:
        if self._n is None:  # zip stops before taking a number for the missing item
            self._n = next(self._seen)
        return self._n


def _to_rdflib_dataset(store: KgStore) -> Dataset:
    ds = Dataset()
    for p, ns in export_prefixes().items():
        ds.bind(p, ns, override=True)
    for q in store.quads():
        g = q.graph_name
        target = ds.default_graph if isinstance(g, ox.DefaultGraph) else ds.graph(_from_ox(g))
        target.add((_from_ox(q.subject), _from_ox(q.predicate), _from_ox(q.object)))
    return ds


def _write(store: KgStore, fmt: str, out: BinaryIO) -> int:
    prefixes = export_prefixes()
    if fmt in ("trig", "nquads"):
        kw = {"prefixes": prefixes} if fmt == "trig" else {}
        store.raw.dump(out, format=_OX_FORMATS[fmt], **kw)
        return len(store)
    if fmt in ("turtle", "ntriples"):
        parts = _turtle_parts(store, prefixes) if fmt == "turtle" else _union_parts(store)
        if parts is not None:
            n = 0
            for data, count in parts:
                out.write(data)
                n += count
            return n
        log.info("a subject has two types: Turtle is read with one query")
        triples = _Counted(iter(store.raw.query(_UNION_NO_VIEWS,
                                                use_default_graph_as_union=True)))
        ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        return triples.n
    if fmt == "jsonld":
        ds = _to_rdflib_dataset(store)
        context = {p: ns for p, ns in prefixes.items()}
        with warnings.catch_warnings():  # rdflib's own serializer uses deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            data = ds.serialize(format="json-ld", context=context, auto_compact=True,
                                encoding="utf-8")
        out.write(data)
        return len(store)
    raise KgraidError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def export_store(store: KgStore, fmt: str, out: str | Path | BinaryIO | None = None) -> int:
    """Write ``store`` in ``fmt`` (one of :data:`EXPORT_FORMATS`) to ``out``: a path (written
    atomically), a binary stream, or ``None`` for standard output. Returns the number of
    statements written (quads, or triples for turtle/ntriples)."""
    if fmt not in SUFFIXES:
        raise KgraidError(f"unknown export format {fmt!r}; use one of "
                          f"{', '.join(EXPORT_FORMATS)}")
    try:
        if out is None or isinstance(out, (str, Path)) and str(out) == "-":
            return _to_stream(store, fmt, sys.stdout.buffer)
        if isinstance(out, (str, Path)):
            return _to_file(store, fmt, Path(out))
        return _to_stream(store, fmt, out)
    except OSError as e:
        raise StoreError(f"cannot export {store.path or 'the memory store'}: {e}") from e


def _to_stream(store: KgStore, fmt: str, stream: BinaryIO) -> int:
    # Spool first: a failure half-way writes nothing to the stream.
    with tempfile.SpooledTemporaryFile(max_size=64 << 20) as tmp:
        n = _write(store, fmt, tmp)  # type: ignore[arg-type]
        tmp.seek(0)
        shutil.copyfileobj(tmp, stream)
    stream.flush()
    return n


def _to_file(store: KgStore, fmt: str, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            n = _write(store, fmt, tmp)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    log.info("wrote %d statements to %s (%s)", n, path, fmt)
    return n


# ---------------------------------------------------------------------------- reading
def rdf_format_for(path: str | Path) -> ox.RdfFormat:
    suffix = Path(path).suffix.lower()
    fmt = _READ_FORMATS.get(suffix)
    if fmt is None:
        raise InputError(str(path), "cannot tell the RDF format from the suffix; use one of "
                                    + ", ".join(sorted(_READ_FORMATS)))
    return fmt


def load_rdf(source: str | Path | bytes | IO[bytes], *, fmt: ox.RdfFormat | None = None,
             store: KgStore | None = None, name: str | None = None) -> KgStore:
    """Read RDF into ``store`` (a new memory store by default) and return the store.

    ``source`` is a path (format from its suffix unless ``fmt`` is given) or bytes / a binary
    stream with ``fmt``. Triples of a graph format go to the default graph, which kgraid's
    queries see as part of the union. Nothing is ever fetched: pyoxigraph refuses JSON-LD
    remote contexts and does not follow ``owl:imports``. Raises :class:`InputError` naming the
    source and the line when the data does not parse."""
    store = store if store is not None else KgStore(None)
    label = name or (str(source) if isinstance(source, (str, Path)) else "<data>")
    try:
        if isinstance(source, (str, Path)):
            path = Path(source)
            fmt = fmt or rdf_format_for(path)
            if not path.is_file():
                raise InputError(label, "no such file")
            if fmt == ox.RdfFormat.RDF_XML:
                with path.open("rb") as fh:
                    check_xml_entities(fh.read(1_000_000), label)
            store.raw.load(path=str(path), format=fmt)
        else:
            if fmt is None:
                raise InputError(label, "the RDF format must be given for data without a name")
            if fmt == ox.RdfFormat.RDF_XML:
                if not isinstance(source, bytes):
                    source = source.read()
                check_xml_entities(source, label)
            store.raw.load(source, format=fmt)
    except SyntaxError as e:
        msg = str(e)
        if "LoadDocumentCallback" in msg or "remote context" in msg.lower():
            msg = ("the JSON-LD document names a remote @context; kgraid never fetches one: "
                   "inline the context")
        raise InputError(label, f"not valid RDF: {msg}") from None
    except (OSError, ValueError) as e:
        raise InputError(label, f"cannot read: {e}") from None
    return store


# ---------------------------------------------------------------------------- CLI
EXPORT_HELP = """\
Export the whole graph of a store.

  trig, nquads      every named graph (one per article, plus the derived graphs): lossless
  turtle, ntriples  the union of all graphs as one graph, each triple once
  jsonld            every named graph, with a local @context (nothing to fetch)

Without --format, the format comes from the suffix of -o (.ttl .trig .nq .nt .jsonld), else
TriG. Without -o, the export goes to standard output. A file is written under a temporary
name and renamed when complete.

exit codes: 0 exported, 2 error (no store, unknown format, cannot write).
"""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kgraid export`` to an argparse sub-parser set."""
    p = subparsers.add_parser("export", help="export the graph (Turtle, TriG, N-Quads, "
                              "N-Triples, JSON-LD)", description=EXPORT_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", required=True, metavar="PATH", help="the kgraid store directory")
    p.add_argument("--format", choices=EXPORT_FORMATS, default=None,
                   help="output format (default: from the -o suffix, else trig)")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)
    return p


def _format_from_suffix(path: str | None) -> str:
    if path:
        suffix = Path(path).suffix.lower()
        for fmt, s in SUFFIXES.items():
            if s == suffix:
                return fmt
    return "trig"


def cmd_export(args: argparse.Namespace) -> int:
    fmt = args.format or _format_from_suffix(args.output)
    with open_read_only(args.store) as store:
        n = export_store(store, fmt, args.output)
    log.info("exported %d statements as %s", n, fmt)
    return 0

