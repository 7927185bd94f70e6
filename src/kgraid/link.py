"""Link entities to Wikidata: ``owl:sameAs <http://www.wikidata.org/entity/Q…>``.

Offline (the default), an entity is linked when its label or one of its alternative labels
names exactly one gazetteer entry of its kind (``resources/gazetteer.tsv``) and that entry has
a Wikidata id. Only ids in the gazetteer are ever written, so offline links are never guesses.

Online (``online=True``), the entities still unlinked are looked up on a SPARQL 1.1 endpoint
(Wikidata's by default): candidates by label and alias, scored by name, type and context
(:mod:`kgraid.wikidata.candidates`), linked above a threshold. With ``enrich=True`` the
linked items' coordinates (GeoSPARQL WKT), country and description are added. Answers are
cached on disk, so a rerun sends no request twice.

Everything the linker writes goes to one derived named graph, :data:`LINKS_GRAPH`, replaced
as a whole on each run: the article graphs are never touched, and deleting that graph undoes
all links. For each link the graph also holds an ``rdf:Statement`` that says how it was made
(``kgr:rule`` "gazetteer" or "wikidata-search", the ``kgr:matchedLabel`` and the
``kgr:confidence`` score).

An endpoint that fails (refused, hangs, 429/5xx after retries, malformed answers) never fails
the run: the report says so (``LinkReport.endpoint_error``) and the graph holds exactly what an
offline run writes, with no partial online result.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SKOS

from .errors import EndpointError, KgraidError, QueryError, StoreError
from .rdf import BASE, KGR, WD, bind_prefixes, normalize_label
from .views import maintains

if TYPE_CHECKING:
    from .gazetteer import Gazetteer, GazetteerEntry
    from .remote import RemoteStore
    from .store import KgStore
    from .wikidata.cache import ResponseCache
    from .wikidata.candidates import Scoring
    from .wikidata.client import SparqlClient

__all__ = ["link_store", "LinkReport", "LinkDecision", "LINKS_GRAPH", "register",
           "links_shapes_path", "validate_links", "GEO", "SCHEMA", "WDT"]

log = logging.getLogger(__name__)

LINKS_GRAPH = BASE + "graph/_links"
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SCHEMA = Namespace("http://schema.org/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
GEOMETRY = Namespace(BASE + "geometry/")
LINK_RECORD = Namespace(BASE + "link/")
LINK_KINDS = ("Person", "Organization", "Place")
#: Part of every cache key: bump it when the meaning of a shipped .rq query changes.
QUERY_VERSION = "1"
_QID = re.compile(r"Q[1-9][0-9]{0,11}")
_WKT_POINT = re.compile(r"^\s*(<[^>]*>\s*)?POINT\s*\(\s*-?[0-9.eE+-]+\s+-?[0-9.eE+-]+\s*\)\s*$",
                        re.IGNORECASE)
#: At most this many names of one entity are looked up online.
_MAX_NAMES = 8


# ---------------------------------------------------------------------- results
@dataclass
class LinkDecision:
    """What the linker decided for one entity."""

    entity: str
    label: str
    kind: str
    qid: str | None
    method: str          # gazetteer, wikidata, existing, none
    status: str          # linked, existing, ambiguous, below-threshold, no-candidate, ...
    score: float | None = None
    matched: str | None = None
    reason: str = ""


@dataclass
class LinkReport:
    """Counts of one link run; ``ok`` is False when the endpoint failed."""

    store: str = ""
    online: bool = False
    enrich: bool = False
    endpoint: str | None = None
    entities: int = 0
    linked_offline: int = 0
    linked_online: int = 0
    already_linked: int = 0
    unlinked: int = 0
    ambiguous: int = 0
    enriched: int = 0
    requests_sent: int = 0
    cache_hits: int = 0
    errors: int = 0
    endpoint_error: str | None = None
    triples: int = 0
    decisions: list[LinkDecision] = field(default_factory=list)

    @property
    def linked(self) -> int:
        return self.linked_offline + self.linked_online + self.already_linked

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def as_dict(self, decisions: bool = True) -> dict[str, Any]:
        d = asdict(self)
        d["linked"] = self.linked
        d["ok"] = self.ok
        if not decisions:
            d.pop("decisions")
        return d

    def summary(self) -> str:
        text = (f"{self.entities} entities: {self.linked_offline} linked offline, "
                f"{self.linked_online} online, {self.already_linked} already linked, "
                f"{self.unlinked} unlinked ({self.ambiguous} ambiguous)")
        if self.enrich:
            text += f"; {self.enriched} enriched"
        if self.online or self.enrich:
            text += f"; {self.requests_sent} requests, {self.cache_hits} cache hits"
        if self.endpoint_error:
            text += (f"; ENDPOINT FAILED, online links and enrichment skipped: "
                     f"{self.endpoint_error}")
        return text

    to_dict = as_dict


# ---------------------------------------------------------------------- entities
@dataclass
class _Entity:
    iri: str
    kinds: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    alt_labels: set[str] = field(default_factory=set)
    entity_types: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)
    existing: set[str] = field(default_factory=set)  # QIDs linked outside the links graph

    @property
    def label(self) -> str:
        return min(self.labels) if self.labels else self.iri

    @property
    def kind(self) -> str:
        return "/".join(sorted(self.kinds))

    def names(self) -> list[str]:
        """Own labels first, then alternative labels, each once."""
        return sorted(self.labels) + sorted(self.alt_labels - self.labels)


_ENTITY_PREDICATES = (RDF.type, RDFS.label, SKOS.altLabel, KGR.entityType, KGR.mentionedIn,
                      OWL.sameAs)
#: The same quads as the embedded path reads, for a store reached over SPARQL.
_ENTITY_QUADS_QUERY = """\
SELECT ?g ?s ?p ?o WHERE {
  VALUES ?p { %s }
  GRAPH ?g { ?s ?p ?o }
  FILTER(isIRI(?s))
}""" % " ".join(f"<{p}>" for p in _ENTITY_PREDICATES)


def _entity_quads(store: Any) -> Iterable[tuple[str, str, str, str | None, str | None]]:
    """(graph, subject, predicate, IRI object or None, literal object or None) for the
    predicates the linker reads, from every graph but the links graph."""
    raw = getattr(store, "raw", None)
    if raw is not None:  # an embedded KgStore: read the quads directly
        import pyoxigraph as ox

        for pred in _ENTITY_PREDICATES:
            for q in raw.quads_for_pattern(None, ox.NamedNode(str(pred)), None, None):
                g = getattr(q.graph_name, "value", "")
                if g == LINKS_GRAPH or not isinstance(q.subject, ox.NamedNode):
                    continue
                o = q.object
                yield (g, q.subject.value, str(pred),
                       o.value if isinstance(o, ox.NamedNode) else None,
                       o.value if isinstance(o, ox.Literal) else None)
        return
    for row in store.query(_ENTITY_QUADS_QUERY):  # a remote store: rows of rdflib terms
        g, subj, pred, obj = (row.get(k) for k in ("g", "s", "p", "o"))
        if str(g) == LINKS_GRAPH or not isinstance(subj, URIRef):
            continue
        yield (str(g), str(subj), str(pred), str(obj) if isinstance(obj, URIRef) else None,
               str(obj) if isinstance(obj, Literal) else None)


def _collect_entities(store: Any) -> dict[str, _Entity]:
    """Every Person, Organization and Place of the store with its names, articles and
    existing Wikidata links, read from all graphs but the links graph itself."""
    kinds = {str(KGR[k]): k for k in LINK_KINDS}
    quads = list(_entity_quads(store))
    ents: dict[str, _Entity] = {}
    for _, subj, pred, iri_obj, _lit in quads:
        if pred == str(RDF.type) and iri_obj in kinds:
            ents.setdefault(subj, _Entity(subj)).kinds.add(kinds[iri_obj])
    attrs = {str(RDFS.label): "labels", str(SKOS.altLabel): "alt_labels",
             str(KGR.entityType): "entity_types"}
    for _, subj, pred, iri_obj, lit in quads:
        e = ents.get(subj)
        if e is None:
            continue
        if pred in attrs and lit is not None:
            getattr(e, attrs[pred]).add(lit)
        elif pred == str(KGR.mentionedIn) and iri_obj is not None:
            e.articles.add(iri_obj)
        elif pred == str(OWL.sameAs) and iri_obj and iri_obj.startswith(str(WD)) \
                and _QID.fullmatch(iri_obj[len(WD):]):
            e.existing.add(iri_obj[len(WD):])
    return ents


# ---------------------------------------------------------------------- offline
def _exact_only(alias: str) -> bool:
    """Short upper-case aliases ("IS", "US", "UN") match only as written, so that a word
    like "is" or "us" is never taken for them (the gazetteer's own rule)."""
    core = re.sub(r"[\W_]+", "", alias)
    return len(core) <= 3 and core != core.lower()


def _squash(name: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", name))


class _GazetteerIndex:
    def __init__(self, gazetteer: "Gazetteer") -> None:
        self._by_norm: dict[str, list[tuple["GazetteerEntry", str]]] = defaultdict(list)
        for entry in gazetteer.entries:
            if entry.qid and not _QID.fullmatch(entry.qid):
                log.warning("gazetteer: %r has a malformed Wikidata id %r; not used",
                            entry.label, entry.qid)
            for name in entry.names:
                self._by_norm[normalize_label(name)].append((entry, name))

    def lookup(self, name: str, kinds: set[str]) -> list["GazetteerEntry"]:
        found = []
        for entry, written in self._by_norm.get(normalize_label(name), ()):
            if entry.kind not in kinds:
                continue
            if _exact_only(written) and _squash(written) != _squash(name):
                continue
            if entry not in found:
                found.append(entry)
        return found


def _offline(e: _Entity, index: _GazetteerIndex) -> LinkDecision:
    base = dict(entity=e.iri, label=e.label, kind=e.kind)
    by_own = {id(x): x for n in sorted(e.labels) for x in index.lookup(n, e.kinds)}
    by_any = {id(x): x for n in e.names() for x in index.lookup(n, e.kinds)}
    entries = list(by_own.values()) or list(by_any.values())
    if len(entries) > 1 and e.entity_types:
        typed = [x for x in entries if x.entity_type in e.entity_types]
        entries = typed or entries
    if not entries:
        return LinkDecision(**base, qid=None, method="none", status="no-candidate",
                            reason="not in the gazetteer")
    if len(entries) > 1:
        return LinkDecision(**base, qid=None, method="none", status="ambiguous",
                            reason="gazetteer entries " + ", ".join(
                                sorted(x.label for x in entries)))
    entry = entries[0]
    if not entry.qid or not _QID.fullmatch(entry.qid):
        return LinkDecision(**base, qid=None, method="none", status="no-qid",
                            matched=entry.label,
                            reason=f"gazetteer entry {entry.label!r} has no Wikidata id")
    matched = next((n for n in e.names() if entry in index.lookup(n, e.kinds)), entry.label)
    return LinkDecision(**base, qid=entry.qid, method="gazetteer", status="linked", score=1.0,
                        matched=matched, reason=f"gazetteer entry {entry.label!r}")


# ---------------------------------------------------------------------- online
def _usable_name(name: str) -> bool:
    """Whether ``name`` is worth sending: not too short or long, no control characters, and
    no "\\u" sequence (SPARQL parsers disagree on codepoint escapes, so such a name might
    not reach the server as written)."""
    if not 2 <= len(name) <= 200:
        return False
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        return False
    return not re.search(r"\\[uU]", name)


@dataclass
class _Net:
    client: "SparqlClient"
    cache: "ResponseCache"
    batch_size: int
    cache_hits: int = 0

    def fetch(self, kind: str, template: str, var: str, keys: Sequence[str],
              terms: Callable[[str], list[Any]], key_of: Callable[[Mapping[str, Any]], str],
              ) -> dict[str, list[dict[str, Any]]]:
        """Bindings per key, from the cache or from the endpoint in batches; every answer is
        cached as soon as it arrives. Raises EndpointError when a batch fails."""
        from .wikidata.sparql import fill_values

        endpoint = self.client.endpoint
        out: dict[str, list[dict[str, Any]]] = {}
        misses: list[str] = []
        for key in dict.fromkeys(keys):
            hit = self.cache.get(endpoint, QUERY_VERSION, kind, key)
            if isinstance(hit, list):
                out[key] = hit
                self.cache_hits += 1
            else:
                misses.append(key)
        if misses:
            log.info("%s: %d %s look-ups cached, %d to ask", endpoint, len(out), kind,
                     len(misses))
        for start in range(0, len(misses), self.batch_size):
            batch = misses[start:start + self.batch_size]
            query = fill_values(template, var, [t for k in batch for t in terms(k)])
            grouped: dict[str, list[dict[str, Any]]] = {k: [] for k in batch}
            for b in self.client.select(query):
                k = key_of(b)
                if k in grouped:
                    grouped[k].append(b)
            self.cache.put_many(endpoint, QUERY_VERSION, kind, grouped)
            out.update(grouped)
            log.info("%s: %s %d/%d", endpoint, kind, min(start + self.batch_size,
                                                         len(misses)), len(misses))
        return out


def _cell(b: Mapping[str, Any], var: str) -> str:
    cell = b.get(var)
    return cell.get("value", "") if isinstance(cell, Mapping) else ""


def _context(ents: Mapping[str, _Entity], links: Mapping[str, str]) -> dict[str, set[str]]:
    """For each entity, the Wikidata items of the other entities its articles mention."""
    by_article: dict[str, set[str]] = defaultdict(set)
    for iri, e in ents.items():
        for a in e.articles:
            by_article[a].add(iri)
    ctx: dict[str, set[str]] = {}
    for iri, e in ents.items():
        mates = set().union(*(by_article[a] for a in e.articles)) if e.articles else set()
        ctx[iri] = {links[m] for m in mates - {iri} if m in links}
    return ctx


def _online(todo: list[_Entity], ents: Mapping[str, _Entity], links: Mapping[str, str],
            net: _Net, scoring: "Scoring") -> list[LinkDecision]:
    from rdflib import Literal as Lit

    from .wikidata.candidates import candidates, choose, score
    from .wikidata.sparql import load_query

    names = {e.iri: [n for n in e.names() if _usable_name(n)][:_MAX_NAMES] for e in todo}
    answers = net.fetch(
        "search", load_query("wikidata_candidates.rq"), "name",
        sorted({n for ns in names.values() for n in ns}),
        lambda n: [Lit(n, lang="en"), Lit(n, lang="mul")],
        lambda b: _cell(b, "name"))
    context = _context(ents, links)
    decisions = []
    for e in todo:
        cands = candidates({n: answers.get(n, []) for n in names[e.iri]})
        scored = [s for c in cands.values()
                  if (s := score(c, kinds=e.kinds, labels=e.labels, context=context[e.iri],
                                 scoring=scoring)) is not None]
        best, status, why = choose(scored, scoring)
        base = dict(entity=e.iri, label=e.label, kind=e.kind)
        if best is None:
            decisions.append(LinkDecision(**base, qid=None, method="none", status=status,
                                          reason=why))
        else:
            decisions.append(LinkDecision(**base, qid=best.candidate.qid, method="wikidata",
                                          status="linked", score=best.score,
                                          matched=best.matched, reason=why))
    return decisions


def _enrich(qids: Iterable[str], net: _Net) -> dict[str, list[dict[str, Any]]]:
    from .wikidata.sparql import load_query

    return net.fetch("enrich", load_query("wikidata_enrich.rq"), "item", sorted(set(qids)),
                     lambda q: [WD[q]], lambda b: _cell(b, "item")[len(WD):])


# ---------------------------------------------------------------------- graph
def _record(g: Graph, d: LinkDecision) -> None:
    e, item = URIRef(d.entity), WD[d.qid or ""]
    g.add((e, OWL.sameAs, item))
    rec = LINK_RECORD[hashlib.sha1(d.entity.encode("utf-8", "surrogatepass")).hexdigest()[:16]]
    g.add((rec, RDF.type, RDF.Statement))
    g.add((rec, RDF.subject, e))
    g.add((rec, RDF.predicate, OWL.sameAs))
    g.add((rec, RDF.object, item))
    g.add((rec, KGR.rule, Literal("gazetteer" if d.method == "gazetteer" else "wikidata-search")))
    if d.matched:
        g.add((rec, KGR.matchedLabel, Literal(d.matched)))
    g.add((rec, KGR.confidence, Literal(Decimal(str(round(d.score or 0.0, 3))),
                                        datatype=XSD.decimal)))


def _add_facts(g: Graph, entity: str, qid: str, bindings: list[dict[str, Any]]) -> bool:
    """Description, geometry, country and administrative parents of ``qid`` on ``entity``."""
    e = URIRef(entity)
    desc = sorted(_cell(b, "v") for b in bindings if _cell(b, "k") == "description")
    points = sorted(v for b in bindings if _cell(b, "k") == "P625"
                    and _WKT_POINT.match(v := _cell(b, "v")))
    added = False
    if desc:
        g.add((e, SCHEMA.description, Literal(desc[0], lang="en")))
        added = True
    if points:
        geom = GEOMETRY[qid]
        g.add((e, GEO.hasGeometry, geom))
        g.add((geom, RDF.type, GEO.Geometry))
        g.add((geom, GEO.asWKT, Literal(points[0], datatype=GEO.wktLiteral)))
        added = True
    for b in bindings:
        k, v = _cell(b, "k"), _cell(b, "v")[len(WD):]
        s = _cell(b, "s")[len(WD):]
        if k == "P17" and _QID.fullmatch(v):
            g.add((e, WDT.P17, WD[v]))
            added = True
        elif k == "P131" and _QID.fullmatch(v) and _QID.fullmatch(s):
            g.add((WD[s], WDT.P131, WD[v]))
    return added


# ---------------------------------------------------------------------- API
@maintains
def link_store(store: "KgStore | RemoteStore", *, online: bool = False, endpoint: str | None = None,
               cache_dir: str | Path | None = None, enrich: bool = False,
               client: "SparqlClient | None" = None, gazetteer: "Gazetteer | None" = None,
               scoring: "Scoring | None" = None, threshold: float | None = None,
               batch_size: int = 20, timeout: float = 30.0, retries: int = 3,
               min_interval: float = 1.0) -> LinkReport:
    """Link the store's entities to Wikidata and write the links graph (replacing it).

    ``online`` also asks ``endpoint`` (default: Wikidata's) for the entities the gazetteer
    cannot link; ``enrich`` adds coordinates, country and description of linked items (from
    the endpoint too). Answers are cached in ``cache_dir`` (default ``~/.cache/kgraid``).
    ``client`` replaces the HTTP client built from ``endpoint``, ``timeout``, ``retries`` and
    ``min_interval`` (seconds between requests). An endpoint failure is reported in the
    returned :class:`LinkReport`, never raised. ``store`` is an embedded
    :class:`~kgraid.store.KgStore` or a :class:`~kgraid.remote.RemoteStore`."""
    from .gazetteer import load_gazetteer
    from .wikidata.candidates import Scoring as _Scoring

    scoring = scoring or _Scoring()
    if threshold is not None:
        scoring = _Scoring(**{**asdict(scoring), "threshold": threshold})
    where = getattr(store, "path", None) or getattr(store, "url", None) or "memory"
    report = LinkReport(store=str(where), online=online, enrich=enrich)
    ents = _collect_entities(store)
    report.entities = len(ents)
    index = _GazetteerIndex(gazetteer or load_gazetteer())

    decisions: dict[str, LinkDecision] = {}
    for iri, e in sorted(ents.items()):
        d = _offline(e, index)
        if e.existing and d.qid in e.existing:
            d.reason += " (the article graph agrees)"
        elif e.existing:
            qid = min(e.existing, key=lambda q: int(q[1:]))
            if d.qid is not None:
                log.warning("%s: the gazetteer says %s but the article graph says %s; kept "
                            "the article graph's link", e.label, d.qid,
                            ", ".join(sorted(e.existing)))
            d = LinkDecision(entity=iri, label=e.label, kind=e.kind, qid=qid, method="existing",
                             status="existing", reason="linked in its article graph" + (
                                 f", against the gazetteer's {d.qid}" if d.qid else ""))
        decisions[iri] = d
    offline_links = {i: d.qid for i, d in decisions.items() if d.qid}
    log.info("link: %d entities, %d linked from the gazetteer or their articles",
             len(ents), len(offline_links))

    online_decisions: dict[str, LinkDecision] = {}
    facts: dict[str, list[dict[str, Any]]] = {}
    if online or enrich:
        from .wikidata.cache import ResponseCache
        from .wikidata.client import DEFAULT_ENDPOINT, SparqlClient

        if client is None:
            client = SparqlClient(endpoint or DEFAULT_ENDPOINT, timeout=timeout,
                                  retries=retries, min_interval=min_interval)
        report.endpoint = client.endpoint
        net = _Net(client, ResponseCache(cache_dir), max(1, batch_size))
        sent_before = client.stats.requests
        try:
            if online:
                todo = [ents[i] for i, d in decisions.items() if d.qid is None]
                if todo:
                    for d in _online(todo, ents, offline_links, net, scoring):
                        online_decisions[d.entity] = d
            if enrich:
                final = {**offline_links, **{i: d.qid for i, d in online_decisions.items()
                                             if d.qid}}
                if final:
                    facts = _enrich(final.values(), net)
        except (EndpointError, QueryError) as err:
            report.errors += 1
            report.endpoint_error = str(err)
            log.error("link: %s; the links graph keeps only the offline links", err)
            online_decisions, facts = {}, {}
        finally:
            report.requests_sent = client.stats.requests - sent_before
            report.cache_hits = net.cache_hits
            net.cache.close()
    decisions.update({i: d for i, d in online_decisions.items() if d.qid})
    for i, d in online_decisions.items():
        if not d.qid:  # keep the online reason for entities that stay unlinked
            decisions[i] = d

    g = bind_prefixes(Graph(identifier=URIRef(LINKS_GRAPH)))
    for p, ns in (("geo", GEO), ("schema", SCHEMA), ("wdt", WDT)):
        g.bind(p, ns)
    for iri, d in sorted(decisions.items()):
        if d.qid and d.method in ("gazetteer", "wikidata"):
            _record(g, d)
        if d.qid and d.qid in facts and _add_facts(g, iri, d.qid, facts[d.qid]):
            report.enriched += 1
    report.triples = store.replace_graph(g)
    store.flush()  # a remote store sends its buffer; an embedded one syncs to disk

    report.decisions = [decisions[i] for i in sorted(decisions)]
    report.linked_offline = sum(d.method == "gazetteer" for d in report.decisions)
    report.linked_online = sum(d.method == "wikidata" for d in report.decisions)
    report.already_linked = sum(d.method == "existing" for d in report.decisions)
    report.unlinked = sum(d.qid is None for d in report.decisions)
    report.ambiguous = sum(d.status == "ambiguous" for d in report.decisions)
    log.info("link: %s", report.summary())
    return report


# ---------------------------------------------------------------------- SHACL
def links_shapes_path() -> Path:
    """``links-shapes.ttl`` beside the kgraid shapes (``ontology/``)."""
    from .validate import ontology_dir
    return ontology_dir() / "links-shapes.ttl"


def validate_links(store: "KgStore", shapes: str | Path | None = None) -> tuple[bool, str]:
    """Check the union of the store's graphs against the link shapes; (conforms, report)."""
    from pyshacl import validate

    from .store import from_ox

    data = Graph()
    for q in store.quads():
        data.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    sg = Graph().parse(str(shapes or links_shapes_path()), format="turtle")
    conforms, _, text = validate(data, shacl_graph=sg, inference="none", allow_warnings=False)
    return bool(conforms), str(text)


# ---------------------------------------------------------------------- CLI
_EPILOG = """\
Offline (the default), entities are linked from the bundled gazetteer only. --online also asks
a SPARQL endpoint for the rest; --enrich adds coordinates, country and description of linked
items (from the endpoint). Answers are cached (--cache), so a rerun sends no request twice.
Links go to the named graph https://w3id.org/kgraid/graph/_links, replaced on each run.

exit codes:
  0  links written, every requested source answered
  1  links written from the gazetteer only: the endpoint failed (the message says why)
  2  error (no store at PATH, bad option)
"""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kgraid link`` to the CLI's subparsers; the handler is ``args.func(args)``."""
    from .cli import add_output_options

    p = subparsers.add_parser(
        "link", help="link entities to Wikidata (owl:sameAs)",
        description="Link the store's persons, organizations and places to Wikidata items.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", required=True, metavar="PATH", help="the kgraid store directory")
    p.add_argument("--online", action="store_true",
                   help="also look up unlinked entities on the SPARQL endpoint")
    p.add_argument("--endpoint", metavar="URL",
                   help="SPARQL 1.1 endpoint (default: https://query.wikidata.org/sparql)")
    p.add_argument("--enrich", action="store_true",
                   help="add coordinates (GeoSPARQL WKT), country and description of linked "
                        "items")
    p.add_argument("--cache", metavar="DIR",
                   help="cache directory for endpoint answers (default: ~/.cache/kgraid)")
    p.add_argument("--threshold", type=float, metavar="SCORE",
                   help="lowest score of an online link, 0..1 (default 0.7)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="time limit of one request (default 30)")
    p.add_argument("--retries", type=int, default=3, metavar="N",
                   help="retries of a failed request, with backoff (default 3)")
    add_output_options(p, formats=("table", "json"))
    p.set_defaults(func=run_link_command)
    return p


def run_link_command(args: argparse.Namespace) -> int:
    """The ``kgraid link`` handler: returns the exit code; KgraidError propagates (code 2)."""
    from .cli import emit
    from .store import KgStore

    path = Path(args.store)
    if str(args.store).startswith(("http://", "https://")):
        raise StoreError(f"{args.store}: kgraid link works on a local store directory")
    if not path.is_dir():
        raise StoreError(f"{path}: no store there; build one with "
                         f"'kgraid build ARTICLES --store {path}'")
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise KgraidError(f"--threshold {args.threshold}: must be between 0 and 1")
    with _progress(not args.quiet):
        with KgStore(path) as store:
            report = link_store(store, online=args.online, endpoint=args.endpoint,
                                cache_dir=args.cache, enrich=args.enrich,
                                threshold=args.threshold, timeout=args.timeout,
                                retries=max(0, args.retries))
    if args.format == "json":
        emit(report.as_dict(), "json")
    else:
        emit([{"entity": _printable(d.label), "kind": d.kind, "qid": d.qid,
               "method": d.method, "score": None if d.score is None else f"{d.score:.2f}",
               "why": _printable(d.reason)} for d in report.decisions], "table")
        print(report.summary())
    if report.endpoint_error:
        print(f"kgraid link: {report.endpoint}: {report.endpoint_error}", file=sys.stderr)
    return 0 if report.ok else 1


class _progress:
    """Show the linker's INFO progress on stderr while it runs (unless quiet)."""

    _names = ("kgraid.link", "kgraid.wikidata")

    def __init__(self, show: bool) -> None:
        self.show = show
        self.saved: list[tuple[logging.Logger, int]] = []
        self.handler: logging.Handler | None = None

    def __enter__(self) -> "_progress":
        if not self.show:
            return self
        if not logging.getLogger().handlers:
            self.handler = logging.StreamHandler(sys.stderr)
            self.handler.setFormatter(logging.Formatter("kgraid: %(message)s"))
            logging.getLogger("kgraid").addHandler(self.handler)
        for name in self._names:
            lg = logging.getLogger(name)
            self.saved.append((lg, lg.level))
            if lg.getEffectiveLevel() > logging.INFO:
                lg.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc: object) -> None:
        for lg, level in self.saved:
            lg.setLevel(level)
        if self.handler is not None:
            logging.getLogger("kgraid").removeHandler(self.handler)


def _printable(text: str, width: int = 60) -> str:
    """``text`` on one line: control characters shown as escapes, long text cut."""
    out = "".join(ch if unicodedata.category(ch)[0] != "C" else ch.encode(
        "unicode_escape", "backslashreplace").decode("ascii") for ch in text)
    return out if len(out) <= width else out[:width - 1] + "…"
