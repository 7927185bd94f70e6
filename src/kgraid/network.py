"""Stage 8: the entity network of the merged graph, for analysts who want to look, not read.

``project(store)`` reads the merged graph with the SPARQL files in ``resources/network/`` and
returns a ``networkx.MultiDiGraph``:

Nodes (id = the node's IRI)
    persons, organizations, places, anonymous sources (``kgr:AnonymousSource``) and operations,
    with ``type`` (the class's local name), ``label``, ``labels`` (every label and alias seen),
    ``subtype`` (``kgr:entityType`` or the operation type), ``wikidata`` (the Q-id of an
    ``owl:sameAs`` link in any graph, derived ones included), ``articles`` (identifiers),
    ``article_count``, ``first``/``last`` (ISO dates) and ``claims`` (claims attributed to it).
Edges (one per pair, kind and role, aggregated over articles)
    ``membership`` person -> organization (``label`` = the role), ``place``/``actor``/``target``
    operation -> entity, ``claim`` source -> operation (``kgr:about``; ``label`` = the
    reporting verbs, ``statements``), and ``co-mention`` (see below). Every edge has ``kind``,
    ``label``, ``weight``, ``articles``, ``evidence`` (dicts: sentence, article, start, end)
    and ``first``/``last``.

Co-mention rule
    Two entities co-mention when one evidence sentence of an article holds both: an entity
    takes part in a sentence when it is an endpoint of a fact whose only ``kgr:evidence`` is
    that sentence (so "the official said..." counts its resolved source), or when it is
    ``kgr:mentionedIn`` the sentence's article and one of its labels
    (``rdfs:label``/``skos:altLabel``) occurs in the sentence as whole words (labels of four
    characters or fewer, i.e. acronyms such as "US" or "ISIS", must match case-sensitively;
    longer labels match ignoring case). Operations are not entities and never co-mention. The
    weight is the number of distinct sentences (article, offsets) the pair shares.

Dates and the time window
    An article is dated by ``dcterms:issued``; an operation by ``sem:hasTimeStamp`` at its
    precision (a ``gYearMonth`` covers the month). Every observation - a mention, a fact
    stated in one article, a co-mention - has a date span: the operation's timestamp for
    facts about a dated operation, else the article's date. ``start``/``end`` keep the
    observations whose span overlaps the window (undated ones are dropped when a window is
    given); a node is kept when one of its observations is. A node's ``first``/``last`` span
    its kept observations.

Merges (``kgr:Merge`` with ``kgr:canonical``/``kgr:mergedFrom``, issue 4) are applied: a
folded node's facts move to its canonical node.

Exports: GraphML and GEXF (Gephi; lists joined with " | ", GEXF with node and edge time
spans and colours), node-link JSON, SVG, PNG (the SVG screenshotted by headless Chromium),
and a self-contained interactive HTML page (Sigma.js and Graphology inlined, data as escaped
JSON, every label set with ``textContent``). Analytics: :func:`rank`, :func:`communities`,
:func:`shortest_path`. CLI: :func:`register` adds ``kgraid network``.
"""
from __future__ import annotations

import argparse
import base64
import calendar
import hashlib
import html
import io
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator

from .errors import KgraidError, QueryError, StoreError

if TYPE_CHECKING:  # networkx, rdflib and the store are imported by the functions that need them
    import networkx as nx

    from .store import KgStore

__all__ = [
    "NODE_TYPES", "EDGE_KINDS", "FORMATS", "project", "parse_types", "layout", "export",
    "to_graphml", "to_gexf", "to_node_link", "to_svg", "to_html", "write_png", "rank",
    "communities", "shortest_path", "find_node", "register", "run",
]

log = logging.getLogger(__name__)

_KGR = "https://w3id.org/kgraid/ontology#"
_SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
_WIKIDATA = "http://www.wikidata.org/entity/"
_QID = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
_RESOURCES = "resources/network"
#: Output formats of ``export`` and ``kgraid network --format``.
FORMATS = ("html", "graphml", "gexf", "json", "svg", "png")
_LIST_SEP = " | "
#: Graphs larger than this are laid out by communities (spring layout per community).
_SPRING_MAX = 300
#: Spring strength of a co-mention-only pair relative to a fact edge, in layouts.
_COMENTION_PULL = 0.3


# ---------------------------------------------------------------------------- resources
@lru_cache(maxsize=None)
def _resource(name: str) -> str:
    return resources.files("kgraid").joinpath(f"{_RESOURCES}/{name}").read_text("utf-8")


@lru_cache(maxsize=1)
def _style() -> dict[str, Any]:
    return json.loads(_resource("style.json"))


#: Node types in display order (class local names).
NODE_TYPES: tuple[str, ...] = ("Person", "Organization", "Place", "Operation", "AnonymousSource")
#: Edge kinds in display order.
EDGE_KINDS: tuple[str, ...] = ("membership", "place", "actor", "target", "claim", "co-mention")
_ENTITY_TYPES = ("Person", "Organization", "Place", "AnonymousSource")
_OP_LINKS = {_SEM + "hasPlace": "place", _KGR + "actor": "actor", _KGR + "target": "target"}


def parse_types(spec: str | Iterable[str] | None) -> frozenset[str] | None:
    """Node types from a comma-separated list or an iterable of names; ``None`` means all.
    Accepts class names (``Person``) and the aliases in ``style.json`` (``person``,
    ``org``, ``source``...)."""
    if spec is None:
        return None
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    aliases = _style()["type_aliases"]
    out: set[str] = set()
    for raw in items:
        name = raw.strip()
        if not name:
            continue
        key = name if name in NODE_TYPES else aliases.get(name.lower().replace(" ", ""))
        if key is None:
            raise KgraidError(f"unknown node type {name!r}; use one of "
                              f"{', '.join(t.lower() for t in NODE_TYPES[:4])}, source")
        out.add(key)
    return frozenset(out) if out else None


# ---------------------------------------------------------------------------- dates
Span = tuple[date, date]


