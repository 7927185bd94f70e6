"""Stage 7: one graph across articles — entity resolution and operation merging.

Entities with the same canonical label are one node already (IRIs are minted from
gazetteer-canonical labels). This stage finds what minting cannot:

* **transliteration variants** of one name ("Deir al-Zour" / "Deir el-Zor", "Raqqah" /
  "Raqqa"), of one kind (a person never merges with a place);
* **short names** ("Baghdadi" in one article) that abbreviate exactly one full name in the
  corpus ("Abu Bakr al-Baghdadi");
* **operations** reported by several articles: same family of type, a shared specific place
  (not a country, governorate, province, region or river, nor "northern Syria"), the same day.

Each decision is a ``kgr:Merge`` in the named graph ``graph/_merges`` with its rule, the labels
that matched and the article graphs it rewrote; the merged node's IRI is replaced by the
canonical one in those graphs, and its label kept as ``skos:altLabel``. Two names that one
article keeps apart are never merged. ``unmerge`` reverses one decision and records that it
must not be made again.
"""
from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

import pyoxigraph as ox

from .errors import EndpointError, KgraidError
from .facts import BROAD_PLACE_TYPES, DIRECTION_WORDS
from .link import GEO, LINKS_GRAPH
from .rdf import BASE, normalize_label
from .store import DERIVED_PREFIX, to_ox
from .views import maintained, maintains

__all__ = ["resolve_store", "resolve_remote", "in_memory", "unmerge", "merges", "MERGES_GRAPH", "variant_key", "register"]

log = logging.getLogger(__name__)

MERGES_GRAPH = BASE + "graph/_merges"
_K = "https://w3id.org/kgraid/ontology#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
_MERGE = ox.NamedNode(_K + "Merge")
_NO_MERGE = ox.NamedNode(_K + "DoNotMerge")
_P = {name: ox.NamedNode(_K + name) for name in (
    "canonical", "mergedFrom", "rule", "matchedLabel", "inGraph", "originalLabel")}
#: The subject of the linker's link records, and its geometry links.
_RDF_SUBJECT = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject")
_HAS_GEOMETRY = ox.NamedNode(str(GEO.hasGeometry))
_KINDS = ("Person", "Organization", "Place")
_FAMILIES = [{"Raid", "GroundOperation", "Capture", "Rescue", "GenericOperation"},
             {"Strike", "Airstrike", "DroneStrike", "GenericOperation"},
             {"Attack", "Bombing", "Offensive", "GenericOperation"}]
#: Operations merge only on a timestamp of this precision: "a raid near Ramadi in 2016" in two
#: articles need not be one raid (on the 1,000-article benchmark corpus, 139 of 144 merges
#: the rule made on a month or a year alone).
_DAY = frozenset({"http://www.w3.org/2001/XMLSchema#date",
                  "http://www.w3.org/2001/XMLSchema#dateTime"})
#: Places too broad to identify an operation on a day (``facts.is_broad_place``: a country,
#: governorate, province, region or river, or "northern Syria"): the coalition reported
#: dozens of strikes in Syria, or in one governorate, on a single day. A place the NER model
#: found on its own has no entity type and counts as specific: those are mostly towns and
#: villages the gazetteer does not list (it lists every sovereign state).

# Transliteration variants: each pattern rewrites to the form two variants share.
_VARIANTS = [
    (re.compile(r"\b(?:al|el)[-\s](?=\w)|\b(?:ar|as|ad|an|az|at|ash)-(?=\w)"), ""),  # Arabic article
    (re.compile(r"['’`ʿʾ]"), ""),                                      # Da'esh / Daesh
    (re.compile(r"ou"), "o"),                                          # Zour / Zor
    (re.compile(r"ah\b"), "a"),                                        # Raqqah / Raqqa
    (re.compile(r"(\w)\1"), r"\1"),                                    # Raqqa / Raqa
    (re.compile(r"\bez\b|\bdh\b"), "e"),
    (re.compile(r"[^a-z0-9]+"), " "),
]


def variant_key(label: str) -> str:
    """The form that transliteration variants of a name share."""
    s = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    s = s.replace("u.s.", "us")
    for rx, rep in _VARIANTS:
        s = rx.sub(rep, s)
    return " ".join(w for w in s.split() if w not in ("the",))


def _surname(label: str) -> str:
    return variant_key(label.split()[-1]) if label.split() else ""


@dataclass
class _Node:
    iri: str
    kind: str
    labels: set[str]
    graphs: set[str]


