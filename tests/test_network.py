"""The entity network: projection, exports, analytics and the CLI (no browser here; see
test_network_browser.py for the HTML in Chromium)."""
from __future__ import annotations

import argparse
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from contextlib import redirect_stdout
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib

from kgraid import network
from kgraid.errors import KgraidError, QueryError
from kgraid.store import KgStore

FIXTURE = Path(__file__).parent / "fixtures" / "network" / "small.trig"
ID = "https://w3id.org/kgraid/id/"
DORRIAN = ID + "person/john-dorrian"
COALITION = ID + "organization/us-led-coalition"
ISLAMIC_STATE = ID + "organization/islamic-state"
SOHR = ID + "organization/syrian-observatory-for-human-rights"
OP_004 = "https://w3id.org/kgraid/fact/004_ce07ce798a255723/operation/op1"
OP_000 = "https://w3id.org/kgraid/fact/000_d8499ee644c7f1d0/operation/op1"
DORRIAN_SENTENCE = ("Col. John Dorrian, spokesman for the U.S.-led coalition, confirmed that the "
                    "raid had taken place")


def fixture_store() -> KgStore:
    store = KgStore(None)
    store.load(FIXTURE.read_bytes(), ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def net() -> nx.MultiDiGraph:
    return network.project(fixture_store())


def edges_of(g: nx.MultiDiGraph, u: str, v: str, kind: str) -> list[dict]:
    return [d for d in (g.get_edge_data(u, v) or {}).values() if d["kind"] == kind]


# ------------------------------------------------------------------------------ projection
def test_nodes_have_type_label_wikidata_articles_and_dates(net: nx.MultiDiGraph) -> None:
    types = {d["type"] for _, d in net.nodes(data=True)}
    assert types == set(network.NODE_TYPES)
    dorrian = net.nodes[DORRIAN]
    assert dorrian["type"] == "Person" and dorrian["label"] == "John Dorrian"
    assert "Dorrian" in dorrian["labels"] and "Col. John Dorrian" in dorrian["labels"]
    assert dorrian["articles"] == ["004_ce07ce798a255723"] and dorrian["article_count"] == 1
    # the Wikidata link lives in the derived graph graph/_links
    assert net.nodes[ISLAMIC_STATE]["wikidata"] == "Q2429253"
    assert net.nodes[DORRIAN]["wikidata"] == ""
    # mentioned in both articles
    assert net.nodes[SOHR]["article_count"] == 2
    assert net.nodes[ISLAMIC_STATE]["article_count"] == 2
    # operations are dated by sem:hasTimeStamp, entities by their articles' dcterms:issued
    assert (net.nodes[OP_004]["first"], net.nodes[OP_004]["last"]) == ("2017-01-08", "2017-01-08")
    assert net.nodes[OP_004]["subtype"] == "raid"
    assert (net.nodes[SOHR]["first"], net.nodes[SOHR]["last"]) == ("2017-01-08", "2019-07-26")
    assert net.nodes[ID + "source/004_ce07ce798a255723/us-official"]["type"] == "AnonymousSource"


def test_membership_edge_has_role_article_and_evidence(net: nx.MultiDiGraph) -> None:
    [edge] = edges_of(net, DORRIAN, COALITION, "membership")
    assert edge["label"] == edge["role"] == "spokesman"
    assert edge["articles"] == ["004_ce07ce798a255723"]
    [ev] = edge["evidence"]
    assert ev["sentence"].startswith(DORRIAN_SENTENCE)
    assert (ev["article"], ev["start"], ev["end"]) == ("004_ce07ce798a255723", 1164, 1336)


def test_operation_place_actor_target_edges(net: nx.MultiDiGraph) -> None:
    assert edges_of(net, OP_004, ID + "place/deir-al-zour", "place")
    assert edges_of(net, OP_004, ID + "organization/expeditionary-task-force", "actor")
    [target] = edges_of(net, OP_004, ISLAMIC_STATE, "target")
    assert target["first"] == "2017-01-08" and len(target["evidence"]) == 2
    places = {v for _, v, d in net.out_edges(OP_000, data=True) if d["kind"] == "place"}
    assert places == {ID + "place/muluk-saray", ID + "place/qamishli", ID + "place/hassakeh"}


def test_claims_link_sources_to_operations(net: nx.MultiDiGraph) -> None:
    [claim] = edges_of(net, DORRIAN, OP_004, "claim")
    assert claim["label"] == "confirmed" and claim["statements"] == ["the raid had taken place"]
    assert claim["hedges"] == ["confirmed"]
    # SOHR speaks about both raids, in two articles
    assert edges_of(net, SOHR, OP_004, "claim") and edges_of(net, SOHR, OP_000, "claim")
    assert net.nodes[SOHR]["claims"] == 2
    # a claim about no operation counts for its source but draws no claim edge
    official = ID + "source/004_ce07ce798a255723/us-official"
    assert net.nodes[official]["claims"] == 1
    assert not [1 for _, _, d in net.out_edges(official, data=True) if d["kind"] == "claim"]


def test_co_mentions_follow_the_documented_rule(net: nx.MultiDiGraph) -> None:
    # same one-sentence fact: Dorrian and the coalition
    [co] = edges_of(net, COALITION, DORRIAN, "co-mention")
    assert co["weight"] == 1 and co["evidence"][0]["sentence"].startswith(DORRIAN_SENTENCE)
    # label match: "ISIL" (an alias of the Islamic State) is in the U.S. official's sentence
    assert edges_of(net, ISLAMIC_STATE, ID + "source/004_ce07ce798a255723/us-official",
                    "co-mention")
    # a fact read from two sentences does not make its ends co-mention by itself: the task
    # force and Deir al-Zour never share a sentence
    etf, deir = ID + "organization/expeditionary-task-force", ID + "place/deir-al-zour"
    assert not edges_of(net, etf, deir, "co-mention") and not edges_of(net, deir, etf, "co-mention")
    # two sentences name both CENTCOM and al-Shammri: weight 2
    [w2] = edges_of(net, ID + "organization/us-central-command",
                    ID + "person/rakkan-wahid-al-shammri", "co-mention")
    assert w2["weight"] == 2 and len(w2["evidence"]) == 2
    # operations never co-mention
    assert not [1 for u, v, d in net.edges(data=True) if d["kind"] == "co-mention"
                and "Operation" in (net.nodes[u]["type"], net.nodes[v]["type"])]


def test_short_labels_match_case_sensitively() -> None:
    pat = network._label_pattern(["US", "Islamic State"])
    assert pat is not None
    assert pat.search("the US said") and not pat.search("told us that")
    assert pat.search("the islamic state") and not pat.search("USA")


def test_time_window_keeps_what_happened_in_it() -> None:
    store = fixture_store()
    late = network.project(store, start="2019-01-01")
    assert DORRIAN not in late and OP_004 not in late and OP_000 in late
    assert late.nodes[SOHR]["articles"] == ["000_d8499ee644c7f1d0"]
    early = network.project(store, end="2017")          # a year means its last day
    assert DORRIAN in early and OP_004 in early and OP_000 not in early
    assert ID + "place/muluk-saray" not in early
    assert early.graph["window_end"] == "2017-12-31"
    with pytest.raises(KgraidError):
        network.project(store, start="2018-01-01", end="2017-01-01")
    with pytest.raises(KgraidError):
        network.project(store, start="last week")


def test_node_types_filter() -> None:
    g = network.project(fixture_store(), node_types="person,org")
    assert {d["type"] for _, d in g.nodes(data=True)} == {"Person", "Organization"}
    assert edges_of(g, DORRIAN, COALITION, "membership")
    assert network.parse_types(["Place", "source"]) == {"Place", "AnonymousSource"}
    with pytest.raises(KgraidError):
        network.parse_types("vehicles")


def test_rdflib_dataset_and_graph_inputs_give_the_same_network(net: nx.MultiDiGraph) -> None:
    ds = rdflib.Dataset()
    ds.parse(FIXTURE, format="trig")
    g = network.project(ds)
    assert sorted(g.nodes) == sorted(net.nodes)
    assert sorted(g.edges(keys=True)) == sorted(net.edges(keys=True))
    # one article graph alone, as a plain rdflib Graph
    single = ds.graph(rdflib.URIRef("https://w3id.org/kgraid/graph/004_ce07ce798a255723"))
    plain = rdflib.Graph()
    for t in single:
        plain.add(t)
    g1 = network.project(plain)
    assert DORRIAN in g1 and OP_000 not in g1
    assert edges_of(g1, DORRIAN, COALITION, "membership")[0]["articles"] == ["004_ce07ce798a255723"]


def test_articles_loaded_into_one_graph_keep_their_own_facts(net: nx.MultiDiGraph) -> None:
    merged = rdflib.Graph()                  # both articles in one (default) graph
    for t in rdflib.Dataset().parse(FIXTURE, format="trig").quads((None, None, None, None)):
        merged.add(t[:3])
    g = network.project(merged)
    assert g.number_of_nodes() == net.number_of_nodes()
    assert edges_of(g, DORRIAN, COALITION, "membership")[0]["articles"] == ["004_ce07ce798a255723"]
    assert edges_of(g, SOHR, OP_000, "claim")[0]["articles"] == ["000_d8499ee644c7f1d0"]


def test_merges_move_facts_to_the_canonical_node() -> None:
    store = fixture_store()
    canon = ID + "organization/cjtf-oir"
    store.load(f"""
        @prefix kgr: <https://w3id.org/kgraid/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <{canon}> a kgr:Organization ; rdfs:label "Combined Joint Task Force" .
        <https://w3id.org/kgraid/merge/1> a kgr:Merge ; kgr:canonical <{canon}> ;
            kgr:mergedFrom <{COALITION}> ; kgr:rule "test" .
        """, ox.RdfFormat.TURTLE, "https://w3id.org/kgraid/graph/_merges")
    g = network.project(store)
    assert COALITION not in g
    [edge] = edges_of(g, DORRIAN, canon, "membership")
    assert edge["label"] == "spokesman"
    assert "U.S.-led coalition" in g.nodes[canon]["labels"]


def test_hostile_labels_are_bound_data_not_query_text() -> None:
    store = fixture_store()
    evil = 'x" } ; DROP ALL ; SELECT * { ?s ?p "'
    store.load(f"""
        @prefix kgr: <https://w3id.org/kgraid/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/kgraid/id/person/evil> a kgr:Person ; rdfs:label {json.dumps(evil)} .
        """, ox.RdfFormat.TURTLE, "https://w3id.org/kgraid/graph/evil")
    before = len(store)
    g = network.project(store)
    assert g.nodes[ID + "person/evil"]["label"] == evil
    assert len(store) == before


# ------------------------------------------------------------------------------ exports
def _scalars_only(g: nx.MultiDiGraph) -> None:
    for _, d in g.nodes(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for k, v in d.items() if k != "viz"), d
    for *_, d in g.edges(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for k, v in d.items() if k != "viz"), d


def test_graphml_round_trip(net: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "net.graphml"
    network.export(net, "graphml", path)
    back = nx.read_graphml(path)
    assert back.number_of_nodes() == net.number_of_nodes()
    assert back.number_of_edges() == net.number_of_edges()
    assert back.nodes[DORRIAN]["label"] == "John Dorrian"
    assert back.nodes[ISLAMIC_STATE]["wikidata"] == "Q2429253"
    _scalars_only(back)
    [m] = [d for u, v, d in back.edges(data=True)
           if (u, v) == (DORRIAN, COALITION) and d["kind"] == "membership"]
    assert m["label"] == "spokesman" and DORRIAN_SENTENCE in m["evidence"]


def test_gexf_round_trip_with_time_spans(net: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "net.gexf"
    network.export(net, "gexf", path)
    back = nx.read_gexf(path)
    assert back.number_of_nodes() == net.number_of_nodes()
    assert back.number_of_edges() == net.number_of_edges()
    root = ET.parse(path).getroot()
    ns = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    graph = root.find("g:graph", ns)
    assert graph is not None and graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    op = root.find(f".//g:node[@id='{OP_004}']", ns)
    assert op is not None and (op.get("start"), op.get("end")) == ("2017-01-08", "2017-01-08")
    assert op.find("viz:color", ns) is not None and op.find("viz:position", ns) is not None
    assert path.read_bytes().startswith(b"<?xml")
    edge_ids = [e.get("id") for e in root.iter("{http://www.gexf.net/1.2draft}edge")]
    assert len(edge_ids) == len(set(edge_ids)) == net.number_of_edges()
    # no list-valued attribute: networkx would have written lists as dynamic values
    for d in root.iter("{http://www.gexf.net/1.2draft}attvalue"):
        assert d.get("start") is None and d.get("end") is None
    _scalars_only(back)


def test_node_link_json_round_trip(net: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    network.export(net, "json", path)
    data = json.loads(path.read_text("utf-8"))
    back = nx.node_link_graph(data, edges="edges")
    assert back.number_of_nodes() == net.number_of_nodes()
    assert back.number_of_edges() == net.number_of_edges()
    assert back.is_multigraph() and back.is_directed()
    assert back.nodes[DORRIAN]["labels"] == net.nodes[DORRIAN]["labels"]


def hostile_store() -> KgStore:
    store = fixture_store()
    store.load("""
        @prefix kgr: <https://w3id.org/kgraid/ontology#> .
        @prefix org: <http://www.w3.org/ns/org#> .
        @prefix prov: <http://www.w3.org/ns/prov#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/kgraid/article/evil> a kgr:Article ; dcterms:identifier "evil" ;
            dcterms:title "<b>bold</b> & </script>" ; dcterms:issued "2018-02-02"^^xsd:date .
        <https://w3id.org/kgraid/id/person/evil-script> a kgr:Person ;
            rdfs:label "<script>window.__pwned=1</script>" ;
            kgr:mentionedIn <https://w3id.org/kgraid/article/evil> .
        <https://w3id.org/kgraid/id/organization/evil-img> a kgr:Organization ;
            rdfs:label "<img src=x onerror=\\"window.__pwned=1\\">" ;
            kgr:mentionedIn <https://w3id.org/kgraid/article/evil> .
        <https://w3id.org/kgraid/fact/evil/m> a org:Membership ;
            org:member <https://w3id.org/kgraid/id/person/evil-script> ;
            org:organization <https://w3id.org/kgraid/id/organization/evil-img> ;
            org:role <https://w3id.org/kgraid/id/role/evil> ;
            prov:wasDerivedFrom <https://w3id.org/kgraid/article/evil> ;
            kgr:evidence <https://w3id.org/kgraid/fact/evil/m/ev/0-9> .
        <https://w3id.org/kgraid/id/role/evil> a kgr:Role ; rdfs:label "<i>chief</i>" .
        <https://w3id.org/kgraid/fact/evil/m/ev/0-9> a kgr:Evidence ;
            kgr:sentence "<script>window.__pwned=1</script> leads <img src=x onerror=\\"window.__pwned=1\\"> \\u2028 & friends </script><!--" ;
            kgr:charStart 0 ; kgr:charEnd 9 .
        """, ox.RdfFormat.TURTLE, "https://w3id.org/kgraid/graph/evil")
    return store


def test_svg_is_well_formed_and_escapes_labels(net: nx.MultiDiGraph) -> None:
    svg = network.to_svg(net, title="seed <network>")
    root = ET.fromstring(svg)
    circles = root.findall(".//{http://www.w3.org/2000/svg}circle")
    legend = len(network.NODE_TYPES)
    assert len(circles) == net.number_of_nodes() + legend
    hostile = network.project(hostile_store())
    text = network.to_svg(hostile)
    root = ET.fromstring(text)                      # still well-formed XML
    assert root.find(".//{http://www.w3.org/2000/svg}script") is None
    assert root.find(".//{http://www.w3.org/2000/svg}img") is None
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "<script>window.__pwned=1</script>" in titles


def script_elements(page: str) -> list[dict[str, str | None]]:
    from html.parser import HTMLParser

    found: list[dict[str, str | None]] = []

    class Scripts(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "script":
                found.append(dict(attrs))
    Scripts().feed(page)
    return found


def test_html_is_self_contained_and_escapes_data() -> None:
    hostile = network.project(hostile_store())
    page = network.to_html(hostile, title="<i>net</i>")
    # four script elements: data (JSON), licences (text), the libraries, the viewer
    assert [a.get("type") for a in script_elements(page)] == [
        "application/json", "text/plain", None, None]
    data = re.search(r'<script type="application/json" id="kgraid-data">(.*?)</script>', page, re.S)
    assert data is not None
    payload = data.group(1)
    assert "<" not in payload and ">" not in payload and "&" not in payload
    assert "\u2028" not in payload and "\\u2028" in payload
    parsed = json.loads(payload)
    assert "<script>window.__pwned=1</script>" in [n["l"] for n in parsed["nodes"]]
    assert any("</script><!--" in s for s in parsed["sentences"])
    assert "<title>&lt;i&gt;net&lt;/i&gt;</title>" in page
    # nothing to fetch: the markup (scripts aside) has no src/href, no @import or url()
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.S)
    assert not re.search(r"\b(?:src|href)\s*=", markup)
    assert "@import" not in markup and "url(" not in markup and "<link" not in markup
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None and "default-src 'none'" in csp.group(1)
    assert "'unsafe-inline'" not in csp.group(1).split("script-src")[1].split(";")[0]


# ------------------------------------------------------------------------------ analytics
def test_rank_matches_networkx_reference(net: nx.MultiDiGraph) -> None:
    rows = network.rank(net)
    simple = network._simple(net)
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python
    expected = _pagerank_python(simple, weight="weight", tol=1e-13, max_iter=1000)
    between = nx.betweenness_centrality(simple)
    assert len(rows) == net.number_of_nodes()
    assert math.isclose(sum(r["pagerank"] for r in rows), 1.0, rel_tol=1e-6)
    for r in rows:
        assert math.isclose(r["pagerank"], expected[r["id"]], abs_tol=1e-6)
        assert math.isclose(r["betweenness"], between[r["id"]], abs_tol=1e-9)
        assert r["degree"] == simple.degree(r["id"])
    assert [r["pagerank"] for r in rows] == sorted((r["pagerank"] for r in rows), reverse=True)
    by_degree = network.rank(net, by="degree", top=3)
    assert len(by_degree) == 3
    assert by_degree[0]["degree"] == max(dict(simple.degree()).values())


def test_communities_are_seeded_and_cover_the_graph(net: nx.MultiDiGraph) -> None:
    a = network.communities(net.copy())
    b = network.communities(net.copy())
    assert a == b
    assert sorted(v for part in a for v in part) == sorted(net.nodes)
    where = {v: i for i, part in enumerate(a) for v in part}
    # the two raids' worlds are apart
    assert where[DORRIAN] != where[ID + "place/muluk-saray"]


def test_shortest_path_with_facts(net: nx.MultiDiGraph) -> None:
    path = network.shortest_path(net, "Dorrian", "Muluk Saray",
                                 kinds=[k for k in network.EDGE_KINDS if k != "co-mention"])
    assert path is not None
    labels = [n["label"] for n in path["nodes"]]
    assert labels[0] == "John Dorrian" and labels[-1] == "Muluk Saray"
    assert path["length"] == len(path["hops"]) == len(labels) - 1
    first = path["hops"][0]["facts"]
    assert {f["kind"] for f in first} <= {"claim", "membership"} and first
    assert all(f["kind"] != "co-mention" for hop in path["hops"] for f in hop["facts"])
    assert any(DORRIAN_SENTENCE in e["sentence"] for f in first for e in f["evidence"])
    # by Wikidata id and by IRI too
    assert network.find_node(net, "Q2429253") == ISLAMIC_STATE
    assert network.find_node(net, DORRIAN) == DORRIAN
    with pytest.raises(QueryError):
        network.find_node(net, "Nobody Atall")


def test_layout_is_deterministic_and_spreads_nodes(net: nx.MultiDiGraph) -> None:
    a, b = network.layout(net), network.layout(net)
    assert a == b and set(a) == set(net.nodes)
    points = {(round(x, 3), round(y, 3)) for x, y in a.values()}
    assert len(points) == net.number_of_nodes()


def test_layout_of_a_large_graph_uses_communities() -> None:
    g = nx.MultiDiGraph()
    big = nx.connected_caveman_graph(30, 20)          # 600 nodes: above the spring limit
    for n in big:
        g.add_node(f"n{n}", type="Person", label=f"n{n}")
    for u, v in big.edges:
        g.add_edge(f"n{u}", f"n{v}", key="co-mention", kind="co-mention", weight=1)
    pos = network.layout(g)
    assert len(pos) == 600 and all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    # a cave's members sit closer to each other than to another cave's
    def dist(a: str, b: str) -> float:
        return math.dist(pos[a], pos[b])
    assert dist("n0", "n5") < dist("n0", "n305")


# ------------------------------------------------------------------------------ CLI
def run_cli(argv: list[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="kgraid")
    sub = parser.add_subparsers(dest="command")
    network.register(sub)
    args = parser.parse_args(["network", *argv])
    out = io.StringIO()
    with redirect_stdout(out):
        code = args.func(args)
    return code, out.getvalue()


def test_cli_help_documents_exit_codes() -> None:
    parser = argparse.ArgumentParser(prog="kgraid")
    sub = parser.add_subparsers()
    p = network.register(sub)
    text = p.format_help()
    assert "exit codes" in text and "--rank" in text and "--path" in text


def test_cli_writes_each_format(tmp_path: Path) -> None:
    for fmt in ("html", "graphml", "gexf", "json", "svg"):
        out = tmp_path / f"net.{fmt}"
        code, _ = run_cli(["--store", str(FIXTURE), "-o", str(out), "-q"])
        assert code == 0 and out.stat().st_size > 1000, fmt
    assert nx.read_gexf(tmp_path / "net.gexf").number_of_nodes() == 18
    code, _ = run_cli(["--store", str(FIXTURE), "--format", "graphml", "-o", str(tmp_path / "x"),
                       "--types", "person,organization", "-q"])
    assert code == 0 and nx.read_graphml(tmp_path / "x").number_of_nodes() == 7


def test_cli_rank_and_path_json(tmp_path: Path) -> None:
    code, out = run_cli(["--store", str(FIXTURE), "--rank", "--top", "5", "--json", "-q"])
    assert code == 0
    rows = json.loads(out)["rank"]
    assert len(rows) == 5 and rows[0]["rank"] == 1
    code, out = run_cli(["--store", str(FIXTURE), "--path", "Dorrian", "Syrian Observatory",
                         "--json", "-q"])
    path = json.loads(out)["path"]
    assert code == 0 and path["nodes"][0]["id"] == DORRIAN and path["nodes"][-1]["id"] == SOHR
    code, out = run_cli(["--store", str(FIXTURE), "--communities", "-q"])
    assert code == 0 and out.startswith("community 0 (")
    # not connected once only persons and places are kept: exit 1
    code, out = run_cli(["--store", str(FIXTURE), "--types", "person,place", "--path", "Dorrian",
                         "Qamishli", "-q"])
    assert code == 1 and "no path" in out
    with pytest.raises(QueryError):
        run_cli(["--store", str(FIXTURE), "--path", "Dorrian", "Nobody Atall", "-q"])


def test_cli_reads_a_store_directory(tmp_path: Path) -> None:
    path = tmp_path / "kg.db"
    with KgStore(path) as store:
        store.load(FIXTURE.read_bytes(), ox.RdfFormat.TRIG)
    code, out = run_cli(["--store", str(path), "--rank", "--by", "degree", "--json", "-q"])
    assert code == 0 and len(json.loads(out)["rank"]) == 18


def test_cli_through_kgraid_main(tmp_path: Path) -> None:
    from kgraid.cli import main
    out = tmp_path / "n.json"
    assert main(["network", "--store", str(FIXTURE), "-o", str(out), "-q"]) == 0
    assert len(json.loads(out.read_text())["nodes"]) == 18
    assert main(["network", "--store", str(tmp_path / "missing"), "--rank"]) == 2


# ------------------------------------------------------------------------------ seed articles
def test_seed_articles_build_into_a_network(seed_store: KgStore) -> None:
    g = network.project(seed_store)
    persons = [d for _, d in g.nodes(data=True) if d["type"] == "Person"]
    dorrian = [d for d in persons if "Dorrian" in d["label"]]
    assert len(dorrian) == 1 and dorrian[0]["article_count"] >= 1
    dorrian_id = network.find_node(g, "Dorrian")
    roles = [d["label"] for _, _, d in g.out_edges(dorrian_id, data=True)
             if d["kind"] == "membership"]
    assert "spokesman" in roles
    kinds = {d["kind"] for *_, d in g.edges(data=True)}
    assert {"membership", "place", "claim", "co-mention"} <= kinds
    assert {d["type"] for _, d in g.nodes(data=True)} >= {"Person", "Organization", "Place",
                                                           "Operation"}


def test_an_empty_store_gives_an_empty_network_that_still_exports(tmp_path: Path) -> None:
    g = network.project(KgStore(None))
    assert g.number_of_nodes() == 0 and network.rank(g) == [] and network.communities(g) == []
    for fmt in ("html", "graphml", "gexf", "json", "svg"):
        network.export(g, fmt, tmp_path / f"empty.{fmt}")
    assert nx.read_gexf(tmp_path / "empty.gexf").number_of_nodes() == 0
    assert nx.read_graphml(tmp_path / "empty.graphml").number_of_nodes() == 0