def _span(value: str | None) -> Span | None:
    """The days an ``xsd:date``/``gYearMonth``/``gYear`` (or dateTime) value covers."""
    if not value:
        return None
    m = re.match(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not m:
        return None
    try:
        year = int(m[1])
        if m[3]:
            d = date(year, int(m[2]), int(m[3]))
            return (d, d)
        if m[2]:
            month = int(m[2])
            return (date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
        return (date(year, 1, 1), date(year, 12, 31))
    except ValueError:
        return None


def _join_spans(spans: Iterable[Span | None]) -> Span | None:
    real = [s for s in spans if s is not None]
    if not real:
        return None
    return (min(s[0] for s in real), max(s[1] for s in real))


@dataclass(frozen=True)
class _Window:
    start: date | None = None
    end: date | None = None

    @property
    def active(self) -> bool:
        return self.start is not None or self.end is not None

    def admits(self, span: Span | None) -> bool:
        if not self.active:
            return True
        if span is None:
            return False
        return ((self.start is None or span[1] >= self.start)
                and (self.end is None or span[0] <= self.end))


def _window_bound(value: date | str | None, *, end: bool) -> date | None:
    if value is None or isinstance(value, date):
        return value
    span = _span(value)
    if span is None:
        raise KgraidError(f"{value!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY")
    return span[1] if end else span[0]


# ---------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class _Ev:
    article: str | None
    sentence: str
    start: int | None
    end: int | None

    @property
    def key(self) -> tuple[Any, ...]:
        if self.start is not None and self.end is not None:
            return (self.article, self.start, self.end)
        return (self.article, self.sentence)


@dataclass
class _Article:
    iri: str
    id: str
    title: str | None
    span: Span | None


@dataclass
class _Obs:
    """One observation: a fact as stated in one article (or a mention pair in a sentence)."""

    u: str
    v: str | None          # None: a claim about no operation (counts for its source only)
    kind: str
    role: str | None
    fact: str
    article: str | None
    evidence: tuple[_Ev, ...]
    span: Span | None
    statement: str | None = None
    verb: str | None = None
    hedge: str | None = None


@dataclass
class _NodeInfo:
    types: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    alts: set[str] = field(default_factory=set)
    wikidata: set[str] = field(default_factory=set)
    subtypes: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)   # operations: articles stating them
    timestamps: set[str] = field(default_factory=set)

    @property
    def type(self) -> str:
        order = {t: i for i, t in enumerate(NODE_TYPES)}
        return min(self.types, key=lambda t: (-self.types[t], order.get(t, 99)))

    @property
    def label(self) -> str:
        if self.labels:
            return min(self.labels, key=lambda s: (-self.labels[s], -len(s), s))
        return min(self.alts) if self.alts else ""

    @property
    def span(self) -> Span | None:
        return _join_spans(_span(t) for t in self.timestamps)


@dataclass
class _Raw:
    articles: dict[str, _Article]
    nodes: dict[str, _NodeInfo]
    mentions: dict[str, set[str]]
    observations: list[_Obs]


class _Source:
    """Runs the bundled ``.rq`` files over the union of a store's graphs, values bound."""

    def __init__(self, store: "KgStore") -> None:
        self.store = store

    def rows(self, name: str, **bindings: Any) -> Iterator[dict[str, str | None]]:
        from rdflib import URIRef

        sparql = _resource(f"{name}.rq")
        bound = {k: URIRef(v) if isinstance(v, str) else v for k, v in bindings.items()}
        try:
            solutions = self.store.query(sparql, bound)
        except (SyntaxError, ValueError, OSError) as e:
            raise QueryError(f"{name}.rq: {e}") from e
        names = [v.value for v in solutions.variables]
        for sol in solutions:
            yield {n: _term_value(sol[n]) for n in names}


def _term_value(term: Any) -> str | None:
    if term is None:
        return None
    import pyoxigraph as ox

    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def _as_store(data: Any) -> "KgStore":
    """A KgStore over ``data``: a KgStore, a pyoxigraph Store, or an rdflib Dataset/Graph
    (copied into a memory store; default-graph triples go to a named graph)."""
    from .store import KgStore, to_ox

    if isinstance(data, KgStore):
        return data
    import pyoxigraph as ox

    if isinstance(data, ox.Store):
        store = KgStore(None)
        store.extend(data)
        return store
    import rdflib

    if not isinstance(data, rdflib.Graph):
        raise TypeError(f"cannot project {type(data).__name__}: give a KgStore, a pyoxigraph "
                        "Store or an rdflib Dataset/Graph")
    store = KgStore(None)
    default = ox.NamedNode("https://w3id.org/kgraid/graph/_input")
    quads: list[ox.Quad] = []
    if isinstance(data, rdflib.Dataset | rdflib.ConjunctiveGraph):
        for s, p, o, g in data.quads((None, None, None, None)):
            gid = getattr(g, "identifier", g)
            name = (ox.NamedNode(str(gid)) if isinstance(gid, rdflib.URIRef)
                    and str(gid) != str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID) else default)
            quads.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name))
    else:
        gid = data.identifier
        name = ox.NamedNode(str(gid)) if isinstance(gid, rdflib.URIRef) else default
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in data]
    store.extend(quads)
    return store


def _read(src: _Source) -> _Raw:
    articles, graph_article = _read_articles(src)
    canon = _read_merges(src)
    concepts = {r["c"]: r["label"] for r in src.rows("concepts") if r["label"]}
    nodes: dict[str, _NodeInfo] = defaultdict(_NodeInfo)
    for t in _ENTITY_TYPES:
        for r in src.rows("entities", type=_KGR + t):
            info = nodes[canon(r["e"])]
            info.types[t] += 1
            if r["label"]:
                info.labels[r["label"]] += 1
    for r in src.rows("operations"):
        info = nodes[canon(r["op"])]
        info.types["Operation"] += 1
        if r["label"]:
            info.labels[r["label"]] += 1
        if r["ts"]:
            info.timestamps.add(r["ts"])
        if r["optype"]:
            info.subtypes.add(_concept_label(r["optype"], concepts))
        if r["g"] in graph_article:
            info.articles.add(graph_article[r["g"]])
    for r in src.rows("entity_details", wikidata=_WIKIDATA):
        e = canon(r["e"])
        if e not in nodes or not r["value"]:
            continue
        if r["what"] == "alt":
            nodes[e].alts.add(r["value"])
        elif r["what"] == "kind":
            nodes[e].subtypes.add(r["value"])
        elif (m := _QID.match(r["value"])):
            nodes[e].wikidata.add(m[1])
    mentions: dict[str, set[str]] = defaultdict(set)
    for r in src.rows("mentions"):
        if r["a"] in articles:
            mentions[canon(r["e"])].add(r["a"])
    derived: dict[str, set[str]] = defaultdict(set)
    for r in src.rows("derivations"):
        derived[r["f"]].add(r["a"])
    for op, info in nodes.items():
        if "Operation" in info.types:
            info.articles |= derived.get(op, set())
    facts = _FactReader(src, articles, graph_article, derived, canon, nodes, concepts)
    return _Raw(articles, dict(nodes), dict(mentions), facts.observations())


def _read_articles(src: _Source) -> tuple[dict[str, _Article], dict[str, str]]:
    articles: dict[str, _Article] = {}
    in_graph: dict[str, set[str]] = defaultdict(set)
    for r in src.rows("articles"):
        a = r["a"]
        in_graph[r["g"]].add(a)
        old = articles.get(a)
        articles[a] = _Article(a, r["id"] or (old.id if old else _local_name(a)),
                               r["title"] or (old.title if old else None),
                               _span(r["issued"]) or (old.span if old else None))
    # A graph is an article's own graph only when it holds that one article; facts in other
    # graphs (several articles loaded into one) take their articles from prov:wasDerivedFrom.
    graph_article = {g: next(iter(arts)) for g, arts in in_graph.items() if len(arts) == 1}
    return articles, graph_article


def _read_merges(src: _Source) -> Any:
    folded = {r["from"]: r["canonical"] for r in src.rows("merges")
              if r["from"] and r["canonical"] and r["from"] != r["canonical"]}

    def canon(iri: str) -> str:
        seen = {iri}
        while iri in folded and folded[iri] not in seen:
            iri = folded[iri]
            seen.add(iri)
        return iri
    return canon


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def _concept_label(iri: str, concepts: dict[str, str]) -> str:
    """The label of a role, hedge or operation type; else words from its IRI
    (``kgr:DroneStrike`` -> "drone strike", ``id/role/press-secretary`` -> "press secretary")."""
    if iri in concepts:
        return concepts[iri]
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", _local_name(iri))
    return name.replace("-", " ").replace("_", " ").lower()


