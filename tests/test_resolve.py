"""Cross-article resolution: one node per entity across articles, reversible merges."""
from kgraid.pipeline import build
from kgraid.resolve import merges, resolve_store, unmerge, variant_key
from kgraid.store import KgStore

A1 = """---
title: one
published: 2017-01-09
---
The highest-ranking leader killed was Abu Muhammad al-Adnani, ISIL's spokesman. Abu Omar al-Shishani, a senior ISIL commander, was wounded.
"""
A2 = """---
title: two
published: 2017-01-10
---
Officials said they think Shishani is still alive. Daesh fighters attacked Raqqah on Monday.
"""
A3 = """---
published: 2017-01-12
---
The Syrian Observatory for Human Rights said that a U.S. raid near Deir al-Zour took place on Jan. 8.
"""
A4 = """---
published: 2017-01-13
---
The Britain-based Syrian Observatory for Human Rights said that five militants were killed in a raid near Deir ez-Zor on Jan. 8.
"""


def _store(tmp_path, texts):
    d = tmp_path / "in"
    d.mkdir()
    for i, t in enumerate(texts):
        (d / f"a{i}.md").write_text(t, encoding="utf-8")
    store = KgStore(None)
    report = build([d], store, post_build=[resolve_store])
    assert report.count("built") == len(texts)
    return store


def _labels_of(store, kind):
    q = ("SELECT ?e (COUNT(DISTINCT ?a) AS ?n) WHERE { ?e a <https://w3id.org/kgraid/ontology#"
         f"{kind}> ; <https://w3id.org/kgraid/ontology#mentionedIn> ?a }} GROUP BY ?e")
    return {r["e"].value: int(r["n"].value) for r in store.query(q)}


def test_variant_key_folds_transliterations():
    assert variant_key("Deir al-Zour") == variant_key("Deir el-Zour") == variant_key("Deir Zor")
    assert variant_key("Raqqah") == variant_key("Raqqa")
    assert variant_key("Ash Carter") != variant_key("Carter")


def test_aliases_and_short_names_are_one_node(tmp_path):
    store = _store(tmp_path, [A1, A2])
    orgs = _labels_of(store, "Organization")
    assert orgs["https://w3id.org/kgraid/id/organization/islamic-state"] == 2  # ISIL + Daesh
    persons = _labels_of(store, "Person")
    assert persons["https://w3id.org/kgraid/id/person/abu-omar-al-shishani"] == 2
    assert "https://w3id.org/kgraid/id/person/shishani" not in persons
    rows = merges(store)
    m = [r for r in rows if r["merged"].endswith("/person/shishani")]
    assert m and m[0]["rule"] == "short-name" and "Shishani" in m[0]["labels"]


def test_unmerge_restores_and_blocks(tmp_path):
    store = _store(tmp_path, [A1, A2])
    full = "https://w3id.org/kgraid/id/person/abu-omar-al-shishani"
    short = "https://w3id.org/kgraid/id/person/shishani"
    result = unmerge(store, full, short)
    assert result["graphs"] == 1
    persons = _labels_of(store, "Person")
    assert persons[short] == 1 and persons[full] == 1
    labels = {r["l"].value for r in store.query(
        f"SELECT ?l WHERE {{ <{short}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")}
    assert labels == {"Shishani"}  # the canonical label the merge added is gone again
    resolve_store(store)  # a later build must not merge them again
    assert short in _labels_of(store, "Person")


def test_same_operation_from_two_articles_is_one_operation(tmp_path):
    store = _store(tmp_path, [A3, A4])
    q = """PREFIX kgr: <https://w3id.org/kgraid/ontology#>
           PREFIX prov: <http://www.w3.org/ns/prov#>
           SELECT ?op (COUNT(DISTINCT ?a) AS ?n) (COUNT(DISTINCT ?c) AS ?claims) WHERE {
             ?op a kgr:Operation ; prov:wasDerivedFrom ?a . OPTIONAL { ?c kgr:about ?op } } GROUP BY ?op"""
    rows = [(int(r["n"].value), int(r["claims"].value)) for r in store.query(q)]
    assert rows == [(2, 2)]