def _nodes(store: ox.Store) -> dict[str, _Node]:
    out: dict[str, _Node] = {}
    q = f"""SELECT ?e ?kind ?label ?g WHERE {{
      GRAPH ?g {{ ?e a ?kind ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
      VALUES ?kind {{ {' '.join(f'<{_K}{k}>' for k in _KINDS)} }}
      FILTER(!STRSTARTS(STR(?g), "{DERIVED_PREFIX}"))
    }}"""
    for r in store.query(q):
        iri = r["e"].value
        n = out.setdefault(iri, _Node(iri, r["kind"].value.rsplit("#", 1)[-1], set(), set()))
        n.labels.add(r["label"].value)
        n.graphs.add(r["g"].value)
    return out


def _blocked(store: ox.Store) -> set[frozenset[str]]:
    g = ox.NamedNode(MERGES_GRAPH)
    out = set()
    for q in store.quads_for_pattern(None, _RDF_TYPE, _NO_MERGE, g):
        pair = [o.object.value for o in store.quads_for_pattern(q.subject, _P["mergedFrom"], None, g)]
        pair += [o.object.value for o in store.quads_for_pattern(q.subject, _P["canonical"], None, g)]
        out.add(frozenset(pair))
    return out


def _existing(store: ox.Store) -> dict[str, tuple[str, str]]:
    """merged IRI -> (canonical IRI, merge node IRI) for the merges already recorded."""
    g = ox.NamedNode(MERGES_GRAPH)
    out = {}
    for q in store.quads_for_pattern(None, _RDF_TYPE, _MERGE, g):
        frm = next(store.quads_for_pattern(q.subject, _P["mergedFrom"], None, g), None)
        can = next(store.quads_for_pattern(q.subject, _P["canonical"], None, g), None)
        if frm and can:
            out[frm.object.value] = (can.object.value, q.subject.value)
    return out


def _entity_merges(nodes: dict[str, _Node], blocked: set[frozenset[str]]
                   ) -> list[tuple[str, str, str, list[str]]]:
    """(merged, canonical, rule, matched labels), deterministic."""
    decided: list[tuple[str, str, str, list[str]]] = []
    taken: set[str] = set()

    def ok(a: _Node, b: _Node) -> bool:
        return (a.kind == b.kind and a.iri != b.iri and not (a.graphs & b.graphs)
                and frozenset((a.iri, b.iri)) not in blocked)

    # 1. transliteration variants of the whole name
    by_variant: dict[tuple[str, str], list[_Node]] = defaultdict(list)
    for n in nodes.values():
        label = sorted(n.labels)[0]
        by_variant[(n.kind, variant_key(label))].append(n)
    for (_kind, key), group in sorted(by_variant.items()):
        if len(group) < 2 or not key:
            continue
        group.sort(key=lambda n: (-len(n.graphs), n.iri))
        canon = group[0]
        for other in group[1:]:
            if ok(other, canon) and other.iri not in taken:
                decided.append((other.iri, canon.iri, "transliteration-variant",
                                sorted(other.labels | canon.labels)))
                taken.add(other.iri)
    # 2. a one-word person name that abbreviates exactly one full name in the corpus
    full_by_surname: dict[str, list[_Node]] = defaultdict(list)
    for n in nodes.values():
        if n.kind == "Person" and n.iri not in taken and any(len(lb.split()) >= 2
                                                             for lb in n.labels):
            full_by_surname[_surname(sorted(n.labels, key=len)[-1])].append(n)
    for n in sorted(nodes.values(), key=lambda n: n.iri):
        if n.kind != "Person" or n.iri in taken:
            continue
        label = sorted(n.labels, key=len)[-1]
        if len(label.split()) != 1 and not re.match(r"(?i)^(?:al|el)[-\s]\S+$", label):
            continue
        cands = [c for c in full_by_surname.get(_surname(label), []) if ok(n, c)]
        if len(cands) == 1:
            decided.append((n.iri, cands[0].iri, "short-name",
                            sorted(n.labels | cands[0].labels)))
            taken.add(n.iri)
    return decided


def _operation_merges(store: ox.Store, blocked: set[frozenset[str]]
                      ) -> list[tuple[str, str, str, list[str]]]:
    q = f"""SELECT ?op ?g ?type ?ts ?place ?ptype ?plabel WHERE {{
      GRAPH ?g {{ ?op a <{_K}Operation> ; <{_K}operationType> ?type ;
                 <http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp> ?ts ;
                 <http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace> ?place .
                 OPTIONAL {{ ?place <{_K}entityType> ?ptype }}
                 OPTIONAL {{ ?place <http://www.w3.org/2000/01/rdf-schema#label> ?plabel }} }}
      FILTER(!STRSTARTS(STR(?g), "{DERIVED_PREFIX}"))
    }}"""
    ops: dict[str, dict] = {}
    broad: set[str] = set()
    for r in store.query(q):
        o = ops.setdefault(r["op"].value, {"graphs": set(), "type": r["type"].value.rsplit("#")[-1],
                                           "ts": set(), "places": set()})
        o["graphs"].add(r["g"].value)
        o["ts"].add((r["ts"].value, r["ts"].datatype.value))
        o["places"].add(r["place"].value)
        if (r["ptype"] is not None and r["ptype"].value in BROAD_PLACE_TYPES) or (
                r["plabel"] is not None
                and r["plabel"].value.split(" ", 1)[0].lower() in DIRECTION_WORDS):
            broad.add(r["place"].value)
    by_key: dict[tuple, list[str]] = defaultdict(list)
    for iri, o in ops.items():
        if len(o["ts"]) != 1 or next(iter(o["ts"]))[1] not in _DAY:
            continue
        for place in o["places"] - broad:
            by_key[(next(iter(o["ts"])), place)].append(iri)
    return _join_operations(ops, by_key, blocked)


