"""The analyst queries in queries/ on the graph the real pipeline builds from data/articles.

The graph is conftest's ``seed_store`` (the real pipeline: spaCy, SHACL, the embedded store, no
mocks), copied to a store directory and a TriG file by ``seed_files``, which the export,
evaluate and endpoint tests import.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from kgraid.errors import QueryError
from kgraid.query import QueryResult, required_bindings, run_query
from kgraid.store import KgStore

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
DORRIAN_ARTICLE = "004_ce07ce798a255723"
QAMISHLI_ARTICLE = "000_d8499ee644c7f1d0"


def analyst_queries() -> list[Path]:
    """The .rq files of this suite (the links_*.rq ones need a linked graph)."""
    return sorted(p for p in QUERIES.glob("*.rq") if not p.name.startswith("links_"))


def unbound_queries() -> list[Path]:
    """The analyst queries that run without a binding (a lookup's header has '# Requires:')."""
    return [p for p in analyst_queries()
            if not required_bindings(p.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def seed_files(seed_store: KgStore, tmp_path_factory: pytest.TempPathFactory,
               ) -> tuple[Path, Path]:
    """(store directory, TriG file) holding the session's seed graph (conftest.seed_store:
    data/articles built by kgraid.pipeline.build, then resolved)."""
    tmp = tmp_path_factory.mktemp("seed")
    store_dir, trig = tmp / "kg.db", tmp / "seed.trig"
    seed_store.raw.dump(str(trig), format=ox.RdfFormat.TRIG)
    with KgStore(store_dir) as store:
        store.raw.load(path=str(trig), format=ox.RdfFormat.TRIG)
    return store_dir, trig


@pytest.fixture(scope="module")
def seed(seed_files: tuple[Path, Path]) -> KgStore:
    return KgStore(seed_files[0], read_only=True)


def q(name: str, store: KgStore, **bindings: object) -> QueryResult:
    return run_query(QUERIES / f"{name}.rq", store=store, bindings=bindings)  # type: ignore[arg-type]


def col(result: QueryResult, var: str) -> list[str]:
    return [str(v) if v is not None else "" for v in result.column(var)]


# ---------------------------------------------------------------------------- every query
def test_there_are_at_least_eight_documented_queries() -> None:
    files = analyst_queries()
    assert len(files) >= 8
    for f in files:
        header = f.read_text().split("\n\n", 1)[0]
        assert header.startswith(f"# {f.name}:"), f.name
        text = f.read_text()
        assert ("Bindable" in text or "# Requires:" in text) and "Example:" in text \
            and "kgraid query" in text, f.name
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        assert not re.search(r"\bGRAPH\s*[?<$]", body, re.I), f.name  # union default graph


@pytest.mark.parametrize("path", analyst_queries(), ids=lambda p: p.stem)
def test_every_query_returns_rows_on_the_seed_graph(path: Path, seed: KgStore) -> None:
    if path not in unbound_queries():  # a lookup: its answers are tested bound, below
        with pytest.raises(QueryError, match="needs a value for"):
            run_query(path, store=seed)
        return
    result = run_query(path, store=seed)
    assert result.kind == "select"
    assert len(result) > 0, path.name


def test_lookups_declare_the_binding_they_need() -> None:
    needs = {p.name: required_bindings(p.read_text(encoding="utf-8"))
             for p in sorted(QUERIES.glob("*.rq"))}
    assert needs["entity_profile.rq"] == [["entity", "label"]]
    assert needs["links_about_item.rq"] == [["item"]]
    assert needs["timeline.rq"] == needs["memberships.rq"] == []


def test_required_bindings_come_from_the_header_only() -> None:
    q = ("# title\n#\n# Requires: ?a or $b\n#requires:?c\n# Requires: nothing named\n"
         "SELECT ?a ?b ?c ?d WHERE { ?a ?b ?c }\n# Requires: ?d\n")
    assert required_bindings(q) == [["a", "b"], ["c"]]
    assert required_bindings('SELECT * WHERE { ?s ?p "# Requires: ?s" }') == []
    assert required_bindings("") == []


def test_a_lookup_run_unbound_is_refused_naming_the_file_and_variables(seed: KgStore) -> None:
    path = QUERIES / "entity_profile.rq"
    with pytest.raises(QueryError) as e:
        run_query(path, store=seed)
    assert str(path) in str(e.value)
    assert "?entity or ?label" in str(e.value) and "--bind label=" in str(e.value)
    text = path.read_text(encoding="utf-8")
    with pytest.raises(QueryError, match=r"^the query: .*\?entity or \?label"):
        run_query(text, store=seed)
    # one of the two is enough; either one
    assert len(run_query(text, store=seed, bindings={"label": "Dorrian"})) > 0
    assert len(run_query(text, store=seed, bindings={
        "entity": URIRef("https://w3id.org/kgraid/id/person/john-dorrian")})) > 0
    # a query with two Requires lines needs one value from each
    two = "# Requires: ?s\n# Requires: ?o\nSELECT ?s ?o WHERE { ?s ?p ?o }"
    with pytest.raises(QueryError, match=r"\?o \(--bind o=VALUE\)"):
        run_query(two, store=seed, bindings={"s": URIRef("urn:x")})
    assert len(run_query(two, store=seed, bindings={"s": URIRef("urn:x"), "o": "y"})) == 0


def test_cli_refuses_a_lookup_unbound_with_exit_2(seed_files: tuple[Path, Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from kgraid.cli import main as kgraid_main

    store = str(seed_files[0])
    path = str(QUERIES / "links_about_item.rq")
    assert kgraid_main(["query", path, "--store", store, "--format", "csv"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "links_about_item.rq" in err and "?item" in err and "kgraid export" in err
    assert kgraid_main(["query", path, "--store", store, "--format", "csv", "--bind",
                        "item=<http://www.wikidata.org/entity/Q2429253>"]) == 0
    assert capsys.readouterr().out.startswith("item,entity,")


@pytest.mark.parametrize("path", analyst_queries(), ids=lambda p: p.stem)
def test_documented_bindable_variables_are_projected(path: Path, seed: KgStore) -> None:
    # every variable the header lists as bindable can be bound (a value that matches nothing
    # gives no rows, not an error)
    header = path.read_text().split("PREFIX", 1)[0]
    names = []
    for line in header.splitlines():
        if line.startswith("#   ?"):
            words = line[1:].split()
            while words and words[0].startswith("?"):
                names.append(words.pop(0)[1:])
    assert names or "Bindable: none" in header, path.name
    for name in names:
        value = {"entity": URIRef("https://w3id.org/kgraid/id/nothing/here"),
                 "operation": URIRef("https://w3id.org/kgraid/fact/nothing/here"),
                 "from": "9999-12-31", "to": "0001"}.get(name, "zzz-no-such-value")
        result = run_query(path, store=seed, bindings={name: value})
        assert len(result) == 0, (path.name, name)


# ---------------------------------------------------------------------------- answers
def test_memberships_contain_dorrian_spokesman_of_the_coalition(seed: KgStore) -> None:
    result = q("memberships", seed)
    rows = [r for r in result.dicts() if "Dorrian" in r["person"]]
    assert any(str(r["role"]) == "spokesman" for r in rows)
    coalition = q("memberships", seed, org_label="coalition", person_label="Dorrian")
    assert len(coalition) >= 1
    row = coalition.dicts()[0]
    assert str(row["person"]) == "John Dorrian" and str(row["role"]) == "spokesman"
    assert str(row["article_id"]) == DORRIAN_ARTICLE
    assert "Dorrian, spokesman for the U.S.-led coalition" in str(row["evidence"])
    assert str(row["org_label"]) == "coalition"  # the bound value is echoed


def test_memberships_role_filter(seed: KgStore) -> None:
    leaders = q("memberships", seed, role_label="leader")
    assert {str(p) for p in leaders.column("person")} >= {"Abu Bakr al-Baghdadi"}
    assert all("leader" in str(r) for r in leaders.column("role"))


def test_operations_by_place_and_date_range(seed: KgStore) -> None:
    jan = q("operations_by_place_date", seed, place_label="deir al-zour",
            **{"from": "2017-01-01", "to": "2017-01-31"})
    assert col(jan, "date") == ["2017-01-08"]
    assert "Deir" in col(jan, "places")[0]
    assert col(jan, "articles") == [DORRIAN_ARTICLE]

    # a year range takes in operations dated to the month
    in_2015 = q("operations_by_place_date", seed, **{"from": "2015", "to": "2015"})
    dates = col(in_2015, "date")
    assert "2015-10" in dates and all(d.startswith("2015") for d in dates)
    assert any("Hawija" in p for p in col(in_2015, "places"))

    # no binding: every operation, dated ones first in date order, undated after
    everything = q("operations_by_place_date", seed)
    dates = col(everything, "date")
    dated = [d for d in dates if d]
    assert dates[:len(dated)] == dated and dated == sorted(dated)
    assert "" in dates  # the Qamishli raid has only "Thursday": no timestamp


def test_timeline_is_in_date_order_with_precision(seed: KgStore) -> None:
    result = q("timeline", seed)
    dates = col(result, "date")
    assert dates == sorted(dates)
    assert {"2017-01-08", "2015-10", "2014-07"} <= set(dates)
    for d, precision in zip(dates, col(result, "precision")):
        assert precision == {10: "day", 7: "month", 4: "year"}[len(d)]


def test_claims_by_source_through_an_alias(seed: KgStore) -> None:
    result = q("claims_by_source", seed, source_label="CENTCOM")
    assert set(col(result, "source")) == {"U.S. Central Command"}
    assert any("conducted a raid" in s for s in col(result, "statement"))
    assert set(col(result, "article_id")) == {QAMISHLI_ARTICLE}


def test_claims_side_by_side_have_two_sources_per_operation(seed: KgStore) -> None:
    result = q("claims_side_by_side", seed)
    by_op: dict[str, set[str]] = {}
    for row in result.dicts():
        by_op.setdefault(str(row["operation"]), set()).add(str(row["source"]))
    assert by_op and all(len(sources) >= 2 for sources in by_op.values())
    jan8 = q("claims_side_by_side", seed, place_label="Deir al-Zour")
    sources = set(col(jan8, "source"))
    assert "John Dorrian" in sources and "Syrian Observatory for Human Rights" in sources
    assert set(col(jan8, "date")) == {"2017-01-08"}


def test_conflicting_figures_on_the_seed_graph(seed: KgStore) -> None:
    result = q("conflicting_figures", seed)
    rows = result.dicts()
    sohr = [r for r in rows if str(r["source"]) == "Syrian Observatory for Human Rights"]
    assert any(str(r["casualty_type"]) == "killed" and int(r["count"]) == 25 for r in sohr)
    assert {str(r["agreement"]) for r in rows} <= {"disagrees", "agrees", "single source"}
    only = q("conflicting_figures", seed, status="single source")
    assert 0 < len(only) < len(result)
    assert set(col(only, "agreement")) == {"single source"}


def test_top_entities_are_ranked_by_articles(seed: KgStore) -> None:
    result = q("top_entities", seed)
    counts = [int(n) for n in result.column("articles")]
    assert counts == sorted(counts, reverse=True)
    top = {str(r["label"]): int(r["articles"]) for r in result.dicts()}
    assert top["Islamic State"] == 2  # ISIS in one article, ISIL in the other
    people = q("top_entities", seed, **{"class": "person"})
    assert set(col(people, "kind")) == {"Person"} and "John Dorrian" in col(people, "label")


def test_entity_profile_by_short_name_and_by_iri(seed: KgStore) -> None:
    by_name = q("entity_profile", seed, label="Dorrian")
    entities = set(col(by_name, "entity"))
    assert entities == {"https://w3id.org/kgraid/id/person/john-dorrian"}
    facts = {(str(r["relation"]), str(r.get("value", "")), str(r.get("detail", "")))
             for r in by_name.dicts()}
    assert ("kind", "Person", "") in facts
    assert any(rel == "member of" and detail == "spokesman" for rel, _, detail in facts)
    assert any(rel == "said" and "Coalition" in value for rel, value, _ in facts)
    assert any(rel == "mentioned in" for rel, _, _ in facts)
    by_iri = q("entity_profile", seed,
               entity=URIRef("https://w3id.org/kgraid/id/person/john-dorrian"))
    assert {(str(r["relation"]), str(r.get("value", ""))) for r in by_iri.dicts()} == \
        {(rel, value) for rel, value, _ in facts}


def test_injection_through_a_bound_name_returns_nothing_and_harms_nothing(seed: KgStore) -> None:
    before = len(seed)
    for evil in ('Dorrian" } ; DROP ALL ; #', "Dorrian' } } DELETE WHERE { ?s ?p ?o } #",
                 "Dorrian\\\" ) } UNION { ?s ?p ?o } #"):
        assert len(q("memberships", seed, person_label=evil)) == 0
        assert len(q("entity_profile", seed, label=evil)) == 0
    assert len(seed) == before
    assert len(q("memberships", seed, person_label="Dorrian")) >= 1