class _FactReader:
    """Turns memberships, operation links and claims into per-article observations."""

    def __init__(self, src: _Source, articles: dict[str, _Article], graph_article: dict[str, str],
                 derived: dict[str, set[str]], canon: Any, nodes: dict[str, _NodeInfo],
                 concepts: dict[str, str]) -> None:
        self.src, self.articles, self.graph_article = src, articles, graph_article
        self.derived, self.canon, self.nodes, self.concepts = derived, canon, nodes, concepts
        self.evidence: dict[str, set[_Ev]] = defaultdict(set)
        for r in src.rows("evidence"):
            art = r["a"] if r["a"] in articles else graph_article.get(r["g"] or "")
            self.evidence[r["f"]].add(_Ev(art, r["sentence"] or "", _int(r["start"]),
                                          _int(r["end"])))

    def observations(self) -> list[_Obs]:
        return [*self._memberships(), *self._operation_links(), *self._claims()]

    def _articles_of(self, fact: str, graph: str | None) -> list[str | None]:
        art = self.graph_article.get(graph or "")
        if art is not None:
            return [art]
        return sorted(self.derived.get(fact, ())) or [None]

    def _evidence_of(self, fact: str, article: str | None) -> tuple[_Ev, ...]:
        evs = [e for e in self.evidence.get(fact, ())
               if article is None or e.article in (article, None)]
        return tuple(sorted(evs, key=lambda e: (e.start or 0, e.sentence)))

    def _article_span(self, article: str | None) -> Span | None:
        return self.articles[article].span if article in self.articles else None

    def _op_span(self, op: str, article: str | None) -> Span | None:
        info = self.nodes.get(op)
        return (info.span if info is not None else None) or self._article_span(article)

    def _memberships(self) -> Iterator[_Obs]:
        for r in self.src.rows("memberships"):
            for art in self._articles_of(r["m"], r["g"]):
                role = _concept_label(r["role"], self.concepts) if r["role"] else None
                yield _Obs(self.canon(r["person"]), self.canon(r["org"]), "membership",
                           role, r["m"], art, self._evidence_of(r["m"], art),
                           self._article_span(art))

    def _operation_links(self) -> Iterator[_Obs]:
        for r in self.src.rows("operation_links"):
            op = self.canon(r["op"])
            for art in self._articles_of(r["op"], r["g"]):
                yield _Obs(op, self.canon(r["x"]), _OP_LINKS[r["p"]], None, r["op"], art,
                           self._evidence_of(r["op"], art), self._op_span(op, art))

    def _claims(self) -> Iterator[_Obs]:
        claims: dict[tuple[str, str], dict[str, Any]] = {}
        for r in self.src.rows("claims"):
            c = claims.setdefault((r["g"], r["c"]), {"sources": set(), "ops": set()})
            c["sources"].add(self.canon(r["source"]))
            if r["op"]:
                c["ops"].add(self.canon(r["op"]))
            for k in ("statement", "verb"):
                c[k] = c.get(k) or r[k]
            if r["hedge"]:
                c["hedge"] = _concept_label(r["hedge"], self.concepts)
        for (g, fact), c in sorted(claims.items()):
            for art in self._articles_of(fact, g):
                ev = self._evidence_of(fact, art)
                for source in sorted(c["sources"]):
                    for op in sorted(c["ops"]) or [None]:
                        span = self._op_span(op, art) if op else self._article_span(art)
                        yield _Obs(source, op, "claim", None, fact, art, ev, span,
                                   c.get("statement"), c.get("verb"), c.get("hedge"))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------- co-mentions
def _label_pattern(labels: Iterable[str]) -> re.Pattern[str] | None:
    alts = []
    for label in sorted({s.strip() for s in labels if s and len(s.strip()) >= 2}, key=len,
                        reverse=True):
        esc = re.escape(label)
        alts.append(f"(?-i:{esc})" if len(label) <= 4 else esc)
    if not alts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)


def _co_mentions(raw: _Raw) -> list[_Obs]:
    """Co-mention observations: see the module docstring for the rule."""
    entity = {n for n, info in raw.nodes.items() if info.type != "Operation"}
    sentences: dict[tuple[Any, ...], tuple[_Ev, set[str]]] = {}
    for o in raw.observations:
        for ev in o.evidence:
            _, members = sentences.setdefault(ev.key, (ev, set()))
            if len(o.evidence) == 1:  # a fact read from several sentences: labels decide
                members.update(x for x in (o.u, o.v) if x in entity)
    by_article: dict[str, list[str]] = defaultdict(list)
    for e, arts in raw.mentions.items():
        if e in entity:
            for a in arts:
                by_article[a].append(e)
    patterns: dict[str, re.Pattern[str] | None] = {}
    out: list[_Obs] = []
    for key in sorted(sentences, key=repr):
        ev, members = sentences[key]
        for e in by_article.get(ev.article or "", ()):
            if e not in patterns:
                info = raw.nodes[e]
                patterns[e] = _label_pattern([*info.labels, *info.alts])
            pat = patterns[e]
            if pat is not None and pat.search(ev.sentence):
                members.add(e)
        span = raw.articles[ev.article].span if ev.article in raw.articles else None
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                out.append(_Obs(a, b, "co-mention", None, repr(key), ev.article, (ev,), span))
    return out


# ---------------------------------------------------------------------------- projection
def project(store: Any, *, node_types: Iterable[str] | str | None = None,
            start: date | str | None = None, end: date | str | None = None,
            ) -> "nx.MultiDiGraph":
    """The entity network of ``store`` (a :class:`KgStore`, a pyoxigraph Store or an rdflib
    Dataset/Graph). ``node_types`` keeps only those types (names as :func:`parse_types`);
    ``start``/``end`` (dates or ISO strings, inclusive) keep what happened in that window.
    See the module docstring for the nodes, edges and rules."""
    types = parse_types(node_types) if node_types is not None else None
    window = _Window(_window_bound(start, end=False), _window_bound(end, end=True))
    if window.start and window.end and window.start > window.end:
        raise KgraidError(f"the window starts ({window.start}) after it ends ({window.end})")
    raw = _read(_Source(_as_store(store)))
    raw.observations.extend(_co_mentions(raw))
    graph = _assemble(raw, window, types)
    log.info("network: %d nodes, %d edges", graph.number_of_nodes(), graph.number_of_edges())
    return graph


def _assemble(raw: _Raw, window: _Window, types: frozenset[str] | None) -> "nx.MultiDiGraph":
    import networkx as nx

    arts = raw.articles
    node_arts: dict[str, set[str]] = defaultdict(set)
    node_spans: dict[str, list[Span | None]] = defaultdict(list)
    keep: set[str] = set() if window.active else set(raw.nodes)
    for e, mentioned in raw.mentions.items():
        for a in mentioned:
            if window.admits(arts[a].span):
                keep.add(e)
                node_arts[e].add(a)
                node_spans[e].append(arts[a].span)
    for n, info in raw.nodes.items():
        if info.type != "Operation":
            continue
        own = info.span
        if own is not None:
            if window.admits(own):
                keep.add(n)
                node_spans[n].append(own)
                node_arts[n] |= info.articles
        else:
            for a in info.articles:
                if a in arts and window.admits(arts[a].span):
                    keep.add(n)
                    node_arts[n].add(a)
                    node_spans[n].append(arts[a].span)
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    claims: dict[str, set[str]] = defaultdict(set)
    for o in raw.observations:
        if not window.admits(o.span) or o.u not in raw.nodes:
            continue
        if o.kind == "claim":
            claims[o.u].add(o.fact)
        if o.v is None:
            keep.add(o.u)
            _note(node_arts, node_spans, o.u, o)
            continue
        if o.v not in raw.nodes:
            log.debug("skipping %s edge to untyped node %s", o.kind, o.v)
            continue
        keep.update((o.u, o.v))
        for n in (o.u, o.v):
            _note(node_arts, node_spans, n, o)
        _add_observation(edges, o)
    if types is not None:
        keep = {n for n in keep if raw.nodes[n].type in types}
    graph = nx.MultiDiGraph(name="kgraid network")
    graph.graph.update(_graph_meta(raw, window, types))
    for n in sorted(keep):
        graph.add_node(n, **_node_attrs(n, raw, node_arts[n], node_spans[n], claims.get(n, ())))
    for (u, v, key), agg in sorted(edges.items()):
        if u in keep and v in keep:
            graph.add_edge(u, v, key=key, **_edge_attrs(agg, arts))
    return graph


def _note(node_arts: dict[str, set[str]], node_spans: dict[str, list[Span | None]], n: str,
          o: _Obs) -> None:
    if o.article is not None:
        node_arts[n].add(o.article)
    node_spans[n].append(o.span)


