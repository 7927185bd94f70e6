"""A query's SERVICE clause sends no request unless the user allows it."""
import http.server
import threading

import pytest

from kgraid.errors import QueryError
from kgraid.query import run_query


@pytest.fixture()
def counting_server():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()
        do_POST = do_GET  # noqa: N815

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/sparql", hits
    srv.shutdown()


def test_service_is_refused_and_sends_nothing(seed_store, counting_server):
    url, hits = counting_server
    q = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryError, match="SERVICE"):
        run_query(q, store=seed_store)
    assert hits == []


def test_the_word_service_in_a_string_is_no_service(seed_store):
    r = run_query('SELECT ?x WHERE { BIND("SERVICE" AS ?x) }', store=seed_store)
    assert [str(row[0]) for row in r.rows] == ["SERVICE"]
