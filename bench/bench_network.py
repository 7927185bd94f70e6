"""Benchmark (not a test): the interactive network HTML at 5,000 nodes in headless Chromium.

A synthetic corpus is written with the real :func:`kgraid.rdf.article_graph` into a memory
store (persons, organizations and places drawn from pools with Zipf-like frequencies, so a few
names are hubs; per article a membership, one or two operations with place, date, actor and
target, and claims by named and anonymous sources, each with its evidence sentence), projected
with :func:`kgraid.network.project`, laid out and written as HTML. Chromium (Debian's, via
Playwright) opens the file with every non-file request blocked and reports the time from
navigation start to Cytoscape's first drawn frame, then times a search and a date filter.

    .venv/bin/python -m bench.bench_network                 # about 5,000 nodes
    .venv/bin/python -m bench.bench_network --nodes 2000 --keep bench/out/net-2k.html

Prints one line per step and a JSON summary line.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from kgraid import network
from kgraid.facts import ArticleFacts, Claim, Entity, Evidence, Membership, Operation, TimeValue
from kgraid.ingest import Article
from kgraid.rdf import article_graph
from kgraid.store import KgStore

CHROMIUM = "/usr/bin/chromium"
#: Resolves once the browser has drawn two more frames (the work queued so far is on screen).
_TWO_FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
_FIRST = ["Ahmed", "Karim", "Omar", "Yusuf", "Hassan", "Ali", "Khalid", "Tariq", "Samir", "Nabil",
          "John", "Michael", "David", "Steven", "Robert", "Thomas", "Peter", "Mark", "James"]
_LAST = ["al-Nasser", "al-Tikriti", "al-Rawi", "Haddad", "al-Jubouri", "Mansour", "al-Obeidi",
         "Dorsey", "Walker", "Hayes", "Morgan", "Keller", "Brennan", "Fischer", "Lawson"]
_ORG = ["Brigade", "Battalion", "Task Force", "Front", "Command", "Army", "Council", "Movement"]
_PLACE = ["al-", "Tal ", "Deir ", "Abu ", "Ain ", "Jisr ", "Khan ", "Ras "]
_ROLES = ["spokesman", "commander", "leader", "official", "deputy commander"]
_OPS = [("Raid", "raid"), ("Airstrike", "airstrike"), ("DroneStrike", "drone strike"),
        ("Capture", "capture"), ("Attack", "attack")]


def _names(rng: random.Random, n: int, make) -> list[str]:
    out: dict[str, None] = {}
    while len(out) < n:
        out[make(rng, len(out))] = None
    return list(out)


def _pick(rng: random.Random, pool: list[str]) -> str:
    """Skewed: low indexes are far more frequent (a few hubs, a long tail)."""
    return pool[int(len(pool) * rng.random() ** 3)]


def synthetic_store(target_nodes: int, seed: int = 7) -> tuple[KgStore, int]:
    rng = random.Random(seed)
    n_articles = max(20, int(target_nodes / 4.2))
    persons = _names(rng, max(10, target_nodes // 4), lambda r, i: f"{r.choice(_FIRST)} "
                     f"{r.choice(_LAST)} {chr(65 + i % 26)}{i // 26}")
    orgs = _names(rng, max(5, target_nodes // 12), lambda r, i: f"{r.choice(_LAST).title()} "
                  f"{r.choice(_ORG)} {i}")
    places = _names(rng, max(5, target_nodes // 6), lambda r, i: f"{r.choice(_PLACE)}"
                    f"{r.choice(_LAST).split('-')[-1].title()} {i}")
    rng.shuffle(persons)
    store = KgStore(None)
    day0 = dt.date(2014, 6, 1)
    for a in range(n_articles):
        published = day0 + dt.timedelta(days=a * 3)
        facts = ArticleFacts()
        text: list[str] = []

        def sentence(s: str) -> Evidence:
            start = sum(len(t) + 1 for t in text)
            text.append(s)
            return Evidence(s, start, start + len(s))

        def ent(kind: str, label: str) -> tuple[str, str]:
            facts.entities.setdefault((kind, label), Entity(kind, label))  # type: ignore[arg-type]
            return (kind, label)

        for _ in range(rng.randint(2, 4)):
            p = ent("Person", _pick(rng, persons))
            o = ent("Organization", _pick(rng, orgs))
            role = rng.choice(_ROLES)
            ev = sentence(f"{p[1]}, the {role} of the {o[1]}, spoke to reporters.")
            facts.memberships.append(Membership(p, role, o, ev, "bench@1"))
        for _ in range(rng.randint(1, 2)):
            op_type, trigger = rng.choice(_OPS)
            place = ent("Place", _pick(rng, places))
            actor = ent("Organization", _pick(rng, orgs))
            target = ent("Person", _pick(rng, persons))
            when = published - dt.timedelta(days=rng.randint(1, 6))
            ev = sentence(f"The {actor[1]} carried out a {trigger} near {place[1]} on "
                          f"{when:%B} {when.day} targeting {target[1]}.")
            facts.operations.append(Operation(
                op_type, trigger, places=[place], actors=[actor], targets=[target],
                time=TimeValue(f"{when:%B} {when.day}", when.isoformat(), "day"), evidence=[ev]))
            for _ in range(rng.randint(1, 2)):
                if rng.random() < 0.5:
                    src = ent("AnonymousSource", rng.choice(["a U.S. official", "a resident",
                                                             "witnesses", "a military source"]))
                else:
                    src = ent("Person", _pick(rng, persons))
                ev = sentence(f"The {trigger} killed {rng.randint(2, 30)} fighters, "
                              f"{src[1]} said.")
                facts.claims.append(Claim([src], f"the {trigger} killed fighters", "said",
                                          "Asserted", ev, "bench@1",
                                          about=len(facts.operations) - 1))
        article = Article(id=f"bench-{a:05d}", text=" ".join(text), title=f"Report {a}",
                          published=published)
        store.replace_graph(article_graph(article, facts, content_hash=f"bench-{a}"))
    return store, n_articles


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=5000, help="target node count (default 5000)")
    ap.add_argument("--keep", type=Path, help="also write the HTML here")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for a draw")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    t = time.perf_counter()
    store, n_articles = synthetic_store(args.nodes)
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    graph = network.project(store)
    t_project = time.perf_counter() - t
    t = time.perf_counter()
    pos = network.layout(graph)
    t_layout = time.perf_counter() - t
    t = time.perf_counter()
    html = network.to_html(graph, title="kgraid benchmark network", positions=pos)
    t_html = time.perf_counter() - t
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    print(f"synthetic corpus: {n_articles} articles, {len(store)} triples ({t_build:.1f} s)")
    print(f"project: {n} nodes, {m} edges in {t_project:.2f} s; layout {t_layout:.2f} s; "
          f"html {len(html) / 1e6:.1f} MB in {t_html:.2f} s")
    with tempfile.TemporaryDirectory(prefix="kgraid-bench-") as tmp:
        path = Path(tmp) / "network.html"
        path.write_text(html, encoding="utf-8")
        if args.keep:
            args.keep.parent.mkdir(parents=True, exist_ok=True)
            args.keep.write_text(html, encoding="utf-8")
        blocked: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})

            def route(r):  # noqa: ANN001
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()
            page.route("**/*", route)
            t = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-drawn]", state="attached",
                                   timeout=args.timeout * 1000)
            wall = time.perf_counter() - t
            first_draw = page.evaluate("kgraidNetwork.firstDrawMs()")
            drawn = page.evaluate("kgraidNetwork.drawnNodeCount()")
            label = graph.nodes[max(graph.nodes, key=graph.degree)]["label"]
            t = time.perf_counter()
            page.fill("#search", label)
            page.press("#search", "Enter")
            page.evaluate(_TWO_FRAMES)
            assert page.evaluate("kgraidNetwork.selectedIds().length") == 1
            t_search = time.perf_counter() - t
            t = time.perf_counter()
            page.fill("#from", "2015-01-01")
            page.dispatch_event("#from", "change")
            page.evaluate(_TWO_FRAMES)
            t_filter = time.perf_counter() - t
            shown = page.evaluate("kgraidNetwork.drawnNodeCount()")
            browser.close()
    print(f"chromium: first draw {first_draw:.0f} ms after navigation start "
          f"(wall {wall * 1000:.0f} ms incl. load), {drawn}/{n} nodes drawn, "
          f"{len(blocked)} requests blocked")
    print(f"search + select + centre: {t_search * 1000:.0f} ms; date filter: "
          f"{t_filter * 1000:.0f} ms ({shown} nodes left)")
    print(json.dumps({"nodes": n, "edges": m, "articles": n_articles,
                      "project_s": round(t_project, 3), "layout_s": round(t_layout, 3),
                      "html_mb": round(len(html) / 1e6, 2), "first_draw_ms": round(first_draw),
                      "wall_ms": round(wall * 1000), "search_ms": round(t_search * 1000),
                      "filter_ms": round(t_filter * 1000), "blocked": len(blocked)}))
    return 0 if drawn == n and not blocked else 1


if __name__ == "__main__":
    sys.exit(main())