def _add_observation(edges: dict[tuple[str, str, str], dict[str, Any]], o: _Obs) -> None:
    key = f"{o.kind}:{o.role}" if o.kind == "membership" and o.role else o.kind
    agg = edges.setdefault((o.u, o.v, key), {
        "kind": o.kind, "role": o.role, "articles": set(), "evidence": {}, "spans": [],
        "facts": set(), "statements": [], "verbs": [], "hedges": []})
    if o.article is not None:
        agg["articles"].add(o.article)
    for ev in o.evidence:
        agg["evidence"].setdefault(ev.key, ev)
    agg["spans"].append(o.span)
    if o.fact not in agg["facts"]:
        agg["facts"].add(o.fact)
        for k, value in (("statements", o.statement), ("verbs", o.verb), ("hedges", o.hedge)):
            if value and value not in agg[k]:
                agg[k].append(value)


def _graph_meta(raw: _Raw, window: _Window, types: frozenset[str] | None) -> dict[str, Any]:
    return {
        "generator": "kgraid",
        "node_types": ",".join(sorted(types)) if types else "all",
        "window_start": window.start.isoformat() if window.start else "",
        "window_end": window.end.isoformat() if window.end else "",
        "articles": {a.id: {"iri": a.iri, "title": a.title or "",
                            "date": a.span[0].isoformat() if a.span else ""}
                     for a in sorted(raw.articles.values(), key=lambda a: a.id)},
    }


def _node_attrs(n: str, raw: _Raw, articles: set[str], spans: list[Span | None],
                claims: Iterable[str]) -> dict[str, Any]:
    info = raw.nodes[n]
    label = info.label or _local_name(n)
    labels = [label] + sorted((set(info.labels) | info.alts) - {label})
    span = _join_spans(spans)
    ids = sorted(raw.articles[a].id for a in articles if a in raw.articles)
    return {
        "type": info.type, "label": label, "labels": labels,
        "subtype": ", ".join(sorted(info.subtypes)),
        "wikidata": min(info.wikidata, key=lambda q: int(q[1:])) if info.wikidata else "",
        "articles": ids, "article_count": len(ids),
        "first": span[0].isoformat() if span else "", "last": span[1].isoformat() if span else "",
        "claims": len(set(claims)),
    }


def _edge_attrs(agg: dict[str, Any], arts: dict[str, _Article]) -> dict[str, Any]:
    kind = agg["kind"]
    span = _join_spans(agg["spans"])
    evidence = [{"sentence": ev.sentence,
                 "article": arts[ev.article].id if ev.article in arts else "",
                 "start": ev.start if ev.start is not None else -1,
                 "end": ev.end if ev.end is not None else -1}
                for ev in sorted(agg["evidence"].values(),
                                 key=lambda e: (e.article or "", e.start or 0, e.sentence))]
    if kind == "membership":
        label = agg["role"] or "member"
    elif kind == "claim":
        label = ", ".join(agg["verbs"]) or "claim"
    else:
        label = kind
    weight = len(agg["evidence"]) if kind == "co-mention" else (
        len(agg["facts"]) if kind == "claim" else max(len(agg["articles"]), 1))
    attrs: dict[str, Any] = {
        "kind": kind, "label": label, "weight": weight,
        "articles": sorted(arts[a].id for a in agg["articles"] if a in arts),
        "evidence": evidence,
        "first": span[0].isoformat() if span else "", "last": span[1].isoformat() if span else "",
    }
    if kind == "membership":
        attrs["role"] = agg["role"] or ""
    if kind == "claim":
        attrs["statements"] = agg["statements"]
        attrs["hedges"] = agg["hedges"]
    return attrs


# ---------------------------------------------------------------------------- analytics
def _simple(graph: "nx.MultiDiGraph", kinds: Iterable[str] | None = None) -> "nx.Graph":
    """The undirected simple view used by analytics and layout: one edge per pair, weight =
    the sum of the pair's edge weights."""
    import networkx as nx

    wanted = set(kinds) if kinds is not None else None
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for u, v, data in graph.edges(data=True):
        if u == v or (wanted is not None and data.get("kind") not in wanted):
            continue
        w = float(data.get("weight", 1) or 1)
        fact = data.get("kind") != "co-mention"
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += w
            simple[u][v]["fact"] = simple[u][v]["fact"] or fact
        else:
            simple.add_edge(u, v, weight=w, fact=fact)
    return simple


def _pagerank(simple: "nx.Graph", alpha: float = 0.85, tol: float = 1.0e-10,
              max_iter: int = 200) -> dict[str, float]:
    """Weighted PageRank by power iteration (networkx's own needs SciPy)."""
    nodes = list(simple)
    n = len(nodes)
    if n == 0:
        return {}
    strength = {u: sum(d["weight"] for d in simple[u].values()) for u in nodes}
    x = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        last = x
        dangling = alpha * sum(last[u] for u in nodes if strength[u] == 0) / n
        x = dict.fromkeys(nodes, dangling + (1.0 - alpha) / n)
        for u in nodes:
            if strength[u]:
                share = alpha * last[u] / strength[u]
                for v, d in simple[u].items():
                    x[v] += share * d["weight"]
        if sum(abs(x[u] - last[u]) for u in nodes) < n * tol:
            break
    return x


def rank(graph: "nx.MultiDiGraph", *, top: int | None = None, by: str = "pagerank",
         betweenness_sample: int = 500, seed: int = 42) -> list[dict[str, Any]]:
    """Nodes ranked by ``by`` (``degree``, ``betweenness`` or ``pagerank``), each row with all
    three: degree (distinct neighbours), betweenness (normalized, unweighted shortest paths;
    estimated from ``betweenness_sample`` pivots on larger graphs, seeded) and PageRank
    (weighted, undirected)."""
    import networkx as nx

    if by not in ("degree", "betweenness", "pagerank"):
        raise KgraidError(f"cannot rank by {by!r}; use degree, betweenness or pagerank")
    simple = _simple(graph)
    n = simple.number_of_nodes()
    k = betweenness_sample if n > betweenness_sample else None
    between = nx.betweenness_centrality(simple, k=k, seed=seed if k else None, normalized=True)
    pagerank = _pagerank(simple)
    rows = [{"id": v, "label": graph.nodes[v].get("label", v), "type": graph.nodes[v].get("type"),
             "wikidata": graph.nodes[v].get("wikidata", ""), "degree": simple.degree(v),
             "betweenness": between.get(v, 0.0), "pagerank": pagerank.get(v, 0.0)}
            for v in simple]
    rows.sort(key=lambda r: (-r[by], -r["pagerank"], r["label"]))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows[:top] if top else rows


def communities(graph: "nx.MultiDiGraph", *, seed: int = 42, resolution: float = 1.0,
                ) -> list[list[str]]:
    """Louvain communities of the weighted undirected view (``networkx`` with a fixed seed),
    largest first; each community's node ids sorted. Also sets the node attribute
    ``community`` (0 = the largest)."""
    import networkx as nx

    simple = _simple(graph)
    if simple.number_of_nodes() == 0:
        return []
    parts = nx.community.louvain_communities(simple, weight="weight", seed=seed,
                                             resolution=resolution)
    ordered = sorted((sorted(p) for p in parts), key=lambda p: (-len(p), p[0]))
    for i, part in enumerate(ordered):
        for v in part:
            graph.nodes[v]["community"] = i
    return ordered


