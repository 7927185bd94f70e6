"""kgraid.query: loading queries, binding values (embedded and as a VALUES block), formats, CLI.

Runs on small real pyoxigraph stores; the endpoint side is in test_endpoint.py.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rns
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.query import Result

from kgraid.cli import main as kgraid_main
from kgraid.errors import QueryError
from kgraid.query import (QueryResult, load_query, parse_binding, parse_bindings,
                          query_variables, run_query, with_values)
from kgraid.rdf import KGR, graph_iri
from kgraid.store import KgStore

EX = "https://w3id.org/kgraid/id/person/"
HARD = ['Dorrian" } ; DROP ALL ; #', "a\\b", 'say "hi"', "line\nbreak\r\n", "tab\there",
        "}{><#?$", "'''\"\"\"", "ends with a quote\"", "ends with a backslash\\",
        "\u202eright-to-left \u05e9\u05dc\u05d5\u05dd", "emoji \U0001f600", "\x00nul", "\u2028"]


def _store(labels: list[str]) -> KgStore:
    store = KgStore(None)
    for i, label in enumerate(labels):
        g = Graph(identifier=graph_iri(f"a{i}"))
        person = URIRef(f"{EX}p{i}")
        g.add((person, RDF.type, KGR.Person))
        g.add((person, RDFS.label, Literal(label)))
        g.add((person, SKOS.altLabel, Literal(f"alias {i}", lang="en")))
        g.add((person, KGR.confidence, Literal("0.80", datatype=rns.XSD.decimal)))
        store.replace_graph(g)
    return store


@pytest.fixture()
def small() -> KgStore:
    return _store(["John Dorrian", "Abu Sayyaf", *HARD])


LABEL_Q = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?label WHERE { ?person rdfs:label ?label }"""


# ---------------------------------------------------------------------------- loading
def test_load_query_from_file_text_and_missing_file(tmp_path: Path) -> None:
    f = tmp_path / "q.rq"
    f.write_text(LABEL_Q)
    assert load_query(f) == LABEL_Q
    assert load_query(str(f)) == LABEL_Q
    assert load_query(LABEL_Q) == LABEL_Q
    with pytest.raises(QueryError, match="no such query file"):
        load_query(str(tmp_path / "missing.rq"))


def test_query_variables_ignore_strings_iris_and_comments() -> None:
    q = 'SELECT ?a WHERE { ?a <http://x/?notvar> "?notvar either" # ?nor_this\n . ?b ?c $d }'
    assert query_variables(q) == {"a", "b", "c", "d"}


# ---------------------------------------------------------------------------- embedded
def test_embedded_select_with_a_bound_literal(small: KgStore) -> None:
    result = run_query(LABEL_Q, store=small, bindings={"label": "John Dorrian"})
    assert result.vars == ["person", "label"]
    assert result.rows == [(URIRef(f"{EX}p0"), Literal("John Dorrian"))]


@pytest.mark.parametrize("value", HARD)
def test_embedded_binding_of_hostile_strings_matches_exactly(small: KgStore, value: str) -> None:
    before = len(small)
    result = run_query(LABEL_Q, store=small, bindings={"label": value})
    assert [str(r[1]) for r in result.rows] == [value]
    assert len(small) == before == 4 * (2 + len(HARD))  # nothing changed


def test_embedded_ask_and_construct(small: KgStore) -> None:
    ask = run_query("ASK { ?p ?x ?label }", store=small, bindings={"label": "Abu Sayyaf"})
    assert ask.kind == "ask" and ask.boolean is True
    no = run_query("ASK { ?p ?x ?label }", store=small, bindings={"label": "nobody"})
    assert no.boolean is False
    graph = run_query("CONSTRUCT { ?p <http://x/name> ?l } WHERE { ?p "
                      "<http://www.w3.org/2000/01/rdf-schema#label> ?l }", store=small,
                      bindings={"p": URIRef(f"{EX}p1")})
    assert graph.kind == "graph" and graph.graph is not None
    assert set(graph.graph) == {(URIRef(f"{EX}p1"), URIRef("http://x/name"),
                                 Literal("Abu Sayyaf"))}


