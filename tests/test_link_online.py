"""Online Wikidata linking against real local servers on 127.0.0.1, never the internet.

- a real ``oxigraph serve`` loaded with tests/fixtures/wikidata/wikidata-sample.ttl, a small
  copy of Wikidata's RDF shape (wd:/wdt:, rdfs:label, skos:altLabel, schema:description);
- in front of it, a small HTTP proxy (http.server in a thread) that counts the requests it
  sees and can be told to misbehave: 429 with Retry-After, 500, hang, malformed JSON;
- a port nobody listens on (connection refused).
"""
from __future__ import annotations

import io
import json
import os
import shutil
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from kgraid.serve import OxigraphServer
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL

from kgraid.errors import EndpointError, QueryError
from kgraid.facts import ArticleFacts, Entity, Evidence, Operation
from kgraid.ingest import Article
from kgraid.link import GEO, LINKS_GRAPH, SCHEMA, WDT, link_store, validate_links
from kgraid.rdf import KGR, WD, article_graph, entity_iri
from kgraid.store import KgStore
from kgraid.wikidata.client import USER_AGENT, SparqlClient
from kgraid.wikidata.sparql import fill_values, load_query

pytestmark = pytest.mark.server

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata" / "wikidata-sample.ttl"
ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------- servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    return found


@contextmanager
def running_oxigraph(data: bytes | None = None) -> Iterator[str]:
    """A real in-memory `oxigraph serve` on 127.0.0.1, with ``data`` (Turtle) in its default
    graph; yields its base URL."""
    oxigraph_binary()  # skips when the server is not installed
    with OxigraphServer(None, port=free_port()) as server:  # in memory, writable
        req = urllib.request.Request(server.store_url + "?default", data=data or b"",
                                     method="POST", headers={"Content-Type": "text/turtle"})
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.status in (200, 201, 204)
        yield server.base_url


@pytest.fixture(scope="module")
def oxigraph() -> Iterator[str]:
    """The Wikidata stand-in: oxigraph loaded with the fixture; yields its query URL."""
    with running_oxigraph(FIXTURE.read_bytes()) as base:
        yield base + "/query"


@dataclass
class Seen:
    method: str
    path: str
    user_agent: str
    query: str
    at: float


@dataclass
class Proxy:
    """What the proxy does and what it saw. ``script`` is consumed one entry per request;
    when it is empty, ``default`` applies. Actions: "forward", "429:<retry-after>", "500",
    "503", "hang", "garbage", "truncated"."""

    upstream: str | None
    script: list[str] = field(default_factory=list)
    default: str = "forward"
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    @property
    def count(self) -> int:
        return len(self.seen)


