"""The views' rows computed one key at a time, in a memory that does not grow with the store.

The definitions of ``resources/views/`` say what a view holds, in SPARQL; evaluated whole,
they hash-join tables of the entire store, so a refresh's memory grew with it (461 MiB on
the 10,000-article bench store, bench/README.md). The functions here compute the same
solutions from the store's indexes, one operation or one event at a time:

- ``timeline``: the operations come one by one from the ``rdf:type`` index, and each one's
  facts (its dates among them: an undated operation has a row too) from lookups of the
  predicates the view reads;
- ``conflicting_figures``: the events come from the ``kgr:about`` index (an operation with
  the claims about it and its own account) and the ``kgr:outcome`` index (an operation no
  claim is about), so only one event's figures are held. The claims about no operation,
  whose event is their article, are the one table kept for the whole store: their IRIs,
  by article (18,814 at 10,000 articles).

The labels, article identifiers and source names that many rows share are kept in bounded
caches (:data:`CACHE`). Every article graph repeats the labels of what it mentions, which
made the SPARQL join slow when it was restricted to a batch of keys; a cache reads each
entity's labels once. A test (tests/test_views.py) checks that both ways give the same
solutions, and :func:`kgraid.views.definition_hash` covers this file as well as the
definitions, so a view computed by an older version is read as stale.

Each function yields solutions as the SPARQL SELECT would: a dict from column name to an
RDF term, ``row`` included; an unbound column is absent.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from .rdf import BASE, KGR, SEM

__all__ = ["ROWS", "CACHE"]

#: Entries per cache (labels, article identifiers): bounds the refresh's own memory.
CACHE = 16_384

_KGR, _SEM = str(KGR), str(SEM)
_PROV, _XSD = str(PROV), str(XSD)
_RDF_TYPE = str(RDF.type)
_LABEL = str(RDFS.label)
_IDENTIFIER = str(DCTERMS.identifier)
_DERIVED = str(PROV.wasDerivedFrom)
_STRINGS = {str(XSD.string), str(RDF.langString)}
_VIEW = BASE + "view/"
OWN = ox.Literal("(the article's own account)")

Solution = dict[str, Any]


# ------------------------------------------------------------------------ reading the store
def _some(store: ox.Store, subject: Any, predicates: Iterable[str] | None,
          ) -> dict[str, dict[Any, None]]:
    """The objects of ``subject``'s ``predicates`` (``None``: all of them), by predicate IRI,
    each once (ordered sets), from all graphs (none for a literal). One lookup per predicate
    is cheaper than reading a subject whole when it has many other quads (a claim's
    statement, evidence, confidence: most of the cost of reading a quad is decoding its
    terms); a subject with few quads (a figure) is cheaper read whole, in one lookup."""
    out: dict[str, dict[Any, None]] = {}
    if isinstance(subject, ox.Literal):
        return out
    if predicates is None:
        for q in store.quads_for_pattern(subject, None, None, None):
            out.setdefault(q.predicate.value, {})[q.object] = None
        return out
    for p in predicates:
        objects = dict.fromkeys(q.object for q in store.quads_for_pattern(
            subject, ox.NamedNode(p), None, None))
        if objects:
            out[p] = objects
    return out


def _exists(store: ox.Store, subject: Any, predicate: Any, obj: Any = None) -> bool:
    return next(store.quads_for_pattern(subject, predicate, obj, None), None) is not None


def _distinct(store: ox.Store, predicate: str, obj: Any = None, *, by_object: bool = False,
              ) -> Iterator[Any]:
    """Each subject (``by_object``: object) of the quads of ``predicate`` (and ``obj``), once,
    without a table of those seen: an item counts at the quad that a lookup of it gives
    first, and quads of the same item next to each other (the on-disk indexes keep them so)
    cost one lookup in all. The in-memory store does not keep them together, which is why
    the order of the stream is not relied on."""
    p = ox.NamedNode(predicate)
    last, first = None, None
    for q in store.quads_for_pattern(None, p, obj, None):
        item = q.object if by_object else q.subject
        if item != last:
            last = item
            first = next(store.quads_for_pattern(None, p, item, None) if by_object
                         else store.quads_for_pattern(item, p, obj, None))
        if q == first:
            yield item


def _objects_cache(store: ox.Store, predicate: str) -> Callable[[Any], tuple[Any, ...]]:
    """``f(subject)``: the distinct objects of ``subject``'s ``predicate``, cached."""
    p = ox.NamedNode(predicate)

    @lru_cache(maxsize=CACHE)
    def objects(subject: Any) -> tuple[Any, ...]:
        return tuple(dict.fromkeys(q.object for q in store.quads_for_pattern(subject, p, None, None)))
    return objects


# ------------------------------------------------------------------------ SPARQL's functions
def _str(term: Any) -> str | None:
    """SPARQL's STR: None (an error) for a blank node."""
    return None if isinstance(term, ox.BlankNode) else term.value


