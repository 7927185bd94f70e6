"""The whole build on real articles, a real on-disk pyoxigraph store and real SHACL."""
import json
import shutil

import pytest

from rdflib import Literal

from kgraid.errors import ValidationError
from kgraid.pipeline import EXIT_INVALID, EXIT_OK, EXIT_PARTIAL, build
from kgraid.rdf import graph_iri
from kgraid.store import KgStore

DORRIAN = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX kgr: <https://w3id.org/kgraid/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name ?role ?org ?sentence ?start ?end ?extractor WHERE {
  ?m a org:Membership ; org:member ?p ; org:organization ?o ; org:role ?r ;
     prov:wasDerivedFrom ?a ; kgr:evidence ?ev ; kgr:extractor ?extractor .
  ?p rdfs:label ?name . ?r rdfs:label ?role . ?o rdfs:label ?org .
  ?ev kgr:sentence ?sentence ; kgr:charStart ?start ; kgr:charEnd ?end .
}"""


def test_seed_build_has_the_dorrian_membership_with_evidence(seed_store, root):
    rows = list(seed_store.query(DORRIAN, {"name": Literal("John Dorrian")}))
    assert len(rows) == 1
    r = rows[0]
    assert r["role"].value == "spokesman"
    assert "coalition" in r["org"].value.lower() or "Combined Joint Task Force" in r["org"].value
    assert r["sentence"].value.startswith("Col. John Dorrian, spokesman for the U.S.-led coalition")
    text = (root / "data/articles/004_ce07ce798a255723.txt").read_text()
    assert text[int(r["start"].value):int(r["end"].value)] == r["sentence"].value
    assert r["extractor"].value.startswith("membership/")


def test_one_named_graph_per_article_with_metadata(seed_store):
    names = seed_store.graph_names()
    assert str(graph_iri("004_ce07ce798a255723")) in names
    assert str(graph_iri("000_d8499ee644c7f1d0")) in names
    rows = list(seed_store.query(
        "SELECT ?d WHERE { ?a <http://purl.org/dc/terms/identifier> '004_ce07ce798a255723' ; "
        "<http://purl.org/dc/terms/issued> ?d }"))
    assert [r["d"].value for r in rows] == ["2017-01-09"]  # from the dateline


def test_build_is_incremental_and_replaces_changed_articles(tmp_path, corpus):
    store = KgStore(tmp_path / "kg")
    r1 = build([corpus], store)
    assert (r1.count("built"), r1.exit_code()) == (2, EXIT_OK)
    r2 = build([corpus], store)
    assert r2.count("skipped") == 2 and r2.count("built") == 0
    f = corpus / "000_d8499ee644c7f1d0.txt"
    f.write_text("The Britain-based Syrian Observatory for Human Rights said that 12 civilians "
                 "were killed in a strike near Raqqa.\n", encoding="utf-8")
    r3 = build([corpus], store)
    assert r3.count("built") == 1 and r3.count("skipped") == 1
    g = store.graph(str(graph_iri("000_d8499ee644c7f1d0")))
    text = g.serialize(format="nt")
    assert "Raqqa" in text and "Qamishli" not in text  # the old facts are gone
    store.close()
    reopened = KgStore(tmp_path / "kg", read_only=True)
    assert len(reopened.article_ids()) == 2


def test_bad_inputs_fail_alone_and_the_rest_is_built(tmp_path, corpus):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (corpus / "dup.txt").write_text("---\nid: 004_ce07ce798a255723\n---\nOther text about a raid.\n")
    store = KgStore(None)
    report = build([corpus], store)
    by = {o.origin.rsplit("/", 1)[-1]: o for o in report.outcomes}
    assert by["empty.txt"].status == "failed" and "empty" in by["empty.txt"].reason
    assert by["image.md"].status == "failed" and "PNG" in by["image.md"].reason
    assert by["dup.txt"].status == "failed" and "already used" in by["dup.txt"].reason
    assert report.count("built") == 2
    assert report.exit_code() == EXIT_PARTIAL


def test_non_conforming_article_is_reported_and_not_merged(tmp_path, corpus):
    strict = tmp_path / "house.ttl"
    strict.write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kgr: <https://w3id.org/kgraid/ontology#> .
<urn:house#ClaimsAbout> a sh:NodeShape ; sh:targetClass kgr:Claim ;
  sh:property [ sh:path kgr:about ; sh:minCount 1 ; sh:message "house rule: a claim names its operation" ] .
""")
    store = KgStore(None)
    report = build([corpus], store, shapes=strict)
    assert report.exit_code() == EXIT_INVALID
    bad = [o for o in report.outcomes if o.status == "invalid"]
    assert bad and bad[0].violations
    v = bad[0].violations[0]
    assert "house rule" in v.message and "/claim/" in v.focus and v.evidence
    assert store.article_ids() == sorted(o.article_id for o in report.outcomes
                                         if o.status == "built")
    kept = build([corpus], KgStore(None), shapes=strict, keep_invalid=True)
    assert kept.exit_code(keep_invalid=True) == EXIT_OK and kept.count("built") == 2