def find_node(graph: "nx.MultiDiGraph", name: str) -> str:
    """The node ``name`` denotes: its IRI, its Wikidata id, a label or alias (ignoring case and
    punctuation), or else the unique best node whose label contains the name. Ties go to the
    node in most articles. Raises :class:`QueryError` when nothing matches."""
    from .rdf import normalize_label

    if name in graph:
        return name
    target = normalize_label(name)
    exact, partial = [], []
    for v, data in graph.nodes(data=True):
        if data.get("wikidata") and data["wikidata"] == name.strip().upper():
            return v
        norms = [normalize_label(s) for s in data.get("labels") or [data.get("label", "")]]
        if target and target in norms:
            exact.append(v)
        elif target and any(re.search(rf"(?<!\w){re.escape(target)}(?!\w)", s) for s in norms):
            partial.append(v)
    found = exact or partial
    if not found:
        raise QueryError(f"no node named {name!r} in the network; try a label as it appears "
                         "in 'kgraid network --rank' or the node's IRI")
    best = max(found, key=lambda v: (graph.nodes[v].get("article_count", 0),
                                     graph.degree(v), v))
    if len(found) > 1:
        log.info("%r matches %d nodes; using %s", name, len(found), best)
    return best


def shortest_path(graph: "nx.MultiDiGraph", a: str, b: str, *,
                  kinds: Iterable[str] | None = None) -> dict[str, Any] | None:
    """The shortest path (fewest hops, edge directions ignored) between the nodes named ``a``
    and ``b`` (see :func:`find_node`), with every fact along it: for each hop, the edges
    joining the two nodes with kind, label, articles and evidence. ``None`` when no path
    exists. ``kinds`` limits the edges walked (e.g. facts only, without co-mentions)."""
    import networkx as nx

    src, dst = find_node(graph, a), find_node(graph, b)
    simple = _simple(graph, kinds)
    try:
        nodes = nx.shortest_path(simple, src, dst)
    except nx.NetworkXNoPath:
        return None
    wanted = set(kinds) if kinds is not None else None
    hops = []
    for u, v in zip(nodes, nodes[1:]):
        facts = []
        for x, y in ((u, v), (v, u)):
            for key, data in (graph.get_edge_data(x, y) or {}).items():
                if wanted is None or data.get("kind") in wanted:
                    facts.append({"source": x, "target": y, "key": key, "kind": data["kind"],
                                  "label": data.get("label", ""),
                                  "articles": data.get("articles", []),
                                  "evidence": data.get("evidence", [])})
        hops.append({"from": u, "to": v, "facts": facts})
    return {"nodes": [{"id": v, "label": graph.nodes[v].get("label", v),
                       "type": graph.nodes[v].get("type")} for v in nodes],
            "length": len(nodes) - 1, "hops": hops}


# ---------------------------------------------------------------------------- layout
def layout(graph: "nx.MultiDiGraph", *, seed: int = 42) -> dict[str, tuple[float, float]]:
    """Deterministic 2-D positions (about one unit between neighbours). Each connected
    component is laid out on its own: small ones with a spring layout, large ones by Louvain
    communities (each laid out, then placed by a spring layout of the community graph and
    pushed apart); components are then packed in rows, largest first. Scales to thousands of
    nodes without SciPy."""
    import networkx as nx

    simple = _simple(graph)
    comps = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))
    pieces = [_unit_edges(_layout_piece(simple.subgraph(c), seed), simple) for c in comps]
    return _pack(pieces)


