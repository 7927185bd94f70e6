"""kgraid query against SPARQL endpoints: a real `oxigraph serve` on 127.0.0.1 loaded with the
seed graph, and small local HTTP servers that fail in every way an endpoint can."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import pytest

from kgraid.serve import OxigraphServer
from rdflib import Literal, URIRef

from kgraid.cli import main as kgraid_main
from kgraid.errors import EndpointError, QueryError
from kgraid.query import run_query
from kgraid.store import KgStore

from test_query_seed import QUERIES, seed, seed_files, unbound_queries  # noqa: F401 (fixtures)

pytestmark = pytest.mark.server

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or \
    shutil.which("oxigraph")
ASK_ALL = "ASK { ?s ?p ?o }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
OK_JSON = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
    {"x": {"type": "literal", "value": "ok"}}]}}).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------- oxigraph serve
@pytest.fixture(scope="module")
def endpoint(seed_files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory,
             ) -> Iterator[str]:
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    location = tmp_path_factory.mktemp("oxigraph") / "db"
    subprocess.run([OXIGRAPH, "load", "--location", str(location), "--file",
                    str(seed_files[1])], check=True, capture_output=True, timeout=60)
    # the project's own server wrapper: it waits until the endpoint answers a query
    with OxigraphServer(location, port=free_port()) as server:
        yield server.query_url


def _rows(result: object) -> list[str]:
    return sorted(repr(r) for r in result.rows)  # type: ignore[attr-defined]


CASES = [(p.name, {}) for p in unbound_queries()] + [
    ("memberships.rq", {"org_label": "coalition"}),
    ("memberships.rq", {"person_label": "Dorrian", "role_label": "spokes"}),
    ("operations_by_place_date.rq", {"place_label": "Deir al-Zour", "from": "2017-01-01",
                                     "to": Literal("2017-01-31", datatype=URIRef(
                                         "http://www.w3.org/2001/XMLSchema#date"))}),
    ("operations_by_place_date.rq", {"from": "2015", "to": "2016-08-15"}),
    ("claims_by_source.rq", {"source_label": "CENTCOM"}),
    ("claims_side_by_side.rq", {"place_label": "Qamishli"}),
    ("conflicting_figures.rq", {"status": "single source"}),
    ("top_entities.rq", {"class": "Person"}),
    ("entity_profile.rq", {"label": "Dorrian"}),
    ("entity_profile.rq", {"entity": URIRef("https://w3id.org/kgraid/id/person/john-dorrian")}),
]


@pytest.mark.parametrize("name,bindings", CASES,
                         ids=[f"{n[:-3]}-{'-'.join(b) or 'all'}" for n, b in CASES])
def test_same_rows_embedded_and_on_the_endpoint(name: str, bindings: dict, seed: KgStore,
                                                endpoint: str) -> None:
    embedded = run_query(QUERIES / name, store=seed, bindings=bindings)
    remote = run_query(QUERIES / name, endpoint=endpoint, bindings=bindings, timeout=20)
    assert remote.vars == embedded.vars
    assert _rows(remote) == _rows(embedded)
    assert len(embedded) > 0


def test_an_endpoint_without_the_views_is_refused_before_the_query(
        seed_files: tuple[Path, Path], tmp_path: Path) -> None:
    """Data loaded into a server by another tool (here the seed graph minus its view graphs,
    loaded with `oxigraph load`): the queries that read a view say so, naming the endpoint,
    instead of answering with no rows; the other queries run."""
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    import pyoxigraph as ox

    from kgraid import views
    data = ox.Store()
    data.load(path=str(seed_files[1]), format=ox.RdfFormat.TRIG)
    for name in views.VIEWS:
        data.remove_graph(ox.NamedNode(views.view_graph(name)))
    nq = tmp_path / "no-views.nq"
    data.dump(str(nq), format=ox.RdfFormat.N_QUADS)
    location = tmp_path / "db"
    subprocess.run([OXIGRAPH, "load", "--location", str(location), "--file", str(nq)],
                   check=True, capture_output=True, timeout=60)
    with OxigraphServer(location, port=free_port()) as server:
        for name in ("timeline.rq", "conflicting_figures.rq"):
            with pytest.raises(QueryError) as e:
                run_query(QUERIES / name, endpoint=server.query_url, timeout=20)
            assert server.query_url in str(e.value) and "missing" in str(e.value)
        assert len(run_query(QUERIES / "memberships.rq", endpoint=server.query_url,
                             timeout=20)) > 0


def test_ask_and_construct_on_the_endpoint(seed: KgStore, endpoint: str) -> None:
    ask = run_query("ASK { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
                    endpoint=endpoint, bindings={"label": "John Dorrian"})
    assert ask.kind == "ask" and ask.boolean is True
    q = ("CONSTRUCT { ?p <http://example.org/name> ?l } WHERE { ?p "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    person = URIRef("https://w3id.org/kgraid/id/person/john-dorrian")
    remote = run_query(q, endpoint=endpoint, bindings={"p": person})
    embedded = run_query(q, store=seed, bindings={"p": person})
    assert remote.graph is not None and set(remote.graph) == set(embedded.graph or ())
    assert (person, URIRef("http://example.org/name"), Literal("John Dorrian")) in remote.graph


def _count(endpoint: str) -> int:
    return int(run_query(COUNT_ALL, endpoint=endpoint).rows[0][0])  # type: ignore[arg-type]


def test_injection_through_a_bound_name_on_the_endpoint(seed: KgStore, endpoint: str) -> None:
    before = _count(endpoint)
    assert before == len(seed) or before > 0
    for evil in ('Dorrian" } ; DROP ALL ; #', 'Dorrian"@en } } ; CLEAR ALL ; SELECT * { #',
                 "Dorrian'''\" ) } UNION { ?s ?p ?o } #"):
        result = run_query(QUERIES / "memberships.rq", endpoint=endpoint,
                           bindings={"person_label": evil})
        assert len(result) == 0
        profile = run_query(QUERIES / "entity_profile.rq", endpoint=endpoint,
                            bindings={"label": evil})
        assert len(profile) == 0
    assert _count(endpoint) == before
    assert len(run_query(QUERIES / "memberships.rq", endpoint=endpoint,
                         bindings={"person_label": "Dorrian"})) >= 1


def test_a_lookup_unbound_is_refused_before_anything_is_sent() -> None:
    # nothing listens on the discard port: a request would fail as an EndpointError
    with pytest.raises(QueryError, match=r"entity_profile\.rq: .*\?entity or \?label"):
        run_query(QUERIES / "entity_profile.rq", endpoint="http://127.0.0.1:9/query")


def test_an_iri_that_would_break_out_is_refused_before_sending(endpoint: str) -> None:
    with pytest.raises(QueryError):
        run_query(QUERIES / "entity_profile.rq", endpoint=endpoint,
                  bindings={"entity": URIRef("http://x/a> } ; DROP ALL ; #")})


def test_cli_endpoint_and_store_print_the_same_json(seed_files: tuple[Path, Path],
                                                    endpoint: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(QUERIES / "memberships.rq"), "--bind", "person_label=Dorrian",
            "--format", "json"]
    assert kgraid_main(["query", *args, "--store", str(seed_files[0])]) == 0
    local = json.loads(capsys.readouterr().out)
    assert kgraid_main(["query", *args, "--endpoint", endpoint]) == 0
    remote = json.loads(capsys.readouterr().out)
    key = lambda doc: sorted(json.dumps(b, sort_keys=True)  # noqa: E731
                             for b in doc["results"]["bindings"])
    assert remote["head"] == local["head"] and key(remote) == key(local)
    assert local["results"]["bindings"]


# ---------------------------------------------------------------------------- failing servers
Behaviour = Callable[[BaseHTTPRequestHandler, int], None]


class FakeEndpoint:
    """A local HTTP server whose answer to the n-th request is ``behaviour(handler, n)``."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests = 0
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                fake.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                fake.behaviour(self, fake.requests)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def fake() -> Iterator[Callable[[Behaviour], FakeEndpoint]]:
    made: list[FakeEndpoint] = []

    def make(behaviour: Behaviour) -> FakeEndpoint:
        made.append(FakeEndpoint(behaviour))
        return made[-1]

    yield make
    for f in made:
        f.close()


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes = b"",
          ctype: str = "application/sparql-results+json", **headers: str) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in headers.items():
        h.send_header(k.replace("_", "-"), v)
    h.end_headers()
    h.wfile.write(body)