@dataclass
class _Cluster:
    """Operations already joined into one: what any further join must be checked against."""
    members: list[str]
    graphs: set[str]
    types: set[str]


def _can_join(a: _Cluster, b: _Cluster, blocked: set[frozenset[str]]) -> bool:
    return (not a.graphs & b.graphs and any(a.types | b.types <= f for f in _FAMILIES)
            and not (blocked and any(frozenset((x, y)) in blocked
                                     for x in a.members for y in b.members)))


def _join_operations(ops: dict[str, dict], by_key: dict[tuple, list[str]],
                     blocked: set[frozenset[str]]) -> list[tuple[str, str, str, list[str]]]:
    """Join operations that share a (timestamp, place) key into clusters, transitively: an
    operation that already joined one cluster under one key can still bring that cluster
    into another under a second key. Two clusters join only when every operation of the one
    could merge with every operation of the other: no article in common, a family of types
    holding all their types, no pair ``unmerge`` blocked. Each cluster's smallest IRI is its
    canonical node; one pass finds every merge the rule implies, so a second finds none."""
    cluster = {iri: _Cluster([iri], set(o["graphs"]), {o["type"]}) for iri, o in ops.items()}
    joined_by: dict[str, tuple] = {}  # merged operation -> the key it joined under
    for key, group in sorted(by_key.items()):
        seen: list[_Cluster] = []  # this key's clusters so far, in order
        for iri in sorted(set(group)):
            b = cluster[iri]
            for a in seen:
                if a is b or _can_join(a, b, blocked):
                    break
            else:
                seen.append(b)
                continue
            if a is b:
                continue
            for m in a.members + b.members:
                joined_by.setdefault(m, key)
            for m in b.members:
                cluster[m] = a
            seen = [c for c in seen if c is not b]  # b may have been seen under this key
            a.members += b.members
            a.graphs |= b.graphs
            a.types |= b.types
    decided = []
    for c in {id(c): c for c in cluster.values()}.values():
        root = min(c.members)
        for iri in sorted(c.members):
            if iri != root:
                ts, place = joined_by[iri]
                decided.append((iri, root, "same-operation", [ts[0], place]))
    decided.sort(key=lambda d: (d[1], d[0]))
    return decided


#: A rewrite's parameters are data, never text: ``_rewrite`` writes them as triples into
#: this graph and runs one constant SPARQL update that reads them, applies the rewrite and
#: drops them. (pyoxigraph's ``update`` takes no bindings; a custom function returning the
#: term would do, but oxigraph then scans every quad: 0.6 s against 2 ms per lookup on a
#: 1M-triple store.)
_PARAMS_GRAPH = BASE + "graph/_resolve-params"
#: Triples the same update adds to the merges graph (a merge's record) or removes from the
#: linker's graph (a stale link).
_STAGED_GRAPH = BASE + "graph/_resolve-staged"
_R = "urn:x-kgraid:resolve#"
_JOB = ox.NamedNode(_R + "job")
_PARAM = {name: ox.NamedNode(_R + name) for name in (
    "old", "new", "mode", "graph", "canonLabel", "restore", "forget")}

