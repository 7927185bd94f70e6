"""Counts of what a store holds: articles, entities by type, facts, graphs and triples."""
from __future__ import annotations

from typing import Any

from rdflib import URIRef

from .views import VIEWS, view_graph

__all__ = ["store_stats"]

_COUNTS = """
PREFIX kgr: <https://w3id.org/kgraid/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES ?class { kgr:Article kgr:Person kgr:Organization kgr:Place kgr:AnonymousSource
                  org:Membership kgr:Operation kgr:Claim }
  ?s a ?class .
} GROUP BY ?class
"""
_NAMES = {"Article": "articles", "Person": "persons", "Organization": "organizations",
          "Place": "places", "AnonymousSource": "anonymous sources",
          "Membership": "memberships", "Operation": "operations", "Claim": "claims"}
_GRAPH_SIZE = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def store_stats(store: Any) -> dict[str, int]:
    """Counts of articles, entities, facts, named graphs and triples in ``store``. The named
    graphs and triples include the views (kgraid.views), which are also counted apart: rows
    derived from the article graphs, not facts of their own."""
    out = {name: 0 for name in _NAMES.values()}
    for row in store.query(_COUNTS):
        local = row["class"].value.rsplit("#", 1)[-1]
        out[_NAMES[local]] = int(row["n"].value)
    names = set(store.graph_names())
    held = [view_graph(n) for n in VIEWS if view_graph(n) in names]
    out["named graphs"] = len(names)
    out["triples"] = len(store)
    out["view graphs"] = len(held)
    out["view triples"] = sum(
        int(next(iter(store.query(_GRAPH_SIZE, {"g": URIRef(g)})))["n"].value) for g in held)
    return out
