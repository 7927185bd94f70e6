"""Hostile names and ids through kgraid.rdf and kgraid.store: valid IRIs, exact literals,
isomorphic round trips through Turtle, TriG, N-Quads and the pyoxigraph store, and bound
(never pasted) values in queries."""
from __future__ import annotations

import datetime as dt
from urllib.parse import unquote, urljoin

import pyoxigraph as ox
import pytest
from rdflib import RDFS, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kgraid.facts import (ArticleFacts, Claim, Entity, Evidence, Figure, Membership, Operation,
                          TimeValue)
from kgraid.ingest import Article
from kgraid.rdf import BASE, KGR, article_graph, article_iri, entity_iri, graph_iri, slug
from kgraid.store import KgStore

HOSTILE = [
    'Abu "The Quote" al-Baghdadi', "back\\slash \\u0022 \\n", "a > b < c", "line\nbreak\r\n",
    "close } brace { open", "hash # not a comment", '"""; DROP ALL; #', "'''",
    "?s ?p ?o } INSERT DATA { <x> <y> <z> }", "<http://evil.example/> .", "@prefix x: <y> .",
    "emoji 🚀💣👨‍👩‍👧", "أبو بكر البغدادي", "עברית \u202e reversed", "\u200f\u200e", "%2F%00",
    "../../etc/passwd", "tab\tand\u2028separator", "", " ", "_:blank", "ünïcödé Café", "x" * 500,
]
IDS = ["../../etc/x", "..", ".", "a/b\\c", 'q"<>{}|^`', "#frag?query", "emoji🚀", "عربي",
       "space d", "%41", "ends."]


def hostile_facts(names: list[str]) -> ArticleFacts:
    facts = ArticleFacts()
    ev = Evidence(sentence=" | ".join(names), start=0, end=len(names))
    kinds = ["Person", "Organization", "Place", "AnonymousSource"]
    for i, name in enumerate(names):
        kind = kinds[i % len(kinds)]
        facts.entities[(kind, name)] = Entity(kind=kind, label=name, alt_labels={name + "'s", name},
                                              entity_type=name[:10] or None, evidence=[ev])
    people = [k for k in facts.entities if k[0] == "Person"]
    orgs = [k for k in facts.entities if k[0] == "Organization"]
    places = [k for k in facts.entities if k[0] == "Place"]
    sources = [k for k in facts.entities if k[0] == "AnonymousSource"]
    for p, o, name in zip(people, orgs, names):
        facts.memberships.append(Membership(person=p, role=name, organization=o, evidence=ev,
                                            extractor=f"rule/{name}@1"))
    facts.operations.append(Operation(
        op_type="Raid", trigger=names[0], places=places, actors=orgs, targets=people,
        time=TimeValue(text=names[1], value="2017-01-08", precision="day"),
        outcomes=[Figure("killed", 3, qualifier=names[2], subject=names[3])], evidence=[ev]))
    facts.operations.append(Operation(
        op_type="Airstrike", trigger=names[4], time=TimeValue(names[5], None, None),
        evidence=[ev]))
    for i, name in enumerate(names):
        facts.claims.append(Claim(sources=[sources[i % len(sources)]], statement=name,
                                  verb=name, hedge="Reportedly", evidence=ev,
                                  extractor="claim@1", figures=[Figure("wounded", i)],
                                  about=i % 3))
    return facts


def hostile_article(aid: str = "../../etc/x") -> Article:
    text = "\n".join(HOSTILE)
    return Article(id=aid, text=text, title=HOSTILE[0], published=dt.date(2017, 1, 9),
                   source=HOSTILE[8], publisher=HOSTILE[11], origin="test")


def _all_iris(g: Graph) -> set[str]:
    return {str(t) for triple in g for t in triple if isinstance(t, URIRef)}


def _assert_valid_iris(iris: set[str]) -> None:
    for iri in iris:
        ox.NamedNode(iri)  # raises on an invalid IRI
        assert URIRef(iri).n3().startswith("<")  # rdflib refuses to write invalid IRIs
        assert not any(c in iri for c in ' <>"{}|^`\\\n'), iri


@pytest.fixture(scope="module")
def graph() -> Graph:
    art = hostile_article()
    return article_graph(art, hostile_facts(HOSTILE), content_hash=art.content_hash("t"))


def test_iris_are_valid(graph: Graph) -> None:
    assert len(graph) > 200
    _assert_valid_iris(_all_iris(graph) | {str(graph.identifier)})


def test_literals_are_exact(graph: Graph) -> None:
    labels = {str(o) for o in graph.objects(None, RDFS.label)}
    for name in HOSTILE:
        assert name in labels