BROKEN_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kgr: <https://w3id.org/kgraid/ontology#> .
<urn:house#Broken> a sh:NodeShape ; sh:targetClass kgr:Claim ;
  sh:sparql [ sh:message "broken" ; sh:select "SELECT $this WHERE { $this ?p " ] .
"""


def test_shapes_the_engine_cannot_run_stop_the_build_at_its_start(tmp_path, corpus):
    broken = tmp_path / "broken.ttl"
    broken.write_text(BROKEN_SHAPES)
    store = KgStore(None)
    with pytest.raises(ValidationError, match="broken.ttl: the SHACL engine cannot run"):
        build([corpus], store, shapes=broken, engine="turbo")
    assert store.article_ids() == []


def test_a_validation_error_fails_its_article_and_the_batch_goes_on(tmp_path, corpus):
    # pySHACL reads a SPARQL constraint only when it has a focus node: the preflight passes
    # and each article with a claim fails on its own, naming the cause
    broken = tmp_path / "broken.ttl"
    broken.write_text(BROKEN_SHAPES)
    store = KgStore(None)
    report = build([corpus], store, shapes=broken, engine="pyshacl")
    failed = [o for o in report.outcomes if o.status == "failed"
              and "internal error while validating" in (o.reason or "")]
    assert failed and all("ParseException" in o.reason for o in failed)
    # every article was reported, one by one; none that failed was written
    assert len(report.outcomes) == len(list(corpus.iterdir()))
    assert set(store.article_ids()).isdisjoint(o.article_id for o in failed)
    assert report.exit_code() == EXIT_PARTIAL


def test_parallel_jobs_give_the_same_graph(tmp_path, corpus):
    from rdflib.compare import isomorphic
    a, b = KgStore(None), KgStore(None)
    build([corpus], a, jobs=1)
    build([corpus], b, jobs=2)
    for g in a.graph_names():
        assert isomorphic(a.graph(g), b.graph(g)), g


def test_report_is_json_serializable(tmp_path, corpus):
    report = build([corpus], KgStore(None))
    d = json.loads(json.dumps(report.as_dict(), default=str))
    assert d["built"] == 2 and d["facts"]["claims"] > 10
    shutil.rmtree(corpus)


def test_batched_writes_equal_one_article_at_a_time(tmp_path, corpus):
    """``replace_many`` (bulk files + hash marks last) gives the quads of per-article
    ``replace_graph`` transactions, replaces graphs already there, and leaves no article
    marked as built without its triples."""
    import pyoxigraph as ox

    from kgraid.pipeline import process_articles
    from kgraid.ingest import Article, iter_articles
    from kgraid.rdf import KGR

    arts = [a for a in iter_articles([corpus]) if isinstance(a, Article)]
    results = process_articles(arts)
    one, many = KgStore(tmp_path / "one"), KgStore(tmp_path / "many")
    for r in results:
        one.replace_graph(r.graph())
    # the first write puts something stale in one graph: the batch must replace it
    stale = ox.Quad(ox.NamedNode("urn:stale"), ox.NamedNode("urn:p"), ox.Literal("x"),
                    ox.NamedNode(results[0].graph_iri))
    many.extend([stale])
    n = many.replace_many([(r.graph_iri, r.ntriples) for r in results])
    assert n == len(one) == len(many)
    assert set(map(str, one.quads())) == set(map(str, many.quads()))
    for r in results:
        assert many.article_hash(r.article_id) == r.content_hash
    # the content hash is what marks an article built; it is present exactly once per graph
    marks = list(many.raw.quads_for_pattern(None, ox.NamedNode(str(KGR.contentHash)), None))
    assert sorted(q.graph_name.value for q in marks) == sorted(r.graph_iri for r in results)
    assert many.replace_many([]) == 0


def test_write_batch_size_does_not_change_the_graph(tmp_path, corpus):
    a, b = KgStore(tmp_path / "a"), KgStore(tmp_path / "b")
    ra, rb = build([corpus], a, chunk_size=1), build([corpus], b, chunk_size=64)
    assert ra.count("built") == rb.count("built") == 2
    assert set(map(str, a.quads())) == set(map(str, b.quads()))


def test_batched_writes_take_n_triples_of_any_layout(tmp_path):
    """The fast path rewrites kgraid's own one-statement-per-line N-Triples into N-Quads as
    text; N-Triples in any other layout (comments, CRLF, no final newline, a literal that
    spells out a line end) goes through the parser and gives the same quads."""
    import pyoxigraph as ox

    from kgraid.rdf import KGR

    g = "https://w3id.org/kgraid/graph/x"
    mark = f'<urn:a> <{KGR.contentHash}> "h1" .'
    canonical = (f'<urn:a> <urn:p> "one .\\n two" .\n{mark}\n<urn:a> <urn:q> <urn:b> .\n'
                 ).encode()
    odd = (f'# a comment\r\n<urn:a> <urn:p> "one .\\n two" .\r\n{mark}\r\n'
           f'<urn:a>   <urn:q>  <urn:b>.').encode()
    stores = []
    for i, text in enumerate((canonical, odd)):
        s = KgStore(tmp_path / f"s{i}")
        assert s.replace_many([(g, text)]) == 3
        stores.append(sorted(map(str, s.quads())))
        marks = list(s.raw.quads_for_pattern(None, ox.NamedNode(str(KGR.contentHash)), None))
        assert [q.object.value for q in marks] == ["h1"]
    assert stores[0] == stores[1]
    assert any('"one .\\n two"' in q for q in stores[0])


def test_hash_marks_are_lines_with_the_predicate_not_lines_quoting_it():
    """A build's N-Triples are split into the content-hash lines (written last) and the rest
    by the predicate of each line: a statement whose literal quotes the kgr:contentHash IRI
    stays with the body, marks anywhere in the text (first line, last line, a blank-node
    subject) are taken out, and nothing else is lost or reordered."""
    from kgraid.rdf import KGR
    from kgraid.store import _split_marks

    ch = f"<{KGR.contentHash}>"
    lines = [f'<urn:a> {ch} "h1" .\n',
             f'<urn:a> <urn:p> "a text that quotes {ch} \\"x\\"" .\n',
             '<urn:b> <urn:q> <urn:c> .\n',
             f'_:b0 {ch} "h2" .\n',
             f'<urn:b> <urn:says> "{ch} {ch}" .\n',
             f'<urn:c> {ch} "h3" .\n']
    body, marks = _split_marks("".join(lines).encode())
    assert [m.decode() for m in marks] == [lines[0], lines[3], lines[5]]
    assert body.decode() == lines[1] + lines[2] + lines[4]
    plain = "".join(lines[1:3]).encode()
    assert _split_marks(plain) == (plain, [])


def test_extractor_version_is_a_digest_of_the_extraction_code(tmp_path) -> None:
    from pathlib import Path
    from kgraid import rdf
    src = Path(rdf.__file__).parent
    copy = tmp_path / "kgraid"
    (copy / "resources").mkdir(parents=True)
    for name in rdf._EXTRACTOR_SOURCES:
        shutil.copy(src / name, copy / name)
    for tsv in (src / "resources").glob("*.tsv"):
        shutil.copy(tsv, copy / "resources" / tsv.name)
    assert rdf._extractor_version(copy) == rdf.EXTRACTOR_VERSION
    (copy / "export.py").write_text("# not part of the extraction\n")
    assert rdf._extractor_version(copy) == rdf.EXTRACTOR_VERSION
    roles = copy / "resources" / "roles.tsv"
    roles.write_bytes(roles.read_bytes() + b"quartermaster\n")
    changed = rdf._extractor_version(copy)
    assert changed != rdf.EXTRACTOR_VERSION and changed.startswith("kgraid-extract-")
