"""The interactive network HTML in headless Chromium (Debian's /usr/bin/chromium through
Playwright): offline, complete, searchable, clickable, and inert with hostile names.

Every request the page makes is routed: file:// ones go through, anything else is counted
and aborted, and the tests assert that none was made. These tests skip only when Chromium is
missing outside CI; in CI (``CI`` set) a missing Chromium or Playwright is a failure."""
from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any, Iterator

import networkx as nx
import pyoxigraph as ox
import pytest

from kgraid import network
from kgraid.store import KgStore

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "network" / "small.trig"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = ROOT / "out" / "network-seed.png"
DORRIAN_SENTENCE = "Col. John Dorrian, spokesman for the U.S.-led coalition"
SCRIPT_LABEL = "<script>window.__pwned=1</script>"
IMG_LABEL = '<img src=x onerror="window.__pwned=1">'


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


class Viewer:
    """One page of the viewer, with every request it makes recorded."""

    def __init__(self, browser: Any, path: Path, *, bypass_csp: bool = False) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900},
                                           bypass_csp=bypass_csp)
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = path.as_uri()
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-drawn]", state="attached", timeout=60_000)
        self.frames()

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def hook(self, expr: str) -> Any:
        return self.page.evaluate(f"window.kgraidNetwork.{expr}")

    def frames(self) -> None:
        self.page.evaluate("new Promise(r => requestAnimationFrame(() => "
                           "requestAnimationFrame(r)))")

    def search(self, text: str) -> None:
        self.page.fill("#search", text)
        self.page.press("#search", "Enter")
        self.frames()

    def click_node(self, node_id: str) -> None:
        pos = self.hook(f"viewportPosition({node_id!r})")
        box = self.page.locator("#cy").bounding_box()
        self.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        self.frames()

    def details(self) -> str:
        return self.page.inner_text("#details")

    def close(self) -> None:
        self.context.close()


def write_html(graph: nx.MultiDiGraph, path: Path, **kw: Any) -> Path:
    path.write_text(network.to_html(graph, **kw), encoding="utf-8")
    return path


def fixture_store() -> KgStore:
    store = KgStore(None)
    store.load(FIXTURE.read_bytes(), ox.RdfFormat.TRIG)
    return store


def test_seed_network_offline_search_click_and_screenshot(browser: Any, seed_store: KgStore,
                                                         tmp_path: Path) -> None:
    graph = network.project(seed_store)
    dorrian = network.find_node(graph, "Dorrian")
    v = Viewer(browser, write_html(graph, tmp_path / "seed.html", title="kgraid seed network"))
    try:
        # offline, under the page's own Content-Security-Policy, and no script error
        assert v.blocked == [] and v.errors == []
        assert set(v.requests) == {v.url}
        # the renderer holds and draws every node of the graph
        assert v.hook("nodeCount()") == graph.number_of_nodes()
        assert v.hook("drawnNodeCount()") == graph.number_of_nodes()
        assert v.hook("webgl()") is True
        # search selects Dorrian and shows his evidence
        v.search("Dorrian")
        assert v.hook("selectedIds()") == [dorrian]
        assert "Dorrian" in v.page.inner_text("#matches li:first-child")
        assert DORRIAN_SENTENCE in v.details()
        # Escape clears; a real mouse click on his node shows the evidence again
        v.page.keyboard.press("Escape")
        v.frames()
        assert v.hook("selectedIds()") == [] and v.details().strip() == ""
        v.click_node(dorrian)
        assert v.hook("selectedIds()") == [dorrian]
        text = v.details()
        assert DORRIAN_SENTENCE in text and "004_ce07ce798a255723" in text
        assert "spokesman" in text
        # screenshots of the whole seed network: with Dorrian's neighbourhood highlighted,
        # then with nothing selected
        v.page.click("#fit")
        v.page.wait_for_timeout(600)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        v.page.screenshot(path=str(SCREENSHOT.with_name("network-seed-dorrian.png")))
        v.page.keyboard.press("Escape")
        v.frames()
        v.page.screenshot(path=str(SCREENSHOT))
        drawing = v.page.locator("#cy").screenshot()
        # a blank canvas compresses to a few kB; a drawn network does not
        assert len(drawing) > 30_000
        assert v.blocked == [] and v.errors == []
    finally:
        v.close()