def test_binding_errors_are_query_errors(small: KgStore) -> None:
    with pytest.raises(QueryError, match=r"no variable \?nope"):
        run_query(LABEL_Q, store=small, bindings={"nope": "x"})
    with pytest.raises(QueryError, match="projection"):
        run_query("SELECT ?person WHERE { ?person ?p ?label }", store=small,
                  bindings={"label": "x"})
    with pytest.raises(QueryError, match="not a SPARQL variable"):
        run_query(LABEL_Q, store=small, bindings={"la bel": "x"})
    with pytest.raises(QueryError, match="not an absolute IRI"):
        run_query(LABEL_Q, store=small, bindings={"person": URIRef("http://x/a> } #")})
    with pytest.raises(QueryError, match="does not parse"):
        run_query("SELECT ?x WHERE { ?x", store=small)
    with pytest.raises(QueryError, match="exactly one"):
        run_query(LABEL_Q)


def test_updates_are_not_queries(small: KgStore) -> None:
    before = len(small)
    with pytest.raises(QueryError):
        run_query("DROP ALL", store=small)
    with pytest.raises(QueryError):
        run_query("DELETE WHERE { ?s ?p ?o }", store=small)
    assert len(small) == before


# ---------------------------------------------------------------------------- VALUES helper
def test_values_block_goes_at_the_start_of_the_outermost_where_group() -> None:
    q = ('PREFIX x: <http://x/#>\nSELECT ?s ?l (EXISTS { ?s ?p ?o } AS ?e) # a { comment\n'
         'WHERE { # another {\n ?s x:p "{" ; x:q ?l }')
    bound = with_values(q, {"l": "v"})
    assert bound.count("VALUES") == 1
    where = bound.index("WHERE {")
    assert bound.index("VALUES (?l)") == where + len("WHERE { ")
    template = with_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                           {"o": URIRef("http://x/o")})
    assert template.startswith("CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?o) { (<http://x/o>) }")


def test_values_helper_refuses_what_it_cannot_bind() -> None:
    with pytest.raises(QueryError, match="blank node"):
        with_values(LABEL_Q, {"label": BNode()})
    with pytest.raises(QueryError, match="no WHERE group"):
        with_values("DESCRIBE ?x", {"x": URIRef("http://x/a")})
    with pytest.raises(QueryError):  # the short CONSTRUCT WHERE form admits no VALUES
        with_values("CONSTRUCT WHERE { ?s ?p ?o }", {"o": "x"})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
       st.sampled_from([None, "en", "ar-SY"]))
def test_any_string_bound_by_values_means_itself_to_a_sparql_engine(text: str,
                                                                    lang: str | None) -> None:
    # The VALUES text runs on a real engine (pyoxigraph, no substitution): it must find
    # exactly the literal, and never break out of the block.
    term = Literal(text, lang=lang)
    store = KgStore(None)
    g = Graph(identifier=graph_iri("h"))
    g.add((URIRef(f"{EX}h"), RDFS.label, term))
    g.add((URIRef(f"{EX}other"), RDFS.label, Literal("other")))
    store.replace_graph(g)
    bound = with_values(LABEL_Q, {"label": term})
    rows = list(store.raw.query(bound, use_default_graph_as_union=True))
    assert [r["person"].value for r in rows] == [f"{EX}h"]
    assert rows[0]["label"].value == text
    assert len(store) == 2