_REWRITE_UPDATE = f"""
PREFIX r: <{_R}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }}
INSERT {{ GRAPH ?g {{ ?s2 ?p2 ?o2 . ?new rdfs:label ?canonLabel }} }}
WHERE {{
  GRAPH <{_PARAMS_GRAPH}> {{
    r:job r:old ?old ; r:new ?new ; r:mode ?mode ; r:graph ?g .
    OPTIONAL {{ r:job r:canonLabel ?canonLabel }}
  }}
  {{ GRAPH ?g {{ ?old ?p ?o }} BIND(?old AS ?s) }}
  UNION
  {{ GRAPH ?g {{ ?s ?p ?old }} BIND(?old AS ?o) }}
  BIND(IF(?s = ?old, ?new, ?s) AS ?s2)
  BIND(IF(?o = ?old, ?new, ?o) AS ?o2)
  BIND(IF(?s = ?old && ?p = rdfs:label && ?mode = "merge", skos:altLabel,
       IF(?s = ?old && ?p = rdfs:label && ?mode = "unmerge", ?unbound,
       IF(?s = ?old && ?p = skos:altLabel && ?mode = "unmerge"
          && EXISTS {{ GRAPH <{_PARAMS_GRAPH}> {{ r:job r:restore ?o }} }},
          rdfs:label, ?p))) AS ?p2)
}} ;
INSERT {{ GRAPH <{MERGES_GRAPH}> {{ ?s ?p ?o }} }}
WHERE {{ GRAPH <{_STAGED_GRAPH}> {{ ?s ?p ?o }} }} ;
DELETE {{ GRAPH <{MERGES_GRAPH}> {{ ?n ?p ?o }} }}
WHERE {{ GRAPH <{_PARAMS_GRAPH}> {{ r:job r:forget ?n }} GRAPH <{MERGES_GRAPH}> {{ ?n ?p ?o }} }} ;
DROP SILENT GRAPH <{_PARAMS_GRAPH}> ;
DROP SILENT GRAPH <{_STAGED_GRAPH}>
"""

_DROP_STAGED_LINKS_UPDATE = f"""
DELETE {{ GRAPH <{LINKS_GRAPH}> {{ ?s ?p ?o }} }}
WHERE {{ GRAPH <{_STAGED_GRAPH}> {{ ?s ?p ?o }} }} ;
DROP SILENT GRAPH <{_STAGED_GRAPH}>
"""


def _run_staged(store: ox.Store, update: str, quads: list[ox.Quad]) -> None:
    """Write ``quads`` (parameters and staged triples) in one transaction, then run the
    constant ``update``, which consumes and drops them in another. A build killed between
    the two leaves only the staging graphs, which the next call clears first: their
    triples must never meet another job's."""
    _clear_staging(store)
    store.extend(quads)
    store.update(update)


def _clear_staging(store: ox.Store) -> None:
    """Remove the staging graphs a killed run may have left behind."""
    for name in (_PARAMS_GRAPH, _STAGED_GRAPH):
        graph = ox.NamedNode(name)
        if store.contains_named_graph(graph):
            store.remove_graph(graph)


def _rewrite(store: ox.Store, old: str, new: str, graphs: list[str],
             record: list[ox.Quad] = (), *, label_to_alt: bool = True,
             alt_to_label: frozenset[str] = frozenset(), forget: str | None = None,
             canon_label: ox.Literal | None = None) -> None:
    """Replace ``old`` by ``new`` in ``graphs``, add ``record`` (quads of the merges graph)
    and delete what the merges graph says about ``forget``: one SPARQL update request (after
    the parameters are staged), which pyoxigraph applies as one transaction, so a build
    killed here leaves either all of it or none of it, plus at worst the staging graphs.
    ``old``'s rdfs:label becomes an altLabel of ``new`` (``label_to_alt``); for an unmerge
    (``alt_to_label``), those altLabels become labels again and the canonical label the
    merge added is dropped. ``new`` keeps ``canon_label`` in every graph it stands in, so
    each article graph still conforms on its own."""
    params = ox.NamedNode(_PARAMS_GRAPH)
    mode = "unmerge" if alt_to_label else "merge" if label_to_alt else "plain"
    quads = [ox.Quad(_JOB, _PARAM["old"], ox.NamedNode(old), params),
             ox.Quad(_JOB, _PARAM["new"], ox.NamedNode(new), params),
             ox.Quad(_JOB, _PARAM["mode"], ox.Literal(mode), params)]
    quads += [ox.Quad(_JOB, _PARAM["graph"], ox.NamedNode(g), params) for g in graphs]
    quads += [ox.Quad(_JOB, _PARAM["restore"], ox.Literal(x), params) for x in alt_to_label]
    if canon_label is not None:
        quads.append(ox.Quad(_JOB, _PARAM["canonLabel"], canon_label, params))
    if forget is not None:
        quads.append(ox.Quad(_JOB, _PARAM["forget"], ox.NamedNode(forget), params))
    quads += _staged(record, MERGES_GRAPH)
    _run_staged(store, _REWRITE_UPDATE, quads)


def _staged(quads: list[ox.Quad], target: str) -> list[ox.Quad]:
    """``quads`` of the graph ``target``, moved to the staging graph."""
    staged = ox.NamedNode(_STAGED_GRAPH)
    if any(q.graph_name.value != target for q in quads):
        raise ValueError(f"staged quads must all be in <{target}>")
    return [ox.Quad(q.subject, q.predicate, q.object, staged) for q in quads]