def _unit_edges(pos: dict[Any, tuple[float, float]], g: "nx.Graph",
                ) -> dict[Any, tuple[float, float]]:
    """Rescale ``pos`` so that the median edge is one unit long."""
    lengths = sorted(math.dist(pos[u], pos[v]) for u, v in g.subgraph(pos).edges)
    median = lengths[len(lengths) // 2] if lengths else 0.0
    if median <= 1e-9:
        return pos
    return {v: (x / median, y / median) for v, (x, y) in pos.items()}


def _layout_piece(g: "nx.Graph", seed: int, depth: int = 0) -> dict[Any, tuple[float, float]]:
    import networkx as nx

    n = g.number_of_nodes()
    nodes = sorted(g.nodes, key=str)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n == 2:
        return {nodes[0]: (-0.6, 0.0), nodes[1]: (0.6, 0.0)}
    if n < _SPRING_MAX:
        h = nx.Graph()
        h.add_nodes_from(nodes)
        for u, v, d in sorted(g.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
            # facts pull their ends together harder than co-mentions do
            h.add_edge(u, v, pull=1.0 if d.get("fact", True) else _COMENTION_PULL)
        pos = nx.spring_layout(h, seed=seed, iterations=150 if n < 100 else 50,
                               method="force", weight="pull")
        scale = 0.75 * math.sqrt(n)
        return {v: (float(p[0]) * scale, float(p[1]) * scale) for v, p in pos.items()}
    parts = [sorted(p, key=str) for p in nx.community.louvain_communities(
        g, weight="weight", seed=seed, threshold=1e-4)]
    if len(parts) < 2 or len(parts) == n or depth > 4:
        return _radial(g)
    parts.sort(key=lambda p: (-len(p), str(p[0])))
    local = [_centre(_layout_piece(g.subgraph(p), seed, depth + 1)) for p in parts]
    index = {v: i for i, p in enumerate(parts) for v in p}
    quotient = nx.Graph()
    quotient.add_nodes_from(range(len(parts)))
    for u, v, d in g.edges(data=True):
        i, j = index[u], index[v]
        if i != j:
            w = quotient.get_edge_data(i, j, {"weight": 0.0})["weight"]
            quotient.add_edge(i, j, weight=w + d.get("weight", 1.0))
    qpos = _layout_piece(quotient, seed, depth + 1)
    radii = [max((math.hypot(x, y) for x, y in loc.values()), default=0.0) + 1.0
             for loc in local]
    centres = _separate([qpos[i] for i in range(len(parts))], radii)
    return {v: (centres[i][0] + x, centres[i][1] + y)
            for i, loc in enumerate(local) for v, (x, y) in loc.items()}


def _centre(pos: dict[Any, tuple[float, float]]) -> dict[Any, tuple[float, float]]:
    cx = sum(x for x, _ in pos.values()) / len(pos)
    cy = sum(y for _, y in pos.values()) / len(pos)
    return {v: (x - cx, y - cy) for v, (x, y) in pos.items()}


def _separate(centres: list[tuple[float, float]], radii: list[float]) -> list[tuple[float, float]]:
    """Scale ``centres`` up so that discs of ``radii`` around them barely overlap, then push
    overlapping pairs apart."""
    import numpy as np

    pts = np.array(centres, dtype=float)
    r = np.array(radii, dtype=float)
    pts -= pts.mean(axis=0)
    spread = np.sqrt((pts ** 2).sum(axis=1)).max() or 1.0
    pts *= math.sqrt((r ** 2).sum()) / spread
    for _ in range(60):
        delta = pts[:, None, :] - pts[None, :, :]
        dist = np.sqrt((delta ** 2).sum(axis=2)) + np.eye(len(pts))
        overlap = (r[:, None] + r[None, :]) * 1.05 - dist
        np.fill_diagonal(overlap, 0.0)
        overlap = np.clip(overlap, 0.0, None)
        if not overlap.any():
            break
        push = (delta / dist[:, :, None]) * (overlap[:, :, None] / 2.0)
        pts += push.sum(axis=1)
    return [(float(x), float(y)) for x, y in pts]


def _radial(g: "nx.Graph") -> dict[Any, tuple[float, float]]:
    """Breadth-first rings around the best-connected node (for graphs Louvain cannot split)."""
    import networkx as nx

    root = max(g.nodes, key=lambda v: (g.degree(v), str(v)))
    layers: dict[int, list[Any]] = defaultdict(list)
    for v, d in nx.single_source_shortest_path_length(g, root).items():
        layers[d].append(v)
    pos: dict[Any, tuple[float, float]] = {}
    radius = 0.0
    for d in sorted(layers):
        ring = sorted(layers[d], key=str)
        radius = 0.0 if d == 0 else max(radius + 1.5, len(ring) / (2 * math.pi))
        for i, v in enumerate(ring):
            angle = 2 * math.pi * i / len(ring) + d * 0.37
            pos[v] = (radius * math.cos(angle), radius * math.sin(angle))
    return pos


def _pack(pieces: list[dict[Any, tuple[float, float]]]) -> dict[Any, tuple[float, float]]:
    boxes = []
    for pos in pieces:
        xs = [x for x, _ in pos.values()]
        ys = [y for _, y in pos.values()]
        boxes.append((min(xs), min(ys), max(xs) - min(xs) + 2.0, max(ys) - min(ys) + 2.0))
    total = sum(w * h for _, _, w, h in boxes)
    row_width = max(max((w for *_, w, _ in boxes), default=1.0), math.sqrt(total) * 1.3)
    out: dict[Any, tuple[float, float]] = {}
    x = y = row_h = 0.0
    for pos, (x0, y0, w, h) in zip(pieces, boxes):
        if x > 0 and x + w > row_width:
            x, y, row_h = 0.0, y + row_h, 0.0
        for v, (px, py) in pos.items():
            out[v] = (px - x0 + x + 1.0, py - y0 + y + 1.0)
        x += w
        row_h = max(row_h, h)
    return out


# ---------------------------------------------------------------------------- exports
def _joined(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return _LIST_SEP.join(_joined_item(v) for v in value)
    return value


def _joined_item(v: Any) -> str:
    if isinstance(v, dict) and "sentence" in v:
        return f"[{v.get('article', '')}] {v['sentence']}"
    return str(v)


def _flat(graph: "nx.MultiDiGraph", *, gexf: bool) -> "nx.MultiDiGraph":
    """A copy of ``graph`` whose attributes are scalars (lists joined with " | "), edges
    with unique ids, for GraphML and GEXF readers (Gephi among them)."""
    import networkx as nx

    style = _style()
    flat = nx.MultiDiGraph()
    flat.graph.update({k: v for k, v in graph.graph.items() if isinstance(v, (str, int, float))})
    pos = layout(graph) if gexf and graph.number_of_nodes() else {}
    degree = dict(graph.degree())
    for v, data in graph.nodes(data=True):
        attrs = {k: _joined(x) for k, x in data.items() if x is not None}
        if gexf:
            _gexf_span(attrs)
            colour = style["node_types"].get(data.get("type"), {}).get("colour", "#888888")
            attrs["viz"] = {"color": _rgb(colour), "size": 5.0 + 3.0 * math.sqrt(degree[v]),
                            "position": {"x": pos[v][0] * 20, "y": -pos[v][1] * 20, "z": 0.0}}
        flat.add_node(v, **attrs)
    for i, (u, v, key, data) in enumerate(graph.edges(keys=True, data=True)):
        attrs = {k: _joined(x) for k, x in data.items() if x is not None}
        attrs["id"] = f"e{i}"
        if gexf:
            _gexf_span(attrs)
            colour = style["edge_kinds"].get(data.get("kind"), {}).get("colour", "#999999")
            attrs["viz"] = {"color": _rgb(colour)}
        flat.add_edge(u, v, key=key, **attrs)
    return flat


def _gexf_span(attrs: dict[str, Any]) -> None:
    """GEXF time spans: ``start``/``end`` from ``first``/``last`` (kept as attributes too)."""
    if attrs.get("first"):
        attrs["start"] = attrs["first"]
    if attrs.get("last"):
        attrs["end"] = attrs["last"]


def _rgb(colour: str) -> dict[str, Any]:
    c = colour.lstrip("#")
    return {"r": int(c[0:2], 16), "g": int(c[2:4], 16), "b": int(c[4:6], 16), "a": 1.0}


def to_graphml(graph: "nx.MultiDiGraph") -> bytes:
    """GraphML (UTF-8) with scalar attributes only; opens in Gephi, yEd and Cytoscape."""
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(_flat(graph, gexf=False), buf, encoding="utf-8")
    return buf.getvalue()


def to_gexf(graph: "nx.MultiDiGraph") -> bytes:
    """GEXF 1.2 for Gephi: node and edge time spans (``start``/``end``), colours, sizes and
    positions (``viz``), scalar attributes only."""
    import networkx as nx

    buf = io.BytesIO()
    nx.write_gexf(_flat(graph, gexf=True), buf, encoding="utf-8", version="1.2draft")
    return buf.getvalue()


def to_node_link(graph: "nx.MultiDiGraph") -> dict[str, Any]:
    """Node-link data (networkx ``node_link_data`` with ``edges`` as the edge key); lists and
    evidence kept as JSON arrays and objects."""
    import networkx as nx

    return nx.node_link_data(graph, edges="edges")


def _sizes(graph: "nx.MultiDiGraph", size_by: str) -> dict[str, float]:
    if size_by not in ("degree", "articles"):
        raise KgraidError(f"cannot size nodes by {size_by!r}; use degree or articles")
    if size_by == "degree":
        simple = _simple(graph)
        values = {v: float(simple.degree(v)) for v in graph}
    else:
        values = {v: float(d.get("article_count", 0)) for v, d in graph.nodes(data=True)}
    top = max(values.values(), default=0.0) or 1.0
    return {v: math.sqrt(x / top) for v, x in values.items()}


def to_svg(graph: "nx.MultiDiGraph", *, width: int = 1600, height: int = 1200,
           size_by: str = "degree", title: str = "kgraid network", max_labels: int = 80,
           positions: dict[str, tuple[float, float]] | None = None) -> str:
    """A static SVG drawing for reports: nodes coloured by type and sized by ``size_by``,
    edges coloured by kind, labels on the ``max_labels`` best-connected nodes, a legend.
    Every text is XML-escaped."""
    style = _style()
    pos = positions or layout(graph)
    sizes = _sizes(graph, size_by)
    margin, legend_w = 40.0, 220.0
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    scale = min((width - legend_w - 2 * margin) / span_x, (height - 2 * margin - 30) / span_y)
    ox_, oy_ = legend_w + margin - min(xs) * scale, margin + 30 - min(ys) * scale

    def at(v: str) -> tuple[float, float]:
        return (pos[v][0] * scale + ox_, pos[v][1] * scale + oy_)

    a = _xml_text
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">',
           f'<title>{a(title)}</title>',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{margin}" y="{margin}" font-size="20" fill="#222">{a(title)}</text>',
           '<g stroke-opacity="0.55">']
    for u, v, data in graph.edges(data=True):
        (x1, y1), (x2, y2) = at(u), at(v)
        colour = style["edge_kinds"].get(data.get("kind"), {}).get("colour", "#999999")
        w = min(1.0 + math.log1p(float(data.get("weight", 1))), 5.0)
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="{colour}" stroke-width="{w:.1f}"><title>{a(data.get("label", ""))}'
                   f'</title></line>')
    out.append("</g><g stroke=\"#ffffff\" stroke-width=\"1\">")
    order = sorted(graph.nodes, key=lambda v: sizes[v])
    for v in order:
        data = graph.nodes[v]
        x, y = at(v)
        r = 4.0 + 14.0 * sizes[v]
        colour = style["node_types"].get(data.get("type"), {}).get("colour", "#888888")
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}">'
                   f'<title>{a(data.get("label", v))}</title></circle>')
    out.append("</g><g font-size=\"12\" fill=\"#222\" stroke=\"#ffffff\" stroke-width=\"3\" "
               "paint-order=\"stroke\">")
    for v in sorted(graph.nodes, key=lambda v: (-sizes[v], v))[:max_labels]:
        x, y = at(v)
        r = 4.0 + 14.0 * sizes[v]
        out.append(f'<text x="{x:.1f}" y="{y + r + 12:.1f}" text-anchor="middle">'
                   f'{a(_short(graph.nodes[v].get("label", v)))}</text>')
    out.append("</g>")
    out.extend(_svg_legend(graph, margin))
    out.append("</svg>")
    return "\n".join(out)