# ---------------------------------------------------------------------------- --bind syntax
def test_parse_binding_syntax() -> None:
    assert parse_binding("place_label=Deir al-Zour") == ("place_label",
                                                         Literal("Deir al-Zour"))
    assert parse_binding("?e=<https://w3id.org/kgraid/id/person/john-dorrian>") == \
        ("e", URIRef("https://w3id.org/kgraid/id/person/john-dorrian"))
    name, term = parse_binding('from="2017-01-08"^^xsd:date')
    assert (name, term, term.datatype) == ("from", Literal("2017-01-08", datatype=rns.XSD.date),
                                           rns.XSD.date)
    assert parse_binding('n="5"^^<http://www.w3.org/2001/XMLSchema#integer>')[1] == Literal(5)
    assert parse_binding('l="Dorrian"@en')[1] == Literal("Dorrian", lang="en")
    assert parse_binding("x=a=b")[1] == Literal("a=b")
    assert parse_binding('x=say "hi"')[1] == Literal('say "hi"')
    for bad in ("noequals", "1x=2", 'd="2017-02-30"^^xsd:date', "e=<not an iri>"):
        with pytest.raises(QueryError):
            parse_binding(bad)
    with pytest.raises(QueryError, match="twice"):
        parse_bindings(["a=1", "a=2"])


# ---------------------------------------------------------------------------- formats
@pytest.fixture()
def mixed() -> QueryResult:
    return QueryResult("select", vars=["s", "l", "n"], rows=[
        (URIRef(f"{EX}p0"), Literal('He said "yes",\nthen\tleft', lang="en"),
         Literal("0.80", datatype=rns.XSD.decimal)),
        (BNode("b1"), None, Literal("plain")),
    ])


def test_json_format_is_sparql_results_json(mixed: QueryResult) -> None:
    text = mixed.format("json")
    parsed = Result.parse(io.StringIO(text), format="json")
    assert [tuple(r) for r in parsed] == [
        (URIRef(f"{EX}p0"), Literal('He said "yes",\nthen\tleft', lang="en"),
         Literal("0.80", datatype=rns.XSD.decimal)),
        (BNode("b1"), None, Literal("plain"))]
    doc = json.loads(text)
    assert doc["head"]["vars"] == ["s", "l", "n"]
    assert "l" not in doc["results"]["bindings"][1]
    assert json.loads(QueryResult("ask", boolean=True).format("json")) == \
        {"head": {}, "boolean": True}


def test_json_format_with_repeated_terms_and_no_rows() -> None:
    """Terms written once and reused down the result still come back cell for cell,
    unbound cells left out, names outside ASCII and JSON's own syntax in values intact."""
    label = Literal("Deir ez-Zōr }, \"x\": [", lang="en")
    art = URIRef(f"{EX}article/1")
    rows = [(None, label, art), (URIRef(f"{EX}p1"), label, art),
            (URIRef(f"{EX}p1"), Literal("Deir ez-Zōr }, \"x\": [", lang="en"), None)]
    result = QueryResult("select", vars=["s", "label", "a"], rows=rows)
    text = result.format("json")
    assert [tuple(r) for r in Result.parse(io.StringIO(text), format="json")] == rows
    assert "Zōr" in text and list(json.loads(text)["results"]["bindings"][0]) == ["label", "a"]
    empty = json.loads(QueryResult("select", vars=["s"], rows=[]).format("json"))
    assert empty == {"head": {"vars": ["s"]}, "results": {"bindings": []}}


def test_csv_and_tsv_formats(mixed: QueryResult) -> None:
    rows = list(csv.reader(io.StringIO(mixed.format("csv"), newline="")))
    assert rows == [["s", "l", "n"], [f"{EX}p0", 'He said "yes",\nthen\tleft', "0.80"],
                    ["_:b1", "", "plain"]]
    tsv = mixed.format("tsv").splitlines()
    assert tsv[0] == "?s\t?l\t?n"
    assert len(tsv) == 3  # line breaks and tabs inside values are escaped
    assert tsv[1].split("\t") == [f"<{EX}p0>", '"He said \\"yes\\",\\nthen\\tleft"@en',
                                  '"0.80"^^<http://www.w3.org/2001/XMLSchema#decimal>']


def test_table_format(mixed: QueryResult) -> None:
    lines = mixed.format("table").splitlines()
    assert lines[0].split() == ["s", "l", "n"]
    assert "person:p0" in lines[2] or "kgi:person/p0" in lines[2]
    assert lines[-1] == "(2 rows)"
    assert len(lines) == 5  # header, rule, two rows, count: values stay on one line
    with pytest.raises(QueryError, match="unknown output format"):
        mixed.format("xml")


