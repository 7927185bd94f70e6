"""User RDF never makes kgraid fetch anything: JSON-LD remote contexts, owl:imports and XML
external entities are refused or left alone, checked against a real HTTP server on 127.0.0.1
that counts every request it gets (``kgraid validate FILE`` and ``kgraid.export.load_rdf``)."""
from __future__ import annotations

import contextlib
import io
import json
import resource
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kgraid.cli import main as kgraid_main
from kgraid.errors import InputError

SECRET = "kgraid-secret-file-content"


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).hits.append(self.path)
        body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
        if self.path.endswith(".ttl"):
            body = b"<http://evil.test/s> <http://evil.test/p> \"fetched\" ."
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    _Recorder.hits = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", _Recorder.hits
    srv.shutdown()
    srv.server_close()


def validate(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = kgraid_main(["validate", str(path)])
    return rc, out.getvalue(), err.getvalue()


def _jsonld_cases(url: str) -> dict[str, object]:
    return {
        "string": {"@context": f"{url}/ctx.jsonld", "@id": "http://x.test/a", "name": "A"},
        "list": {"@context": [{"@vocab": "http://x.test/"}, f"{url}/ctx2.jsonld"],
                 "@id": "http://x.test/a", "name": "A"},
        "import": {"@context": {"@import": f"{url}/ctx3.jsonld", "@vocab": "http://x.test/"},
                   "@id": "http://x.test/a", "name": "A"},
        "nested": {"@context": {"@vocab": "http://x.test/"},
                   "@graph": [{"@context": f"{url}/ctx4.jsonld", "@id": "http://x.test/b",
                               "name": "B"}]},
        "scoped": {"@context": {"@vocab": "http://x.test/",
                                "knows": {"@id": "http://x.test/knows",
                                          "@context": f"{url}/ctx5.jsonld"}},
                   "@id": "http://x.test/a", "knows": {"name": "C"}},
    }


@pytest.mark.parametrize("case", ["string", "list", "import", "nested", "scoped"])
def test_jsonld_remote_context_is_refused_without_a_request(server, tmp_path, case) -> None:
    url, hits = server
    f = tmp_path / f"{case}.jsonld"
    f.write_text(json.dumps(_jsonld_cases(url)[case]))
    before = len(hits)
    rc, _, err = validate(f)
    assert rc == 2, err
    assert str(f) in err and "remote" in err and "context" in err
    time.sleep(0.05)
    assert hits[before:] == []


@pytest.mark.parametrize("case", ["string", "list", "import", "nested", "scoped"])
def test_load_rdf_refuses_remote_jsonld_context_without_a_request(server, tmp_path,
                                                                   case) -> None:
    from kgraid.export import load_rdf
    url, hits = server
    f = tmp_path / f"{case}.jsonld"
    f.write_text(json.dumps(_jsonld_cases(url)[case]))
    before = len(hits)
    with pytest.raises(InputError) as e:
        load_rdf(f)
    assert e.value.source == str(f)
    time.sleep(0.05)
    assert hits[before:] == []


OWL_IMPORTS = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
<http://x.test/onto> a owl:Ontology ; owl:imports <{url}/onto.ttl> .
"""


@pytest.mark.parametrize("suffix", ["ttl", "trig", "jsonld"])
def test_owl_imports_is_never_followed(server, tmp_path, suffix) -> None:
    url, hits = server
    f = tmp_path / f"onto.{suffix}"
    if suffix == "jsonld":
        f.write_text(json.dumps({"@id": "http://x.test/onto",
                                 "@type": "http://www.w3.org/2002/07/owl#Ontology",
                                 "http://www.w3.org/2002/07/owl#imports":
                                     {"@id": f"{url}/onto.ttl"}}))
    else:
        f.write_text(OWL_IMPORTS.format(url=url))
    before = len(hits)
    rc, out, err = validate(f)
    assert rc == 0, (out, err)  # read, validated (nothing to violate), nothing fetched
    from kgraid.export import load_rdf
    store = load_rdf(f)
    assert len(store) == 2
    time.sleep(0.05)
    assert hits[before:] == []


def _xxe(url: str, secret_file: Path) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY remote SYSTEM "{url}/entity">
  <!ENTITY local SYSTEM "file://{secret_file}">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://x.test/">
  <rdf:Description rdf:about="http://x.test/a">
    <ex:p>&remote;</ex:p>
    <ex:q>&local;</ex:q>
  </rdf:Description>
</rdf:RDF>
"""


def test_xml_external_entities_are_not_resolved(server, tmp_path) -> None:
    url, hits = server
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    f = tmp_path / "xxe.rdf"
    f.write_text(_xxe(url, secret))
    before = len(hits)
    rc, out, err = validate(f)
    assert rc in (0, 2), (out, err)
    assert SECRET not in out + err
    from kgraid.export import load_rdf
    try:
        store = load_rdf(f)
    except InputError as e:
        assert e.source == str(f) and SECRET not in str(e)
    else:
        assert all(SECRET not in q.object.value for q in store.raw)
    time.sleep(0.05)
    assert hits[before:] == []


def _bomb(depth: int) -> str:
    ents = ['<!ENTITY a0 "lol">'] + [
        f'<!ENTITY a{i} "{"".join(f"&a{i - 1};" for _ in range(10))}">'
        for i in range(1, depth + 1)]
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {" ".join(ents)} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://x.test/">
  <rdf:Description rdf:about="http://x.test/a"><ex:p>&a{depth};</ex:p></rdf:Description>
</rdf:RDF>
"""


def _limited(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run ``cmd`` with 2 GB of address space at most and a timeout (a hostile file must not
    hang or exhaust the test machine)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limit, cwd=Path(__file__).resolve().parents[1])


def test_xml_with_ordinary_entities_is_read(tmp_path) -> None:
    f = tmp_path / "ents.rdf"
    f.write_text("""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://x.test/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://x.test/">
  <rdf:Description rdf:about="&ex;a"><ex:p>plain</ex:p></rdf:Description>
</rdf:RDF>
""")
    rc, out, err = validate(f)
    assert rc == 0, (out, err)


def test_kgraid_validate_refuses_an_entity_bomb_quickly(tmp_path) -> None:
    f = tmp_path / "bomb.rdf"
    f.write_text(_bomb(6))  # expands to 3 MB
    r = _limited([sys.executable, "-m", "kgraid.cli", "validate", str(f)], timeout=10)
    assert r.returncode == 2 and str(f) in r.stderr, r.stderr[-500:]


def test_load_rdf_refuses_an_entity_bomb_without_exhausting_memory(tmp_path) -> None:
    f = tmp_path / "bomb.rdf"
    f.write_text(_bomb(9))  # expands to 3 GB
    code = ("import sys\nfrom kgraid.errors import InputError\nfrom kgraid.export import "
            "load_rdf\ntry:\n    load_rdf(sys.argv[1])\nexcept InputError as e:\n"
            "    print('refused:', e)\n")
    r = _limited([sys.executable, "-c", code, str(f)], timeout=15)
    assert r.returncode == 0 and r.stdout.startswith(f"refused: {f}"), r.stderr[-500:]
