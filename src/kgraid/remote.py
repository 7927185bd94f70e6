"""A kgraid store on a remote SPARQL 1.1 server: ``kgraid build ... --store http://HOST:PORT``.

Articles are written with the SPARQL 1.1 Graph Store HTTP Protocol, one ``PUT`` per article
graph: a PUT replaces the whole graph, so a re-run writes the same graph again and the result
is the same (idempotent). Writes are buffered and sent in batches over one keep-alive
connection pool, several at a time. Content hashes (for incremental builds) and queries go to
the SPARQL 1.1 Protocol query endpoint.

No partial write looks complete: a PUT is one transaction on the servers kgraid targets
(Oxigraph, Fuseki, GraphDB...), and in case a server applies a PUT as a stream, the article's
``kgr:contentHash`` triple (the mark that says "this article is built") is sent last, so a graph
cut short has no hash and is rebuilt by the next run. A batch that fails raises
:class:`~kgraid.errors.EndpointError` naming exactly which graphs were not written.

Every request has a bounded timeout; refused connections, time-outs, 429 (honouring
``Retry-After`` up to a limit) and 502/503/504 are retried a bounded number of times
(every request kgraid sends is idempotent), then reported as an ``EndpointError``.

Cross-article resolution (:func:`kgraid.resolve.resolve_remote`) reads with one query the
quads its rules compare (types, labels, operations' places and dates), fetches whole only the
graphs a merge rewrites, and PUTs back the graphs it changed.

Endpoint layout: ``RemoteStore("http://host:7878")`` uses Oxigraph's paths (``/query``,
``/update``, ``/store``); pass ``query_url=``/``store_url=`` for other servers (Fuseki:
``.../ds/query`` and ``.../ds/data``; GraphDB: ``.../repositories/R`` and
``.../repositories/R/rdf-graphs/service``).
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Callable, Mapping

import httpx
import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from .errors import EndpointError, QueryError
from .query import with_values
from .rdf import KGR, graph_iri
from .store import DERIVED_PREFIX, to_ox
from .httputil import RetryRefused, retry_after_seconds, retry_delay
from .wikidata.sparql import rows as sparql_rows

__all__ = ["RemoteStore", "is_remote", "DEFAULT_TIMEOUT"]

log = logging.getLogger(__name__)

#: Seconds to wait for a server to answer one request (connect: a fifth of it, at most 10 s).
DEFAULT_TIMEOUT = 60.0
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_RESULTS_JSON = "application/sparql-results+json"
_RESULTS_TSV = "text/tab-separated-values"
_NTRIPLES = "application/n-triples"
_HASH = str(KGR.contentHash)
_ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def is_remote(store: str) -> bool:
    """Whether a ``--store`` value names a remote SPARQL server rather than a directory."""
    return store.startswith(("http://", "https://"))


@dataclass
class _Pending:
    iri: str
    body: bytes
    content_hash: str | None


class RemoteStore:
    """The subset of :class:`kgraid.store.KgStore` a build needs, on a remote SPARQL server.

    ``replace_graph`` buffers; the buffer is sent every ``batch_size`` graphs, by ``flush()``,
    and by ``close()`` (also on leaving a ``with`` block without an error)."""

    def __init__(self, url: str, *, query_url: str | None = None,
                 store_url: str | None = None, update_url: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, batch_size: int = 64, workers: int = 4,
                 retries: int = 3, max_retry_after: float = 30.0,
                 client: httpx.Client | None = None) -> None:
        if not is_remote(url):
            raise EndpointError(f"{url}: not an http(s) URL")
        base = url.rstrip("/")
        self.url = base
        self.query_url = query_url or base + "/query"
        self.store_url = store_url or base + "/store"
        self.update_url = update_url or base + "/update"
        self.batch_size = max(1, batch_size)
        self.workers = max(1, workers)
        self.retries = max(0, retries)
        self.max_retry_after = max_retry_after
        self._owns_client = client is None
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout / 5)),
            limits=httpx.Limits(max_connections=self.workers,
                                max_keepalive_connections=self.workers),
            follow_redirects=False, trust_env=False)
        self._pending: list[_Pending] = []
        self._hashes: dict[str, str] | None = None
        self.written = 0  # graphs written since this store was opened
        #: called once, before the first graph is sent or deleted (kgraid.views drops the
        #: views there, so a write that stops half-way leaves none)
        self.before_write: Callable[[], None] | None = None

    # ------------------------------------------------------------------ HTTP
    def _request(self, method: str, url: str, **kw: object) -> httpx.Response:
        """One request with bounded retries; any failure becomes an EndpointError."""
        what = f"{method} {url}"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                r = self._client.request(method, url, **kw)  # type: ignore[arg-type]
            except httpx.TimeoutException as e:
                if last:
                    raise EndpointError(f"{what}: no answer within the time limit "
                                        f"({type(e).__name__}) after {attempt + 1} tries"
                                        ) from e
                self._sleep(attempt, None, what, type(e).__name__)
                continue
            except httpx.TransportError as e:
                if last:
                    raise EndpointError(f"{what}: cannot reach the server ({e}) after "
                                        f"{attempt + 1} tries; is it running?") from e
                self._sleep(attempt, None, what, str(e))
                continue
            if r.status_code in _RETRY_STATUSES and not last:
                try:
                    self._sleep(attempt, retry_after_seconds(r.headers.get("retry-after")),
                                what, f"HTTP {r.status_code}")
                except RetryRefused as refused:
                    raise EndpointError(f"{what}: HTTP {r.status_code}, the server asks to "
                                        f"retry in {refused.wait:.0f} s (more than the "
                                        f"{self.max_retry_after:.0f} s limit)") from None
                continue
            return r
        raise AssertionError("unreachable")

    def _sleep(self, attempt: int, wait: float | None, what: str, why: str) -> None:
        delay = retry_delay(wait, attempt, base=0.25, cap=8.0, limit=self.max_retry_after)
        log.warning("%s: %s; retrying in %.2f s", what, why, delay)
        time.sleep(delay)

    def _check(self, r: httpx.Response, what: str) -> None:
        if r.status_code >= 400:
            detail = r.text.strip().replace("\n", " ")[:300]
            raise EndpointError(f"{what}: HTTP {r.status_code} {r.reason_phrase}"
                                + (f": {detail}" if detail else ""))

    # ------------------------------------------------------------------ queries
    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None,
              ) -> list[dict[str, Node]] | bool | Graph:
        """Run a query on the server's query endpoint. SELECT gives a list of rows (variable
        name -> rdflib term, unbound variables left out), ASK a bool, CONSTRUCT/DESCRIBE an
        rdflib Graph. ``bindings`` are bound with :func:`kgraid.query.with_values` (a checked
        ``VALUES`` block of RDF terms), never pasted into the text."""
        text = with_values(sparql, bindings) if bindings else sparql
        r = self._request("POST", self.query_url, data={"query": text},
                          headers={"Accept": f"{_RESULTS_JSON}, {_NTRIPLES};q=0.9"})
        if r.status_code == 400:
            raise QueryError(f"{self.query_url}: the server refused the query: "
                             f"{r.text.strip()[:300]}")
        self._check(r, f"query at {self.query_url}")
        ctype = r.headers.get("content-type", "").split(";")[0].strip()
        if ctype == _NTRIPLES:
            return self._parse_graph(r.content, self.query_url)
        try:
            doc = r.json()
            if "boolean" in doc:
                return bool(doc["boolean"])
            return sparql_rows(doc["results"]["bindings"])
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise EndpointError(f"query at {self.query_url}: malformed results "
                                f"({ctype or 'no content type'}): {e}") from e

    def _select(self, sparql: str, bindings: Mapping[str, Node] | None = None,
                ) -> list[dict[str, Node]]:
        rows = self.query(sparql, bindings)
        if not isinstance(rows, list):
            raise EndpointError(f"query at {self.query_url}: expected SELECT results")
        return rows

    @staticmethod
    def _parse_graph(data: bytes, where: str, iri: str | None = None) -> Graph:
        g = Graph(identifier=URIRef(iri) if iri else None)
        try:
            g.parse(data=data.decode("utf-8"), format="nt")
        except Exception as e:  # rdflib raises many parser exception types
            raise EndpointError(f"{where}: malformed N-Triples from the server: {e}") from e
        return g

    # ------------------------------------------------------------------ articles
    def _load_hashes(self) -> dict[str, str]:
        if self._hashes is None:
            rows = self._select(
                "SELECT ?g ?h WHERE { GRAPH ?g { ?a <" + _HASH + "> ?h } }")
            self._hashes = {str(r["g"]): str(r["h"]) for r in rows if "g" in r and "h" in r}
            log.info("%s: %d article hashes read", self.url, len(self._hashes))
        return self._hashes

    def article_hash(self, article_id: str) -> str | None:
        """The content hash of the article as stored on the server, or None. All hashes are
        read with one query on first use and kept up to date by this store's writes."""
        return self._load_hashes().get(str(graph_iri(article_id)))

    def graph_names(self) -> list[str]:
        self.flush()
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(r["g"]) for r in rows if "g" in r)

    def graph(self, iri: str) -> Graph:
        """One named graph as an rdflib Graph (empty if the server has no such graph)."""
        data = self.graph_ntriples(iri)
        if data is None:
            return Graph(identifier=URIRef(iri))
        return self._parse_graph(data, f"GET graph <{iri}>", iri)

    def graph_ntriples(self, iri: str) -> bytes | None:
        """One named graph as the server sends it (N-Triples), or None if it has no such
        graph: one Graph Store Protocol ``GET``."""
        self.flush()
        r = self._request("GET", self.store_url, params={"graph": iri},
                          headers={"Accept": _NTRIPLES})
        if r.status_code == 404:
            return None
        self._check(r, f"GET graph <{iri}>")
        return r.content

    def quads(self) -> list[ox.Quad]:
        """Every triple of every named graph, as pyoxigraph quads, read with one SELECT."""
        data = self._all_quads()
        if isinstance(data, list):
            return data
        try:
            return list(ox.parse(data, format=ox.RdfFormat.TRIG))
        except SyntaxError as e:
            raise self._malformed(e) from e

    def load_into(self, store: ox.Store, query: str = _ALL_QUADS) -> int:
        """Copy every named graph into ``store``, parsed straight into it; returns the number
        of quads read. ``query``, a SELECT of ``?g ?s ?p ?o``, copies only the quads it
        selects instead (what cross-article resolution reads to decide its merges). On
        malformed results, raises EndpointError with ``store`` possibly part-filled."""
        data = self._all_quads(query)
        if isinstance(data, list):
            store.extend(data)
            return len(data)
        try:  # a syntax error stops the load part-way: the caller's store is a scratch copy
            store.load(data, format=ox.RdfFormat.TRIG)
        except SyntaxError as e:
            raise self._malformed(e) from e
        return data.count(b"\n") + 1 if data else 0

    def _malformed(self, e: Exception) -> EndpointError:
        return EndpointError(f"query at {self.query_url}: malformed results "
                             f"({_RESULTS_TSV}): {e}")

    def _all_quads(self, query: str = _ALL_QUADS) -> bytes | list[ox.Quad]:
        """One SELECT of every quad (or those ``query`` selects), asked for as SPARQL TSV
        results, whose cells are RDF terms in Turtle syntax: each row becomes one TriG
        statement for pyoxigraph's parser (returned as TriG text; 500k quads in about 4 s
        against 25 s through JSON and rdflib terms). JSON results, if that is what the server
        sends, come back as quads."""
        self.flush()
        r = self._request("POST", self.query_url, data={"query": query},
                          headers={"Accept": f"{_RESULTS_TSV}, {_RESULTS_JSON};q=0.5"})
        self._check(r, f"query at {self.query_url}")
        ctype = r.headers.get("content-type", "").split(";")[0].strip()
        try:
            if ctype == _RESULTS_TSV:
                return self._tsv_to_trig(r.content)
            doc = r.json()
            return [ox.Quad(to_ox(x["s"]), to_ox(x["p"]), to_ox(x["o"]),  # type: ignore[arg-type]
                            ox.NamedNode(str(x["g"])))
                    for x in sparql_rows(doc["results"]["bindings"])]
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise EndpointError(f"query at {self.query_url}: malformed results "
                                f"({ctype or 'no content type'}): {e}") from e

    @staticmethod
    def _tsv_to_trig(data: bytes) -> bytes:
        lines = data.split(b"\n")
        head = lines[0].strip().split(b"\t")
        if head != [b"?g", b"?s", b"?p", b"?o"]:
            raise ValueError(f"unexpected header {lines[0][:80]!r}")
        trig = []
        for line in lines[1:]:
            if not line.strip():
                continue
            cells = line.split(b"\t")
            if len(cells) != 4:
                raise ValueError(f"a row with {len(cells)} cells: {line[:80]!r}")
            g, s, p, o = cells
            trig.append(b"%s { %s %s %s }" % (g, s, p, o))
        return b"\n".join(trig)

    # ------------------------------------------------------------------ writes
    @staticmethod
    def _body(graph: Graph) -> tuple[bytes, str | None]:
        """N-Triples of ``graph`` with the content-hash triple(s) last."""
        rest: list[ox.Triple] = []
        marks: list[ox.Triple] = []
        content_hash = None
        for s, p, o in graph:
            t = ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
            if str(p) == _HASH:
                marks.append(t)
                content_hash = str(o)
            else:
                rest.append(t)
        body = ox.serialize(rest + marks, format=ox.RdfFormat.N_TRIPLES)
        return body or b"", content_hash

    def replace_graph(self, graph: Graph) -> int:
        """Queue ``graph`` to replace the named graph ``graph.identifier`` on the server;
        returns the number of triples. Sent with the next batch."""
        body, content_hash = self._body(graph)
        self._pending.append(_Pending(str(graph.identifier), body, content_hash))
        if len(self._pending) >= self.batch_size:
            self.flush()
        return len(graph)

    def replace_ntriples(self, iri: str, ntriples: bytes) -> int:
        """Like :meth:`replace_graph` for a graph already serialized as N-Triples (what the
        build's workers return): no rdflib round trip. Returns the number of triples."""
        rest: list[ox.Triple] = []
        marks: list[ox.Triple] = []
        content_hash = None
        try:
            for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
                if t.predicate.value == _HASH:
                    marks.append(t)
                    content_hash = t.object.value
                else:
                    rest.append(t)
        except SyntaxError as e:
            raise EndpointError(f"graph <{iri}>: not valid N-Triples: {e}") from e
        body = ox.serialize(rest + marks, format=ox.RdfFormat.N_TRIPLES) or b""
        self._pending.append(_Pending(iri, body, content_hash))
        if len(self._pending) >= self.batch_size:
            self.flush()
        return len(rest) + len(marks)

    def _put(self, item: _Pending) -> None:
        r = self._request("PUT", self.store_url, params={"graph": item.iri}, content=item.body,
                          headers={"Content-Type": _NTRIPLES})
        self._check(r, f"PUT graph <{item.iri}>")

    def flush(self) -> None:
        """Send every queued graph. Raises EndpointError naming the graphs not written (the
        others are written whole); those stay queued, so a later flush retries them."""
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        self._writing()
        failed: list[tuple[_Pending, EndpointError]] = []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(batch))) as pool:
            futures = [(item, pool.submit(self._put, item)) for item in batch]
            for item, fut in futures:
                try:
                    fut.result()
                except EndpointError as e:
                    failed.append((item, e))
                    continue
                self.written += 1
                if self._hashes is not None and not item.iri.startswith(DERIVED_PREFIX):
                    if item.content_hash is None:
                        self._hashes.pop(item.iri, None)
                    else:
                        self._hashes[item.iri] = item.content_hash
        if failed:
            self._pending = [item for item, _ in failed] + self._pending
            if self._hashes is not None:
                for item, _ in failed:  # the server may hold the old graph or none
                    self._hashes.pop(item.iri, None)
            names = ", ".join(f"<{item.iri}>" for item, _ in failed[:5])
            more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
            raise EndpointError(f"{self.store_url}: {len(failed)} of {len(batch)} graphs not "
                                f"written ({names}{more}): {failed[0][1]}")

    def remove_graph(self, iri: str) -> bool:
        """Delete a named graph; False if the server did not have it."""
        self.flush()
        self._writing()
        r = self._request("DELETE", self.store_url, params={"graph": iri})
        if r.status_code == 404:
            return False
        self._check(r, f"DELETE graph <{iri}>")
        if self._hashes is not None:
            self._hashes.pop(iri, None)
        return True

    def _writing(self) -> None:
        hook, self.before_write = self.before_write, None
        if hook is not None:
            hook()

    def discard_pending(self) -> int:
        """Drop queued graphs without sending them (after an error); returns how many."""
        n, self._pending = len(self._pending), []
        return n

    @property
    def pending(self) -> int:
        return len(self._pending)

    def __len__(self) -> int:
        self.flush()
        rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]) if rows else 0  # type: ignore[call-overload]

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._owns_client:
                self._client.close()

    def __enter__(self) -> "RemoteStore":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            dropped = self.discard_pending()
            if dropped:
                log.warning("%s: %d queued graphs not sent after an error", self.url, dropped)
            if self._owns_client:
                self._client.close()
            return
        self.close()

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"
