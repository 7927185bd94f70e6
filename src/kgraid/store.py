"""Stage 6: the merged graph, in an embedded pyoxigraph store (on disk or in memory).

Each article lives in its own named graph; the default graph of queries is the union of all
graphs. A build writes a batch of articles at once (:meth:`KgStore.replace_many`): their old
graphs removed, their triples in one bulk write, then the content hashes that mark them as
built in one transaction, so a re-run redoes every article that is not marked.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import QueryError, StoreError
from .rdf import KGR, BASE, graph_iri

__all__ = ["KgStore", "to_ox", "from_ox", "DERIVED_PREFIX"]

log = logging.getLogger(__name__)

#: Graphs whose IRI starts with this hold derived data (merges, links), not article facts.
DERIVED_PREFIX = BASE + "graph/_"


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def _plain_literal_maker() -> Callable[[str], Literal]:
    """A function equal to ``Literal(value)`` for a plain string, about six times faster.

    Query results are mostly plain strings (labels, sentences, identifiers), and rdflib's
    constructor spends ~3 µs on each checking and normalising what a plain string cannot
    need. The fast path fills the four slots rdflib's constructor fills for a plain ``str``
    (lexical form, no language, no datatype, the value is the string). It is used only when
    this rdflib's Literal has exactly those slots and agrees with it on a sample, so another
    rdflib version falls back to the constructor instead of building wrong terms."""
    new = str.__new__

    def fast(value: str) -> Literal:
        inst = new(Literal, value)
        inst._language = None
        inst._datatype = None
        inst._value = value
        inst._ill_typed = None
        return inst
    if getattr(Literal, "__slots__", None) != ("_language", "_datatype", "_value", "_ill_typed"):
        return Literal
    for sample in ("", "a", " 2017-01-08 ", "Deir al-Zour", "\u00e9\U0001f600 \"q\"\n"):
        made, real = fast(sample), Literal(sample)
        if not (made.eq(real) and hash(made) == hash(real) and made.value == real.value
                and made.n3() == real.n3() and made.ill_typed == real.ill_typed
                and made.language == real.language and made.datatype == real.datatype):
            return Literal
    return fast


#: ``Literal(value)`` for a plain string (see :func:`_plain_literal_maker`).
plain_literal = _plain_literal_maker()
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def from_ox(term: object) -> Node | None:
    """A pyoxigraph term as an rdflib term; literals keep their lexical form as stored."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return plain_literal(term.value)
        return Literal(term.value, datatype=URIRef(dt), normalize=False)
    raise TypeError(f"terms of type {type(term).__name__} are not supported")


#: The predicate of the content-hash marks, as it stands in a line of canonical N-Triples.
_MARK = b" <" + str(KGR.contentHash).encode() + b"> "


def _split_marks(ntriples: bytes) -> tuple[bytes, list[bytes]]:
    """Canonical N-Triples without its content-hash lines, and those lines. A line is a mark
    when the predicate (its second term; a subject holds no space) is ``kgr:contentHash``,
    not when a literal quotes that IRI. Found with ``bytes.find``: a regular expression
    anchored at every line start cost about 3 ms per article of a build's main process."""
    marks: list[bytes] = []
    kept: list[bytes] = []
    done = 0
    at = ntriples.find(_MARK)
    while at >= 0:
        start = ntriples.rfind(b"\n", 0, at) + 1
        if b" " not in ntriples[start:at]:
            end = ntriples.find(b"\n", at) + 1 or len(ntriples)
            kept.append(ntriples[done:start])
            marks.append(ntriples[start:end])
            done = end
            at = ntriples.find(_MARK, end)
        else:
            at = ntriples.find(_MARK, at + 1)
    if not marks:
        return ntriples, marks
    kept.append(ntriples[done:])
    return b"".join(kept), marks


def _as_nquads(gid: ox.NamedNode, ntriples: bytes) -> tuple[bytes, list[bytes], int]:
    """One graph's N-Triples as N-Quads in ``gid``: (the quads but the content-hash marks,
    the marks, number of statements). Canonical N-Triples (kgraid's own, and pyoxigraph's
    serializer's) has one statement per line ending in " ." with line breaks escaped inside
    literals, so a line's end is where the graph name goes; text in any other layout is
    made canonical first."""
    lines = ntriples.count(b"\n")
    if not (ntriples.endswith(b" .\n") and ntriples.count(b" .\n") == lines
            and b"\r" not in ntriples):
        ntriples = ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES),
                                format=ox.RdfFormat.N_TRIPLES) or b""
        lines = ntriples.count(b"\n")
    name = b" <" + gid.value.encode() + b"> .\n"
    body, found = _split_marks(ntriples)
    return body.replace(b" .\n", name), [m.replace(b" .\n", name) for m in found], lines