def _is_string(term: Any) -> bool:
    """A literal that CONCAT and GROUP_CONCAT take (a simple or language-tagged string)."""
    return isinstance(term, ox.Literal) and term.datatype.value in _STRINGS


def _group_concat(terms: Iterable[Any], sep: str) -> ox.Literal | None:
    """GROUP_CONCAT(DISTINCT ...) of ``terms``: None for an empty group or a value that is
    not a string (an error in SPARQL leaves the aggregate unbound)."""
    values = list(dict.fromkeys(terms))
    if not values or not all(_is_string(t) for t in values):
        return None
    return ox.Literal(sep.join(t.value for t in values))


def _min(terms: Iterable[Any]) -> Any:
    """MIN over ``terms`` as Oxigraph evaluates it: string literals by code point, and
    unbound when the group is empty or one of its values is unbound (``None``: an OPTIONAL
    that did not match), as an error makes the whole aggregate unbound."""
    values = list(terms)
    if not values or any(t is None for t in values):
        return None
    return min(values, key=lambda t: (_is_string(t), t.value))


def _row(view: str, *parts: str) -> ox.NamedNode:
    digest = hashlib.md5(" ".join(parts).encode("utf-8")).hexdigest()
    return ox.NamedNode(f"{_VIEW}{view}/{digest}")


def _numeric_differs(a: Any, b: Any) -> bool:
    """``a != b`` for the counts (xsd:integer in kgraid's graphs; other terms by identity)."""
    try:
        return int(a.value) != int(b.value)
    except (AttributeError, ValueError):
        return a != b


# ----------------------------------------------------------------------------- timeline
_PRECISION = {_XSD + "date": "day", _XSD + "gYearMonth": "month", _XSD + "gYear": "year"}


_TIMELINE_FACTS = (_SEM + "hasTimeStamp", _DERIVED, _SEM + "hasPlace", _KGR + "actor",
                   _KGR + "target", _KGR + "evidence", _KGR + "operationType", _KGR + "dateText")


def timeline(store: ox.Store) -> Iterator[Solution]:
    """The rows of resources/views/timeline.rq, one operation at a time."""
    identifiers = _objects_cache(store, _IDENTIFIER)
    labels = _objects_cache(store, _LABEL)
    sentences = _objects_cache(store, _KGR + "sentence")
    for op in _distinct(store, _RDF_TYPE, ox.NamedNode(_KGR + "Operation")):
        if not isinstance(op, ox.NamedNode):  # STR(?operation) of a blank node: no row
            continue
        facts = _some(store, op, _TIMELINE_FACTS)
        ids = [i for a in facts.get(_DERIVED, ()) for i in identifiers(a)]
        if not ids:
            continue
        stamps = facts.get(_SEM + "hasTimeStamp")
        # undated: one row without a date; a date that is not a literal: no row (its
        # DATATYPE is an error, so is the row's IRI)
        dates = [d for d in stamps if isinstance(d, ox.Literal)] if stamps else [None]
        if not dates:
            continue
        common: Solution = {"operation": op, "articles": _group_concat(ids, " "),
                            "date_text": _group_concat(facts.get(_KGR + "dateText", ()), " | ")}
        for column, predicate in (("places", _SEM + "hasPlace"), ("actors", _KGR + "actor"),
                                  ("targets", _KGR + "target")):
            names = [n for e in facts.get(predicate, ()) for n in labels(e)]
            common[column] = _group_concat(names, " | ") if names else None
        common["evidence"] = _min(s for e in facts.get(_KGR + "evidence", ())
                                  for s in sentences(e))
        for t in facts.get(_KGR + "operationType") or (None,):
            if t is not None and _str(t) is None:  # STR(?t) of a blank node: no row
                continue
            kind = "Operation" if t is None else t.value.partition("#")[2]
            for date in dates:
                dated: Solution = {}
                key = ("", "")  # the row IRI's date and datatype: blank when undated
                if date is not None:
                    key = (date.value, date.datatype.value)
                    dated = {"date": date,
                             "precision": ox.Literal(_PRECISION.get(key[1], "other"))}
                yield _bound({**common, **dated, "type": ox.Literal(kind),
                              "row": _row("timeline", op.value, *key, kind)})


# ------------------------------------------------------------------- conflicting figures
class _Event:
    """One event's figures: ``rows[(type, source, count)]`` holds, per key, the article
    identifiers, qualifiers and subject texts (only for figures whose article has an
    identifier: the view's rows); ``keys`` every (type, source, count), the other sources a
    row is compared with (with or without an article)."""

    def __init__(self) -> None:
        self.rows: dict[tuple, tuple[dict, dict, dict]] = {}
        self.keys: dict[tuple, None] = {}


