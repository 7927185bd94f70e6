"""Counts of what a store holds: articles, entities by type, facts, graphs and triples."""
from __future__ import annotations

from typing import Any

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


def store_stats(store: Any) -> dict[str, int]:
    """Counts of articles, entities, facts, named graphs and triples in ``store``."""
    out = {name: 0 for name in _NAMES.values()}
    for row in store.query(_COUNTS):
        local = row["class"].value.rsplit("#", 1)[-1]
        out[_NAMES[local]] = int(row["n"].value)
    out["named graphs"] = len(store.graph_names())
    out["triples"] = len(store)
    return out