# ---------------------------------------------------------------------------- CLI
@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    path = tmp_path / "kg.db"
    s = _store(["John Dorrian", 'Evil "}; DROP ALL; #'])
    with KgStore(path) as disk:
        disk.extend(s.quads())
    return path


def test_cli_query_with_binding_and_formats(store_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    qfile = tmp_path / "labels.rq"
    qfile.write_text(LABEL_Q)
    assert kgraid_main(["query", str(qfile), "--store", str(store_dir),
                        "--bind", "label=John Dorrian", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [b["label"]["value"] for b in doc["results"]["bindings"]] == ["John Dorrian"]
    assert kgraid_main(["query", LABEL_Q, "--store", str(store_dir), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "person,label" and len(out.splitlines()) == 3
    assert kgraid_main(["query", LABEL_Q, "--store", str(store_dir),
                        "--bind", 'label=Evil "}; DROP ALL; #', "--format", "tsv"]) == 0
    assert capsys.readouterr().out.count("\n") == 2


def test_cli_query_errors_exit_2_and_print_nothing(store_dir: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["query", LABEL_Q, "--store", str(store_dir), "--bind", "nope=1"],
                 ["query", "SELECT ?x WHERE {", "--store", str(store_dir)],
                 ["query", LABEL_Q, "--store", str(tmp_path / "no-store")],
                 ["query", str(tmp_path / "missing.rq"), "--store", str(store_dir)]):
        assert kgraid_main(args) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("kgraid: error:")


# ---------------------------------------------------------------------------- hand-made graph
FIXTURE = Path(__file__).parent / "fixtures" / "queries" / "conflicts.trig"
QUERIES = Path(__file__).resolve().parents[1] / "queries"


@pytest.fixture(scope="module")
def conflicts() -> KgStore:
    """The hand-made graph, with the views a kgraid write would have computed (load_rdf
    loads a file as any tool would, so the views are computed here)."""
    from kgraid.export import load_rdf
    from kgraid.views import refresh
    store = load_rdf(FIXTURE)
    refresh(store)
    return store


def test_conflicting_figures_finds_disagreements(conflicts: KgStore) -> None:
    result = run_query(QUERIES / "conflicting_figures.rq", store=conflicts)
    rows = {(str(r["event"]).rsplit("/", 1)[-1], str(r["casualty_type"]), str(r["source"])):
            (str(r["agreement"]), int(r["count"]), str(r["other_sources"]))
            for r in result.dicts()}
    assert len(rows) == len(result) == 6  # one row per event, type, source and number
    sohr = "Syrian Observatory for Human Rights"
    assert rows[("shared-raid", "killed", sohr)] == ("disagrees", 25,
                                                     "U.S. Department of Defense: 3")
    assert rows[("shared-raid", "killed", "U.S. Department of Defense")][:2] == ("disagrees", 3)
    # claims tied to no operation are compared within their article
    assert rows[("a-sohr", "killed", "Al Jazeera")] == ("disagrees", 0, "U.S. official: 1")
    assert rows[("shared-raid", "detained", "U.S. Central Command")][0] == "agrees"
    # disagreements first
    assert [str(a) for a in result.column("agreement")][:4] == ["disagrees"] * 4
    only = run_query(QUERIES / "conflicting_figures.rq", store=conflicts,
                     bindings={"status": "agrees"})
    assert {str(a) for a in only.column("agreement")} == {"agrees"} and len(only) == 2


def test_claims_side_by_side_across_articles(conflicts: KgStore) -> None:
    result = run_query(QUERIES / "claims_side_by_side.rq", store=conflicts)
    assert {str(r["article_id"]) for r in result.dicts()} == {"a-sohr", "b-pentagon"}
    assert [str(s) for s in result.column("source")] == sorted(
        ["Syrian Observatory for Human Rights", "U.S. Central Command",
         "U.S. Department of Defense"])
    assert {int(n) for n in result.column("sources")} == {3}