def _record_quads(merged: str, canon: str, rule: str, labels: list[str],
                  graphs: list[str], original_labels: list[str]) -> list[ox.Quad]:
    g = ox.NamedNode(MERGES_GRAPH)
    node = ox.NamedNode(f"{BASE}merge/{hashlib.sha1((merged + '|' + canon).encode()).hexdigest()[:16]}")
    quads = [ox.Quad(node, _RDF_TYPE, _MERGE, g),
             ox.Quad(node, _P["canonical"], ox.NamedNode(canon), g),
             ox.Quad(node, _P["mergedFrom"], ox.NamedNode(merged), g),
             ox.Quad(node, _P["rule"], ox.Literal(rule), g)]
    quads += [ox.Quad(node, _P["matchedLabel"], ox.Literal(lb), g) for lb in labels]
    quads += [ox.Quad(node, _P["inGraph"], ox.NamedNode(x), g) for x in graphs]
    quads += [ox.Quad(node, _P["originalLabel"], ox.Literal(lb), g) for lb in original_labels]
    return quads


def _canonical_label(store: ox.Store, iri: str) -> ox.Literal | None:
    labels = sorted(q.object.value for q in
                    store.quads_for_pattern(ox.NamedNode(iri), _LABEL, None, None))
    return ox.Literal(labels[0]) if labels else None


def _labels_in(store: ox.Store, iri: str, graphs: list[str]) -> list[str]:
    out = set()
    for g in graphs:
        for q in store.quads_for_pattern(ox.NamedNode(iri), _LABEL, None, ox.NamedNode(g)):
            out.add(q.object.value)
    return sorted(out)


def _graphs_mentioning(store: ox.Store, iri: str) -> list[str]:
    n = ox.NamedNode(iri)
    gs = {q.graph_name.value for q in store.quads_for_pattern(n, None, None, None)}
    gs |= {q.graph_name.value for q in store.quads_for_pattern(None, None, n, None)}
    return sorted(g for g in gs if not g.startswith(DERIVED_PREFIX))


#: Resolution flushes the store after this many merges: each merge is a small transaction,
#: and unflushed their writes pile up in RocksDB's in-memory write buffers. Measured on a
#: 10,000-article store (4,357 merges), with each merge's record written once: 269 MiB at the
#: end with these flushes, against about 1.4 GiB without.
FLUSH_EVERY = 100
#: Rounds of (entity merges, operation merges) before resolve gives up for this build.
MAX_ROUNDS = 5


def _graph_digests(store: ox.Store) -> dict[str, str]:
    """Each named graph's content as a digest of its sorted N-Triples lines."""
    lines: dict[str, list[bytes]] = defaultdict(list)
    for q in store:
        if isinstance(q.graph_name, ox.NamedNode):
            lines[q.graph_name.value].append(str(q.triple).encode("utf-8"))
    return {g: _digest(ls) for g, ls in lines.items()}