class KgStore:
    """An embedded kgraid store. ``KgStore(path)`` opens (or creates) an on-disk store;
    ``KgStore(None)`` is in memory. ``read_only=True`` opens an existing store for reading
    while another process may write it."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                if not self.path.exists():
                    raise StoreError(f"{self.path}: no store there; build one with "
                                     f"'kgraid build ARTICLES --store {self.path}'")
                self._store = ox.Store.read_only(str(self.path))
            else:
                if self.path.exists() and not self.path.is_dir():
                    raise StoreError(f"{self.path}: exists and is not a store directory")
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as e:
            raise StoreError(f"{self.path}: cannot open the store: {e}. Is another kgraid "
                             "process writing it?") from e

    @property
    def raw(self) -> ox.Store:
        """The underlying ``pyoxigraph.Store``."""
        return self._store

    # ------------------------------------------------------------------ articles
    def article_hash(self, article_id: str) -> str | None:
        g = ox.NamedNode(str(graph_iri(article_id)))
        for q in self._store.quads_for_pattern(None, ox.NamedNode(str(KGR.contentHash)), None, g):
            return q.object.value
        return None

    def article_ids(self) -> list[str]:
        rows = self._store.query(
            "SELECT ?id WHERE { GRAPH ?g { ?a a <https://w3id.org/kgraid/ontology#Article> ; "
            "<http://purl.org/dc/terms/identifier> ?id } }")
        return sorted(r["id"].value for r in rows)

    def replace_graph(self, graph: Graph) -> int:
        """Replace the named graph ``graph.identifier`` with ``graph``'s triples; returns the
        number of triples written."""
        gid = ox.NamedNode(str(graph.identifier))
        return self._replace(gid, [ox.Quad(to_ox(s), to_ox(p), to_ox(o), gid)
                                   for s, p, o in graph])

    def replace_many(self, graphs: list[tuple[str, bytes]]) -> int:
        """Replace many named graphs at once, each given as (graph IRI, N-Triples): what a
        build writes after each batch of articles. Returns the number of triples written.

        A transaction per article (``extend``) costs about 10 ms for an article's ~500 quads
        on disk, as much as the rest of the build's own work; here the triples go in with one
        bulk load (new files handed to RocksDB whole), as N-Quads text made from the
        N-Triples lines, so no Python object is made per triple. The content hashes that mark
        articles as built are written last, in one transaction, so a build killed before that
        leaves articles without their mark, and the next build rebuilds them (removing their
        graphs first). Every marked article is whole; until that re-run, queries can see the
        triples of unmarked ones. pyoxigraph releases the GIL while it writes, so a build
        can run this in a thread beside the next batch's NLP."""
        if not graphs:
            return 0
        body: list[bytes] = []
        marks: list[bytes] = []
        n = 0
        try:
            for iri, ntriples in graphs:
                gid = ox.NamedNode(iri)
                self._drop(gid)
                text, mark_lines, count = _as_nquads(gid, ntriples)
                body.append(text)
                marks.extend(mark_lines)
                n += count
            data = b"".join(body)
            if self.path is None:
                self._store.load(data, format=ox.RdfFormat.N_QUADS)  # in memory: no files
            else:
                self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            self._store.extend(ox.parse(b"".join(marks), format=ox.RdfFormat.N_QUADS))
        except (OSError, SyntaxError) as e:
            raise StoreError(f"{self.path or 'memory store'}: cannot write {len(graphs)} "
                             f"graph(s) from <{graphs[0][0]}>: {e}") from e
        return n

    def _drop(self, gid: ox.NamedNode) -> bool:
        if self._store.contains_named_graph(gid):
            self._store.remove_graph(gid)
            return True
        return False

    def _replace(self, gid: ox.NamedNode, quads: list[ox.Quad]) -> int:
        try:
            self._drop(gid)
            self._store.extend(quads)
        except OSError as e:
            raise StoreError(f"{self.path or 'memory store'}: cannot write graph "
                             f"<{gid.value}>: {e}") from e
        return len(quads)

    def remove_graph(self, iri: str) -> bool:
        return self._drop(ox.NamedNode(iri))

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph(self, iri: str) -> Graph:
        """One named graph as an rdflib Graph."""
        g = Graph(identifier=URIRef(iri))
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
            g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return g

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._store)

    def __len__(self) -> int:
        return len(self._store)

    # ------------------------------------------------------------------ queries
    def query(self, sparql: str, bindings: dict[str, Node] | None = None,
              ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run SPARQL over the union of all graphs; ``bindings`` are substituted as RDF terms
        (pyoxigraph substitutions, never pasted into the text)."""
        subs = {ox.Variable(k.lstrip("?$")): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self._store.query(sparql, use_default_graph_as_union=True,
                                     substitutions=subs or None)
        except (SyntaxError, RuntimeError, ValueError) as e:
            raise QueryError(f"SPARQL query failed: {e}") from e

    def update(self, sparql: str) -> None:
        self._store.update(sparql)

    def load(self, data: bytes | str, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        kw = {"to_graph": ox.NamedNode(graph)} if graph else {}
        self._store.load(data, format=fmt, **kw)

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()

    def close(self) -> None:
        self.flush()
        del self._store

    def __enter__(self) -> "KgStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(quads)