def _xml_text(text: str) -> str:
    return html.escape(text, quote=False)


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def _svg_legend(graph: "nx.MultiDiGraph", margin: float) -> list[str]:
    style = _style()
    a = _xml_text
    types = Counter(d.get("type") for _, d in graph.nodes(data=True))
    kinds = Counter(d.get("kind") for _, _, d in graph.edges(data=True))
    out = ['<g font-size="13" fill="#222">']
    y = margin + 40
    for t in NODE_TYPES:
        info = style["node_types"][t]
        out.append(f'<circle cx="{margin + 8}" cy="{y - 4}" r="7" fill="{info["colour"]}"/>'
                   f'<text x="{margin + 22}" y="{y}">{a(info["label"])} ({types.get(t, 0)})</text>')
        y += 22
    y += 10
    for k in EDGE_KINDS:
        info = style["edge_kinds"][k]
        out.append(f'<line x1="{margin}" y1="{y - 4}" x2="{margin + 16}" y2="{y - 4}" '
                   f'stroke="{info["colour"]}" stroke-width="3"/>'
                   f'<text x="{margin + 22}" y="{y}">{a(info["label"])} ({kinds.get(k, 0)})</text>')
        y += 22
    out.append(f'<text x="{margin}" y="{y + 10}" font-size="11" fill="#666">'
               f'{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges</text></g>')
    return out


def _chromium() -> str:
    for candidate in (os.environ.get("KGRAID_CHROMIUM"), "chromium", "chromium-browser",
                      "google-chrome", "google-chrome-stable"):
        if candidate and (found := shutil.which(candidate)):
            return found
    raise KgraidError("PNG output needs Chromium: install it (Debian: apt-get install chromium) "
                      "or set KGRAID_CHROMIUM to its path; SVG output needs nothing")