def _graph_digest(store: ox.Store, graph: str) -> str | None:
    """:func:`_graph_digests` of one graph; None when ``store`` has no triple in it."""
    lines = [str(q.triple).encode("utf-8")
             for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
    return _digest(lines) if lines else None


def _digest(lines: list[bytes]) -> str:
    return hashlib.sha256(b"\n".join(sorted(lines))).hexdigest()


def _write_back(remote, local: ox.Store, before: dict[str, str], after: dict[str, str]) -> int:
    """PUT back to ``remote`` each graph of ``local`` whose digest went from ``before`` to
    ``after``, the merges graph first, and delete the graphs that were emptied. Returns the
    number of graphs written or deleted.

    The record of merges (:data:`MERGES_GRAPH`) is written before the article graphs, so a
    write that fails half-way leaves merges recorded but not yet applied, which the next
    resolution re-applies, never applied merges without a record, which ``unmerge`` could
    not undo. A blank node shared by two graphs becomes two once one of them is rewritten
    (a ``PUT`` body's blank nodes are its own); kgraid's graphs have none."""
    changed = sorted((g for g, d in after.items() if before.get(g) != d),
                     key=lambda g: (g != MERGES_GRAPH, g))
    for g in changed:
        triples = [q.triple for q in local.quads_for_pattern(None, None, None, ox.NamedNode(g))]
        remote.replace_ntriples(g, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
        if g == MERGES_GRAPH:
            remote.flush()
    gone = sorted(set(before) - set(after))
    remote.flush()
    for g in gone:
        remote.remove_graph(g)
    log.info("%d graphs rewritten and %d removed on %s", len(changed), len(gone), remote)
    return len(changed) + len(gone)


def in_memory(remote, work):
    """Run ``work`` (a function of an ``ox.Store``) on an in-memory copy of a store behind the
    Graph Store Protocol (a :class:`~kgraid.remote.RemoteStore`): its graphs read with one
    query, and afterwards only the graphs ``work`` changed written back (``PUT``, each whole)
    or deleted (see :func:`_write_back`). Returns (``work``'s result, graphs written or
    deleted). The whole store is held in memory meanwhile (680 MiB peak for 507k quads):
    ``unmerge`` works this way; a build's resolution reads much less
    (:func:`resolve_remote`). As on an embedded store, one writer at a time: a graph another
    client writes meanwhile may be overwritten."""
    local = ox.Store()
    log.info("%d triples read from %s", remote.load_into(local), remote)
    before = _graph_digests(local)
    result = work(local)
    return result, _write_back(remote, local, before, _graph_digests(local))


#: What resolution compares to decide its merges, which is all :func:`resolve_remote` reads
#: of every graph: the type of each entity and operation and every label (variants, short
#: names, canonical labels), every triple that points at an entity or role (so every graph
#: that mentions an entity is found, whether it types it there or not), the operation
#: properties the operation rule compares, and the merges graph whole. A graph a merge
#: rewrites is then read whole. All constants: nothing from the data is pasted in.
_DECISION_QUERY = f"""
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX kgr: <{_K}>
SELECT ?g ?s ?p ?o WHERE {{
  {{ VALUES (?p ?o) {{ {' '.join(f'(rdf:type kgr:{k})' for k in (*_KINDS, 'Operation'))} }}
     GRAPH ?g {{ ?s ?p ?o }} }}
  UNION
  {{ VALUES ?p {{ rdfs:label kgr:operationType sem:hasTimeStamp sem:hasPlace kgr:entityType }}
     GRAPH ?g {{ ?s ?p ?o }} }}
  UNION
  {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{BASE}id/")) }}
  UNION
  {{ VALUES ?g {{ <{MERGES_GRAPH}> }} GRAPH ?g {{ ?s ?p ?o }} }}
}}"""


@maintains
def resolve_remote(remote) -> dict:
    """:func:`resolve_store` for a store behind the Graph Store Protocol (a
    :class:`~kgraid.remote.RemoteStore`): the quads the rules compare
    (:data:`_DECISION_QUERY`) are read into memory with one query, each graph a merge
    rewrites is read whole (one ``GET``) just before, and the graphs that changed are written
    back (:func:`_write_back`): a second run writes nothing. The report's ``merges`` also
    counts the graphs written back (``graphs_rewritten``). As on an embedded store, one writer
    at a time."""
    local = ox.Store()
    read = remote.load_into(local, _DECISION_QUERY)
    partial = _graph_digests(local)   # the graphs as read in part
    whole: dict[str, str] = {}        # graphs read whole -> their digest as read
    if MERGES_GRAPH in partial:       # read whole by the query
        whole[MERGES_GRAPH] = partial.pop(MERGES_GRAPH)

    def prepare(graphs: list[str]) -> None:
        for g in graphs:
            if g in whole:
                continue
            data = remote.graph_ntriples(g) or b""
            gid = ox.NamedNode(g)
            local.remove_graph(gid)  # the quads read in part, replaced by all of them
            try:
                local.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=gid)
            except SyntaxError as e:
                raise EndpointError(f"GET graph <{g}> from {remote}: malformed N-Triples: "
                                    f"{e}") from e
            digest = _graph_digest(local, g)
            if digest is not None:
                whole[g] = digest

    report = resolve_store(local, prepare=prepare)
    after = _graph_digests(local)
    # a graph read in part must come out as it went in: writing it back would lose the rest
    touched = sorted(g for g, d in partial.items() if g not in whole and after.get(g) != d)
    if touched:
        raise KgraidError(f"resolution changed graph(s) it had not read whole: {touched[:3]} "
                          "(a bug in kgraid); nothing was written back")
    log.info("resolution read %d quads from %s and %d graph(s) whole", read, remote,
             len(whole) - (MERGES_GRAPH in whole))
    report["merges"]["graphs_rewritten"] = _write_back(
        remote, local, whole, {g: after[g] for g in set(whole) | {MERGES_GRAPH} if g in after})
    return report


@maintains
def resolve_store(store, *, prepare: Callable[[list[str]], None] | None = None) -> dict:
    """Resolve entities and merge operations across the articles in ``store`` (a KgStore).
    Idempotent: recorded merges are re-applied to rebuilt articles, new ones are found.
    ``prepare(graphs)`` is called before the named graphs ``graphs`` are rewritten (with a
    store that holds only part of them, to read them whole first)."""
    raw: ox.Store = store.raw if hasattr(store, "raw") else store
    _clear_staging(raw)  # a killed run's leftovers go even when this one merges nothing
    done = 0  # merges written, re-applied or new

    def merged_one() -> None:
        nonlocal done
        done += 1
        if done % FLUSH_EVERY == 0:
            raw.flush()

    existing = _existing(raw)
    # re-apply recorded merges to graphs rebuilt since (they carry the old IRI again)
    reapplied = 0
    for merged, (canon, node) in existing.items():
        graphs = _graphs_mentioning(raw, merged)
        if graphs:
            if prepare is not None:
                prepare(graphs)
            labels = _labels_in(raw, merged, graphs)
            g = ox.NamedNode(MERGES_GRAPH)
            record = [ox.Quad(ox.NamedNode(node), _P["inGraph"], ox.NamedNode(x), g)
                      for x in graphs] + [ox.Quad(ox.NamedNode(node), _P["originalLabel"],
                                                  ox.Literal(lb), g) for lb in labels]
            is_entity = "/operation/" not in merged
            _rewrite(raw, merged, canon, graphs, record, label_to_alt=is_entity,
                     canon_label=_canonical_label(raw, canon) if is_entity else None)
            reapplied += 1
            merged_one()
    blocked = _blocked(raw)
    n_entity = n_ops = 0
    # Entities first: a merged place can give two operations a place in common. Then repeat
    # until nothing more merges, so that running resolve again finds nothing new (a merged
    # node carries every label and article of both, which can make a new variant match).
    for _round in range(MAX_ROUNDS):
        entity = _entity_merges(_nodes(raw), blocked)
        for merged, canon, rule, labels in entity:
            _apply(raw, merged, canon, rule, labels, prepare)
            merged_one()
        ops = _operation_merges(raw, blocked)
        for merged, canon, rule, labels in ops:
            _apply(raw, merged, canon, rule, labels, prepare)
            merged_one()
        n_entity, n_ops = n_entity + len(entity), n_ops + len(ops)
        if not entity and not ops:
            break
    else:
        log.warning("resolution: still merging after %d rounds; run the build again to "
                    "continue", MAX_ROUNDS)
    log.info("resolution: %d entity merges, %d operation merges, %d re-applied",
             n_entity, n_ops, reapplied)
    return {"merges": {"entities": n_entity + sum(1 for m in existing
                                                  if "/operation/" not in m),
                       "operations": n_ops, "new": n_entity + n_ops}}


def _apply(raw: ox.Store, merged: str, canon: str, rule: str, labels: list[str],
           prepare: Callable[[list[str]], None] | None = None) -> None:
    graphs = _graphs_mentioning(raw, merged)
    if prepare is not None:
        prepare(graphs)
    original = _labels_in(raw, merged, graphs)
    is_entity = rule != "same-operation"
    _rewrite(raw, merged, canon, graphs,
             _record_quads(merged, canon, rule, labels, graphs, original),
             label_to_alt=is_entity,
             canon_label=_canonical_label(raw, canon) if is_entity else None)


def merges(store) -> list[dict]:
    """Every recorded merge: canonical, merged, rule, matched labels, graphs."""
    raw: ox.Store = store.raw if hasattr(store, "raw") else store
    q = f"""SELECT ?m ?canon ?from ?rule (GROUP_CONCAT(DISTINCT ?label; separator=" | ") AS ?labels)
      WHERE {{ GRAPH <{MERGES_GRAPH}> {{ ?m a <{_K}Merge> ; <{_K}canonical> ?canon ;
        <{_K}mergedFrom> ?from ; <{_K}rule> ?rule . OPTIONAL {{ ?m <{_K}matchedLabel> ?label }} }} }}
      GROUP BY ?m ?canon ?from ?rule ORDER BY ?rule ?canon"""
    return [{"canonical": r["canon"].value, "merged": r["from"].value, "rule": r["rule"].value,
             "labels": r["labels"].value if r["labels"] else ""} for r in raw.query(q)]


@maintains
def unmerge(store, a: str, b: str) -> dict:
    """Undo the merge between ``a`` and ``b`` (IRIs, either order) and record that they must
    not be merged again."""
    raw: ox.Store = store.raw if hasattr(store, "raw") else store
    g = ox.NamedNode(MERGES_GRAPH)
    for merged, (canon, node) in _existing(raw).items():
        if {merged, canon} != {a, b}:
            continue
        nn = ox.NamedNode(node)
        graphs = [q.object.value for q in raw.quads_for_pattern(nn, _P["inGraph"], None, g)]
        originals = frozenset(q.object.value for q in
                              raw.quads_for_pattern(nn, _P["originalLabel"], None, g))
        c, m = ox.NamedNode(canon), ox.NamedNode(merged)
        block = ox.NamedNode(node + "/blocked")
        record = [ox.Quad(block, _RDF_TYPE, _NO_MERGE, g), ox.Quad(block, _P["canonical"], c, g),
                  ox.Quad(block, _P["mergedFrom"], m, g)]
        # the canonical node's own facts in those graphs would move too: only graphs where the
        # merge put it are listed, and there it stood for the merged node alone; the merge's
        # record goes with it
        _rewrite(raw, canon, merged, graphs, record, label_to_alt=False,
                 alt_to_label=originals, forget=node)
        dropped = [iri for iri in (canon, merged) if _drop_stale_link(raw, iri)]
        if dropped:
            log.warning("unmerge: the Wikidata link of %s rested on a name that is no longer "
                        "its own and was dropped; run 'kgraid link' again",
                        ", ".join(f"<{x}>" for x in dropped))
        return {"unmerged": merged, "from": canon, "graphs": len(graphs),
                "links_dropped": dropped}
    raise KgraidError(f"no merge between <{a}> and <{b}>; 'kgraid merges --store ...' lists them")


def _drop_stale_link(store: ox.Store, iri: str) -> bool:
    """After an unmerge: drop the Wikidata link of ``iri`` (its ``owl:sameAs``, enrichment
    and link record, all in the linker's graph) when the name it was matched on is no longer
    one of ``iri``'s labels or altLabels: the name went back to the node it was merged from,
    and the link said who *that* node is. Returns whether a link was dropped; the next
    ``kgraid link`` links both nodes again."""
    links, node = ox.NamedNode(LINKS_GRAPH), ox.NamedNode(iri)
    records = [q.subject for q in store.quads_for_pattern(None, _RDF_SUBJECT, node, links)]
    if not records:
        return False
    names = {normalize_label(q.object.value)
             for p in (_LABEL, _ALT) for q in store.quads_for_pattern(node, p, None, None)
             if not q.graph_name.value.startswith(DERIVED_PREFIX)}
    matched = {normalize_label(q.object.value) for rec in records
               for q in store.quads_for_pattern(rec, _P["matchedLabel"], None, links)}
    if matched and matched <= names:
        return False
    geometries = [q.object for q in store.quads_for_pattern(node, _HAS_GEOMETRY, None, links)]
    quads = list(store.quads_for_pattern(node, None, None, links))
    quads += [q for rec in records for q in store.quads_for_pattern(rec, None, None, links)]
    for geom in geometries:  # a geometry no other entity of the graph points to
        if all(q.subject == node for q in store.quads_for_pattern(None, _HAS_GEOMETRY, geom, links)):
            quads += list(store.quads_for_pattern(geom, None, None, links))
    _run_staged(store, _DROP_STAGED_LINKS_UPDATE, _staged(quads, LINKS_GRAPH))
    return True


# ---------------------------------------------------------------------- CLI
def register(sub) -> None:
    p = sub.add_parser("merges", help="list cross-article merges (entity resolution)",
                       description="List every merge kgraid made across articles: the "
                       "canonical node, the merged one, the rule and the labels that matched. "
                       "Exit: 0, or 2 on error.")
    p.add_argument("--store", default="kg.db")
    from .cli import add_output_options
    add_output_options(p)
    p.set_defaults(func=_cmd_merges)
    u = sub.add_parser("unmerge", help="undo one cross-article merge",
                       description="Undo the merge of two nodes (IRIs as listed by 'kgraid "
                       "merges') and keep them apart in later builds. Exit: 0, 2 on error "
                       "(e.g. no such merge).")
    u.add_argument("a")
    u.add_argument("b")
    u.add_argument("--store", default="kg.db")
    add_output_options(u, ("text", "json"), "text")
    u.set_defaults(func=_cmd_unmerge)


def _cmd_merges(args) -> int:
    from .cli import emit, open_store
    store = open_store(args.store, read_only=True)
    if hasattr(store, "raw"):
        found = merges(store)
    else:  # a remote store: its merges graph alone, read with one GSP GET
        local, g = ox.Store(), ox.NamedNode(MERGES_GRAPH)
        local.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)  # type: ignore[arg-type]
                     for s, p, o in store.graph(MERGES_GRAPH))
        found = merges(local)
    emit(found, args.format)
    return 0


def _cmd_unmerge(args) -> int:
    from .cli import emit, open_store
    store = open_store(args.store)
    if hasattr(store, "raw"):
        result = unmerge(store, args.a, args.b)
    else:  # the work runs on a local copy; the views of the remote store are kept here
        with maintained(store):
            result, _ = in_memory(store, lambda local: unmerge(local, args.a, args.b))
    store.flush()
    if args.format == "json":
        emit(result, "json")
    elif not args.quiet:
        print(f"unmerged <{result['unmerged']}> from <{result['from']}> in "
              f"{result['graphs']} graph(s)")
    return 0
