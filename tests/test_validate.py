"""SHACL: exported graphs conform; a deliberately broken fact is named; engines agree."""
import pytest
from rdflib import Dataset, Literal
from rdflib.namespace import RDFS

from kgraid.cli import main
from kgraid.rdf import ORG, SEM, KGR
from kgraid.validate import validate_graph


def _union(store):
    import pyoxigraph as ox
    ds = Dataset(default_union=True)
    ds.parse(data=store.raw.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    from rdflib import Graph
    g = Graph()
    for t in ds.triples((None, None, None)):
        g.add(t)
    return g


def test_seed_graph_conforms(seed_store):
    report = validate_graph(_union(seed_store), engine="pyshacl")
    assert report.conforms, report.violations[:3]


def test_broken_fact_exits_1_and_is_named(seed_store, tmp_path, capsys):
    g = _union(seed_store)
    m = next(g.subjects(ORG.role, None))
    g.remove((m, ORG.organization, None))
    op = next(g.subjects(KGR.operationType, None))
    g.add((op, SEM.hasTimeStamp, Literal("Sunday")))
    path = tmp_path / "broken.ttl"
    g.serialize(path, format="turtle")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert str(m) in out and "exactly one organization" in out
    assert str(op) in out and "timestamp" in out
    assert "evidence:" in out


def test_conforming_file_exits_0(seed_store, tmp_path):
    path = tmp_path / "ok.ttl"
    _union(seed_store).serialize(path, format="turtle")
    assert main(["validate", str(path), "--format", "json", "-q"]) == 0


def test_unreadable_file_exits_2(tmp_path):
    p = tmp_path / "x.ttl"
    p.write_text("this is not turtle <<<")
    assert main(["validate", str(p)]) == 2


def test_remote_jsonld_context_is_refused(tmp_path, capsys):
    p = tmp_path / "remote.jsonld"
    p.write_text('{"@context": "http://example.org/ctx.jsonld", "@id": "urn:x", "name": "y"}')
    assert main(["validate", str(p)]) == 2
    assert "remote JSON-LD context" in capsys.readouterr().err


def _broken(g, break_it):
    """``g`` with one kind of fault: a membership without organization, a timestamp that is
    no date, a person without label (or none)."""
    if break_it == "org":
        m = next(g.subjects(ORG.role, None))
        g.remove((m, ORG.organization, None))
    elif break_it == "timestamp":
        g.add((next(g.subjects(KGR.operationType, None)), SEM.hasTimeStamp, Literal("x")))
    elif break_it == "label":
        g.remove((next(g.subjects(None, KGR.Person)), RDFS.label, None))
    return g


@pytest.mark.parametrize("break_it", ["org", "timestamp", "label"])
def test_turbo_engine_agrees_with_pyshacl(seed_store, break_it):
    pytest.importorskip("pyshacl_turbo")
    g = _broken(_union(seed_store), break_it)
    a = validate_graph(g, engine="pyshacl")
    b = validate_graph(g, engine="turbo")
    assert a.conforms is False and b.conforms is False
    assert sorted({v.focus for v in a.violations}) == sorted({v.focus for v in b.violations})


@pytest.mark.parametrize("break_it", [None, "org", "timestamp", "label"])
def test_ntriples_path_agrees_with_graph_path(seed_store, break_it):
    """The build validates N-Triples text (handed to pyshacl-turbo's own parser): same verdict,
    same focus nodes and the same evidence as validating the rdflib Graph with pySHACL."""
    pytest.importorskip("pyshacl_turbo")
    from kgraid.validate import validate_ntriples
    g = _broken(_union(seed_store), break_it)
    nt = g.serialize(format="nt", encoding="utf-8")
    ref = validate_graph(g, engine="pyshacl")
    for engine in ("turbo", "pyshacl"):
        got = validate_ntriples(nt, engine=engine)
        assert got.conforms is ref.conforms is (break_it is None)
        assert sorted((v.focus, v.evidence) for v in got.violations) == \
            sorted((v.focus, v.evidence) for v in ref.violations)
