"""A whole ``kgraid build`` over a batch of hostile inputs mixed with good ones.

For every hostile case: a message on stderr naming the input, the rest of the batch built,
the graph conforming to the shapes and round-tripping through TriG and Turtle, and a summary
(built / skipped / failed with reasons). ``kgraid build`` exit codes relied on here:
0 all built, 1 some graphs did not conform (not merged), 2 error, 3 partial failure (some
inputs failed, the rest was built), 130 interrupted.
"""
from __future__ import annotations

import contextlib
import io
import json
import random
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from kgraid.cli import main as kgraid_main
from kgraid.ingest import Article, iter_articles
from kgraid.rdf import KGR, graph_iri
from kgraid.store import KgStore

pytestmark = pytest.mark.slow

GOOD = ("U.S. forces conducted a raid near Qamishli, Syria, on Thursday, killing an ISIS "
        "official, CENTCOM said.\n")
NAMES = ['Abu "The Quote" al-Baghdadi', "Omar \\ al-Shishani", "Abu <b>Bakr</b> > x",
         "Ahmed }{ al-Masri", "Ali #1 Hassan", "Abu Muhammad ?s ?p ?o } al-Adnani",
         "Ahmed 🚀 Rahman", "أبو بكر البغدادي", "Ahmed\nNewline Khan",
         "@prefix x: <http://evil/> . Abu Omar"]

#: input name -> words its failure reason must contain
FAILED = {
    "empty.md": "is empty", "blank.txt": "is empty", "image.md": "PNG image",
    "nul.txt": "NUL bytes", "fm-bad.md": "not valid YAML", "fm-open.md": "never closed",
    "huge.md": "bytes, more than", "batch.jsonl:2": "not valid JSON",
    "batch.jsonl:4": "has no 'text'", "dup-b.md": "already used by",
}
#: article id -> input name, for the inputs that must be built
BUILT = {"utf16": "utf16.md", "latin1": "latin1.txt", "cp1252": "cp1252.txt",
         "badutf8": "badutf8.txt", "fm-date": "fm-date.md", "longline": "longline.txt",
         "jl-1": "batch.jsonl:1", "jl-3": "batch.jsonl:3", "dup": "dup-a.md",
         "../../etc/x": "names.md", "good": "good.md"}
WARNED = {"latin1": "Windows-1252", "cp1252": "Windows-1252", "badutf8": "not valid UTF-8",
          "fm-date": "left unknown", "longline": "without a space"}