def _handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _answer(self, status: int, body: bytes, ctype: str = "text/plain",
                    headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _handle(self, body: bytes | None) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            params = urllib.parse.parse_qs(parsed.query)
            if body and self.headers.get("Content-Type", "").startswith(
                    "application/x-www-form-urlencoded"):
                params.update(urllib.parse.parse_qs(body.decode()))
            proxy.seen.append(Seen(self.command, parsed.path,
                                   self.headers.get("User-Agent", ""),
                                   params.get("query", [""])[0], time.monotonic()))
            action = proxy.script.pop(0) if proxy.script else proxy.default
            if action.startswith("429"):
                self._answer(429, b"Too Many Requests",
                             headers={"Retry-After": action.split(":", 1)[1]})
            elif action in ("500", "503"):
                self._answer(int(action), b"the server broke")
            elif action == "hang":
                proxy.release.wait(30)  # never answers while the test waits
            elif action == "garbage":
                self._answer(200, b'{"head": {"vars": ["item"]}, "results": {"bindi',
                             "application/sparql-results+json")
            elif action == "truncated":
                self._answer(200, b'{"head": {"vars": []}, "results": 42}',
                             "application/sparql-results+json")
            else:
                assert proxy.upstream, "nothing to forward to"
                req = urllib.request.Request(
                    proxy.upstream + ("?" + parsed.query if parsed.query else ""),
                    data=body, method=self.command,
                    headers={k: v for k, v in self.headers.items()
                             if k.lower() in ("accept", "content-type")})
                try:
                    with urllib.request.urlopen(req, timeout=20) as r:
                        self._answer(r.status, r.read(), r.headers.get("Content-Type", ""))
                except urllib.error.HTTPError as e:
                    self._answer(e.code, e.read(), e.headers.get("Content-Type", ""))

        def do_GET(self) -> None:
            self._handle(None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            self._handle(self.rfile.read(length))

    return Handler


@pytest.fixture
def proxy(oxigraph: str) -> Iterator[Proxy]:
    p = Proxy(upstream=oxigraph)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(p))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    p.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        yield p
    finally:
        p.release.set()
        server.shutdown()
        server.server_close()


def client(url: str, **kw: object) -> SparqlClient:
    opts: dict[str, object] = dict(timeout=5.0, retries=2, backoff=0.05, min_interval=0.0)
    opts.update(kw)
    return SparqlClient(url, **opts)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- data
def ent(kind: str, label: str, *alts: str, etype: str | None = None) -> Entity:
    return Entity(kind=kind, label=label, alt_labels=set(alts), entity_type=etype)  # type: ignore[arg-type]


def add_article(store: KgStore, article_id: str, entities: list[Entity],
                operations: list[Operation] | None = None) -> None:
    facts = ArticleFacts(entities={e.key: e for e in entities}, operations=operations or [])
    art = Article(id=article_id, text="text of " + article_id, title=article_id)
    store.replace_graph(article_graph(art, facts, content_hash="h-" + article_id))


def iri(kind: str, label: str) -> str:
    return str(entity_iri((kind, label)))


RAID = Operation(op_type="Raid", trigger="raid", places=[("Place", "Qamishli")],
                 evidence=[Evidence("A raid near Qamishli.", 0, 21)])


def seed_store() -> KgStore:
    s = KgStore(None)
    add_article(s, "raid", [
        ent("Place", "Syria", etype="country"),
        ent("Place", "Qamishli", etype="city"),
        ent("Place", "Hassakeh province", etype="governorate"),
        ent("Organization", "Islamic State", "ISIS"),
        ent("Organization", "Syrian Observatory for Human Rights", "SOHR"),
        ent("Person", "Adnani"),
        ent("Place", "Tasil"),
        ent("Place", "Tal Tamr"),
        ent("Person", "Rakkan Wahid al-Shammri"),
        ent("Organization", 'Evil" } ; DROP ALL ; SELECT * { ?s ?p ?o } #'),
        ent("Place", "Quote's \\ back\\slash {braces} <angle> ?var $var"),
        ent("Place", "escape \\u0022 } ?s ?p ?o"),
    ], [RAID])
    return s


def decisions(report: object) -> dict[str, object]:
    return {d.label: d for d in report.decisions}  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- linking
def test_online_links_by_label_alias_type_and_context(proxy: Proxy, tmp_path: Path) -> None:
    s = seed_store()
    report = link_store(s, online=True, client=client(proxy.url), cache_dir=tmp_path)
    assert report.ok, report.endpoint_error
    d = decisions(report)
    # offline first: these never reach the endpoint's scoring
    assert d["Syria"].method == "gazetteer" and d["Syria"].qid == "Q858"
    assert d["Islamic State"].method == "gazetteer"
    # the city, not the poet of the same name (type), with Syria as context
    assert d["Qamishli"].qid == "Q99990001" and d["Qamishli"].method == "wikidata"
    assert "context Q858" in d["Qamishli"].reason
    # in the gazetteer without an id: linked online by its label
    assert d["Syrian Observatory for Human Rights"].qid == "Q99990008"
    # the person (alias, human, member of the Islamic State mentioned beside him), not the
    # family name "Adnani" whose label matches better
    assert d["Adnani"].qid == "Q99990006"
    assert "context Q2429253" in d["Adnani"].reason
    # a label in Wikidata's "mul" language
    assert d["Tal Tamr"].qid == "Q99990009"
    # only a candidate of unknown type: below the threshold
    assert d["Tasil"].qid is None and d["Tasil"].status == "below-threshold"
    # names full of SPARQL syntax are just names
    assert d['Evil" } ; DROP ALL ; SELECT * { ?s ?p ?o } #'].qid is None
    assert d['Rakkan Wahid al-Shammri'].status == "no-candidate"
    assert d["escape \\u0022 } ?s ?p ?o"].qid is None
    assert report.linked_online == 4 and report.errors == 0
    links = store_links(s)
    assert links[iri("Place", "Qamishli")] == {"Q99990001"}
    # every request identified itself and was a query the server could parse
    assert proxy.count == report.requests_sent > 0
    assert all(r.user_agent == USER_AGENT and "kgraid/" in r.user_agent for r in proxy.seen)
    assert all("VALUES ?name" in r.query for r in proxy.seen)
    g = s.graph(LINKS_GRAPH)
    rec = next(g.subjects(RDF.subject, URIRef(iri("Place", "Qamishli"))))
    assert g.value(rec, KGR.rule) == Literal("wikidata-search")
    assert float(g.value(rec, KGR.confidence)) == 1.0
    conforms, text = validate_links(s)
    assert conforms, text


def store_links(s: KgStore) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in s.query("SELECT ?e ?x WHERE { ?e <http://www.w3.org/2002/07/owl#sameAs> ?x }"):
        out.setdefault(row["e"].value, set()).add(row["x"].value.rsplit("/", 1)[-1])
    return out


@pytest.mark.parametrize("country, expected", [("Iraq", "Q99990005"), ("Syria", "Q99990004"),
                                               (None, None)])
def test_context_picks_between_places_named_alike(proxy: Proxy, tmp_path: Path,
                                                  country: str | None,
                                                  expected: str | None) -> None:
    s = KgStore(None)
    ents = [ent("Place", "Al-Hamidiyah")] + ([ent("Place", country)] if country else [])
    add_article(s, "village", ents)
    add_article(s, "elsewhere", [ent("Place", "Iraq" if country == "Syria" else "Syria")]
                if country else [])
    report = link_store(s, online=True, client=client(proxy.url), cache_dir=tmp_path)
    d = decisions(report)["Al-Hamidiyah"]
    assert d.qid == expected
    if expected is None:
        assert d.status == "ambiguous" and "Q99990004" in d.reason and "Q99990005" in d.reason


def test_rerun_sends_zero_requests(proxy: Proxy, tmp_path: Path) -> None:
    s = seed_store()
    first = link_store(s, online=True, enrich=True, client=client(proxy.url),
                       cache_dir=tmp_path)
    sent = proxy.count
    assert first.ok and sent == first.requests_sent > 0
    graph1 = s.graph(LINKS_GRAPH)
    # a new client, a new run, a new store object: the same answers come from the cache
    s2 = seed_store()
    second = link_store(s2, online=True, enrich=True, client=client(proxy.url),
                        cache_dir=tmp_path)
    assert proxy.count == sent, "the rerun sent requests"
    assert second.requests_sent == 0 and second.cache_hits >= first.cache_hits + sent
    assert isomorphic(s2.graph(LINKS_GRAPH), graph1)
    # ... even when the endpoint is down now
    proxy.default = "500"
    third = link_store(seed_store(), online=True, enrich=True, client=client(proxy.url),
                       cache_dir=tmp_path)
    assert third.ok and proxy.count == sent


def test_enrich_adds_coordinates_country_and_description(proxy: Proxy, tmp_path: Path) -> None:
    s = seed_store()
    report = link_store(s, online=True, enrich=True, client=client(proxy.url),
                        cache_dir=tmp_path)
    assert report.ok and report.enriched >= 3
    g = s.graph(LINKS_GRAPH)
    qamishli = URIRef(iri("Place", "Qamishli"))
    geom = g.value(qamishli, GEO.hasGeometry)
    assert (geom, RDF.type, GEO.Geometry) in g
    wkt = g.value(geom, GEO.asWKT)
    assert wkt == Literal("Point(41.2167 37.05)", datatype=GEO.wktLiteral)
    assert (qamishli, WDT.P17, WD.Q858) in g
    assert g.value(qamishli, SCHEMA.description).language == "en"
    # only the English description of Syria, not the French one
    syria = URIRef(iri("Place", "Syria"))
    assert {str(o) for o in g.objects(syria, SCHEMA.description)} == {"country in Western Asia"}
    # the chain of administrative parents, as Wikidata states it
    assert (WD.Q99990001, WDT.P131, WD.Q99990002) in g
    assert (WD.Q99990002, WDT.P131, WD.Q233914) in g
    conforms, text = validate_links(s)
    assert conforms, text

    rows = list(s.query((ROOT / "queries" / "links_entities_with_coordinates.rq").read_text(),
                        {"kind": KGR.Place}))
    by_label = {r["label"].value: r for r in rows}
    assert by_label["Qamishli"]["wkt"].value == "Point(41.2167 37.05)"
    assert by_label["Qamishli"]["country"].value == str(WD.Q858)
    assert {"Syria", "Qamishli", "Hassakeh province"} <= set(by_label)
    assert not any(r["kind"].value != str(KGR.Place) for r in rows)
    # the raid at Qamishli counts for Al-Hasakah Governorate through Qamishli District
    rows = list(s.query((ROOT / "queries" / "links_operations_per_governorate.rq").read_text()))
    assert {(r["governorateItem"].value, int(r["operations"].value)) for r in rows} == {
        (str(WD.Q233914), 1)}


def test_enrich_without_online_enriches_offline_links_only(proxy: Proxy,
                                                          tmp_path: Path) -> None:
    s = seed_store()
    report = link_store(s, enrich=True, client=client(proxy.url), cache_dir=tmp_path)
    assert report.ok and report.linked_online == 0 and report.enriched >= 2
    assert all("VALUES ?item" in r.query for r in proxy.seen)  # no name was searched
    g = s.graph(LINKS_GRAPH)
    assert g.value(URIRef(iri("Place", "Syria")), GEO.hasGeometry) == URIRef(
        "https://w3id.org/kgraid/geometry/Q858")
    assert g.value(URIRef(iri("Place", "Qamishli")), GEO.hasGeometry) is None


def test_threshold_decides(proxy: Proxy, tmp_path: Path) -> None:
    s = seed_store()
    report = link_store(s, online=True, client=client(proxy.url), cache_dir=tmp_path,
                        threshold=0.9)
    d = decisions(report)
    assert d["Qamishli"].qid == "Q99990001"  # 1.0: label, type and context
    sohr = d["Syrian Observatory for Human Rights"]  # 0.8: label and type, no context
    assert sohr.qid is None and sohr.status == "below-threshold" and "0.80" in sohr.reason


def test_rate_limit_spaces_requests(proxy: Proxy, tmp_path: Path) -> None:
    s = KgStore(None)
    add_article(s, "a", [ent("Place", "Qamishli"), ent("Place", "Tasil"),
                         ent("Place", "Tal Tamr")])
    report = link_store(s, online=True, client=client(proxy.url, min_interval=0.3),
                        cache_dir=tmp_path, batch_size=1)
    assert report.ok and proxy.count == 3
    gaps = [b.at - a.at for a, b in zip(proxy.seen, proxy.seen[1:])]
    assert min(gaps) >= 0.25, gaps


# ---------------------------------------------------------------------- failing servers
def offline_graph() -> Graph:
    s = seed_store()
    link_store(s)
    return s.graph(LINKS_GRAPH)


def assert_left_offline(s: KgStore, report: object, expected_error: str) -> None:
    r = report
    assert not r.ok and r.errors == 1  # type: ignore[attr-defined]
    assert expected_error in (r.endpoint_error or "")  # type: ignore[attr-defined]
    assert r.linked_online == 0 and r.enriched == 0  # type: ignore[attr-defined]
    assert "ENDPOINT FAILED" in r.summary()  # type: ignore[attr-defined]
    # no partial write: exactly what an offline run writes
    assert isomorphic(s.graph(LINKS_GRAPH), offline_graph())


def test_429_with_retry_after_then_200(proxy: Proxy, tmp_path: Path) -> None:
    proxy.script = ["429:1"]
    s = KgStore(None)
    add_article(s, "a", [ent("Place", "Qamishli"), ent("Place", "Syria")])
    t0 = time.monotonic()
    report = link_store(s, online=True, client=client(proxy.url, backoff=0.01),
                        cache_dir=tmp_path)
    assert report.ok, report.endpoint_error
    assert decisions(report)["Qamishli"].qid == "Q99990001"
    assert proxy.count == 2 and report.requests_sent == 2
    # the retry waited as long as the server asked, not the 0.01 s backoff
    assert proxy.seen[1].at - proxy.seen[0].at >= 0.95
    assert time.monotonic() - t0 < 10


def test_retry_after_longer_than_the_limit_fails_at_once(proxy: Proxy, tmp_path: Path) -> None:
    proxy.default = "429:3600"
    s = seed_store()
    t0 = time.monotonic()
    report = link_store(s, online=True, client=client(proxy.url, max_retry_after=5),
                        cache_dir=tmp_path)
    assert time.monotonic() - t0 < 5
    assert proxy.count == 1
    assert_left_offline(s, report, "retry in 3600 s")


def test_server_that_never_answers(proxy: Proxy, tmp_path: Path) -> None:
    proxy.default = "hang"
    s = seed_store()
    t0 = time.monotonic()
    report = link_store(s, online=True, client=client(proxy.url, timeout=0.5, retries=1),
                        cache_dir=tmp_path)
    elapsed = time.monotonic() - t0
    assert 0.95 <= elapsed < 8, elapsed  # two tries of half a second each, then it gives up
    assert proxy.count == 2
    assert_left_offline(s, report, "no answer within 0.5 s")


def test_server_error_500_is_retried_then_reported(proxy: Proxy, tmp_path: Path) -> None:
    proxy.default = "500"
    s = seed_store()
    report = link_store(s, online=True, client=client(proxy.url, retries=2),
                        cache_dir=tmp_path)
    assert proxy.count == 3
    assert_left_offline(s, report, "HTTP 500")


def test_503_then_success(proxy: Proxy, tmp_path: Path) -> None:
    proxy.script = ["503", "503"]
    s = KgStore(None)
    add_article(s, "a", [ent("Place", "Qamishli")])
    report = link_store(s, online=True, client=client(proxy.url, retries=2),
                        cache_dir=tmp_path)
    assert report.ok and decisions(report)["Qamishli"].qid == "Q99990001"
    assert proxy.count == 3


@pytest.mark.parametrize("action", ["garbage", "truncated"])
def test_malformed_results(proxy: Proxy, tmp_path: Path, action: str) -> None:
    proxy.default = action
    s = seed_store()
    report = link_store(s, online=True, client=client(proxy.url), cache_dir=tmp_path)
    assert proxy.count == 1  # a malformed answer is not retried
    assert_left_offline(s, report, "malformed SPARQL results")
    # and it was not cached: a healthy server is asked again next time
    proxy.default = "forward"
    again = link_store(s, online=True, client=client(proxy.url), cache_dir=tmp_path)
    assert again.ok and proxy.count > 1


def test_connection_refused(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    s = seed_store()
    t0 = time.monotonic()
    report = link_store(s, online=True, client=client(url, retries=1), cache_dir=tmp_path)
    assert time.monotonic() - t0 < 5
    assert report.requests_sent == 2
    assert_left_offline(s, report, "cannot connect")


def test_failure_midway_keeps_answers_already_received(proxy: Proxy, tmp_path: Path) -> None:
    # the first batch is answered, the second fails: nothing online is written, but the
    # answer received is cached, so the next run asks only for the rest
    proxy.script = ["forward", "500", "500"]
    s = seed_store()
    report = link_store(s, online=True, client=client(proxy.url, retries=1),
                        cache_dir=tmp_path, batch_size=3)
    assert not report.ok and proxy.count == 3
    again = link_store(s, online=True, client=client(proxy.url), cache_dir=tmp_path,
                       batch_size=3)
    assert again.ok and again.cache_hits == 3 and again.linked_online == 4


def test_build_style_call_never_raises_on_endpoint_failure(tmp_path: Path) -> None:
    # what `kgraid build --link online` does: link_store with a dead endpoint returns a report
    s = seed_store()
    report = link_store(s, online=True, endpoint=f"http://127.0.0.1:{free_port()}/sparql",
                        cache_dir=tmp_path, retries=0, timeout=1)
    assert report.endpoint_error and report.linked_offline >= 2


# ---------------------------------------------------------------------- remote store
def test_links_in_a_remote_store(proxy: Proxy, tmp_path: Path) -> None:
    """`kgraid build --store http://... --link`: the links graph is written to the server."""
    from kgraid.remote import RemoteStore

    embedded = seed_store()
    link_store(embedded, online=True, client=client(proxy.url), cache_dir=tmp_path)
    with running_oxigraph() as base, RemoteStore(base, timeout=10) as remote:
        for gid in embedded.graph_names():
            if gid != LINKS_GRAPH:
                remote.replace_graph(embedded.graph(gid))
        remote.flush()
        sent = proxy.count
        report = link_store(remote, online=True, client=client(proxy.url), cache_dir=tmp_path)
        assert report.ok and report.linked_online == 4 and proxy.count == sent  # cached
        assert isomorphic(remote.graph(LINKS_GRAPH), embedded.graph(LINKS_GRAPH))
        # a rerun replaces the graph on the server too
        report = link_store(remote)
        assert report.linked_online == 0
        assert isomorphic(remote.graph(LINKS_GRAPH), offline_graph())


# ---------------------------------------------------------------------- CLI
def test_cli_online_and_failing(proxy: Proxy, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    from kgraid.cli import main

    path = tmp_path / "store"
    with KgStore(path) as s:
        add_article(s, "a", [ent("Place", "Qamishli"), ent("Place", "Syria")])
    code = main(["link", "--store", str(path), "--online", "--endpoint", proxy.url,
                 "--cache", str(tmp_path / "c"), "--format", "json", "-q"])
    out = capsys.readouterr()
    assert code == 0, out.err
    data = json.loads(out.out)
    assert data["linked_online"] == 1 and data["requests_sent"] == 1
    dead = f"http://127.0.0.1:{free_port()}/sparql"
    code = main(["link", "--store", str(path), "--online", "--endpoint", dead,
                 "--cache", str(tmp_path / "c2"), "--timeout", "1", "--retries", "0"])
    out = capsys.readouterr()
    assert code == 1
    assert "cannot connect" in out.err and dead in out.err
    assert "ENDPOINT FAILED" in out.out


# ---------------------------------------------------------------------- query text
NASTY = ['plain', 'a "quoted" name', "it's", "back\\slash", "new\nline", "} } DROP ALL {",
         "tab\there", "emoji 🙂", "right-to-left \u0627\u0644\u0631\u0642\u0629",
         '""" triple', "'''", "?var $var <iri> #comment", "\\\\ two backslashes"]


def test_fill_values_binds_exactly_the_given_terms() -> None:
    terms = [Literal(n, lang="en") for n in NASTY]
    q = fill_values(load_query("wikidata_candidates.rq"), "name", terms)
    assert q.count("VALUES ?name {") == 1
    items = [WD.Q1, URIRef("http://www.wikidata.org/entity/Q2")]
    fill_values(load_query("wikidata_enrich.rq"), "item", items)
    with pytest.raises(QueryError):
        fill_values("SELECT * WHERE { ?s ?p ?o }", "name", terms)
    # parsers that expand \u escapes before parsing would read another name: refused
    with pytest.raises(QueryError, match="binds"):
        fill_values(load_query("wikidata_candidates.rq"), "name",
                    [Literal("\\u0022 } ?s ?p ?o {", lang="en")])
    with pytest.raises(QueryError):
        fill_values(load_query("wikidata_enrich.rq"), "item", [URIRef("http://x/> ?s ?p <y")])
    with pytest.raises(QueryError):
        fill_values(load_query("wikidata_enrich.rq"), "item", [])


def test_nasty_names_round_trip_through_the_server(oxigraph: str) -> None:
    # The server parses each name back to exactly the literal sent.
    terms = [Literal(n, lang="en") for n in NASTY]
    q = fill_values("SELECT ?name WHERE { VALUES ?name { } }", "name", terms)
    rows = client(oxigraph).select(q)
    assert sorted(r["name"]["value"] for r in rows) == sorted(NASTY)


def test_client_rejects_non_http_endpoints() -> None:
    with pytest.raises(EndpointError):
        SparqlClient("file:///etc/passwd")


_ = (io, os, redirect_stdout, OWL)
