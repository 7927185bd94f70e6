"""kgraid export: every format round-trips the seed graph; files are written whole or not at
all; reading user RDF never fetches anything (checked against a local server that counts)."""
from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kgraid.cli import main as kgraid_main
from kgraid.errors import InputError, KgraidError
from kgraid.export import EXPORT_FORMATS, SUFFIXES, export_store, load_rdf
from kgraid.store import KgStore
from kgraid.views import KGV, VIEWS, view_graph

from test_query_seed import seed, seed_files  # noqa: F401 (fixtures)

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

_READ = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG,
         "nquads": ox.RdfFormat.N_QUADS, "ntriples": ox.RdfFormat.N_TRIPLES,
         "jsonld": ox.RdfFormat.JSON_LD}


def _export(store: KgStore, fmt: str) -> bytes:
    buf = io.BytesIO()
    export_store(store, fmt, buf)
    return buf.getvalue()


def _union(store: KgStore) -> set[ox.Triple]:
    """The union of the store's graphs but its views (kgraid.views), which the union formats
    leave out."""
    views = {ox.NamedNode(view_graph(n)) for n in VIEWS}
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()
            if q.graph_name not in views}


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_dataset_formats_keep_every_quad_and_graph(seed: KgStore, fmt: str) -> None:
    data = _export(seed, fmt)
    back = load_rdf(data, fmt=_READ[fmt])
    assert set(back.quads()) == set(seed.quads())
    assert back.graph_names() == seed.graph_names()
    assert len(seed.graph_names()) >= 2  # one graph per article at least


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_graph_formats_hold_the_union_once(seed: KgStore, fmt: str) -> None:
    data = _export(seed, fmt)
    back = load_rdf(data, fmt=_READ[fmt])
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in back.quads()}
    assert triples == _union(seed)
    assert back.graph_names() == []  # one graph: the default graph
    if fmt == "ntriples":
        lines = data.decode().splitlines()
        assert len(lines) == len(set(lines)) == len(_union(seed))  # each triple once


