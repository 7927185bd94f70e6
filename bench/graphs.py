"""Synthetic knowledge graphs in kgraid's own ontology, at a given number of triples.

Each synthetic article gets typed facts (:mod:`kgraid.facts`) drawn from the same vocabularies
as the synthetic corpora (``bench/data``): its places, the acting force and the armed group,
a spokesman and a target with their roles (memberships), one operation with place, date,
actor, target and a casualty figure, and attributed claims with hedges and figures, each with
an evidence sentence filled from the genre's sentence patterns. The graph is then made by the
real :func:`kgraid.rdf.article_graph`, so IRIs, provenance and shapes are exactly what
``kgraid build`` writes (about 120 triples per article). Entities are drawn from pools with
Zipf-like frequencies, so a few names occur in many articles, as in real reporting.

    python -m bench.graphs --triples 1000000 --out bench/out/graph-1M   # a store directory

The same seed and size give the same graph.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import itertools
import logging
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pyoxigraph as ox
from rdflib import Graph

from kgraid.facts import (ArticleFacts, Claim, Entity, EntityKey, Evidence, Figure, Membership,
                          Operation, TimeValue)
from kgraid.ingest import Article
from kgraid.rdf import article_graph
from kgraid.store import to_ox

from .corpus import World, fill, load_world, militant_name, official_name, story

if TYPE_CHECKING:
    from kgraid.gazetteer import Gazetteer

log = logging.getLogger(__name__)

_VERBS = [("said", "Asserted"), ("confirmed", "Confirmed"), ("claimed", "Claimed"),
          ("reported", "Asserted"), ("according to", "Asserted"), ("denied", "Denied"),
          ("said reportedly", "Reportedly")]
_CASUALTIES = ["killed", "wounded", "detained", "captured", "freed"]
_QUALIFIERS = [None, None, "at least", "about", "more than"]
#: Bumped when the generated graphs change, so cached graphs in bench/out are not reused.
#: v2: casualty figures (outcomes of operations, figures of claims) are generated.
#: v3: towns and provinces are linked to (synthetic) Wikidata items, and the links graph is
#: written by the real ``kgraid link --enrich`` (coordinates, country, P131 parents).
#: v4: the store holds the views that timeline.rq and conflicting_figures.rq read, computed
#: by the linker's write (``kgraid.views``), as a build computes them.
GENERATOR_VERSION = 4


def synthetic_qid(name: str) -> str:
    """The Wikidata id of a place: the gazetteer's where it has one (as a real build links
    it), else a stable made-up one."""
    entry = _gazetteer().lookup(name, "Place")
    if entry is not None and entry.qid:
        return entry.qid
    return "Q" + str(int(hashlib.sha1(name.encode()).hexdigest()[:6], 16))


@functools.lru_cache(maxsize=1)
def _gazetteer() -> "Gazetteer":
    from kgraid.gazetteer import load_gazetteer

    return load_gazetteer()


class Pools:
    """Entity pools with Zipf-like weights, sized to the corpus."""

    def __init__(self, rng: random.Random, w: World, n_articles: int) -> None:
        size = max(50, n_articles // 4)
        self.officials = list(dict.fromkeys(official_name(rng, w) for _ in range(size)))
        self.militants = list(dict.fromkeys(militant_name(rng, w) for _ in range(size)))
        self._weights: dict[int, list[float]] = {}

    def pick(self, rng: random.Random, items: list[str]) -> str:
        weights = self._weights.get(len(items))
        if weights is None:
            weights = self._weights[len(items)] = [1 / (i + 1) ** 0.9 for i in range(len(items))]
        return rng.choices(items, weights)[0]


class _Text:
    """Builds an article text sentence by sentence, handing out evidence with offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0

    def add(self, sentence: str) -> Evidence:
        ev = Evidence(sentence, self.pos, self.pos + len(sentence))
        self.parts.append(sentence)
        self.pos += len(sentence) + 1
        return ev

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def synthetic_facts(rng: random.Random, w: World, pools: Pools, index: int,
                    ) -> tuple[Article, ArticleFacts]:
    published = dt.date.fromordinal(rng.randint(dt.date(2014, 6, 1).toordinal(),
                                                dt.date(2024, 12, 31).toordinal()))
    v = story(rng, w, published)
    text = _Text()
    facts = ArticleFacts()

    def entity(kind: str, label: str, etype: str | None = None, qid: str | None = None,
               ) -> EntityKey:
        key: EntityKey = (kind, label)
        if key not in facts.entities:
            facts.entities[key] = Entity(kind, label, entity_type=etype, qid=qid)  # type: ignore[arg-type]
        return key

    place = next(p for p in w.places if p.name == v["place"])
    k_place = entity("Place", place.name, "city", synthetic_qid(place.name))
    entity("Place", place.province, "governorate", synthetic_qid(place.province))
    k_country = entity("Place", place.country, "country", synthetic_qid(place.country))
    k_actor = entity("Organization", v["actor_org"].removeprefix("the "), "military")
    k_group = entity("Organization", v["group"].removeprefix("the "), "armed group")
    k_spokes_org = entity("Organization", v["spokes_org"].removeprefix("the "), "military")
    k_outlet = entity("Organization", v["outlet"].removeprefix("the "), "media")
    k_spokes = entity("Person", pools.pick(rng, pools.officials))
    k_target = entity("Person", pools.pick(rng, pools.militants))
    k_anon = entity("AnonymousSource", v["anon"])
    for key in (k_spokes, k_target):
        facts.entities[key].alt_labels.add(key[1].split()[-1])

    lead = text.add(fill(rng.choice(w.templates["lead"]), v))
    facts.memberships.append(Membership(
        k_spokes, v["spokes_role"], k_spokes_org,
        text.add(fill(w.templates["member"][1], v)), "membership/apposition@1", 0.85))
    if rng.random() < 0.5:
        facts.memberships.append(Membership(
            k_target, v["target_role"], k_group,
            text.add(fill(w.templates["member"][0], v)), "membership/apposition@1", 0.8))

    event = published - dt.timedelta(days=rng.randint(1, 3))
    op_type = dict(w.ops)[v["op"]]
    outcome = Figure(rng.choice(_CASUALTIES), rng.randint(1, 60), rng.choice(_QUALIFIERS),
                     f"{v['group_short']} militants")
    facts.operations.append(Operation(
        op_type, v["op"], places=[k_place], time=TimeValue(v["weekday"], event.isoformat(), "day"),
        actors=[k_actor], targets=[k_target] if rng.random() < 0.6 else [k_group],
        outcomes=[outcome], evidence=[lead], confidence=0.7))

    sources = [k_spokes, k_anon, k_outlet, k_spokes_org]
    for _ in range(rng.randint(1, 2)):
        verb, hedge = rng.choice(_VERBS)
        ev = text.add(fill(rng.choice(w.templates["claim"]), v))
        figures = ([Figure(rng.choice(_CASUALTIES), rng.randint(1, 150),
                           rng.choice(_QUALIFIERS), "civilians")] if rng.random() < 0.3 else [])
        facts.claims.append(Claim([rng.choice(sources)], ev.sentence, verb, hedge, ev,
                                  "claim/reporting-verb@1", figures,
                                  about=0 if rng.random() < 0.6 else None, confidence=0.8))
    _ = k_country
    art_id = f"synth-{index:07d}"
    article = Article(id=art_id, text=text.text, title=fill(rng.choice(w.templates["title"]), v),
                      published=published if rng.random() < 0.85 else None,
                      source=f"https://news.example.org/{art_id}", publisher=v["outlet"])
    return article, facts


