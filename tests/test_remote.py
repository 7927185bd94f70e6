"""`--store http://...`: RemoteStore against a real `oxigraph serve` on 127.0.0.1, and against
small local servers that misbehave (refuse, hang, 500, 429, garbage)."""
from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from kgraid.errors import EndpointError, QueryError
from kgraid.rdf import KGR, article_iri, graph_iri
from kgraid.remote import RemoteStore, is_remote
from kgraid.serve import OxigraphServer, free_port
from kgraid.store import to_ox

pytestmark = pytest.mark.server
_JSON = "application/sparql-results+json"


def article(article_id: str, label: str, content_hash: str, n_extra: int = 3) -> Graph:
    g = Graph(identifier=graph_iri(article_id))
    art = article_iri(article_id)
    g.add((art, RDF.type, KGR.Article))
    g.add((art, KGR.contentHash, Literal(content_hash)))
    person = URIRef(f"https://w3id.org/kgraid/id/person/{article_id}")
    g.add((person, RDF.type, KGR.Person))
    g.add((person, RDFS.label, Literal(label)))
    g.add((person, KGR.mentionedIn, art))
    for i in range(n_extra):
        g.add((person, RDFS.comment, Literal(f"note {i} \"quoted\" \\ <not an iri> }} # x")))
    return g


@pytest.fixture(scope="module")
def server() -> Iterator[OxigraphServer]:
    with OxigraphServer(None, port=free_port()) as srv:  # in memory, writable
        yield srv


@pytest.fixture()
def remote(server: OxigraphServer) -> Iterator[RemoteStore]:
    httpx.post(server.update_url, data={"update": "CLEAR ALL"}, timeout=10).raise_for_status()
    with RemoteStore(server.base_url, batch_size=3, timeout=10) as store:
        yield store


def test_is_remote() -> None:
    assert is_remote("http://127.0.0.1:7878") and is_remote("https://h/ds")
    assert not is_remote("kg.db") and not is_remote("/tmp/http:/x")


def test_write_read_back_isomorphic(remote: RemoteStore) -> None:
    g = article("a1", "John Dorrian", "h1")
    assert remote.replace_graph(g) == len(g)
    remote.flush()
    back = remote.graph(str(g.identifier))
    assert isomorphic(back, g)
    assert remote.graph_names() == [str(g.identifier)]
    assert remote.article_hash("a1") == "h1"
    assert remote.article_hash("missing") is None


def test_rerun_is_idempotent_and_changes_replace(remote: RemoteStore, server: OxigraphServer
                                                  ) -> None:
    graphs = [article(f"a{i}", f"Person {i}", f"h{i}") for i in range(5)]
    for g in graphs:
        remote.replace_graph(g)
    remote.flush()
    n = len(remote)
    for g in graphs:  # same build again
        remote.replace_graph(g)
    remote.flush()
    assert len(remote) == n == sum(len(g) for g in graphs)
    changed = article("a2", "Someone Else", "h2b", n_extra=0)
    remote.replace_graph(changed)
    remote.flush()
    assert isomorphic(remote.graph(str(changed.identifier)), changed)
    assert len(remote) == n - 3
    # A fresh client (the next run) sees the new hash.
    with RemoteStore(server.base_url) as other:
        assert other.article_hash("a2") == "h2b" and other.article_hash("a0") == "h0"


def test_writes_are_batched(remote: RemoteStore) -> None:
    for i in range(7):
        remote.replace_graph(article(f"b{i}", f"P{i}", f"h{i}"))
        assert remote.pending == (i + 1) % 3  # batch_size=3: sent every third graph
    assert remote.written == 6
    assert len(remote.graph_names()) == 7  # graph_names() flushes first
    assert remote.pending == 0 and remote.written == 7