@pytest.mark.parametrize("aid", IDS)
def test_article_ids_cannot_escape_their_namespace(aid: str) -> None:
    for mint, prefix in ((article_iri, "article/"), (graph_iri, "graph/")):
        iri = str(mint(aid))
        _assert_valid_iris({iri})
        seg = iri[len(BASE + prefix):]
        assert iri.startswith(BASE + prefix) and "/" not in seg and "#" not in seg
        assert "?" not in seg and seg not in ("", ".", "..")
        # Resolving the IRI against itself (what a client does with dot segments) keeps it.
        assert urljoin(iri, iri) == iri and urljoin(BASE + prefix, seg) == iri
        assert unquote(seg) == aid
    src = str(entity_iri(("AnonymousSource", "a U.S. official"), aid))
    assert src.startswith(BASE + "id/source/") and src.count("/") == BASE.count("/") + 3


def test_distinct_ids_give_distinct_iris() -> None:
    ids = IDS + ["%2E", "%2E.", ".x", "%2Ex", "a%2Fb", "a/b"]
    assert len({graph_iri(i) for i in ids}) == len(set(ids))


@pytest.mark.parametrize("label", HOSTILE)
def test_entity_iris_are_readable_slugs(label: str) -> None:
    s = slug(label)
    assert s and all(c.isascii() and (c.isalnum() or c == "-") for c in s)
    assert s == slug(label) and s.lower() == s
    for kind in ("Person", "Organization", "Place"):
        assert str(entity_iri((kind, label))) == f"{BASE}id/{kind.lower()}/{s}"


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "nt", "xml", "json-ld"])
def test_round_trip_through_rdflib_formats(graph: Graph, fmt: str) -> None:
    if fmt in ("trig", "nquads"):
        ds = Dataset()
        ds.graph(graph.identifier).__iadd__(graph)
        data = ds.serialize(format=fmt)
        back = Dataset()
        back.parse(data=data, format=fmt)
        assert {str(c.identifier) for c in back.graphs() if len(c)} == {str(graph.identifier)}
        g2 = back.graph(graph.identifier)
    else:
        data = graph.serialize(format=fmt)
        g2 = Graph().parse(data=data, format=fmt)
    assert len(g2) == len(graph)
    assert isomorphic(graph, g2)


@pytest.mark.parametrize("fmt", [ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS])
def test_rdflib_output_is_read_by_oxigraph_and_back(graph: Graph, fmt: ox.RdfFormat) -> None:
    ds = Dataset()
    ds.graph(graph.identifier).__iadd__(graph)
    rd_fmt = {ox.RdfFormat.TURTLE: "turtle", ox.RdfFormat.TRIG: "trig",
              ox.RdfFormat.N_QUADS: "nquads"}[fmt]
    data = (graph if fmt == ox.RdfFormat.TURTLE else ds).serialize(format=rd_fmt)
    quads = list(ox.parse(data.encode(), format=fmt))
    assert len(quads) == len(graph)
    out = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode()
    back = Dataset()
    back.parse(data=out, format="nquads")
    name = graph.identifier if fmt != ox.RdfFormat.TURTLE else None
    g2 = back.graph(name) if name is not None else back.default_graph
    assert isomorphic(graph, g2)


def test_store_round_trip_and_bound_queries(tmp_path, graph: Graph) -> None:
    with KgStore(tmp_path / "store") as store:
        store.replace_graph(graph)
        assert store.graph_names() == [str(graph.identifier)]
        assert isomorphic(store.graph(str(graph.identifier)), graph)
        assert store.article_ids() == ["../../etc/x"]
        q = "SELECT ?e ?label WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
        for name in HOSTILE:
            rows = list(store.query(q, {"label": Literal(name)}))
            assert rows, name
            assert all(r["e"].value.startswith(BASE) for r in rows)
        # An injection attempt as a bound value is one literal that matches nothing.
        evil = Literal('x" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o . #')
        assert list(store.query(q, {"label": evil})) == []
        before = len(store)
        store.replace_graph(graph)  # replacing is idempotent
        assert len(store) == before
    again = KgStore(tmp_path / "store", read_only=True)
    assert len(again) == before


def test_article_metadata_literals(graph: Graph) -> None:
    art = article_iri("../../etc/x")
    from rdflib.namespace import DCTERMS
    assert graph.value(art, DCTERMS.identifier) == Literal("../../etc/x")
    assert str(graph.value(art, DCTERMS.title)) == HOSTILE[0]
    assert str(graph.value(art, DCTERMS.source)) == HOSTILE[8]
    assert graph.value(art, KGR.contentHash) is not None