def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(EndpointError, match="cannot connect"):
        run_query(ASK_ALL, endpoint=url, timeout=5)


def test_a_hanging_server_is_given_up_on_in_bounded_time(fake) -> None:
    srv = fake(lambda h, n: srv.release.wait(15))
    started = time.monotonic()
    with pytest.raises(EndpointError, match="no answer within 1 s"):
        run_query(ASK_ALL, endpoint=srv.url, timeout=1)
    assert time.monotonic() - started < 5


def test_a_trickling_answer_is_given_up_on_in_bounded_time(fake) -> None:
    def trickle(h: BaseHTTPRequestHandler, n: int) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/sparql-results+json")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(100):
            if srv.release.wait(0.2):
                return
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:
                return

    srv = fake(trickle)
    started = time.monotonic()
    with pytest.raises(EndpointError, match="did not arrive in time"):
        run_query(ASK_ALL, endpoint=srv.url, timeout=1)
    assert time.monotonic() - started < 5


def test_http_500_is_an_endpoint_error(fake) -> None:
    srv = fake(lambda h, n: _send(h, 500, b"boom: the store is on fire", "text/plain"))
    with pytest.raises(EndpointError, match="HTTP 500.*boom"):
        run_query(ASK_ALL, endpoint=srv.url, timeout=5)
    assert srv.requests == 1  # a server error is not retried


