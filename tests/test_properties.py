"""Property tests (hypothesis): ingest never raises anything but InputError, IRIs minted from
any label or id are valid and stable, any built graph round-trips through Turtle and TriG, and
date resolution never moves a relative date past publication nor invents precision."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from kgraid import dates
from kgraid.errors import InputError
from kgraid.facts import (ArticleFacts, Claim, Entity, Evidence, Figure, Membership, Operation,
                          TimeValue)
from kgraid.ingest import Article, iter_articles, read_article_bytes
from kgraid.rdf import article_graph, article_iri, entity_iri, graph_iri, slug

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
# Characters XML 1.0 cannot carry (RDF/XML, TriX, SPARQL XML results) and lone surrogates.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_article(art: Article) -> None:
    for s in (art.id, art.text, art.title or "", art.source or "", art.publisher or ""):
        assert not XML_ILLEGAL.search(s), repr(s)
        s.encode("utf-8")  # strict: no surrogates
    assert art.id and art.id == art.id.strip() and len(art.id) <= 200
    assert 0 <= art.body_start <= len(art.text) and art.body.strip()
    assert "\r" not in art.text
    ox.NamedNode(str(graph_iri(art.id)))
    assert len(art.content_hash()) == 64


# ----------------------------------------------------------------- ingest
texts = st.text(st.characters(codec="utf-8"), max_size=300)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252"])


@st.composite
def article_bytes(draw: st.DrawFn) -> bytes:
    """Bytes that look like articles: optional front matter of arbitrary lines, arbitrary
    text, an encoding, and sometimes raw garbage spliced in."""
    parts = []
    if draw(st.booleans()):
        keys = draw(st.lists(st.sampled_from(["id", "title", "published", "source", "x", ""]),
                             max_size=4))
        lines = [f"{k}: {draw(texts)}" for k in keys]
        parts.append("---\n" + "\n".join(lines) + ("\n---\n" if draw(st.booleans()) else "\n"))
    parts.append(draw(texts))
    text = "".join(parts)
    enc = draw(encodings)
    data = text.encode(enc, errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=40)) + data[cut:]
    return data


@settings(FAST, max_examples=250)
@given(st.one_of(st.binary(max_size=3000), article_bytes()))
def test_any_bytes_give_an_article_or_an_input_error(data: bytes) -> None:
    try:
        art = read_article_bytes(data, origin="any.md", default_id="any")
    except InputError as e:
        assert e.source == "any.md" and str(e).startswith("any.md: ") and e.reason
        return
    _check_article(art)
    # ...and the article's own graph is valid and round-trips.
    g = article_graph(art, ArticleFacts(), content_hash=art.content_hash())
    assert isomorphic(g, Graph().parse(data=g.serialize(format="turtle"), format="turtle"))


@FAST
@given(st.lists(st.one_of(st.binary(max_size=300),
                          st.builds(lambda t: t.encode("utf-8", "surrogatepass"),
                                    st.text(max_size=200))), max_size=8))
def test_any_bytes_as_json_lines_give_articles_or_input_errors(tmp_path_factory, lines) -> None:
    f = Path(tmp_path_factory.mktemp("jl")) / "x.jsonl"
    f.write_bytes(b"\n".join(lines))
    for res in iter_articles([f]):
        if isinstance(res, InputError):
            assert res.source.startswith(str(f))
        else:
            assert isinstance(res, Article)
            _check_article(res)


# ----------------------------------------------------------------- IRIs
labels = st.text(max_size=120)


@FAST
@given(labels, st.sampled_from(["Person", "Organization", "Place", "AnonymousSource"]),
       st.text(min_size=1, max_size=60))
def test_entity_iris_from_any_label_are_valid_and_stable(label: str, kind: str, aid: str) -> None:
    iri = str(entity_iri((kind, label), aid))
    ox.NamedNode(iri)
    assert URIRef(iri).n3() == f"<{iri}>"
    assert iri == str(entity_iri((kind, label), aid))
    s = slug(label)
    assert s and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", s)
    assert slug(label) == s


@FAST
@given(st.text(st.characters(codec="ascii"), max_size=60).filter(
    lambda s: re.search(r"[A-Za-z0-9]", s)))
def test_slug_ignores_case_and_surrounding_space(label: str) -> None:
    assert slug(label) == slug(f"  {label.upper()}  ") == slug(label.lower())


@FAST
@given(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=80))
def test_article_iris_are_valid_and_injective(a: str, b: str) -> None:
    for mint in (article_iri, graph_iri):
        ia, ib = str(mint(a)), str(mint(b))
        ox.NamedNode(ia)
        ox.NamedNode(ib)
        assert (ia == ib) == (a == b)


# ----------------------------------------------------------------- graphs
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc",)), max_size=40)
KINDS = ["Person", "Organization", "Place", "AnonymousSource"]


@st.composite
def facts_strategy(draw: st.DrawFn) -> tuple[Article, ArticleFacts]:
    text = draw(st.text(st.characters(codec="utf-8", exclude_categories=("Cc",)), min_size=1,
                        max_size=200)) or "x"
    art = Article(id=draw(st.text(st.characters(codec="utf-8", exclude_categories=("C",)),
                                  min_size=1, max_size=30)),
                  text=text, title=draw(st.none() | names),
                  published=draw(st.none() | st.dates()), source=draw(st.none() | names))
    facts = ArticleFacts()

    def ev() -> Evidence:
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        return Evidence(text[start:end], start, end)

    for kind, label in draw(st.lists(st.tuples(st.sampled_from(KINDS), names), max_size=6)):
        facts.entities[(kind, label)] = Entity(kind, label, alt_labels=set(draw(
            st.lists(names, max_size=2))), qid=draw(st.none() | st.from_regex(
                r"Q[1-9][0-9]{0,6}", fullmatch=True)), evidence=[ev()])
    keys = list(facts.entities) or [("Person", "x")]
    figures = st.lists(st.builds(Figure, st.sampled_from(["killed", "wounded"]),
                                 st.integers(0, 10**6), st.none() | names, st.none() | names),
                       max_size=2)
    for _ in range(draw(st.integers(0, 2))):
        facts.memberships.append(Membership(draw(st.sampled_from(keys)), draw(names),
                                            draw(st.sampled_from(keys)), ev(), "m@1",
                                            draw(st.floats(0, 1))))
    for _ in range(draw(st.integers(0, 2))):
        day = draw(st.dates())
        tv = draw(st.sampled_from([None, TimeValue("t", None, None),
                                   TimeValue("d", day.isoformat(), "day"),
                                   TimeValue("m", day.isoformat()[:7], "month"),
                                   TimeValue("y", day.isoformat()[:4], "year")]))
        facts.operations.append(Operation(
            draw(st.sampled_from(["Raid", "Airstrike", "Attack", "GenericOperation"])),
            draw(names), places=draw(st.lists(st.sampled_from(keys), max_size=2)), time=tv,
            actors=draw(st.lists(st.sampled_from(keys), max_size=2)),
            outcomes=draw(figures), evidence=[ev()]))
    for _ in range(draw(st.integers(0, 2))):
        facts.claims.append(Claim(draw(st.lists(st.sampled_from(keys), max_size=2)), draw(names),
                                  draw(names), draw(st.sampled_from(["Asserted", "Denied"])),
                                  ev(), "c@1", figures=draw(figures),
                                  about=draw(st.none() | st.integers(-1, 3))))
    return art, facts


@FAST
@given(facts_strategy())
def test_any_built_graph_round_trips_through_turtle_and_trig(case) -> None:
    art, facts = case
    g = article_graph(art, facts, content_hash=art.content_hash("p"))
    for iri in {str(t) for tr in g for t in tr if isinstance(t, URIRef)}:
        ox.NamedNode(iri)
    back = Graph().parse(data=g.serialize(format="turtle"), format="turtle")
    assert isomorphic(g, back)
    ds = Dataset()
    ds.graph(g.identifier).__iadd__(g)
    ds2 = Dataset()
    ds2.parse(data=ds.serialize(format="trig"), format="trig")
    assert isomorphic(g, ds2.graph(g.identifier))
    # pyoxigraph reads what rdflib wrote, quad for quad.
    quads = list(ox.parse(ds.serialize(format="nquads").encode(), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(g)


# ----------------------------------------------------------------- dates
MONTHS = ["January", "Feb.", "March", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.",
          "November", "Dec."]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
RANK = {"day": 3, "month": 2, "year": 1, None: 0}


@st.composite
def date_expression(draw: st.DrawFn) -> tuple[str, str, int]:
    """(text, kind, precision rank of the text): relative kinds need the publication date."""
    mon = draw(st.sampled_from(MONTHS))
    day = draw(st.integers(1, 31))
    year = draw(st.integers(1950, 2030))
    options = [
        (f"{year:04d}-{draw(st.integers(1, 12)):02d}-{day:02d}", "absolute", 3),
        (f"{mon} {day}, {year}", "absolute", 3),
        (f"{day} {mon} {year}", "absolute", 3),
        (f"{mon} {day}-{min(day + 2, 31)}, {year}", "absolute", 3),
        (f"{mon} {year}", "absolute", 2),
        (f"{mon} of {year}", "absolute", 2),
        (str(year), "absolute", 1),
        (f"{mon} {day}", "relative", 3),
        (f"{mon} {day}-{min(day + 3, 31)}", "relative", 3),
        (f"{day} {mon}", "relative", 3),
        (draw(st.sampled_from(WEEKDAYS)), "relative", 3),
        (draw(st.sampled_from(["yesterday", "today", "last night", "this morning",
                               "tonight", "earlier today"])), "relative", 3),
        (mon.rstrip("."), "relative", 2),
    ]
    return draw(st.sampled_from(options))


def _upper_bound(value: str, precision: str) -> dt.date:
    """The last day a value at its precision can denote."""
    if precision == "day":
        return dt.date.fromisoformat(value)
    if precision == "month":
        y, m = map(int, value.split("-"))
        return dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(int(value), 12, 31)


def _lower_bound(value: str, precision: str) -> dt.date:
    if precision == "day":
        return dt.date.fromisoformat(value)
    if precision == "month":
        return dt.date.fromisoformat(value + "-01")
    return dt.date(int(value), 1, 1)


LEXICAL = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}


@settings(max_examples=300, deadline=None)
@given(date_expression(), st.none() | st.dates(dt.date(1960, 1, 1), dt.date(2035, 12, 31)))
def test_date_resolution_is_never_after_publication_nor_finer_than_its_text(expr, published):
    text, kind, rank = expr
    tv = dates.resolve(text, published)
    assert tv.text == text
    assert (tv.value is None) == (tv.precision is None)
    if tv.value is None:
        return
    assert re.fullmatch(LEXICAL[tv.precision], tv.value), tv
    _lower_bound(tv.value, tv.precision)  # a real date at its precision
    assert RANK[tv.precision] <= rank, (text, tv)
    if kind == "relative":
        assert published is not None, (text, tv)  # no publication date, nothing invented
        # Past-tense news: the event starts no later than the day of publication...
        assert _lower_bound(tv.value, tv.precision) <= published, (text, published, tv)
        # ...and a day-precision date is not after it either.
        if tv.precision == "day":
            assert dt.date.fromisoformat(tv.value) <= published
        # ...nor more than a year before it.
        assert _upper_bound(tv.value, tv.precision) >= published - dt.timedelta(days=366)


@FAST
@given(st.text(max_size=80), st.none() | st.dates())
def test_date_resolution_of_any_text_does_not_raise(text: str, published) -> None:
    tv = dates.resolve(text, published)
    assert tv.value is None or re.fullmatch(LEXICAL[tv.precision], tv.value)
    for start, end, found in dates.find_dates(text):
        assert text[start:end] == found
        dates.resolve(found, published)
