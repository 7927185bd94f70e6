"""`kgraid serve`: a real `oxigraph` server over a store built by the embedded KgStore."""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kgraid.errors import EndpointError, StoreError
from kgraid.rdf import KGR, graph_iri
from kgraid.serve import OxigraphServer, free_port, parse_bind, register
from kgraid.store import KgStore

pytestmark = pytest.mark.server

RESULTS = {"Accept": "application/sparql-results+json"}


def _article_graph(article_id: str, label: str) -> Graph:
    g = Graph(identifier=graph_iri(article_id))
    person = URIRef(f"https://w3id.org/kgraid/id/person/{article_id}")
    g.add((person, RDF.type, KGR.Person))
    g.add((person, RDFS.label, Literal(label)))
    return g


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "kg.db"
    with KgStore(path) as store:
        store.replace_graph(_article_graph("a1", "John Dorrian"))
        store.replace_graph(_article_graph("a2", "Abu Sayyaf"))
    return path


def _labels(query_url: str) -> set[str]:
    # No GRAPH clause: the endpoint's default graph is the union of the named graphs.
    q = "SELECT ?l WHERE { ?p a <https://w3id.org/kgraid/ontology#Person> ; " \
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    r = httpx.post(query_url, data={"query": q}, headers=RESULTS, timeout=10)
    r.raise_for_status()
    return {b["l"]["value"] for b in r.json()["results"]["bindings"]}


def test_read_only_server_answers_queries_and_refuses_writes(store_dir: Path) -> None:
    server = OxigraphServer(store_dir, port=free_port())
    assert server.host == "127.0.0.1" and not server.writable
    assert server.command()[1] == "serve-read-only"
    with server:
        assert _labels(server.query_url) == {"John Dorrian", "Abu Sayyaf"}
        upd = httpx.post(server.update_url, data={"update": "CLEAR ALL"}, timeout=10)
        assert upd.status_code >= 400
        put = httpx.put(server.store_url, params={"graph": "https://example.org/g"},
                        content=b'<https://e/a> <https://e/b> "c" .',
                        headers={"Content-Type": "application/n-triples"}, timeout=10)
        assert put.status_code >= 400
        assert _labels(server.query_url) == {"John Dorrian", "Abu Sayyaf"}
    assert not server.running
    assert len(KgStore(store_dir, read_only=True).graph_names()) == 2  # untouched


def test_writable_server_persists_to_the_store(tmp_path: Path) -> None:
    path = tmp_path / "kg.db"
    with KgStore(path) as store:
        store.replace_graph(_article_graph("a1", "John Dorrian"))
    with OxigraphServer(path, port=free_port(), writable=True) as server:
        r = httpx.put(server.store_url, params={"graph": str(graph_iri("a3"))},
                      content=_article_graph("a3", "Ash Carter").serialize(format="nt"),
                      headers={"Content-Type": "application/n-triples"}, timeout=10)
        assert r.status_code in (200, 201, 204)
        assert _labels(server.query_url) == {"John Dorrian", "Ash Carter"}
    assert KgStore(path, read_only=True).graph_names() == sorted(
        [str(graph_iri("a1")), str(graph_iri("a3"))])


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no kgraid store"):
        OxigraphServer(tmp_path / "nope.db", port=free_port()).start()


def test_port_in_use_is_a_clear_error(store_dir: Path) -> None:
    port = free_port()
    with OxigraphServer(store_dir, port=port):
        with pytest.raises(EndpointError, match="cannot listen"):
            OxigraphServer(store_dir, port=port).start(wait=20)


@pytest.mark.parametrize("bind,expected", [("127.0.0.1:7878", ("127.0.0.1", 7878)),
                                           ("[::1]:8000", ("::1", 8000)),
                                           ("localhost:1", ("localhost", 1))])
def test_parse_bind(bind: str, expected: tuple[str, int]) -> None:
    assert parse_bind(bind) == expected


@pytest.mark.parametrize("bind", ["7878", "host:", "host:99999", ":80", "h:x"])
def test_parse_bind_rejects(bind: str) -> None:
    with pytest.raises(ValueError):
        parse_bind(bind)


def test_cli_defaults() -> None:
    parser = argparse.ArgumentParser(prog="kgraid")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", "--store", "kg.db"])
    assert args.bind == "127.0.0.1:7878" and args.writable is False
    assert "serve" in parser.format_help()


_RUNNER = """
import argparse, logging, sys
from kgraid.serve import register
p = argparse.ArgumentParser(prog="kgraid")
register(p.add_subparsers(dest="command"))
args = p.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""


def test_cli_serves_until_sigterm(store_dir: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", _RUNNER, "serve", "--store", str(store_dir),
                             "--bind", f"127.0.0.1:{port}", "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["query"] == f"http://127.0.0.1:{port}/query"
        assert info["writable"] is False
        assert _labels(info["query"]) == {"John Dorrian", "Abu Sayyaf"}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        time.sleep(0.2)
        with pytest.raises(httpx.TransportError):  # the oxigraph child is gone too
            httpx.get(info["query"], params={"query": "ASK {}"}, timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_store_locked_by_a_writer_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "kg.db"
    writer = KgStore(path)  # holds the store's write lock, as a running build does
    writer.replace_graph(_article_graph("a1", "John Dorrian"))
    with pytest.raises(EndpointError, match="stopped at start"):
        OxigraphServer(path, port=free_port(), writable=True).start(wait=20)
    writer.close()
