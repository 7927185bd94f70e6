"""Offline Wikidata linking from the gazetteer (kgraid.link), its SHACL shapes, the link
queries and the `kgraid link` command. No network: nothing here opens a socket."""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import socket
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL

from kgraid.errors import StoreError
from kgraid.facts import ArticleFacts, Entity, Evidence, Operation
from kgraid.ingest import Article
from kgraid.link import (LINKS_GRAPH, LinkReport, link_store, register, run_link_command,
                         validate_links)
from kgraid.rdf import KGR, WD, article_graph, entity_iri
from kgraid.store import KgStore

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
QIDS_TSV = ROOT.parent / "shared" / "wikidata" / "qids.tsv"
GAZETTEER = ROOT / "src" / "kgraid" / "resources" / "gazetteer.tsv"


# ---------------------------------------------------------------------- helpers
def ent(kind: str, label: str, *alts: str, etype: str | None = None,
        qid: str | None = None) -> Entity:
    return Entity(kind=kind, label=label, alt_labels=set(alts), entity_type=etype,  # type: ignore[arg-type]
                  qid=qid)


def add_article(store: KgStore, article_id: str, entities: list[Entity],
                operations: list[Operation] | None = None) -> None:
    """One article graph made by kgraid.rdf.article_graph, as a build would write it."""
    facts = ArticleFacts(entities={e.key: e for e in entities}, operations=operations or [])
    art = Article(id=article_id, text="text of " + article_id, title=article_id)
    store.replace_graph(article_graph(art, facts, content_hash="h-" + article_id))


def iri(kind: str, label: str) -> URIRef:
    return entity_iri((kind, label))


def links_of(store: KgStore) -> dict[str, set[str]]:
    """entity IRI -> Wikidata QIDs it is owl:sameAs, over all graphs."""
    out: dict[str, set[str]] = {}
    for row in store.query("SELECT ?e ?x WHERE { ?e <http://www.w3.org/2002/07/owl#sameAs> ?x }"):
        out.setdefault(row["e"].value, set()).add(row["x"].value.rsplit("/", 1)[-1])
    return out


def known_qids() -> set[str]:
    if not QIDS_TSV.exists():
        pytest.skip(f"{QIDS_TSV} is not here")
    with QIDS_TSV.open(encoding="utf-8") as f:
        return {row["qid"] for row in csv.DictReader(f, delimiter="\t")}


RAID = Operation(op_type="Raid", trigger="raid",
                 places=[("Place", "Qamishli"), ("Place", "Hassakeh province")],
                 evidence=[Evidence("A raid near Qamishli.", 0, 21)])


@pytest.fixture
def store() -> KgStore:
    s = KgStore(None)
    add_article(s, "a1", [
        ent("Place", "Syria", etype="country"),
        ent("Place", "Qamishli", etype="city"),
        ent("Place", "Hassakeh province", etype="governorate"),
        ent("Organization", "Islamic State", "ISIS", "Islamic State of Iraq"),
        ent("Organization", "CENTCOM"),
        ent("Place", "U.S.", etype="country"),
        ent("Person", "Rakkan Wahid al-Shammri"),
        ent("AnonymousSource", "a U.S. official"),
    ], [RAID])
    add_article(s, "a2", [
        ent("Organization", "ISIL"),
        ent("Place", "Deir al-Zour province", etype="governorate"),
        ent("Place", "Iraq", etype="country"),
        ent("Person", "Syria"),               # a person named like a country: never Q858
    ])
    return s