def test_query_rows_and_bound_values(remote: RemoteStore) -> None:
    remote.replace_graph(article("q1", "Abu Sayyaf", "h"))
    remote.replace_graph(article("q2", 'Robert "Bob" O\'Neil } ; CLEAR ALL ; #', "h"))
    remote.flush()
    q = ("SELECT ?p WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?name }")
    rows = remote.query(q, {"name": Literal("Abu Sayyaf")})
    assert rows == [{"p": URIRef("https://w3id.org/kgraid/id/person/q1")}]
    hostile = Literal('Robert "Bob" O\'Neil } ; CLEAR ALL ; #')
    assert remote.query(q, {"?name": hostile}) == [
        {"p": URIRef("https://w3id.org/kgraid/id/person/q2")}]
    assert remote.query("ASK { ?s ?p ?o }") is True
    assert len(remote.graph_names()) == 2  # nothing was cleared
    built = remote.query("CONSTRUCT { ?p ?x ?y } WHERE { ?p a <" + str(KGR.Person) + "> ; "
                         "?x ?y }", {"y": Literal("Abu Sayyaf")})
    assert isinstance(built, Graph) and len(built) == 1


def test_bad_query_and_bindings(remote: RemoteStore) -> None:
    with pytest.raises(QueryError):
        remote.query("SELECT WHERE {")
    q = "SELECT ?x WHERE { ?x ?p ?o }"
    with pytest.raises(QueryError):
        remote.query(q, {"x y": Literal("a")})
    with pytest.raises(QueryError):
        remote.query(q, {"x": URIRef("http://e/a>b")})


def test_remove_graph(remote: RemoteStore) -> None:
    remote.replace_graph(article("r1", "X", "h"))
    assert remote.remove_graph(str(graph_iri("r1"))) is True  # flushes the pending write first
    assert remote.remove_graph(str(graph_iri("r1"))) is False
    assert remote.article_hash("r1") is None
    assert remote.graph_names() == []


def test_quads_reads_every_graph_term_for_term(remote: RemoteStore) -> None:
    """What resolution reads: every quad as written, typed, tagged and hostile literals
    included (tabs and line breaks inside a literal, quotes, braces, a number)."""
    import pyoxigraph as ox
    from rdflib import XSD
    g = article("q1", "Nadia\tMurad \"the\" {x}", "hash-q1")
    g.add((URIRef("https://e/s"), RDFS.comment, Literal("two\nlines\r\n and a tab\t}")))
    g.add((URIRef("https://e/s"), RDFS.comment, Literal("Raqqa", lang="ar-Latn")))
    g.add((URIRef("https://e/s"), KGR.confidence, Literal("0.85", datatype=XSD.decimal)))
    g.add((URIRef("https://e/s"), KGR.figure, Literal(25)))
    h = article("q2", "Someone", "hash-q2")
    remote.replace_graph(g)
    remote.replace_graph(h)
    got = remote.quads()
    want = {ox.Quad(*(to_ox(t) for t in triple), ox.NamedNode(str(graph.identifier)))
            for graph in (g, h) for triple in graph}
    assert len(got) == len(want) and set(got) == want
    local = ox.Store()
    assert remote.load_into(local) == len(want) and set(local) == want


def test_quads_read_json_results_from_a_server_without_tsv(fake: Callable[..., str]) -> None:
    import pyoxigraph as ox
    body = (b'{"head":{"vars":["g","s","p","o"]},"results":{"bindings":[{"g":{"type":"uri",'
            b'"value":"https://g"},"s":{"type":"uri","value":"https://s"},"p":{"type":"uri",'
            b'"value":"https://p"},"o":{"type":"literal","value":"x\\ty","xml:lang":"en"}}]}}')
    store = RemoteStore(fake(_reply(200, body, {"Content-Type": _JSON})), retries=0)
    assert store.quads() == [ox.Quad(ox.NamedNode("https://s"), ox.NamedNode("https://p"),
                                     ox.Literal("x\ty", language="en"), ox.NamedNode("https://g"))]


@pytest.mark.parametrize("rows,why", [
    (b"<https://g>\t<https://s>\t<https://p>\n", "3 cells"),
    (b'<https://g>\t<https://s>\t<https://p>\t"unterminated\n', ""),
    (b"", "header")])
