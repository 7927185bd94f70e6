"""Terms read back from the embedded store are the rdflib terms that were written."""
from __future__ import annotations

import gc

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kgraid.query import run_query
from kgraid.store import KgStore, from_ox, plain_literal, to_ox

STRINGS = ["", "a", "  padded  ", "Deir al-Zour", "ISIL's \"emir\"\n\ttab", "\u00e9\u062f\u064a\u0631",
           "\U0001f600 emoji", "1", "true", "2017-01-08", "<not an IRI>", "\\backslash"]


@pytest.mark.parametrize("value", STRINGS)
def test_plain_literal_is_the_constructors_literal(value: str) -> None:
    made, real = plain_literal(value), Literal(value)
    assert made.eq(real) and made == real and hash(made) == hash(real)
    assert (made.value, made.language, made.datatype, made.ill_typed, made.n3()) == \
        (real.value, real.language, real.datatype, real.ill_typed, real.n3())
    assert isinstance(made, Literal) and str(made) == value


@pytest.mark.parametrize("term", [
    URIRef("https://w3id.org/kgraid/id/person/john-dorrian"), BNode("b0"),
    Literal("Dorrian"), Literal("Dorrian", lang="en"), Literal("25", datatype=XSD.integer),
    Literal("025", datatype=XSD.integer), Literal("2017-01", datatype=XSD.gYearMonth)])
def test_terms_round_trip_through_pyoxigraph(term) -> None:
    back = from_ox(to_ox(term))
    assert type(back) is type(term)
    assert back.n3() == term.n3() if not isinstance(term, BNode) else back == term


def test_an_xsd_string_comes_back_as_the_plain_literal_rdf_11_says_it_is() -> None:
    back = from_ox(to_ox(Literal("x", datatype=XSD.string)))
    assert back.n3() == Literal("x").n3() and back.datatype is None


def test_from_ox_refuses_what_it_cannot_convert() -> None:
    assert from_ox(None) is None
    with pytest.raises(TypeError, match="not supported"):
        from_ox(ox.DefaultGraph())


def test_a_query_leaves_the_cycle_collector_as_it_found_it(tmp_path) -> None:
    store = KgStore(tmp_path / "kg.db")
    try:
        store.raw.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
                                ox.Literal("o"), ox.NamedNode("http://e/g")))
        assert gc.isenabled()
        result = run_query("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", store=store)
        assert [r[0] for r in result.rows] == [Literal("o")] and gc.isenabled()
        gc.disable()
        try:
            run_query("SELECT ?o WHERE { ?s ?p ?o }", store=store)
            assert not gc.isenabled()
        finally:
            gc.enable()
        with pytest.raises(Exception):
            run_query("SELECT ?o WHERE { ?s ?p", store=store)
        assert gc.isenabled()
    finally:
        store.close()