# ---------------------------------------------------------------------- offline links
def test_gazetteer_links_every_known_entity_to_its_qid(store: KgStore) -> None:
    report = link_store(store)
    links = links_of(store)
    expected = {
        ("Place", "Syria"): "Q858", ("Place", "Iraq"): "Q796", ("Place", "U.S."): "Q30",
        ("Organization", "Islamic State"): "Q2429253", ("Organization", "ISIL"): "Q2429253",
        ("Place", "Hassakeh province"): "Q233914",
        ("Place", "Deir al-Zour province"): "Q232387",
    }
    for key, qid in expected.items():
        assert links.get(str(iri(*key))) == {qid}, key
    # In the gazetteer without an id, not in it at all, of the wrong kind, or a plain word:
    for key in [("Place", "Qamishli"), ("Organization", "CENTCOM"),
                ("Person", "Rakkan Wahid al-Shammri"), ("Person", "Syria")]:
        assert str(iri(*key)) not in links, key
    assert report.linked_offline == len(expected)
    assert report.linked_online == 0 and report.requests_sent == 0 and report.ok
    assert report.entities == 11  # the anonymous source is not an entity to link
    assert report.unlinked == report.entities - len(expected)
    by_label = {d.label: d for d in report.decisions}
    assert by_label["CENTCOM"].status == "no-qid"
    assert by_label["Rakkan Wahid al-Shammri"].status == "no-candidate"


@pytest.mark.parametrize("label, qid", [("IS", "Q2429253"), ("is", None), ("Is", None),
                                        ("US", "Q30"), ("us", None), ("U.N.", "Q1065")])
def test_short_uppercase_aliases_match_only_as_written(label: str, qid: str | None) -> None:
    s = KgStore(None)
    kind = "Place" if label.lower() == "us" else "Organization"
    add_article(s, "x", [ent(kind, label)])
    assert link_store(s).decisions[0].qid == qid


def test_offline_links_use_only_known_identifiers(store: KgStore) -> None:
    qids = known_qids()
    link_store(store)
    written = {q for qs in links_of(store).values() for q in qs}
    assert written and written <= qids
    # ... and so does the whole gazetteer the linker reads.
    gaz_qids = {line.split("\t")[3] for line in GAZETTEER.read_text("utf-8").splitlines()
                if line and not line.startswith("#") and len(line.split("\t")) > 3
                and line.split("\t")[3]}
    assert gaz_qids <= qids


def test_links_live_in_their_own_graph_with_how_they_were_made(store: KgStore) -> None:
    link_store(store)
    g = store.graph(LINKS_GRAPH)
    isil = iri("Organization", "ISIL")
    assert (isil, OWL.sameAs, WD.Q2429253) in g
    rec = next(g.subjects(RDF.subject, isil))
    assert (rec, RDF.type, RDF.Statement) in g
    assert (rec, RDF.object, WD.Q2429253) in g
    assert g.value(rec, KGR.rule) == Literal("gazetteer")
    assert g.value(rec, KGR.matchedLabel) == Literal("ISIL")
    # Article graphs are untouched by linking.
    for gid in store.graph_names():
        if gid != LINKS_GRAPH:
            assert not list(store.graph(gid).triples((None, OWL.sameAs, None)))


def test_rerun_replaces_the_links_graph_as_a_whole(store: KgStore) -> None:
    link_store(store)
    first = store.graph(LINKS_GRAPH)
    # A stale link (e.g. from an article since removed) must not survive a rerun.
    store.update("INSERT DATA { GRAPH <" + LINKS_GRAPH + "> { "
                 "<https://w3id.org/kgraid/id/place/gone> "
                 "<http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q1> } }")
    link_store(store)
    assert isomorphic(store.graph(LINKS_GRAPH), first)
    store.remove_graph("https://w3id.org/kgraid/graph/a2")
    link_store(store)
    assert str(iri("Organization", "ISIL")) not in links_of(store)
    assert str(iri("Place", "Syria")) in links_of(store)


def test_existing_links_in_article_graphs_are_respected(tmp_path: Path) -> None:
    s = KgStore(None)
    add_article(s, "x", [ent("Place", "Syria", qid="Q858"),
                         ent("Place", "Damascus", qid="Q1530")])  # a wrong link kept as is
    report = link_store(s)
    by_label = {d.label: d for d in report.decisions}
    assert by_label["Syria"].method == "gazetteer" and by_label["Syria"].qid == "Q858"
    assert by_label["Damascus"].qid == "Q1530"  # not overwritten by the gazetteer's Q3766
    assert links_of(s)[str(iri("Place", "Damascus"))] == {"Q1530"}  # never two links
    assert by_label["Damascus"].method == "existing"
    assert report.already_linked == 1 and report.linked_offline == 1


