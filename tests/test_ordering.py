"""The embedded store's final ORDER BY, applied in Python: the same order as Oxigraph's own,
a fall back to the engine where SPARQL leaves the order open, and the text it strips."""
from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from kgraid.ordering import Unordered, _sort_key, sort_rows, split_order
from kgraid.query import _run_embedded_once, required_bindings, run_query
from kgraid.store import KgStore

ROOT = Path(__file__).resolve().parents[1]
EX = "https://example.org/"
XS = "http://www.w3.org/2001/XMLSchema#"


# ---------------------------------------------------------------------------- the clauses
@pytest.mark.parametrize("tail, keys, limit, offset", [
    ("ORDER BY ?a", [("a", False, "")], None, 0),
    ("order by desc(?n) ?a LIMIT 5", [("n", True, ""), ("a", False, "")], 5, 0),
    ("ORDER BY ASC(STR(?d)) OFFSET 2 LIMIT 3", [("d", False, "STR")], 3, 2),
    ("ORDER BY DESC(BOUND(?d)) STR(?d) ?s", [("d", True, "BOUND"), ("d", False, "STR"),
                                             ("s", False, "")], None, 0),
    ("ORDER BY ?a # a comment after the last key", [("a", False, "")], None, 0),
    ('ORDER BY (?a != "disagrees") DESC(?n = "x")', [("a", False, "!=disagrees"),
                                                    ("n", True, "=x")], None, 0),
])
def test_simple_final_order_by_is_split_off(tail, keys, limit, offset) -> None:
    head = "SELECT ?s ?a ?n ?d WHERE { ?s ?p ?a }"
    plan = split_order(f"{head} {tail}")
    assert plan is not None
    assert [(k.var, k.descending, k.fn) for k in plan.keys] == keys
    assert (plan.limit, plan.offset) == (limit, offset)
    assert "ORDER" not in plan.query.upper() and "LIMIT" not in plan.query.upper()
    assert plan.query.startswith(head)