def iter_article_graphs(seed: int = 20170108, n_articles_hint: int = 10_000,
                        ) -> Iterator[Graph]:
    """An endless stream of synthetic article graphs."""
    w = load_world()
    rng = random.Random(seed)
    pools = Pools(rng, w, n_articles_hint)
    for i in itertools.count():
        article, facts = synthetic_facts(rng, w, pools, i)
        yield article_graph(article, facts, content_hash=article.content_hash("bench"))


def iter_quads(triples: int, seed: int = 20170108) -> Iterator[ox.Quad]:
    """Quads of whole article graphs until at least ``triples`` triples."""
    n = 0
    for g in iter_article_graphs(seed, n_articles_hint=triples // 100):
        gid = ox.NamedNode(str(g.identifier))
        for s, p, o in g:
            yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), gid)  # type: ignore[arg-type]
            n += 1
        if n >= triples:
            return


def build_store(path: Path, triples: int, seed: int = 20170108) -> tuple[int, int]:
    """Write a synthetic graph of ``triples`` triples into a new on-disk store at ``path``;
    returns (triples, named graphs)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(path))
    t = time.perf_counter()
    store.bulk_extend(iter_quads(triples, seed))
    store.flush()
    del store
    link_synthetic(path)
    store = ox.Store(str(path))
    store.optimize()
    n, graphs = len(store), sum(1 for _ in store.named_graphs())
    log.info("synthetic graph: %d triples in %d graphs in %.1f s", n, graphs,
             time.perf_counter() - t)
    del store
    return n, graphs


def wikidata_slice(w: "World") -> str:
    """Turtle in Wikidata's RDF shape for the synthetic places: each town has coordinates
    (made up, inside the Middle East and Africa box), its country (P17) and its province as
    administrative parent (P131), whose parent is the country; every item has a description."""
    lines = ["@prefix wd: <http://www.wikidata.org/entity/> .",
             "@prefix wdt: <http://www.wikidata.org/prop/direct/> .",
             "@prefix schema: <http://schema.org/> .",
             "@prefix geo: <http://www.opengis.net/ont/geosparql#> ."]

    def item(name: str) -> str:
        return "wd:" + synthetic_qid(name)

    def text(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"@en'

    for country in sorted({p.country for p in w.places}):
        lines.append(f"{item(country)} schema:description {text('country (synthetic)')} .")
    for province, country in sorted({(p.province, p.country) for p in w.places}):
        lines.append(f"{item(province)} schema:description "
                     f"{text(f'province of {country} (synthetic)')} ; "
                     f"wdt:P17 {item(country)} ; wdt:P131 {item(country)} .")
    for p in w.places:
        h = int(hashlib.sha1(p.name.encode()).hexdigest()[:8], 16)
        lon, lat = 10 + (h % 5000) / 100, 0 + (h // 5000 % 3800) / 100
        lines.append(f"{item(p.name)} schema:description "
                     f"{text(f'town in {p.province}, {p.country} (synthetic)')} ; "
                     f'wdt:P625 "Point({lon:.2f} {lat:.2f})"^^geo:wktLiteral ; '
                     f"wdt:P17 {item(p.country)} ; wdt:P131 {item(p.province)} .")
    return "\n".join(lines) + "\n"


def link_synthetic(path: Path) -> None:
    """Write the store's links graph with the real linker, ``link_store(enrich=True)``,
    asking a real ``oxigraph serve`` on 127.0.0.1 that holds :func:`wikidata_slice`."""
    import tempfile
    import urllib.request

    from kgraid.link import link_store
    from kgraid.serve import OxigraphServer, free_port
    from kgraid.store import KgStore
    from kgraid.wikidata.client import SparqlClient

    t = time.perf_counter()
    with OxigraphServer(None, port=free_port()) as server, \
            tempfile.TemporaryDirectory(prefix="kgraid-bench-cache-") as cache:
        req = urllib.request.Request(server.store_url + "?default",
                                     data=wikidata_slice(load_world()).encode(), method="POST",
                                     headers={"Content-Type": "text/turtle"})
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
        store = KgStore(path)
        report = link_store(store, enrich=True, cache_dir=cache, batch_size=50,
                            client=SparqlClient(server.query_url, min_interval=0.0))
        store.close()
    if not report.ok:
        raise RuntimeError(f"linking the synthetic graph failed: {report.endpoint_error}")
    log.info("links graph: %s, %d triples in %.1f s", report.summary(), report.triples,
             time.perf_counter() - t)


def graph_store(triples: int, out_dir: Path, seed: int = 20170108) -> Path:
    """The store directory of a synthetic graph of ``triples`` triples, made once and reused."""
    path = out_dir / f"graph-{triples}-{seed}-v{GENERATOR_VERSION}.oxdb"
    done = path / ".complete"
    if not done.exists():
        if path.exists():
            import shutil
            shutil.rmtree(path)
        build_store(path, triples, seed)
        done.write_text("ok\n")
    ensure_views(path)
    return path


def ensure_views(path: Path) -> None:
    """Compute the views of the store at ``path`` when they are missing or were computed by
    another version of their definitions (a cached store made before a change)."""
    from kgraid import views
    from kgraid.store import KgStore

    with KgStore(path, read_only=True) as store:
        current = not views.stale_views(list(views.VIEWS), views.embedded_digests(store))
    if not current:
        with KgStore(path) as store:
            views.refresh(store)


def write_nquads(triples: int, path: Path, seed: int = 20170108) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        ox.serialize(iter_quads(triples, seed), f, format=ox.RdfFormat.N_QUADS)
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.graphs",
                                description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--triples", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=20170108)
    p.add_argument("--format", choices=("store", "nquads"), default="store")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.format == "store":
        n, graphs = build_store(args.out, args.triples, args.seed)
        print(f"{n} triples in {graphs} named graphs: {args.out}")
    else:
        write_nquads(args.triples, args.out, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