def test_offline_linking_opens_no_socket_and_no_cache(store: KgStore, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*a: object, **k: object) -> None:
        raise AssertionError("offline linking tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    report = link_store(store, cache_dir=tmp_path / "cache")
    assert report.linked_offline > 0
    assert not (tmp_path / "cache").exists()


def test_ambiguous_gazetteer_name_is_not_linked() -> None:
    # "Baghdad" is a city (Q1530); an entity that is also named "Baghdad province" matches the
    # governorate too: two entries, no link.
    s = KgStore(None)
    add_article(s, "x", [ent("Place", "Baghdad", "Baghdad province")])
    report = link_store(s)
    # Its own label picks the city.
    assert report.decisions[0].qid == "Q1530"
    s2 = KgStore(None)
    add_article(s2, "y", [ent("Place", "Baghdad area", "Baghdad", "Baghdad province")])
    d = link_store(s2).decisions[0]
    assert d.qid is None and d.status == "ambiguous"


# ---------------------------------------------------------------------- SHACL
def test_linked_store_conforms_to_the_link_shapes(store: KgStore) -> None:
    link_store(store)
    conforms, text = validate_links(store)
    assert conforms, text


@pytest.mark.parametrize("bad, message", [
    # not an item IRI
    ("<https://w3id.org/kgraid/id/place/syria> owl:sameAs "
     "<https://www.wikidata.org/wiki/Q858> .", "item IRI"),
    ("<https://w3id.org/kgraid/id/place/syria> owl:sameAs "
     "<http://www.wikidata.org/entity/P17> .", "item IRI"),
    # two items for one entity
    ("<https://w3id.org/kgraid/id/place/syria> owl:sameAs "
     "<http://www.wikidata.org/entity/Q796> .", "at most one"),
    # a link on an anonymous source
    ("<https://w3id.org/kgraid/id/source/a1/a-u-s-official> owl:sameAs "
     "<http://www.wikidata.org/entity/Q30> .", "only a kgr:Person"),
])
def test_link_shapes_catch_bad_links(store: KgStore, bad: str, message: str) -> None:
    link_store(store)
    store.update("PREFIX owl: <http://www.w3.org/2002/07/owl#> "
                 "INSERT DATA { GRAPH <https://w3id.org/kgraid/graph/_bad> { " + bad + " } }")
    conforms, text = validate_links(store)
    assert not conforms
    assert message in text


# ---------------------------------------------------------------------- queries
def read_query(name: str) -> str:
    text = (QUERIES / name).read_text(encoding="utf-8")
    assert text.startswith("#"), f"{name} needs a header comment"
    return text


def test_every_links_query_has_a_header_naming_its_variables() -> None:
    files = sorted(QUERIES.glob("links_*.rq"))
    assert len(files) >= 3
    for f in files:
        lines = f.read_text("utf-8").splitlines()
        header = "\n".join(line for line in lines if line.startswith("#"))
        body = "\n".join(line for line in lines if not line.startswith("#"))
        heading = re.search(r"^# (Bind|Requires)", header, re.M)
        assert heading, f.name
        for var in set(re.findall(r"\?(\w+)", header)):
            assert "?" + var in body, (f.name, var)
        KgStore(None).query(body)  # parses
        bind_section = header[heading.start():].split("# Columns", 1)[0]
        for var in set(re.findall(r"\?(\w+)", bind_section)):
            # each bindable variable can be bound (pyoxigraph wants it projected)
            list(KgStore(None).query(body, {var: URIRef("urn:kgraid:test")}))


def test_operations_per_governorate_offline(store: KgStore) -> None:
    link_store(store)
    rows = list(store.query(read_query("links_operations_per_governorate.rq")))
    counts = {r["governorateItem"].value: int(r["operations"].value) for r in rows}
    assert counts == {str(WD.Q233914): 1}
    # bound to another governorate: nothing
    rows = list(store.query(read_query("links_operations_per_governorate.rq"),
                            {"governorateItem": WD.Q232387}))
    assert rows == []


def test_everything_about_one_item(store: KgStore) -> None:
    link_store(store)
    q = read_query("links_about_item.rq")
    rows = list(store.query(q, {"item": WD.Q2429253}))
    entities = {r["entity"].value for r in rows}
    assert entities == {str(iri("Organization", x)) for x in ("Islamic State", "ISIL")}
    props = {(r["entity"].value, r["property"].value, r["value"].value) for r in rows}
    assert (str(iri("Organization", "ISIL")), str(KGR.mentionedIn),
            "https://w3id.org/kgraid/article/a2") in props
    # An injection attempt through the bound value is just an IRI that matches nothing.
    evil = URIRef("http://www.wikidata.org/entity/Q1%3E%20%3Fs%20%3Fp%20%3Fo")
    assert list(store.query(q, {"item": evil})) == []


def test_unlinked_entities_query(store: KgStore) -> None:
    link_store(store)
    rows = list(store.query(read_query("links_unlinked_entities.rq"),
                            {"kind": KGR.Person}))
    labels = {r["label"].value for r in rows}
    assert labels == {"Rakkan Wahid al-Shammri", "Syria"}


# ---------------------------------------------------------------------- CLI
def cli() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kgraid")
    register(parser.add_subparsers(dest="command"))
    return parser


def test_cli_link_json(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with KgStore(path) as s:
        add_article(s, "a", [ent("Place", "Syria"), ent("Organization", "Daesh")])
    args = cli().parse_args(["link", "--store", str(path), "--format", "json", "--quiet"])
    out = io.StringIO()
    with redirect_stdout(out):
        code = args.func(args)
    assert code == 0
    data = json.loads(out.getvalue())
    assert data["linked_offline"] == 2 and data["ok"] is True
    assert {d["qid"] for d in data["decisions"]} == {"Q858", "Q2429253"}
    with KgStore(path) as s:
        assert links_of(s)[str(iri("Organization", "Daesh"))] == {"Q2429253"}


def test_cli_link_table_and_help(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store"
    with KgStore(path) as s:
        add_article(s, "a", [ent("Place", "Iraq"), ent("Place", "Line\nbreak \x1b[31m")])
    args = cli().parse_args(["link", "--store", str(path), "--quiet"])
    assert run_link_command(args) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Iraq\s+Place\s+Q796\s+gazetteer\s+1\.00\s+gazetteer entry", out, re.M)
    assert "\x1b" not in out and "Line\\nbreak" in out
    with pytest.raises(SystemExit):
        cli().parse_args(["link", "--help"])
    helptext = capsys.readouterr().out
    assert "--online" in helptext and "exit codes" in helptext


def test_cli_link_without_store_is_an_error(tmp_path: Path) -> None:
    args = cli().parse_args(["link", "--store", str(tmp_path / "nope")])
    with pytest.raises(StoreError, match="no store there"):
        run_link_command(args)
    assert not (tmp_path / "nope").exists()


def test_report_summary_and_dict() -> None:
    r = LinkReport(entities=3, linked_offline=1, unlinked=2)
    assert "3 entities: 1 linked offline" in r.summary()
    assert r.to_dict(decisions=False)["linked"] == 1


# ---------------------------------------------------------------------- the seed articles
def test_seed_articles_are_linked_offline_to_every_known_qid() -> None:
    """Build data/articles with the real pipeline into a memory store and link offline:
    every entity the seeds mention that has an identifier in qids.tsv gets it."""
    from kgraid.errors import ModelError
    from kgraid.gazetteer import load_gazetteer
    from kgraid.rdf import normalize_label

    pipeline = pytest.importorskip("kgraid.pipeline")
    qids = known_qids()
    s = KgStore(None)
    try:
        built = pipeline.build([ROOT / "data" / "articles"], s)
    except ModelError as e:
        pytest.skip(f"no spaCy model: {e}")
    assert built.count("built") == 2
    report = link_store(s)
    assert report.ok and report.requests_sent == 0
    links = links_of(s)
    labels = {row["e"].value: row["l"].value for row in s.query(
        "SELECT ?e ?l WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l }")}
    linked = {labels[e]: qs for e, qs in links.items() if e in labels}
    for label, qid in [("Syria", "Q858"), ("Iraq", "Q796"), ("Islamic State", "Q2429253"),
                       ("United States", "Q30"), ("Deir ez-Zor Governorate", "Q232387"),
                       ("Al-Hasakah Governorate", "Q233914")]:
        assert linked.get(label) == {qid}, (label, linked.get(label))
    # and generally: any entity named like a gazetteer entry with a known id carries that id
    by_name = {}
    for entry in load_gazetteer().entries:
        if entry.qid in qids:
            for n in entry.names:
                by_name[(entry.kind, normalize_label(n))] = entry.qid
    for d in report.decisions:
        want = by_name.get((d.kind, normalize_label(d.label)))
        if want:
            assert d.qid == want, d
    assert all(q in qids for qs in links.values() for q in qs)
    # the links graph holds every one of them, with its record
    g = s.graph(LINKS_GRAPH)
    assert len(set(g.subjects(OWL.sameAs, None))) == report.linked_offline >= 6
    conforms, text = validate_links(s)
    assert conforms, text


# ---------------------------------------------------------------------- shapes, both engines
_PREFIXES = """
@prefix kgr: <https://w3id.org/kgraid/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> . @prefix schema: <http://schema.org/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""
_WD = "<http://www.wikidata.org/entity/"
SHAPE_CASES = [
    (True, f"<urn:e> a kgr:Place ; owl:sameAs {_WD}Q858> ."),
    (True, "<urn:e> a kgr:AnonymousSource ; owl:sameAs <http://example.org/not-wikidata> ."),
    (False, "<urn:e> a kgr:Place ; owl:sameAs <https://www.wikidata.org/wiki/Q858> ."),
    (False, f'<urn:e> a kgr:Place ; owl:sameAs "{_WD[1:]}Q858" .'),
    (False, f"<urn:e> a kgr:Place ; owl:sameAs {_WD}Q858>, {_WD}Q796> ."),
    (False, f"<urn:e> a kgr:AnonymousSource ; owl:sameAs {_WD}Q858> ."),
    (True, '<urn:e> geo:hasGeometry <urn:g> . <urn:g> a geo:Geometry ; '
           'geo:asWKT "Point(41.2 37.05)"^^geo:wktLiteral .'),
    (False, '<urn:e> geo:hasGeometry <urn:g> . <urn:g> a geo:Geometry ; '
            'geo:asWKT "LINESTRING(1 2, 3 4)"^^geo:wktLiteral .'),
    (False, '<urn:e> geo:hasGeometry <urn:g> . <urn:g> a geo:Geometry ; geo:asWKT "Point(1 2)" .'),
    (True, '<urn:e> schema:description "a"@en, "b"@fr .'),
    (False, '<urn:e> schema:description "a"@en, "b"@en .'),
    (False, '<urn:e> wdt:P17 "Syria" .'),
    (True, f'<urn:r> a rdf:Statement ; rdf:subject <urn:e> ; rdf:predicate owl:sameAs ; '
           f'rdf:object {_WD}Q1> ; kgr:rule "gazetteer" ; kgr:confidence 1.0 .'),
    (False, f'<urn:r> a rdf:Statement ; rdf:subject <urn:e> ; rdf:predicate owl:sameAs ; '
            f'rdf:object {_WD}Q1> ; kgr:rule "a guess" ; kgr:confidence 1.5 .'),
]


@pytest.mark.parametrize("engine", ["pyshacl", "pyshacl_turbo"])
@pytest.mark.parametrize("conforms, ttl", SHAPE_CASES)
def test_link_shapes_agree_on_both_engines(engine: str, conforms: bool, ttl: str) -> None:
    mod = pytest.importorskip(engine)
    shapes = Graph().parse(ROOT / "ontology" / "links-shapes.ttl", format="turtle")
    data = Graph().parse(data=_PREFIXES + ttl, format="turtle")
    assert bool(mod.validate(data, shacl_graph=shapes, inference="none")[0]) is conforms