@pytest.mark.parametrize("two_types", [False, True], ids=["in-parts", "one-query"])
@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_the_union_formats_leave_the_views_out(seed: KgStore, fmt: str, two_types: bool) -> None:
    store = KgStore(None)
    store.raw.extend(seed.raw)
    assert len(_union(store)) < len(set(store.quads()))  # the seed store has its views
    if two_types:  # a subject with two types sends Turtle down the one-query path
        g = ox.NamedNode("http://example.org/g")
        store.raw.add(ox.Quad(ox.NamedNode("http://example.org/a"), _RDF_TYPE,
                              ox.NamedNode("http://example.org/T1"), g))
        store.raw.add(ox.Quad(ox.NamedNode("http://example.org/a"), _RDF_TYPE,
                              ox.NamedNode("http://example.org/T2"), g))
    data = _export(store, fmt)
    assert KGV.encode() not in data and b"/view/" not in data
    back = load_rdf(data, fmt=_READ[fmt])
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in back.quads()} == _union(store)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_a_blank_node_keeps_its_triples_together_across_predicates(fmt: str) -> None:
    # the union is read one predicate at a time, in parallel: a blank node with a label (read
    # first) and a predicate kgraid does not know (read later) must stay one node
    store = load_rdf(b"""
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix ex: <http://example.org/> .
        <http://example.org/g1> { [] rdfs:label "anon" ; ex:near [ ex:name "inner" ] . }
        <http://example.org/g2> { ex:a ex:p ex:b . ex:a rdfs:label "a" . }
        <http://example.org/g3> { ex:a ex:p ex:b . }
        """, fmt=ox.RdfFormat.TRIG)
    data = _export(store, fmt)
    back = Graph().parse(data=data.decode(), format="turtle" if fmt == "turtle" else "nt")
    union = Graph().parse(data=ox.serialize(
        {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()},
        format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")  # one document: one bnode scope
    assert len(back) == len(union) == 5 and isomorphic(back, union)


@pytest.mark.parametrize("two_types", [False, True], ids=["one-type", "a-subject-has-two"])
def test_turtle_writes_each_subject_once_whatever_its_types(two_types: bool) -> None:
    # Turtle is read one rdf:type at a time, then the untyped subjects; a subject with two
    # types would be written twice that way, so that store takes the one-query path
    extra = "ex:a a ex:Other ." if two_types else ""
    store = load_rdf(f"""
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix ex: <http://example.org/> .
        ex:g1 {{ ex:a a ex:Thing ; rdfs:label "only-once" . ex:b a ex:Other ; ex:p ex:a . }}
        ex:g2 {{ ex:a a ex:Thing ; rdfs:label "only-once" ; ex:q ex:b . {extra}
                 ex:c ex:p "untyped" . [] ex:p "untyped blank" . }}
        """.encode(), fmt=ox.RdfFormat.TRIG)
    buf = io.BytesIO()
    n = export_store(store, "turtle", buf)
    text = buf.getvalue().decode()
    union = Graph().parse(data=ox.serialize(
        {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()},
        format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    assert n == len(union) == (8 if two_types else 7)
    assert isomorphic(Graph().parse(data=text, format="turtle"), union)
    assert text.count('"only-once"') == 1
    assert text.count("@prefix kgr: <") == 1  # one header, however many parts
    subjects = [line.split(" ", 1)[0] for line in text.splitlines()
                if line and not line.startswith(("@prefix", " ", "\t"))]
    assert len(subjects) == len(set(subjects)) == 4  # a, b, c, the blank node: grouped


def test_turtle_binds_prefixes_is_stable_and_reads_in_rdflib(seed: KgStore) -> None:
    data = _export(seed, "turtle")
    text = data.decode()
    for prefix in ("kgr:", "org:", "prov:", "sem:", "dcterms:", "person:", "organization:"):
        assert f"@prefix {prefix} <" in text
    assert "person:john-dorrian" in text
    assert "\\/" not in text  # no escaped local names
    assert _export(seed, "turtle") == data  # deterministic
    union = Graph()
    for t in _union(seed):
        union.parse(data=ox.serialize([t], format=ox.RdfFormat.N_TRIPLES).decode(),
                    format="nt")
    assert isomorphic(Graph().parse(data=text, format="turtle"), union)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside rdflib's parsers
def test_jsonld_has_a_local_context_and_reads_in_rdflib(seed: KgStore) -> None:
    data = _export(seed, "jsonld")
    doc = json.loads(data)
    assert isinstance(doc["@context"], dict)
    assert doc["@context"]["kgr"] == "https://w3id.org/kgraid/ontology#"
    ds = Dataset()
    ds.parse(data=data.decode(), format="json-ld")
    trig = Dataset()
    trig.parse(data=_export(seed, "trig").decode(), format="trig")
    for g in trig.graphs():
        if len(g):
            assert isomorphic(ds.graph(g.identifier), g), g.identifier


def test_export_to_a_file_replaces_it_whole(seed: KgStore, tmp_path: Path) -> None:
    target = tmp_path / "out" / "kg.trig"
    n = export_store(seed, "trig", target)
    assert n == len(seed) and target.read_bytes() == _export(seed, "trig")
    # a failing export leaves the directory as it was: no partial file, no temporary file
    clash = tmp_path / "clash.ttl"
    clash.mkdir()
    (clash / "keep").write_text("x")
    with pytest.raises(KgraidError):
        export_store(seed, "turtle", clash)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clash.ttl", "out"]
    assert (clash / "keep").read_text() == "x"
    with pytest.raises(KgraidError, match="unknown export format"):
        export_store(seed, "rdfxml", tmp_path / "x.rdf")
    assert not (tmp_path / "x.rdf").exists()


def test_cli_export_to_stdout_and_to_files(seed: KgStore, seed_files: tuple[Path, Path],
                                           tmp_path: Path,
                                           capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    store_dir = str(seed_files[0])
    assert kgraid_main(["export", "--store", store_dir, "--format", "ntriples"]) == 0
    assert capsysbinary.readouterr().out == _export(seed, "ntriples")
    for fmt in EXPORT_FORMATS:
        out = tmp_path / f"kg{SUFFIXES[fmt]}"
        assert kgraid_main(["export", "--store", store_dir, "-o", str(out)]) == 0
        assert out.read_bytes() == _export(seed, fmt), fmt  # format from the suffix
    assert kgraid_main(["export", "--store", str(tmp_path / "nothing")]) == 2
    assert capsysbinary.readouterr().out == b""


# ---------------------------------------------------------------------------- nothing fetched
class CountingServer:
    """A local server that answers every GET with RDF and counts the requests."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.hits.append(self.path)
                body = json.dumps({"@context": {"name": "http://example.org/name"}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture()
def counting() -> Iterator[CountingServer]:
    srv = CountingServer()
    yield srv
    srv.server.shutdown()
    srv.server.server_close()


def test_jsonld_remote_contexts_are_refused_not_fetched(counting: CountingServer,
                                                        tmp_path: Path) -> None:
    docs = {
        "remote.jsonld": {"@context": f"{counting.base}/ctx.jsonld",
                          "@id": "http://example.org/a", "name": "x"},
        "list.jsonld": {"@context": [{"ex": "http://example.org/"}, f"{counting.base}/c2"],
                        "@id": "ex:a", "name": "x"},
        "import.jsonld": {"@context": {"@version": 1.1, "@import": f"{counting.base}/c3"},
                          "@id": "http://example.org/a", "name": "x"},
    }
    for name, doc in docs.items():
        path = tmp_path / name
        path.write_text(json.dumps(doc))
        with pytest.raises(InputError, match="remote @context|not valid RDF") as err:
            load_rdf(path)
        assert name in str(err.value)
    assert counting.hits == []


def test_owl_imports_and_external_entities_are_not_followed(counting: CountingServer,
                                                            tmp_path: Path) -> None:
    ttl = tmp_path / "onto.ttl"
    ttl.write_text(f"<http://example.org/o> <http://www.w3.org/2002/07/owl#imports> "
                   f"<{counting.base}/other.ttl> .\n")
    store = load_rdf(ttl)
    assert len(store) == 1  # the import is a triple, nothing more
    xml = tmp_path / "entity.rdf"
    xml.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ext SYSTEM "{counting.base}/entity.txt"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&ext;</ex:p></rdf:Description>
</rdf:RDF>""")
    try:
        load_rdf(xml)
    except InputError:
        pass  # refusing the entity is fine too; fetching it is not
    assert counting.hits == []


def test_load_rdf_names_the_file_on_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(InputError, match="bad.ttl"):
        load_rdf(bad)
    with pytest.raises(InputError, match="suffix"):
        load_rdf(tmp_path / "graph.docx")
    with pytest.raises(InputError, match="no such file"):
        load_rdf(tmp_path / "missing.trig")