def test_429_with_retry_after_is_retried_then_succeeds(fake) -> None:
    def behaviour(h: BaseHTTPRequestHandler, n: int) -> None:
        if n == 1:
            _send(h, 429, b"slow down", "text/plain", Retry_After="1")
        else:
            _send(h, 200, OK_JSON)

    srv = fake(behaviour)
    started = time.monotonic()
    result = run_query("SELECT ?x WHERE { ?x ?p ?o }", endpoint=srv.url, timeout=5)
    assert time.monotonic() - started >= 0.9  # the Retry-After was honoured
    assert result.rows == [(Literal("ok"),)] and srv.requests == 2


def test_429_retries_are_bounded(fake) -> None:
    srv = fake(lambda h, n: _send(h, 429, b"", "text/plain", Retry_After="0"))
    with pytest.raises(EndpointError, match="still HTTP 429 after 2 retries"):
        run_query(ASK_ALL, endpoint=srv.url, timeout=5, retries=2)
    assert srv.requests == 3


def test_a_retry_after_beyond_the_limit_fails_at_once(fake) -> None:
    srv = fake(lambda h, n: _send(h, 429, b"", "text/plain", Retry_After="3600"))
    started = time.monotonic()
    with pytest.raises(EndpointError, match="retry after 3600 s"):
        run_query(ASK_ALL, endpoint=srv.url, timeout=5, max_retry_wait=5)
    assert time.monotonic() - started < 2 and srv.requests == 1


@pytest.mark.parametrize("body", [
    b"{not json",
    b"\xff\xfe garbage",
    b"[1, 2, 3]",
    json.dumps({"head": {"vars": ["x"]}}).encode(),
    json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"y": {"type": "literal", "value": "undeclared"}}]}}).encode(),
    json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "alien", "value": "?"}}]}}).encode(),
    json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "uri"}}]}}).encode(),
], ids=["truncated", "binary", "array", "no-results", "undeclared-var", "bad-type",
        "no-value"])
def test_malformed_results_are_endpoint_errors(fake, body: bytes) -> None:
    srv = fake(lambda h, n: _send(h, 200, body))
    with pytest.raises(EndpointError, match="malformed results"):
        run_query("SELECT ?x WHERE { ?x ?p ?o }", endpoint=srv.url, timeout=5)


def test_an_ask_answer_without_a_boolean_is_malformed(fake) -> None:
    srv = fake(lambda h, n: _send(h, 200, b'{"head": {}, "boolean": "yes"}'))
    with pytest.raises(EndpointError, match="malformed results"):
        run_query(ASK_ALL, endpoint=srv.url, timeout=5)


def test_a_construct_answer_that_is_not_rdf_is_malformed(fake) -> None:
    srv = fake(lambda h, n: _send(h, 200, b"<html>sorry</html>", "text/html"))
    with pytest.raises(EndpointError, match="malformed results"):
        run_query("CONSTRUCT WHERE { ?s ?p ?o }", endpoint=srv.url, timeout=5)
    srv2 = fake(lambda h, n: _send(h, 200, b"<a> <b> broken", "text/turtle"))
    with pytest.raises(EndpointError, match="malformed results"):
        run_query("CONSTRUCT WHERE { ?s ?p ?o }", endpoint=srv2.url, timeout=5)


def test_cli_prints_nothing_when_the_endpoint_fails(fake,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    def behaviour(h: BaseHTTPRequestHandler, n: int) -> None:
        # a valid start, then garbage: nothing of it may reach stdout
        _send(h, 200, b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": ')

    srv = fake(behaviour)
    assert kgraid_main(["query", "SELECT ?x WHERE { ?x ?p ?o }", "--endpoint", srv.url,
                        "--format", "csv", "--timeout", "5"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "malformed results" in captured.err