@pytest.mark.parametrize("query", [
    "SELECT ?s WHERE { ?s ?p ?o }",                                          # no ORDER BY
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3",                                  # LIMIT alone
    'SELECT ?s WHERE { ?s ?p ?o } ORDER BY (?o > "x") ?s',                   # an expression
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY LCASE(?o)",                       # another function
    "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2 } }",  # inner only
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s VALUES ?s { <https://example.org/a> }",
    'SELECT ?s WHERE { ?s ?p "} ORDER BY ?s" }',                             # inside a string
    "SELECT ?s WHERE { ?s ?p ?o } # ORDER BY ?s",                            # in a comment
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 1",         # not a SELECT
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT ?x",
    'SELECT ?s WHERE { ?s ?p ?o } ORDER BY (?o = "x"@en)',                   # not a plain string
    'SELECT ?s WHERE { ?s ?p ?o } ORDER BY (?o = "say \\"x\\"")',             # an escape
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY (?o = 1)",
])
def test_other_queries_are_left_to_the_engine(query: str) -> None:
    assert split_order(query) is None


# ---------------------------------------------------------------------------- the order
def _plan(tail: str):
    plan = split_order("SELECT * WHERE { ?s ?p ?o } " + tail)
    assert plan is not None
    return plan


def test_sparql_order_unbound_then_iris_then_literals_numbers_by_value() -> None:
    rows = [(Literal("b"),), (None,), (URIRef(EX + "z"),), (Literal("a"),), (URIRef(EX + "a"),)]
    assert sort_rows(rows, ["o"], _plan("ORDER BY ?o")) == [
        (None,), (URIRef(EX + "a"),), (URIRef(EX + "z"),), (Literal("a"),), (Literal("b"),)]
    nums = [(Literal(n, datatype=URIRef(XS + "integer")),) for n in ("10", "9", "-1", "100")]
    assert [str(r[0]) for r in sort_rows(nums, ["o"], _plan("ORDER BY DESC(?o)"))] == \
        ["100", "10", "9", "-1"]


def test_ties_come_in_the_order_of_the_other_columns_and_limit_applies_after() -> None:
    rows = [(Literal("x"), Literal("3")), (Literal("x"), Literal("1")),
            (Literal("w"), Literal("9")), (Literal("x"), Literal("2"))]
    plan = _plan("ORDER BY ?o OFFSET 1 LIMIT 2")
    assert sort_rows(rows, ["o", "s"], plan) == [(Literal("x"), Literal("1")),
                                                  (Literal("x"), Literal("2"))]


def test_str_and_bound_keys() -> None:
    d = [(Literal("2017-01-08", datatype=URIRef(XS + "date")),), (None,),
         (Literal("2016", datatype=URIRef(XS + "gYear")),)]
    assert sort_rows(d, ["d"], _plan("ORDER BY DESC(BOUND(?d)) STR(?d)")) == [d[2], d[0], d[1]]


def test_a_comparison_with_a_string_sorts_false_before_true() -> None:
    rows = [(Literal("agrees"),), (Literal("disagrees"),), (None,), (Literal("single"),)]
    got = sort_rows(rows, ["a"], _plan('ORDER BY (?a != "disagrees") ?a'))
    assert got == [(None,), (Literal("disagrees"),), (Literal("agrees"),), (Literal("single"),)]
    with pytest.raises(Unordered):  # a number compared with a string: SPARQL's type error
        sort_rows([(Literal(1),), (Literal("a"),)], ["a"], _plan('ORDER BY (?a = "a")'))


@pytest.mark.parametrize("values", [
    [Literal("a", lang="en"), Literal("b", lang="fr")],      # language-tagged strings
    [Literal("a"), Literal(1)],                              # a string against a number
    [Literal("1", datatype=URIRef(XS + "integer")),
     Literal("01", datatype=URIRef(XS + "integer"), normalize=False)],  # one number written twice
    [Literal("2017-01-08", datatype=URIRef(XS + "date")),
     Literal("2016-01-08", datatype=URIRef(XS + "date"))],
])
def test_orders_sparql_leaves_open_are_refused(values) -> None:
    with pytest.raises(Unordered):
        sort_rows([(v,) for v in values], ["o"], _plan("ORDER BY ?o"))


def test_open_orders_an_earlier_key_settles_are_not_refused() -> None:
    rows = [(Literal("b"), Literal("x", lang="en")), (Literal("a"), Literal(1))]
    assert sort_rows(rows, ["k", "o"], _plan("ORDER BY ?k ?o")) == [rows[1], rows[0]]


def test_a_key_that_is_not_projected_is_refused() -> None:
    with pytest.raises(Unordered):
        sort_rows([(Literal("a"),)], ["s"], _plan("ORDER BY ?o"))


# ---------------------------------------------------------------------------- vs the engine
def _same_order(ours, engine, plan) -> None:
    """The same rows, and the same sequence of sort keys: only ties may come otherwise."""
    assert ours.vars == engine.vars
    assert sorted(map(repr, ours.rows)) == sorted(map(repr, engine.rows))
    idx = [ours.vars.index(k.var) for k in plan.keys]

    def keys(rows):
        return [tuple(_sort_key(r[i], k.fn) for i, k in zip(idx, plan.keys)) for r in rows]
    try:
        expected = keys(engine.rows)
    except Unordered:  # kgraid left this order to the engine: the very same rows then
        assert ours.rows == engine.rows
        return
    assert keys(ours.rows) == expected


@pytest.fixture(scope="module")
def mixed_store(tmp_path_factory) -> KgStore:
    """An on-disk store of 400 subjects with many ties, unbound values, IRIs and literals in
    one column, numbers whose lexical order is not their value order, and dates."""
    rng = random.Random(7)
    store = KgStore(tmp_path_factory.mktemp("ordering") / "kg")
    p = {n: ox.NamedNode(EX + n) for n in ("a", "n", "d")}
    g = ox.NamedNode(EX + "g")
    quads = []
    for i in range(400):
        s = ox.NamedNode(f"{EX}s/{i:03d}")
        a = rng.choice([None, ox.Literal("alpha"), ox.Literal("beta"), ox.Literal("Beta"),
                        ox.NamedNode(EX + "iri/x"), ox.NamedNode(EX + "iri/y"),
                        ox.Literal("a long string that the store keeps in its dictionary")])
        if a is not None:
            quads.append(ox.Quad(s, p["a"], a, g))
        if rng.random() < 0.8:
            quads.append(ox.Quad(s, p["n"], ox.Literal(str(rng.randint(-3, 12)),
                                                       datatype=ox.NamedNode(XS + "integer")),
                                 g))
        if rng.random() < 0.7:
            quads.append(ox.Quad(s, p["d"], ox.Literal(f"2017-01-{rng.randint(1, 9):02d}",
                                                       datatype=ox.NamedNode(XS + "date")),
                                 g))
    store.raw.extend(quads)
    yield store
    store.close()


@pytest.mark.parametrize("tail", [
    "ORDER BY ?a ?s", "ORDER BY DESC(?n) ?a", "ORDER BY ?n", "ORDER BY DESC(BOUND(?d)) STR(?d)",
    "ORDER BY STR(?d) DESC(?s) LIMIT 17", "ORDER BY DESC(?a) OFFSET 390", "ORDER BY ?d ?s",
    'ORDER BY (?a != "beta") ?s', 'ORDER BY DESC(?a = "alpha") ?n ?s',
])
def test_the_same_order_as_the_engine_on_a_mixed_store(mixed_store: KgStore, tail: str) -> None:
    query = ("SELECT ?s ?a ?n ?d WHERE { { SELECT DISTINCT ?s WHERE { ?s ?any ?x } } "
             + " ".join(f"OPTIONAL {{ ?s <{EX}{v}> ?{v} }}" for v in "and") + " } " + tail)
    plan = split_order(query)
    assert plan is not None
    ours, engine = run_query(query, store=mixed_store), _run_embedded_once(mixed_store, query, {})
    if plan.limit is None and plan.offset == 0:
        _same_order(ours, engine, plan)
    else:  # a cut through a tie may keep other rows, but the keys kept are the same
        idx = [ours.vars.index(k.var) for k in plan.keys]
        assert len(ours.rows) == len(engine.rows)
        assert [tuple(str(r[i]) for i in idx) for r in ours.rows] == \
            [tuple(str(r[i]) for i in idx) for r in engine.rows]


#: values for the lookups' required variables: the label is in the seed graph; the seed graph
#: is not linked, so links_about_item.rq gives no rows, bound or not
LOOKUP_VALUES = {"label": Literal("Dorrian"),
                 "item": URIRef("http://www.wikidata.org/entity/Q2429253")}


def test_every_analyst_query_orders_as_the_engine_does(seed_store: KgStore) -> None:
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        plan = split_order(text)
        terms = {n: LOOKUP_VALUES[n] for names in required_bindings(text)
                 for n in names if n in LOOKUP_VALUES}
        ours = run_query(text, store=seed_store, bindings=terms)
        engine = _run_embedded_once(seed_store, text, terms)
        if plan is None:
            assert ours.rows == engine.rows, path.name
        else:
            _same_order(ours, engine, plan)


@pytest.mark.parametrize("values", [
    [Literal("0.1", datatype=URIRef(XS + "decimal")),
     Literal("0.1", datatype=URIRef(XS + "double"))],
    [Literal("1.5", datatype=URIRef(XS + "integer"), normalize=False), Literal(2)],  # ill-typed
    [Literal("NaN", datatype=URIRef(XS + "double")), Literal("1", datatype=URIRef(XS + "double"))],
])
def test_numbers_whose_order_is_the_engines_are_refused(values) -> None:
    """A decimal against a double compares as two doubles in SPARQL; ill-typed numbers and
    NaN have no value to compare."""
    with pytest.raises(Unordered):
        sort_rows([(v,) for v in values], ["o"], _plan("ORDER BY ?o"))


def test_doubles_and_decimals_each_by_value() -> None:
    d = [(Literal(x, datatype=URIRef(XS + "double"), normalize=False),)
         for x in ("1e1", "-INF", "2.5")]
    assert [str(r[0]) for r in sort_rows(d, ["o"], _plan("ORDER BY ?o"))] == \
        ["-INF", "2.5", "1e1"]
    m = [(Literal(x, datatype=URIRef(XS + "decimal"), normalize=False),)
         for x in ("10.0", "9.75", "-0.5")]
    assert [str(r[0]) for r in sort_rows(m, ["o"], _plan("ORDER BY DESC(?o)"))] == \
        ["10.0", "9.75", "-0.5"]