def test_operations_on_different_dates_stay_apart(tmp_path):
    a5 = A4.replace("Jan. 8", "Jan. 11")
    store = _store(tmp_path, [A3, a5])
    n = list(store.query("SELECT (COUNT(DISTINCT ?op) AS ?n) WHERE { ?op a "
                         "<https://w3id.org/kgraid/ontology#Operation> }"))[0]["n"].value
    assert int(n) == 2


def test_persons_are_never_merged_with_places(tmp_path):
    store = _store(tmp_path, [A1, A2])
    for r in merges(store):
        assert r["canonical"].split("/id/")[1].split("/")[0] == r["merged"].split("/id/")[1].split("/")[0]


def test_merges_conform_and_a_cross_kind_merge_is_flagged(tmp_path):
    import pyoxigraph as ox
    from rdflib import Dataset, Graph, URIRef
    from rdflib.namespace import RDF
    from kgraid.validate import validate_graph
    store = _store(tmp_path, [A1, A2, A3, A4])
    ds = Dataset(default_union=True)
    ds.parse(data=store.raw.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    g = Graph()
    for t in ds.triples((None, None, None)):
        g.add(t)
    assert validate_graph(g, engine="pyshacl").conforms
    k = "https://w3id.org/kgraid/ontology#"
    m = next(g.subjects(RDF.type, URIRef(k + "Merge")))
    g.remove((m, URIRef(k + "mergedFrom"), None))
    g.add((m, URIRef(k + "mergedFrom"), URIRef("https://w3id.org/kgraid/id/place/raqqa")))
    report = validate_graph(g, engine="pyshacl")
    assert not report.conforms
    assert any("one kind" in v.message and v.focus == str(m) for v in report.violations)


def test_read_only_store_closes_cleanly(tmp_path):
    from kgraid.store import KgStore as S
    s = S(tmp_path / "kg")
    s.close()
    S(tmp_path / "kg", read_only=True).close()


def test_rewrite_touches_only_quads_of_the_iri_in_the_given_graphs_and_writes_the_record() -> None:
    import pyoxigraph as ox

    from kgraid.resolve import MERGES_GRAPH, _rewrite

    ex = "https://example.org/"
    old, new, other = (ox.NamedNode(ex + n) for n in ("old", "new", "other"))
    p, label = ox.NamedNode(ex + "p"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    g1, g2, g3 = (ox.NamedNode(ex + f"g{i}") for i in (1, 2, 3))
    raw = ox.Store()
    for g in (g1, g2, g3):
        raw.extend([ox.Quad(old, p, other, g), ox.Quad(other, p, old, g),
                    ox.Quad(old, p, old, g), ox.Quad(other, p, other, g),
                    ox.Quad(old, label, ox.Literal("Old"), g)])
    mg = ox.NamedNode(MERGES_GRAPH)
    record = [ox.Quad(ox.NamedNode(ex + "m"), p, ox.NamedNode(ex + f"g{i}"), mg)
              for i in (1, 2)]
    _rewrite(raw, old.value, new.value, [g1.value, g2.value], record)

    def quads(g):
        return {(q.subject, q.predicate, q.object) for q in raw.quads_for_pattern(None, None,
                                                                                  None, g)}
    alt = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    for g in (g1, g2):  # subject, object and both positions rewritten; the label is an alias
        assert quads(g) == {(new, p, other), (other, p, new), (new, p, new),
                            (other, p, other), (new, alt, ox.Literal("Old"))}
    assert (old, p, other) in quads(g3) and not any(new in t for t in quads(g3))
    assert quads(mg) == {(q.subject, q.predicate, q.object) for q in record}


def _linked_unmerged(tmp_path, name: str):
    """Link the Shishani store with a gazetteer that knows only ``name`` (Q1 a person), then
    undo the merge of "Shishani" into "Abu Omar al-Shishani"."""
    from kgraid.gazetteer import Gazetteer, GazetteerEntry
    from kgraid.link import LINKS_GRAPH, link_store
    store = _store(tmp_path, [A1, A2])
    gz = Gazetteer()
    gz.add(GazetteerEntry("Person", name, (), "Q1", None))
    link_store(store, gazetteer=gz)
    full = "https://w3id.org/kgraid/id/person/abu-omar-al-shishani"
    short = "https://w3id.org/kgraid/id/person/shishani"
    linked = {r["e"].value for r in store.query(
        f"SELECT ?e WHERE {{ GRAPH <{LINKS_GRAPH}> {{ ?e <http://www.w3.org/2002/07/owl#sameAs> "
        "<http://www.wikidata.org/entity/Q1> } }")}
    assert linked == {full}  # the merged node's names are the canonical node's
    result = unmerge(store, full, short)
    left = {(r["s"].value, r["p"].value) for r in store.query(
        f"SELECT ?s ?p WHERE {{ GRAPH <{LINKS_GRAPH}> {{ ?s ?p ?o }} }}")}
    return result, left, full


def test_unmerge_drops_a_link_that_rested_on_the_merged_name(tmp_path):
    result, left, full = _linked_unmerged(tmp_path, "Shishani")
    assert result["links_dropped"] == [full]
    assert not any(s == full for s, _p in left)  # no owl:sameAs, no enrichment
    assert not any(p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject" for _s, p in left)


def test_unmerge_keeps_a_link_made_on_the_canonical_name(tmp_path):
    result, left, full = _linked_unmerged(tmp_path, "Abu Omar al-Shishani")
    assert result["links_dropped"] == []
    assert (full, "http://www.w3.org/2002/07/owl#sameAs") in left


class _Recording:
    """A real pyoxigraph store that records the update texts sent to it."""

    def __init__(self, raw):
        self.raw_store, self.updates = raw, []

    def update(self, text, **kw):
        self.updates.append(text)
        return self.raw_store.update(text, **kw)

    def __getattr__(self, name):
        return getattr(self.raw_store, name)


def test_rewrite_binds_hostile_labels_as_data_and_round_trips(tmp_path) -> None:
    """Labels that would break out of a pasted SPARQL literal are data: the update texts are
    the module's constants, the merge and its undo restore every quad, and the staging
    graphs are gone afterwards."""
    import pyoxigraph as ox

    from kgraid import resolve

    ex = "https://example.org/"
    old, new, p = (ox.NamedNode(ex + n) for n in ("old", "new", "p"))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    g = ox.NamedNode(ex + "g")
    hostile = ['x" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "c', "back\\slash \"q\" \n'",
               "}} ?s ?p ?o {{", "قائد <script>"]
    raw = ox.Store()
    before = [ox.Quad(old, label, ox.Literal(h), g) for h in hostile]
    before += [ox.Quad(old, p, ox.Literal(h, language="en"), g) for h in hostile]
    before += [ox.Quad(new, label, ox.Literal("New"), g)]
    raw.extend(before)
    rec = _Recording(raw)
    resolve._rewrite(rec, old.value, new.value, [g.value], canon_label=ox.Literal("New"))
    alt = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    after = {(q.subject, q.predicate, q.object) for q in raw.quads_for_pattern(None, None, None, g)}
    assert {(new, alt, ox.Literal(h)) for h in hostile} <= after
    assert not any(old in t for t in after)
    resolve._rewrite(rec, new.value, old.value, [g.value], label_to_alt=False,
                     alt_to_label=frozenset(hostile))
    # the merge's canonical label on the merged node is dropped, the hostile names restored
    assert set(raw) == set(before) - {ox.Quad(new, label, ox.Literal("New"), g)}
    assert rec.updates == [resolve._REWRITE_UPDATE] * 2
    assert all(n.value not in (resolve._PARAMS_GRAPH, resolve._STAGED_GRAPH)
               for n in raw.named_graphs())


def test_a_rewrite_killed_before_its_update_does_not_leak_into_the_next(tmp_path) -> None:
    """Parameters left by a run killed between writing them and the update are cleared:
    the next rewrite replaces only its own IRI."""
    import pyoxigraph as ox

    from kgraid import resolve

    ex = "https://example.org/"
    a, b, c, p = (ox.NamedNode(ex + n) for n in ("a", "b", "c", "p"))
    g = ox.NamedNode(ex + "g")
    raw = ox.Store(str(tmp_path / "kg"))
    raw.extend([ox.Quad(a, p, c, g), ox.Quad(b, p, c, g)])
    params = ox.NamedNode(resolve._PARAMS_GRAPH)
    raw.extend([ox.Quad(resolve._JOB, resolve._PARAM["old"], b, params),
                ox.Quad(resolve._JOB, resolve._PARAM["graph"], g, params)])
    resolve._rewrite(raw, a.value, c.value, [g.value])
    assert {(q.subject, q.object) for q in raw.quads_for_pattern(None, p, None, g)} == \
        {(c, c), (b, c)}
    assert list(raw.quads_for_pattern(None, None, None, params)) == []


def test_a_resolve_that_merges_nothing_still_clears_a_killed_runs_staging_graphs(tmp_path) -> None:
    """The staging graphs of a killed rewrite would otherwise stay visible in queries and
    exports until some later run happened to merge something."""
    import pyoxigraph as ox

    from kgraid import resolve

    ex = "https://example.org/"
    g = ox.NamedNode(ex + "g")
    store = KgStore(tmp_path / "kg")
    store.raw.extend([ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "p"), ox.Literal("x"), g),
                      ox.Quad(resolve._JOB, resolve._PARAM["old"], ox.NamedNode(ex + "a"),
                              ox.NamedNode(resolve._PARAMS_GRAPH)),
                      ox.Quad(ox.NamedNode(ex + "s"), ox.NamedNode(ex + "p"), ox.Literal("y"),
                              ox.NamedNode(resolve._STAGED_GRAPH))])
    resolve_store(store)
    graphs = {str(n.value) for n in store.raw.named_graphs()}
    assert resolve._PARAMS_GRAPH not in graphs and resolve._STAGED_GRAPH not in graphs
    assert len(list(store.raw.quads_for_pattern(None, None, None, g))) == 1


def _op_store(tmp_path, ops, places=()):
    """A store of hand-made article graphs: ``ops`` holds (article, op, type, timestamp,
    place names); ``places`` (article, place name) adds a place mentioned on its own. A
    timestamp is a day, a month ("2017-10") or a year; a place name may carry its entity
    type after a colon ("Syria:country")."""
    import pyoxigraph as ox

    from kgraid.rdf import BASE
    k, sem = "https://w3id.org/kgraid/ontology#", "http://semanticweb.cs.vu.nl/2009/11/sem/"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

    xsd = "http://www.w3.org/2001/XMLSchema#"

    def place(g, name):
        name, _, etype = name.partition(":")
        iri = ox.NamedNode(BASE + "id/place/" + name.lower().replace(" ", "-"))
        return iri, [ox.Quad(iri, rdf_type, ox.NamedNode(k + "Place"), g),
                     ox.Quad(iri, label, ox.Literal(name), g)] + (
            [ox.Quad(iri, ox.NamedNode(k + "entityType"), ox.Literal(etype), g)] if etype else [])
    store = KgStore(tmp_path / "kg")
    quads = []
    for article, name in places:
        quads += place(ox.NamedNode(BASE + "graph/" + article), name)[1]
    for article, op, kind, ts, names in ops:
        g = ox.NamedNode(BASE + "graph/" + article)
        o = ox.NamedNode(f"{BASE}fact/{article}/operation/{op}")
        quads += [ox.Quad(o, rdf_type, ox.NamedNode(k + "Operation"), g),
                  ox.Quad(o, ox.NamedNode(k + "operationType"), ox.NamedNode(k + kind), g),
                  ox.Quad(o, ox.NamedNode(sem + "hasTimeStamp"),
                          ox.Literal(ts, datatype=ox.NamedNode(
                              xsd + {10: "date", 7: "gYearMonth", 4: "gYear"}[len(ts)])), g),
                  ox.Quad(o, label, ox.Literal(f"{kind} {op}"), g)]
        for name in names:
            iri, qs = place(g, name)
            quads += qs + [ox.Quad(o, ox.NamedNode(sem + "hasPlace"), iri, g)]
    store.raw.extend(quads)
    return store


def _operations(store):
    return {r["op"].value.rsplit("/", 3)[-3] + "/" + r["op"].value.rsplit("/", 1)[-1]
            for r in store.query("SELECT DISTINCT ?op WHERE { ?op a "
                                 "<https://w3id.org/kgraid/ontology#Operation> }")}


def test_operations_linked_through_a_chain_of_shared_places_merge_in_one_pass(tmp_path):
    """x and y share Achin, y and z share Mosul: one operation. The Achin key sorts first,
    so y has merged into x before the Mosul key is read; it must still bring z along, or a
    second resolve finds the merge the first missed. An operation from an article already
    in the cluster, or of another family of types, stays apart."""
    store = _op_store(tmp_path, [
        ("a1", "x", "Raid", "2017-01-08", ["Achin"]),
        ("a2", "y", "Raid", "2017-01-08", ["Achin", "Mosul"]),
        ("a3", "z", "Capture", "2017-01-08", ["Mosul"]),
        ("a3", "zz", "Raid", "2017-01-08", ["Mosul"]),         # a3 is in the cluster already
        ("a4", "v", "Airstrike", "2017-01-08", ["Mosul"]),     # a strike is not a raid
    ])
    first = resolve_store(store)
    assert _operations(store) == {"a1/x", "a3/zz", "a4/v"}
    assert first["merges"]["operations"] == 2
    assert {(m["merged"].rsplit("/", 1)[-1], m["canonical"].rsplit("/", 1)[-1])
            for m in merges(store)} == {("y", "x"), ("z", "x")}
    assert resolve_store(store)["merges"]["new"] == 0


def test_a_place_merge_that_gives_two_operations_a_shared_place_merges_them_in_one_pass(tmp_path):
    """Deir el-Zour and Deir al-Zour are one place; once merged, the raids there on the same
    day are one raid: the same resolve must see that, not the next one."""
    store = _op_store(tmp_path, [
        ("a1", "x", "Raid", "2017-01-08", ["Deir al-Zour"]),
        ("a2", "y", "Raid", "2017-01-08", ["Deir el-Zour"]),
    ], places=[("a3", "Deir al-Zour")])
    first = resolve_store(store)
    assert first["merges"]["entities"] == 1 and first["merges"]["operations"] == 1
    assert _operations(store) == {"a1/x"}
    assert resolve_store(store)["merges"]["new"] == 0


def test_operations_known_only_to_a_month_or_a_year_or_on_a_broad_area_stay_apart(tmp_path):
    """Two articles' raids near Ramadi in 2016, or captures in Raqqa in October 2017, need not
    be one operation; nor need two strikes in Syria, in a governorate or in "northern Raqqa" on
    one day. Sharing a town on the same day still makes one operation, whatever broad place
    they also share."""
    store = _op_store(tmp_path, [
        ("a1", "year", "Raid", "2016", ["Ramadi:city"]),
        ("a2", "year", "Raid", "2016", ["Ramadi:city"]),
        ("a1", "month", "Capture", "2017-10", ["Raqqa:city"]),
        ("a2", "month", "Capture", "2017-10", ["Raqqa:city"]),
        ("a3", "country", "Airstrike", "2017-01-08", ["Syria:country"]),
        ("a4", "country", "Airstrike", "2017-01-08", ["Syria:country"]),
        ("a3", "gov", "Strike", "2017-01-09", ["Deir ez-Zor Governorate:governorate"]),
        ("a4", "gov", "Strike", "2017-01-09", ["Deir ez-Zor Governorate:governorate"]),
        ("a5", "town", "Airstrike", "2017-01-10", ["Syria:country", "Tabqa:town"]),
        ("a6", "town", "Airstrike", "2017-01-10", ["Tabqa:town"]),
        ("a5", "ner", "Raid", "2017-01-11", ["Abu Kamal"]),  # no entity type: specific
        ("a6", "ner", "Raid", "2017-01-11", ["Abu Kamal"]),
        ("a7", "dir", "Raid", "2017-01-12", ["northern Raqqa"]),  # a part of a wider place
        ("a8", "dir", "Raid", "2017-01-12", ["northern Raqqa"]),
    ])
    report = resolve_store(store)
    assert report["merges"]["operations"] == 2
    assert {(m["merged"].rsplit("/", 3)[-3], m["canonical"].rsplit("/", 3)[-3],
             m["merged"].rsplit("/", 1)[-1]) for m in merges(store)} == {
        ("a6", "a5", "town"), ("a6", "a5", "ner")}
    assert len(_operations(store)) == 12