HOSTILE = """
@prefix kgr: <https://w3id.org/kgraid/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/kgraid/article/evil> a kgr:Article ; dcterms:identifier "evil<b>" ;
    dcterms:title "<img src=y onerror=\\"window.__pwned=2\\"> & </script>" ;
    dcterms:issued "2018-02-02"^^xsd:date .
<https://w3id.org/kgraid/id/person/evil-script> a kgr:Person ;
    rdfs:label "<script>window.__pwned=1</script>" ;
    kgr:mentionedIn <https://w3id.org/kgraid/article/evil> .
<https://w3id.org/kgraid/id/organization/evil-img> a kgr:Organization ;
    rdfs:label "<img src=x onerror=\\"window.__pwned=1\\">" ;
    kgr:mentionedIn <https://w3id.org/kgraid/article/evil> ;
    <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q1> .
<https://w3id.org/kgraid/fact/evil/m> a org:Membership ;
    org:member <https://w3id.org/kgraid/id/person/evil-script> ;
    org:organization <https://w3id.org/kgraid/id/organization/evil-img> ;
    org:role <https://w3id.org/kgraid/id/role/evil> ;
    prov:wasDerivedFrom <https://w3id.org/kgraid/article/evil> ;
    kgr:evidence <https://w3id.org/kgraid/fact/evil/m/ev/0-9> .
<https://w3id.org/kgraid/id/role/evil> a kgr:Role ; rdfs:label "<svg onload=window.__pwned=3>" .
<https://w3id.org/kgraid/fact/evil/m/ev/0-9> a kgr:Evidence ;
    kgr:sentence "<script>window.__pwned=1</script> leads <img src=x onerror=\\"window.__pwned=1\\"> \\u2028 & co </script><!--" ;
    kgr:charStart 0 ; kgr:charEnd 9 .
"""


def test_hostile_names_render_as_text_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    store = fixture_store()
    store.load(HOSTILE, ox.RdfFormat.TURTLE, "https://w3id.org/kgraid/graph/evil")
    graph = network.project(store)
    path = write_html(graph, tmp_path / "hostile.html", title="<i>evil</i>")
    # without the CSP safety net: the page itself must never turn data into markup
    v = Viewer(browser, path, bypass_csp=True)
    try:
        assert v.hook("drawnNodeCount()") == graph.number_of_nodes()
        v.search("<img")
        assert v.hook("selectedIds()") == ["https://w3id.org/kgraid/id/organization/evil-img"]
        text = v.details()
        assert IMG_LABEL in text and SCRIPT_LABEL in text and "<svg onload=window.__pwned=3>" in text
        assert "leads " + IMG_LABEL in text                      # the evidence sentence
        # the only link is the one built from the checked Wikidata id
        assert v.page.locator("#details a").count() == 1
        assert v.page.get_attribute("#details a", "href") == "https://www.wikidata.org/wiki/Q1"
        v.search("<script>")
        assert v.hook("selectedIds()") == ["https://w3id.org/kgraid/id/person/evil-script"]
        assert SCRIPT_LABEL in v.details()
        assert v.page.inner_text("#title") == "<i>evil</i>"
        assert v.page.title() == "<i>evil</i>"
        # no element was made from the data, no handler ran, nothing was fetched (an <img
        # src=x> would have asked for file:///.../x)
        for sel in ("#details img", "#details script", "#details svg", "#matches img", "#title i"):
            assert v.page.locator(sel).count() == 0, sel
        assert v.page.evaluate("typeof window.__pwned") == "undefined"
        assert v.requests == [v.url] and v.blocked == [] and v.errors == []
    finally:
        v.close()
    v = Viewer(browser, path)            # and with the page's CSP on, the same
    try:
        v.search("<img")
        assert IMG_LABEL in v.details()
        assert v.page.evaluate("typeof window.__pwned") == "undefined" and v.errors == []
    finally:
        v.close()


def test_type_and_date_filters(browser: Any, tmp_path: Path) -> None:
    graph = network.project(fixture_store())
    v = Viewer(browser, write_html(graph, tmp_path / "small.html"), bypass_csp=True)
    try:
        total = graph.number_of_nodes()
        assert v.hook("drawnNodeCount()") == total
        v.page.fill("#from", "2019-01-01")
        v.page.dispatch_event("#from", "change")
        v.frames()
        expected = sum(1 for _, d in graph.nodes(data=True)
                       if not d["last"] or d["last"] >= "2019-01-01")
        assert expected < total
        assert v.hook("drawnNodeCount()") == expected
        v.page.uncheck("#types input[value=Place]")
        v.frames()
        places = sum(1 for _, d in graph.nodes(data=True)
                     if d["type"] == "Place" and (not d["last"] or d["last"] >= "2019-01-01"))
        assert places > 0 and v.hook("drawnNodeCount()") == expected - places
        # a filtered-out node is not offered by the search
        v.search("Deir al-Zour")
        assert v.page.locator("#matches li").count() == 0
        assert v.errors == [] and v.blocked == []
    finally:
        v.close()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_export_through_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    graph = network.project(fixture_store())
    out = tmp_path / "net.png"
    network.export(graph, "png", out)
    data = out.read_bytes()
    assert _png_size(data) == (1600, 1200)
    assert len(data) > 20_000