def write_png(svg: str, out: str | Path, *, width: int = 1600, height: int = 1200,
              timeout: float = 120.0) -> None:
    """Render ``svg`` to a PNG file with headless Chromium (no network; a private profile)."""
    exe = _chromium()
    with tempfile.TemporaryDirectory(prefix="kgraid-png-") as tmp:
        src = Path(tmp) / "network.svg"
        src.write_text(svg, encoding="utf-8")
        target = Path(out).resolve()
        cmd = [exe, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--force-device-scale-factor=1",
               f"--user-data-dir={Path(tmp) / 'profile'}", f"--window-size={width},{height}",
               f"--screenshot={target}", src.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.insert(1, "--no-sandbox")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise KgraidError(f"Chromium did not render {target} within {timeout:.0f} s") from e
        if proc.returncode != 0 or not target.exists():
            raise KgraidError(f"Chromium could not render {target}: "
                              f"{proc.stderr.strip()[-500:]}")


# ---------------------------------------------------------------------------- HTML
def _json_for_html(payload: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>``, ``&`` and the line
    separators U+2028/U+2029 escaped, so no data can close the element or start markup."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _html_payload(graph: "nx.MultiDiGraph", title: str, size_by: str,
                  positions: dict[str, tuple[float, float]]) -> dict[str, Any]:
    style = _style()
    meta = graph.graph.get("articles", {})
    article_ids = sorted({a for _, d in graph.nodes(data=True) for a in d.get("articles", [])}
                         | {a for *_, d in graph.edges(data=True) for a in d.get("articles", [])}
                         | {e["article"] for *_, d in graph.edges(data=True)
                            for e in d.get("evidence", []) if e.get("article")})
    art_index = {a: i for i, a in enumerate(article_ids)}
    sentences: dict[str, int] = {}
    index = {v: i for i, v in enumerate(graph.nodes)}
    simple = _simple(graph)
    px = 50.0 if graph.number_of_nodes() > 1000 else 120.0  # screen pixels per layout unit
    nodes = []
    for v, d in graph.nodes(data=True):
        x, y = positions.get(v, (0.0, 0.0))
        nodes.append({"id": v, "l": d.get("label", v), "t": d.get("type", ""),
                      "st": d.get("subtype", ""), "ls": d.get("labels", []),
                      "wd": d.get("wikidata", ""), "ac": d.get("article_count", 0),
                      "deg": simple.degree(v), "f": d.get("first", ""), "la": d.get("last", ""),
                      "cl": d.get("claims", 0), "a": [art_index[a] for a in d.get("articles", [])],
                      "x": round(x * px, 1), "y": round(y * px, 1)})
    edges = []
    for u, v, d in graph.edges(data=True):
        ev = [[sentences.setdefault(e["sentence"], len(sentences)),
               art_index.get(e.get("article", ""), -1)] for e in d.get("evidence", [])]
        edges.append({"s": index[u], "t": index[v], "k": d.get("kind", ""),
                      "l": d.get("label", ""), "w": d.get("weight", 1),
                      "a": [art_index[a] for a in d.get("articles", [])], "ev": ev,
                      "f": d.get("first", ""), "la": d.get("last", ""),
                      "stm": d.get("statements", [])})
    return {
        "title": title, "sizeBy": size_by,
        "types": [{"name": t, **style["node_types"][t]} for t in NODE_TYPES],
        "kinds": [{"name": k, **style["edge_kinds"][k]} for k in EDGE_KINDS],
        "articles": [{"id": a, "title": meta.get(a, {}).get("title", ""),
                      "date": meta.get(a, {}).get("date", "")} for a in article_ids],
        "sentences": list(sentences),
        "nodes": nodes, "edges": edges,
    }


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_LIBRARIES = (("graphology.umd.min.js", "graphology.LICENSE", "Graphology 0.26.0"),
              ("sigma.min.js", "sigma.LICENSE", "Sigma.js 3.0.3"))


def to_html(graph: "nx.MultiDiGraph", *, title: str = "kgraid network", size_by: str = "degree",
            positions: dict[str, tuple[float, float]] | None = None) -> str:
    """One self-contained HTML page: Graphology and Sigma.js (vendored from npm, inlined with
    their licences), the viewer script and the network as escaped JSON. A Content-Security-
    Policy allows only those scripts (by hash) and no network request at all."""
    if size_by not in ("degree", "articles"):
        raise KgraidError(f"cannot size nodes by {size_by!r}; use degree or articles")
    pos = positions if positions is not None else layout(graph)
    lib = ";\n".join(_resource(js) for js, _, _ in _LIBRARIES)
    app = _resource("viewer.js")
    licences = "\n\n".join(f"{name}\n\n{_resource(lic)}" for _, lic, name in _LIBRARIES)
    csp = ("default-src 'none'; script-src " + _csp_hash(lib) + " " + _csp_hash(app)
           + "; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; "
           "form-action 'none'")
    parts = {"CSP": html.escape(csp, quote=False).replace('"', "&quot;"), "TITLE": html.escape(title), "CSS": _resource("viewer.css"),
             "DATA": _json_for_html(_html_payload(graph, title, size_by, pos)),
             "LICENCES": html.escape(licences), "LIB": lib, "APP": app}
    # One pass, so text inserted for one placeholder is never scanned for another.
    return re.sub(r"@@KGRAID_([A-Z]+)@@", lambda m: parts[m[1]], _resource("viewer.html"))


# ---------------------------------------------------------------------------- export
def export(graph: "nx.MultiDiGraph", fmt: str, out: str | Path | IO[bytes], *,
           title: str = "kgraid network", size_by: str = "degree") -> None:
    """Write ``graph`` as ``fmt`` (one of :data:`FORMATS`) to a path or a binary stream."""
    if fmt not in FORMATS:
        raise KgraidError(f"unknown network format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "png":
        if not isinstance(out, (str, Path)):
            raise KgraidError("PNG output needs a file: give -o FILE.png")
        write_png(to_svg(graph, size_by=size_by, title=title), out)
        return
    if fmt == "graphml":
        data = to_graphml(graph)
    elif fmt == "gexf":
        data = to_gexf(graph)
    elif fmt == "json":
        data = json.dumps(to_node_link(graph), ensure_ascii=False, indent=1).encode("utf-8")
    elif fmt == "svg":
        data = to_svg(graph, size_by=size_by, title=title).encode("utf-8")
    else:
        data = to_html(graph, title=title, size_by=size_by).encode("utf-8")
    if isinstance(out, (str, Path)):
        path = Path(out)
        try:
            path.write_bytes(data)
        except OSError as e:
            raise KgraidError(f"{path}: cannot write: {e.strerror or e}") from e
    else:
        out.write(data)


# ---------------------------------------------------------------------------- CLI
_EPILOG = """\
what is drawn:
  nodes   persons, organizations, places, operations, anonymous sources
  edges   membership (role), operation place/actor/target, source -claim-> operation,
          co-mention (two entities in one evidence sentence; weight = sentences)

examples:
  kgraid network --store kg.db --format html -o net.html
  kgraid network --store kg.db -o net.gexf --from 2017-01 --to 2017-03
  kgraid network --store kg.db --types person,organization --rank --top 10
  kgraid network --store kg.db --path "Dorrian" "Islamic State" --json

exit codes:
  0  done
  1  --path: the two entities are not connected
  2  error (no store, unknown entity name or type, bad date, cannot write)
"""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kgraid network`` to an argparse subparsers object; the handler is set as
    ``func`` (``args.func(args)`` returns the exit code)."""
    p = subparsers.add_parser(
        "network", help="entity network: HTML, Gephi files, images and analytics",
        description="Project the merged graph to an entity network and export it (interactive "
                    "HTML that works offline, GraphML, GEXF, node-link JSON, SVG, PNG) or "
                    "analyse it (ranking, Louvain communities, shortest paths).",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", required=True, metavar="PATH",
                   help="a kgraid store directory, or an RDF file (.trig, .nq, .ttl, ...)")
    p.add_argument("--format", choices=FORMATS,
                   help="output format (default: from the suffix of -o, else html)")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="output file; '-' for standard output (not for png)")
    p.add_argument("--types", metavar="LIST",
                   help="node types to keep, comma-separated: person, organization, place, "
                        "operation, source")
    p.add_argument("--from", dest="start", metavar="DATE",
                   help="keep what happened on or after DATE (YYYY-MM-DD, YYYY-MM or YYYY)")
    p.add_argument("--to", dest="end", metavar="DATE", help="... and on or before DATE")
    p.add_argument("--size-by", choices=("degree", "articles"), default="degree",
                   help="node size in html/svg/png (default: degree)")
    p.add_argument("--title", default="kgraid network", help="title of html/svg/png output")
    p.add_argument("--rank", action="store_true",
                   help="rank nodes by degree, betweenness and PageRank")
    p.add_argument("--by", choices=("pagerank", "degree", "betweenness"), default="pagerank",
                   help="ranking order for --rank (default: pagerank)")
    p.add_argument("--top", type=int, default=20, metavar="N",
                   help="rows of --rank to show (default 20; 0 = all)")
    p.add_argument("--communities", action="store_true", help="Louvain communities (seed 42)")
    p.add_argument("--path", nargs=2, metavar=("A", "B"),
                   help="shortest path between two named entities, with the facts along it")
    p.add_argument("--facts-only", action="store_true",
                   help="--path walks fact edges only (no co-mentions)")
    p.add_argument("--json", action="store_true", help="print analytics as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")
    p.set_defaults(func=run)
    return p


def _open_store(path: str) -> "KgStore":
    import pyoxigraph as ox

    from .store import KgStore

    p = Path(path)
    if p.is_file():
        fmt = ox.RdfFormat.from_extension(p.suffix.lstrip(".")) if p.suffix else None
        if fmt is None:
            raise StoreError(f"{p}: not a store directory and not an RDF file kgraid can read "
                             "(.trig, .nq, .ttl, .nt, .rdf)")
        store = KgStore(None)
        try:
            store.load(p.read_bytes(), fmt, None if fmt.supports_datasets
                       else "https://w3id.org/kgraid/graph/_input")
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"{p}: cannot parse: {e}") from e
        return store
    return KgStore(p, read_only=True)


def run(args: argparse.Namespace) -> int:
    """The ``kgraid network`` command. Returns the exit code; raises KgraidError on errors."""
    _progress(args, f"reading {args.store}")
    graph = project(_open_store(args.store), node_types=args.types, start=args.start,
                    end=args.end)
    _progress(args, f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    analytics = args.rank or args.communities or args.path
    fmt = args.format or (_format_of(args.output) if args.output else None)
    if args.output or fmt or not analytics:
        fmt = fmt or "html"
        if fmt == "png" and args.output in (None, "-"):
            raise KgraidError("PNG output needs a file: give -o FILE.png")
        target: Any = args.output if args.output not in (None, "-") else sys.stdout.buffer
        if args.output is None and not analytics and sys.stdout.isatty():
            raise KgraidError("give -o FILE (or -o - for standard output)")
        export(graph, fmt, target, title=args.title, size_by=args.size_by)
        if args.output not in (None, "-"):
            _progress(args, f"wrote {args.output} ({fmt})")
    return _analytics(args, graph) if analytics else 0


def _format_of(output: str) -> str | None:
    suffix = Path(output).suffix.lower().lstrip(".")
    return {"htm": "html", "xml": "graphml"}.get(suffix, suffix if suffix in FORMATS else None)


def _progress(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(f"kgraid network: {message}", file=sys.stderr)


def _analytics(args: argparse.Namespace, graph: "nx.MultiDiGraph") -> int:
    result: dict[str, Any] = {}
    code = 0
    if args.rank:
        result["rank"] = rank(graph, top=args.top or None, by=args.by)
    if args.communities:
        parts = communities(graph)
        result["communities"] = [[{"id": v, "label": graph.nodes[v].get("label", v),
                                   "type": graph.nodes[v].get("type")} for v in p]
                                 for p in parts]
    if args.path:
        kinds = [k for k in EDGE_KINDS if k != "co-mention"] if args.facts_only else None
        path = shortest_path(graph, args.path[0], args.path[1], kinds=kinds)
        result["path"] = path
        if path is None:
            code = 1
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_analytics_text(result, graph))
    return code


def _analytics_text(result: dict[str, Any], graph: "nx.MultiDiGraph") -> str:
    lines: list[str] = []
    if "rank" in result:
        lines.append(f"{'#':>3}  {'pagerank':>8}  {'betw.':>6}  {'deg':>4}  {'type':<15}  label")
        for r in result["rank"]:
            lines.append(f"{r['rank']:>3}  {r['pagerank']:8.4f}  {r['betweenness']:6.3f}  "
                         f"{r['degree']:>4}  {r['type']:<15}  {r['label']}")
    if "communities" in result:
        if lines:
            lines.append("")
        for i, part in enumerate(result["communities"]):
            names = ", ".join(m["label"] for m in part[:12])
            more = f" (+{len(part) - 12})" if len(part) > 12 else ""
            lines.append(f"community {i} ({len(part)}): {names}{more}")
    if "path" in result:
        if lines:
            lines.append("")
        path = result["path"]
        if path is None:
            lines.append("no path between the two entities")
        else:
            lines.append(" -> ".join(n["label"] for n in path["nodes"])
                         + f"  ({path['length']} hops)")
            for hop in path["hops"]:
                for f in hop["facts"]:
                    s = graph.nodes[f["source"]].get("label", f["source"])
                    t = graph.nodes[f["target"]].get("label", f["target"])
                    what = f["kind"] if f["label"] == f["kind"] else f"{f['kind']}: {f['label']}"
                    lines.append(f"  {s} -[{what}]-> {t}  "
                                 f"(articles: {', '.join(f['articles'])})")
                    for ev in f["evidence"][:3]:
                        lines.append(f"      \"{ev['sentence']}\" [{ev['article']}]")
    return "\n".join(lines) + "\n"