def make_batch(d: Path) -> None:
    d.mkdir()
    (d / "good.md").write_text(f"---\ntitle: Good\npublished: 2017-01-09\n---\n{GOOD}")
    (d / "empty.md").write_bytes(b"")
    (d / "blank.txt").write_bytes(b"  \n\t \n")
    (d / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
    (d / "nul.txt").write_bytes(b"text\x00\x00binary")
    (d / "utf16.md").write_bytes(("---\ntitle: Café raid\npublished: 2017-01-09\n---\n"
                                  + GOOD).encode("utf-16"))
    (d / "latin1.txt").write_bytes(("Le café de Raqqa: " + GOOD).encode("latin-1"))
    (d / "cp1252.txt").write_bytes(("“We struck,” said Col. John Dorrian, a spokesman for "
                                    "the coalition – " + GOOD).encode("cp1252"))
    (d / "badutf8.txt").write_bytes(("Naïve " + GOOD).encode() + b"\xff\xfe " + GOOD.encode())
    (d / "fm-bad.md").write_bytes(b"---\ntitle: [unclosed\n---\n" + GOOD.encode())
    (d / "fm-open.md").write_bytes(b"---\ntitle: never closed\n" + GOOD.encode())
    (d / "fm-date.md").write_bytes(b"---\npublished: 2017-02-30\n---\n" + GOOD.encode())
    # A 100,000-character line (minified tracking data, as scraped pages have) between prose.
    rng = random.Random(3)
    blob = ('{"track":[' + ",".join(str(rng.randint(0, 10**6)) for _ in range(20000)))
    (d / "longline.txt").write_text(GOOD + blob[:100_000] + "\n" + GOOD)
    with (d / "huge.md").open("wb") as f:  # 50 MB of boilerplate
        for _ in range(50):
            f.write(b"<div>" + b"x" * (1024 * 1024) + b"</div>\n")
    (d / "batch.jsonl").write_text("\n".join([
        json.dumps({"id": "jl-1", "text": GOOD}),
        '{"id": "jl-2", "text": "broken',
        json.dumps({"id": "jl-3", "text": "Syrian forces captured Palmyra on Sunday, the "
                                          "ministry said."}),
        json.dumps({"id": "jl-4"}),
    ]) + "\n")
    (d / "dup-a.md").write_text("---\nid: dup\n---\n" + GOOD)
    (d / "dup-b.md").write_text("---\nid: dup\n---\nA different article about Mosul.\n")
    text = " ".join(f"{n} was killed in a U.S. airstrike near Raqqa, a Pentagon spokesman "
                    "said." for n in NAMES)
    (d / "names.md").write_text("---\nid: \"../../etc/x\"\ntitle: 'A \"title\" with <tags> } "
                                "# and \\ back'\npublished: 2017-01-09\n---\n" + text + "\n")


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = kgraid_main(list(args))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    make_batch(base / "in")
    rc, out, err = run_cli("build", str(base / "in"), "--store", str(base / "kg.db"),
                           "--format", "json", "--report", str(base / "report.json"))
    return {"base": base, "in": base / "in", "store": base / "kg.db", "rc": rc,
            "report": json.loads(out), "stderr": err}


def _name(origin: str, d: Path) -> str:
    return origin[len(str(d)) + 1:]


def test_exit_code_3_and_summary(batch) -> None:
    rep = batch["report"]
    assert batch["rc"] == 3, rep
    assert (rep["built"], rep["failed"], rep["invalid"], rep["skipped"]) == \
        (len(BUILT), len(FAILED), 0, 0)
    assert json.loads((batch["base"] / "report.json").read_text()) == rep
    failed = {_name(a["origin"], batch["in"]): a["reason"] for a in rep["articles"]
              if a["status"] == "failed"}
    assert set(failed) == set(FAILED)
    for name, words in FAILED.items():
        assert words in failed[name], (name, failed[name])
    built = {a["article"]: _name(a["origin"], batch["in"]) for a in rep["articles"]
             if a["status"] == "built"}
    assert built == BUILT
    warned = {a["article"]: " ".join(a["warnings"]) for a in rep["articles"] if a["warnings"]}
    for aid, words in WARNED.items():
        assert words in warned.get(aid, ""), (aid, warned)


def test_stderr_names_every_failed_input_and_warning(batch) -> None:
    lines = batch["stderr"].splitlines()
    for name, words in FAILED.items():
        origin = str(batch["in"] / name)
        assert any(ln.startswith(f"kgraid: {origin}: ") and words in ln for ln in lines), name
    for aid, words in WARNED.items():
        origin = str(batch["in"] / BUILT[aid])
        assert any(ln.startswith(f"kgraid: warning: {origin}: ") and words in ln
                   for ln in lines), aid
    assert "Traceback" not in batch["stderr"]


def test_decoded_text_reaches_the_graph_without_mojibake(batch) -> None:
    with KgStore(batch["store"]) as store:
        utf16 = store.graph(str(graph_iri("utf16")))
        assert Literal("Café raid") in set(utf16.objects(None, DCTERMS.title))
        for aid, word in (("latin1", "café"), ("cp1252", "“We struck,”"),
                          ("badutf8", "Naïve")):
            g = store.graph(str(graph_iri(aid)))
            sentences = " ".join(str(s) for s in g.objects(None, KGR.sentence))
            assert word in sentences, (aid, sentences)
            assert "Ã" not in sentences and "\ufffd" not in sentences
        names = store.graph(str(graph_iri("../../etc/x")))
        text = " ".join(str(o) for o in names.objects())
        assert "Ahmed 🚀 Rahman" in text and "Omar \\ al-Shishani" in text
        titles = [str(t) for t in names.objects(None, DCTERMS.title)]
        assert titles == ['A "title" with <tags> } # and \\ back']


def test_evidence_offsets_point_into_the_decoded_text(batch) -> None:
    checked = 0
    with KgStore(batch["store"]) as store:
        for art in iter_articles([batch["in"]]):
            if not isinstance(art, Article) or art.id not in BUILT:
                continue
            g = store.graph(str(graph_iri(art.id)))
            for ev in g.subjects(None, KGR.Evidence):
                start, end = int(g.value(ev, KGR.charStart)), int(g.value(ev, KGR.charEnd))
                assert art.text[start:end] == str(g.value(ev, KGR.sentence)), art.id
                checked += 1
    assert checked >= len(BUILT)


def test_hostile_id_stays_inside_its_namespace(batch) -> None:
    with KgStore(batch["store"]) as store:
        names = store.graph_names()
    assert "https://w3id.org/kgraid/graph/%2E.%2F..%2Fetc%2Fx" in names
    assert not any("/../" in n or n.endswith("/..") for n in names)
    # The build wrote nothing but its store and report.
    written = {p.name for p in batch["base"].iterdir()}
    assert written <= {"in", "kg.db", "report.json", "out.trig", "out.ttl", "out.nq"}


@pytest.mark.parametrize("suffix", ["trig", "ttl", "nq"])
def test_export_conforms_and_round_trips(batch, suffix: str) -> None:
    out = batch["base"] / f"out.{suffix}"
    rc, _, err = run_cli("export", "--store", str(batch["store"]), "-o", str(out))
    assert rc == 0, err
    rc, stdout, err = run_cli("validate", str(out), "--format", "json")
    assert rc == 0 and json.loads(stdout)["conforms"] is True, (stdout, err)
    with KgStore(batch["store"]) as store:
        stored = {n: store.graph(n) for n in store.graph_names()}
    if suffix == "ttl":  # the graph: every graph but the views (kgraid.views)
        from kgraid.views import VIEWS, view_graph
        union = Graph()
        for name, g in stored.items():
            if name not in {view_graph(v) for v in VIEWS}:
                union += g
        assert isomorphic(Graph().parse(out, format="turtle"), union)
        return
    ds = Dataset()
    ds.parse(out, format="trig" if suffix == "trig" else "nquads")
    back = {str(g.identifier): g for g in ds.graphs() if len(g)}
    assert sorted(back) == sorted(stored)
    for name, g in stored.items():
        assert isomorphic(back[name], g), name


def test_rebuilding_the_hostile_batch_changes_nothing(batch) -> None:
    with KgStore(batch["store"]) as store:
        before = {n: store.graph(n) for n in store.graph_names()}
    rc, out, _ = run_cli("build", str(batch["in"]), "--store", str(batch["store"]),
                         "--format", "json")
    rep = json.loads(out)
    assert rc == 3
    assert (rep["built"], rep["skipped"], rep["failed"]) == (0, len(BUILT), len(FAILED))
    with KgStore(batch["store"]) as store:
        after = {n: store.graph(n) for n in store.graph_names()}
    assert sorted(after) == sorted(before)
    assert all(isomorphic(after[n], before[n]) for n in before)


def test_exit_code_0_when_everything_builds(tmp_path) -> None:
    d = tmp_path / "ok"
    d.mkdir()
    (d / "a.md").write_text(GOOD)
    rc, out, _ = run_cli("build", str(d), "--store", str(tmp_path / "kg.db"), "--format",
                         "json")
    assert rc == 0 and json.loads(out)["built"] == 1


def test_exit_code_2_on_an_unusable_store(tmp_path) -> None:
    (tmp_path / "a.md").write_text(GOOD)
    (tmp_path / "notadir").write_text("x")
    rc, _, err = run_cli("build", str(tmp_path / "a.md"), "--store", str(tmp_path / "notadir"))
    assert rc == 2 and "notadir" in err