def test_quads_from_malformed_tsv_is_an_endpoint_error(fake: Callable[..., str], rows: bytes,
                                                       why: str) -> None:
    body = (b"?g\t?s\t?p\t?o\n" if why != "header" else b"?x\n") + rows
    store = RemoteStore(fake(_reply(200, body, {"Content-Type": "text/tab-separated-values"})),
                        retries=0)
    with pytest.raises(EndpointError, match="malformed results.*" + why):
        store.quads()
    import pyoxigraph as ox
    with pytest.raises(EndpointError, match="malformed results.*" + why):
        store.load_into(ox.Store())


# ------------------------------------------------------------------ misbehaving servers
class _Handler(BaseHTTPRequestHandler):
    behave: Callable[["_Handler"], None]

    def log_message(self, *args: object) -> None:
        pass

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        type(self).behave(self)

    do_GET = do_POST = do_PUT = do_DELETE = _any


@pytest.fixture()
def fake() -> Iterator[Callable[[Callable[[_Handler], None]], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(behave: Callable[[_Handler], None]) -> str:
        handler = type("H", (_Handler,), {"behave": staticmethod(behave)})
        srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def _reply(status: int, body: bytes = b"", headers: dict[str, str] | None = None,
           ) -> Callable[[_Handler], None]:
    def behave(h: _Handler) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return behave


def test_refused_connection() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    store = RemoteStore(url, timeout=2, retries=1)
    t = time.monotonic()
    with pytest.raises(EndpointError, match="cannot reach"):
        store.article_hash("a")
    assert time.monotonic() - t < 5


def test_hanging_server_times_out() -> None:
    with socket.socket() as s:  # accepts connections, never answers
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        store = RemoteStore(f"http://127.0.0.1:{s.getsockname()[1]}", timeout=0.5, retries=1)
        t = time.monotonic()
        with pytest.raises(EndpointError, match="time limit"):
            store.article_hash("a")
        assert time.monotonic() - t < 5


def test_server_error_is_reported(fake: Callable[..., str]) -> None:
    url = fake(_reply(500, b"disk full"))
    with pytest.raises(EndpointError, match="HTTP 500.*disk full"):
        RemoteStore(url, retries=0).article_hash("a")


def test_429_honours_retry_after(fake: Callable[..., str]) -> None:
    calls: list[float] = []
    ok = _reply(200, b'{"head":{"vars":["g","h"]},"results":{"bindings":[]}}',
                {"Content-Type": "application/sparql-results+json"})

    def behave(h: _Handler) -> None:
        calls.append(time.monotonic())
        (ok if len(calls) > 1 else _reply(429, headers={"Retry-After": "1"}))(h)

    store = RemoteStore(fake(behave), retries=2)
    assert store.article_hash("a") is None
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.9


def test_429_with_long_retry_after_fails_fast(fake: Callable[..., str]) -> None:
    store = RemoteStore(fake(_reply(429, headers={"Retry-After": "3600"})), retries=3)
    t = time.monotonic()
    with pytest.raises(EndpointError, match="retry in 3600"):
        store.article_hash("a")
    assert time.monotonic() - t < 2


@pytest.mark.parametrize("body,ctype", [(b"<html>oops</html>", "text/html"),
                                        (b'{"head": {}, "results": 3}',
                                         "application/sparql-results+json"),
                                        (b"not n-triples at all", "application/n-triples")])
def test_malformed_results(fake: Callable[..., str], body: bytes, ctype: str) -> None:
    store = RemoteStore(fake(_reply(200, body, {"Content-Type": ctype})), retries=0)
    with pytest.raises(EndpointError, match="malformed"):
        store.query("SELECT * WHERE { ?s ?p ?o }")


def test_failed_puts_leave_no_partial_graph(server: OxigraphServer, fake: Callable[..., str]
                                            ) -> None:
    """A proxy in front of the real server fails the PUTs of some graphs: those are reported,
    absent from the server, kept queued, and written by a later flush; the others are whole."""
    httpx.post(server.update_url, data={"update": "CLEAR ALL"}, timeout=10).raise_for_status()
    failing = {"on": True}

    def proxy(h: _Handler) -> None:
        if h.command == "PUT" and "bad" in h.path and failing["on"]:
            return _reply(500, b"injected failure")(h)
        r = httpx.request(h.command, server.base_url + h.path, content=h.body,
                          headers={k: v for k, v in h.headers.items()
                                   if k.lower() in ("content-type", "accept")})
        _reply(r.status_code, r.content, {"Content-Type": r.headers.get("content-type", "")})(h)

    store = RemoteStore(fake(proxy), batch_size=100, retries=0)
    graphs = [article(name, name, "h-" + name) for name in ("ok1", "bad1", "ok2", "bad2")]
    for g in graphs:
        store.replace_graph(g)
    with pytest.raises(EndpointError, match="2 of 4 graphs not written") as err:
        store.flush()
    assert str(graph_iri("bad1")) in str(err.value)
    assert store.pending == 2
    direct = RemoteStore(server.base_url)
    assert direct.graph_names() == sorted([str(graph_iri("ok1")), str(graph_iri("ok2"))])
    assert direct.article_hash("bad1") is None
    assert isomorphic(direct.graph(str(graph_iri("ok2"))), graphs[2])
    failing["on"] = False
    store.flush()  # the queued graphs go out once the server recovers
    assert len(direct.graph_names()) == 4
    assert isomorphic(direct.graph(str(graph_iri("bad2"))), graphs[3])


def test_hash_is_sent_last() -> None:
    body, content_hash = RemoteStore._body(article("z", "Z", "the-hash"))
    lines = body.decode().strip().splitlines()
    assert content_hash == "the-hash"
    assert str(KGR.contentHash) in lines[-1] and len(lines) == 8


# ------------------------------------------------------------------ a whole build
def test_build_into_remote_store_equals_local(remote: RemoteStore) -> None:
    from pathlib import Path

    from kgraid.pipeline import build
    from kgraid.store import KgStore

    articles = Path(__file__).resolve().parent.parent / "data" / "articles"
    local = KgStore(None)
    first = build([articles], local)
    report = build([articles], remote)
    assert report.count("built") == first.count("built") >= 2
    names = local.graph_names()
    assert remote.graph_names() == names
    for name in names:
        assert isomorphic(remote.graph(name), local.graph(name)), name
    n = len(remote)
    # Re-run: every article is unchanged (hashes read from the server), nothing is sent.
    sent = remote.written
    again = build([articles], remote)
    assert again.count("skipped") == first.count("built") and remote.written == sent
    # Forced re-run: the same graphs are PUT again, and the views computed again (one graph
    # each); the server holds the same triples.
    from kgraid.views import VIEWS
    build([articles], remote, force=True)
    assert remote.written == sent + first.count("built") + len(VIEWS) and len(remote) == n


def test_replace_ntriples_matches_replace_graph(remote: RemoteStore) -> None:
    g = article("n1", "Nadia Murad", "hash-n1")
    assert remote.replace_ntriples(str(g.identifier), g.serialize(format="nt",
                                                                  encoding="utf-8")) == len(g)
    remote.flush()
    assert isomorphic(remote.graph(str(g.identifier)), g)
    assert remote.article_hash("n1") == "hash-n1"
    with pytest.raises(EndpointError, match="not valid N-Triples"):
        remote.replace_ntriples("https://e/g", b"<a> <b> .")


RAID_A = """---
published: 2017-01-12
---
The Syrian Observatory for Human Rights said that a U.S. raid near Deir al-Zour took place on Jan. 8.
"""
RAID_B = """---
published: 2017-01-13
---
The Britain-based Syrian Observatory for Human Rights said that five militants were killed in a raid near Deir el-Zour on Jan. 8.
"""


def test_build_into_a_remote_store_resolves_like_a_local_build(remote: RemoteStore, tmp_path
                                                                ) -> None:
    """Two articles' raid near one place (spelt two ways) on one day: the remote store ends
    with the same graphs as a resolved local build, one operation from both articles, and a
    second build writes nothing."""
    from kgraid.pipeline import build
    from kgraid.resolve import resolve_remote, resolve_store
    from kgraid.store import KgStore

    for name, text in (("a.md", RAID_A), ("b.md", RAID_B)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    local = KgStore(None)
    expected = build([tmp_path], local, post_build=[resolve_store]).post["merges"]
    report = build([tmp_path], remote, post_build=[resolve_remote])
    merged = report.post["merges"]
    assert merged.pop("graphs_rewritten") == 2  # the merged article and the merges graph
    assert merged == expected and merged["operations"] == 1
    names = local.graph_names()
    assert remote.graph_names() == names and any(n.endswith("/_merges") for n in names)
    for name in names:
        assert isomorphic(remote.graph(name), local.graph(name)), name
    rows = remote.query("SELECT ?op (COUNT(DISTINCT ?a) AS ?n) WHERE { ?op a <"
                        + str(KGR.Operation) + "> ; <http://www.w3.org/ns/prov#wasDerivedFrom>"
                        " ?a } GROUP BY ?op")
    assert [int(r["n"]) for r in rows] == [2]  # type: ignore[index, call-overload]
    sent = remote.written
    again = build([tmp_path], remote, post_build=[resolve_remote])
    assert again.count("skipped") == 2 and again.post["merges"] == {
        "entities": expected["entities"], "operations": 0, "new": 0, "graphs_rewritten": 0}
    assert remote.written == sent


def test_cli_build_into_a_remote_store_resolves(tmp_path, capsys):
    """`kgraid build --store http://...` writes every article and resolves across them."""
    from kgraid.cli import main
    for name, text in (("a.md", RAID_A), ("b.md", RAID_B)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    with OxigraphServer(None, port=free_port()) as server:
        assert main(["build", str(tmp_path), "--store", server.base_url]) == 0
        captured = capsys.readouterr()
        assert "built 2" in captured.out and '"operations": 1' in captured.out
        assert "embedded stores only" not in captured.err
        assert main(["merges", "--store", server.base_url, "--format", "json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert [m["rule"] for m in listed] == ["same-operation"]
        assert main(["unmerge", listed[0]["merged"], listed[0]["canonical"],
                     "--store", server.base_url, "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["graphs"] >= 1
        n = httpx.post(server.query_url, data={"query": "SELECT (COUNT(DISTINCT ?op) AS ?n) "
                       "WHERE { GRAPH ?g { ?op a <" + str(KGR.Operation) + "> } }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=10)
        assert n.json()["results"]["bindings"][0]["n"]["value"] == "2"  # apart again


def test_a_write_back_that_fails_half_way_is_finished_by_the_next_resolution(
        remote: RemoteStore, server: OxigraphServer, tmp_path) -> None:
    """The record of merges goes to the server before the article graphs: when the article
    graphs' PUTs fail, the merge is recorded and the next resolution applies it, ending as a
    resolved local build does."""
    from kgraid.pipeline import build
    from kgraid.resolve import MERGES_GRAPH, resolve_remote, resolve_store
    from kgraid.store import KgStore

    # ids that sort before "_merges", written one graph per request
    for name, text in (("01.md", RAID_A), ("02.md", RAID_B)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    local = KgStore(None)
    build([tmp_path], local, post_build=[resolve_store])
    build([tmp_path], remote)  # the articles, not resolved
    assert min(local.graph_names()) < MERGES_GRAPH

    class ArticlesFail(RemoteStore):
        def _put(self, item) -> None:
            if item.iri != MERGES_GRAPH:
                raise EndpointError(f"PUT graph <{item.iri}>: refused (test)")
            super()._put(item)

    failing = ArticlesFail(server.base_url, batch_size=1, timeout=10)
    with pytest.raises(EndpointError, match="refused"):
        resolve_remote(failing)
    with pytest.raises(EndpointError, match="not written"):
        failing.close()  # the article graphs stay queued, and are refused again
    assert MERGES_GRAPH in remote.graph_names()  # recorded, though not applied
    assert len(remote.graph(MERGES_GRAPH)) > 0
    resolve_remote(remote)
    names = local.graph_names()
    assert remote.graph_names() == names
    for name in names:
        assert isomorphic(remote.graph(name), local.graph(name)), name


RAID_C = """---
published: 2017-01-14
---
A spokesman for the Syrian Observatory for Human Rights said that Abu Omar al-Shishani was seen in Raqqah, and that coalition aircraft struck near Deir el-Zour on Jan. 8.
"""


class _Counting(RemoteStore):
    """A RemoteStore that records what resolution reads: quads by query, graphs whole."""

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.read_quads = 0
        self.read_whole: list[str] = []
        self.put: list[str] = []

    def load_into(self, store, query=None):  # type: ignore[override]
        if not query:  # the views, computed once a write is done, read the whole store
            return super().load_into(store)
        n = super().load_into(store, query)
        self.read_quads += n
        return n

    def graph_ntriples(self, iri: str) -> bytes | None:
        self.read_whole.append(iri)
        return super().graph_ntriples(iri)

    def replace_ntriples(self, iri: str, ntriples: bytes) -> int:
        self.put.append(iri)
        return super().replace_ntriples(iri, ntriples)


def test_remote_resolution_reads_whole_only_the_graphs_it_rewrites(server: OxigraphServer,
                                                                   tmp_path) -> None:
    """On the bundled articles plus three that name one place three ways: the remote store
    ends as a resolved local build does, after a first build and after one article changes
    (its recorded merges re-applied); resolution reads a fraction of the quads, and whole only
    the article graphs it rewrites."""
    from kgraid.pipeline import build
    from kgraid.resolve import MERGES_GRAPH, resolve_remote, resolve_store
    from kgraid.store import KgStore
    from pathlib import Path

    httpx.post(server.update_url, data={"update": "CLEAR ALL"}, timeout=10).raise_for_status()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for src in sorted((Path(__file__).resolve().parents[1] / "data" / "articles").iterdir()):
        (corpus / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    for name, text in (("a.md", RAID_A), ("b.md", RAID_B), ("c.md", RAID_C)):
        (corpus / name).write_text(text, encoding="utf-8")
    local = KgStore(None)
    remote = _Counting(server.base_url, batch_size=4, timeout=10)

    def same() -> None:
        names = local.graph_names()
        assert remote.graph_names() == names
        for name in names:
            assert isomorphic(remote.graph(name), local.graph(name)), name

    for step in ("first build", "one article changed"):
        expected = build([corpus], local, post_build=[resolve_store]).post["merges"]
        build([corpus], remote)
        remote.read_quads, remote.read_whole, remote.put = 0, [], []
        got = resolve_remote(remote)["merges"]
        read_quads, read_whole, put = remote.read_quads, list(remote.read_whole), remote.put
        rewritten = got.pop("graphs_rewritten")
        assert got == expected, step
        same()
        total = int(remote.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
                                 )[0]["n"])  # type: ignore[index]
        assert 0 < read_quads < total / 2, step
        articles = [g for g in read_whole if g != MERGES_GRAPH]
        assert articles and len(articles) == len(set(articles)), step
        from kgraid.views import VIEWS, view_graph
        views = {view_graph(n) for n in VIEWS}  # computed once resolution is done
        assert views <= set(put), step
        put = [g for g in put if g not in views]
        assert sorted(articles) == sorted(set(put) - {MERGES_GRAPH}), step
        assert rewritten == len(put), step
        (corpus / "a.md").write_text(RAID_A.replace("took place", "was carried out"),
                                     encoding="utf-8")
    remote.close()