def conflicting_figures(store: ox.Store) -> Iterator[Solution]:
    """The rows of resources/views/conflicting_figures.rq, one event at a time."""
    identifiers = _objects_cache(store, _IDENTIFIER)
    labels = _objects_cache(store, _LABEL)
    figure_facts = lru_cache(maxsize=CACHE)(lambda f: _some(store, f, None))

    def add_figure(event: _Event, f: Any, source: Any, articles: Iterable[Any],
                   rows: bool) -> None:
        facts = figure_facts(f)
        ids = [i for a in articles for i in identifiers(a)] if rows else []
        for ct in facts.get(_KGR + "casualtyType", ()):
            for n in facts.get(_KGR + "count", ()):
                key = (ct, source, n)
                event.keys[key] = None
                if not ids:
                    continue
                arts, quals, subjects = event.rows.setdefault(key, ({}, {}, {}))
                arts.update(dict.fromkeys(ids))
                quals.update(facts.get(_KGR + "qualifier") or {None: None})
                subjects.update(facts.get(_KGR + "subjectText") or {None: None})

    def add_claim(event: _Event, claim_facts: dict) -> None:
        articles = list(claim_facts.get(_DERIVED, ()))
        if not articles:  # the event is COALESCE(about, article): no derivation, no row
            return
        for s in claim_facts.get(_PROV + "wasAttributedTo", ()):
            for source in labels(s):
                for f in claim_facts.get(_KGR + "figure", ()):
                    add_figure(event, f, source, articles, True)

    def own_account(event: _Event, op: Any, op_facts: dict) -> None:
        articles = list(op_facts.get(_DERIVED, ()))
        for f in op_facts.get(_KGR + "outcome", ()):
            add_figure(event, f, OWN, articles, bool(articles))

    def rows(e: Any, event: _Event, e_facts: dict) -> Iterator[Solution]:
        if not event.rows or _str(e) is None:
            return
        names = list(e_facts.get(_LABEL, ()))
        if not names:
            names = [ox.Literal("article " + i.value)
                     for i in e_facts.get(_IDENTIFIER, ()) if _is_string(i)]
        for (ct, source, n), (arts, quals, subjects) in event.rows.items():
            if not (_is_string(ct) and _is_string(source)) or _str(n) is None:
                continue
            others = [(s2, n2) for (ct2, s2, n2) in event.keys if ct2 == ct and s2 != source]
            solution: Solution = {
                "event": e, "casualty_type": ct, "source": source, "count": n,
                "qualifier": _min(quals), "subject": _min(subjects),
                "articles": _group_concat(arts, " "),
                "row": _row("conflicting_figures", e.value, ct.value, source.value, n.value)}
            if others:
                solution["other_sources"] = _group_concat(
                    (ox.Literal(f"{s2.value}: {n2.value}") for s2, n2 in others), "; ")
                solution["agreement"] = ox.Literal(
                    "disagrees" if any(_numeric_differs(n2, n) for _, n2 in others)
                    else "agrees")
            else:
                solution["agreement"] = ox.Literal("single source")
            for name in names or (None,):
                yield _bound({**solution, "event_label": name})

    about, figure = ox.NamedNode(_KGR + "about"), ox.NamedNode(_KGR + "figure")

    claim_p = (_KGR + "figure", _PROV + "wasAttributedTo", _DERIVED)
    event_p = (_KGR + "outcome", _DERIVED, _LABEL, _IDENTIFIER)
    # what claims are about (operations), with the operation's own account
    for e in _distinct(store, about.value, by_object=True):
        event = _Event()
        for c in dict.fromkeys(q.subject for q in store.quads_for_pattern(None, about, e, None)):
            if _exists(store, c, figure):  # most claims have no figure: a cheaper lookup first
                add_claim(event, _some(store, c, claim_p))
        e_facts = _some(store, e, event_p)
        own_account(event, e, e_facts)
        yield from rows(e, event, e_facts)
    # operations with figures of their own that no claim is about
    for e in _distinct(store, _KGR + "outcome"):
        if not _exists(store, None, about, e):
            event, e_facts = _Event(), _some(store, e, event_p)
            own_account(event, e, e_facts)
            yield from rows(e, event, e_facts)
    # claims about no operation: their event is the article they come from. The one table
    # held for the whole store: those claims' IRIs, by article.
    by_article: dict[Any, dict[Any, None]] = defaultdict(dict)
    for c in _distinct(store, figure.value):
        if not _exists(store, c, about):
            for q in store.quads_for_pattern(c, ox.NamedNode(_DERIVED), None, None):
                by_article[q.object][c] = None
    while by_article:
        a, claims = by_article.popitem()
        event = _Event()
        for c in claims:
            facts = _some(store, c, claim_p)
            facts[_DERIVED] = {a: None}  # the event's article, not the claim's others
            add_claim(event, facts)
        if event.rows:
            yield from rows(a, event, _some(store, a, (_LABEL, _IDENTIFIER)))


def _bound(solution: Solution) -> Solution:
    return {k: v for k, v in solution.items() if v is not None}


#: The row computation of each view, by name.
ROWS: dict[str, Callable[[ox.Store], Iterator[Solution]]] = {
    "timeline": timeline, "conflicting_figures": conflicting_figures}
