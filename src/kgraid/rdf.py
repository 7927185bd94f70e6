"""Stage 4: turn one article's facts into its own named graph.

IRIs are minted deterministically: entities from their kind and normalized canonical label (so
the same name in two articles is the same node), facts from the article id and a hash of their
content and position (so a rebuild of an unchanged article gives the same graph).
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from .facts import ArticleFacts, Evidence, EntityKey, Figure, Operation
from .ingest import Article

__all__ = ["KGR", "ORG", "SEM", "BASE", "slug", "article_iri", "graph_iri", "entity_iri",
           "role_iri", "article_graph", "article_ntriples", "bind_prefixes",
           "EXTRACTOR_VERSION"]

KGR = Namespace("https://w3id.org/kgraid/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
WD = Namespace("http://www.wikidata.org/entity/")
BASE = "https://w3id.org/kgraid/"
#: The modules and word lists that decide an article's triples (ingest cleans the text, the
#: rest extract and mint): a change to any of them changes :data:`EXTRACTOR_VERSION`.
_EXTRACTOR_SOURCES = ("ingest.py", "nlp.py", "mentions.py", "dates.py", "extract.py",
                      "facts.py", "gazetteer.py", "rdf.py")


def _extractor_version(here: Path | None = None) -> str:
    """A digest of the extractor's own code and word lists (``resources/*.tsv``). A hand-kept
    version number went unchanged through every rule change, so an incremental build after
    an upgrade kept the old extraction of every unchanged article; the digest cannot be
    forgotten. Hashing the ~300 KB takes about a millisecond."""
    here = here or Path(__file__).parent
    h = hashlib.sha256()
    for path in [here / n for n in _EXTRACTOR_SOURCES] + sorted((here / "resources").glob("*.tsv")):
        h.update(path.name.encode())
        h.update(b"\x00")
        h.update(path.read_bytes())
        h.update(b"\x00")
    return "kgraid-extract-" + h.hexdigest()[:16]


#: Part of every article's content hash: a new extractor rebuilds every article.
EXTRACTOR_VERSION = _extractor_version()

PREFIXES = {"kgr": KGR, "org": ORG, "sem": SEM, "prov": PROV, "dcterms": DCTERMS,
            "skos": SKOS, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "wd": WD,
            "kgi": Namespace(BASE + "id/"), "kga": Namespace(BASE + "article/")}

_TIME_TYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}


def bind_prefixes(g: Graph) -> Graph:
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)
    return g


_POSSESSIVE, _NON_WORD, _LEADING_ARTICLE = (re.compile(r"'s\b"), re.compile(r"[\W_]+"),
                                            re.compile(r"^(?:the|a|an) "))


@functools.lru_cache(maxsize=65536)
def normalize_label(label: str) -> str:
    """The form two labels must share to be one node: case, punctuation, 'U.S.' vs 'US',
    curly quotes and a leading article are ignored."""
    s = unicodedata.normalize("NFKC", label).replace("\u2019", "'").replace("\u2018", "'")
    s = s.lower().replace("u.s.", "us").replace("u.k.", "uk").replace("u.n.", "un")
    s = _POSSESSIVE.sub("", s)
    s = _NON_WORD.sub(" ", s).strip()
    s = _LEADING_ARTICLE.sub("", s)
    return s


def slug(label: str) -> str:
    """A readable IRI segment for ``label``; a hash is added when folding to ASCII loses
    characters (Arabic, emoji) or leaves nothing, so distinct labels never share a slug."""
    norm = normalize_label(label)
    folded = unicodedata.normalize("NFKD", norm)
    ascii_part = "".join(ch for ch in folded if ord(ch) < 128)
    lossy = any(ord(ch) >= 128 and not unicodedata.combining(ch) for ch in folded)
    s = re.sub(r"[^a-z0-9]+", "-", ascii_part.lower()).strip("-")[:80].strip("-")
    if lossy or not s or len(ascii_part) > 80:
        # a label that normalizes to nothing ("'S") is hashed case- and space-folded too
        basis = norm or unicodedata.normalize("NFKC", label).strip().lower()
        digest = hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        s = f"{s}-{digest}" if s else digest
    return s


def _id_segment(article_id: str) -> str:
    seg = quote(article_id, safe="-_~.")
    if seg.startswith("."):
        seg = "%2E" + seg[1:]
    return seg


def article_iri(article_id: str) -> URIRef:
    return URIRef(f"{BASE}article/{_id_segment(article_id)}")


def graph_iri(article_id: str) -> URIRef:
    return URIRef(f"{BASE}graph/{_id_segment(article_id)}")


def entity_iri(key: EntityKey, article_id: str | None = None) -> URIRef:
    kind, label = key
    if kind == "AnonymousSource":
        # Anonymous sources are scoped to their article: "a U.S. official" in two articles
        # is not known to be one person.
        return URIRef(f"{BASE}id/source/{_id_segment(article_id or '')}/{slug(label)}")
    return URIRef(f"{BASE}id/{kind.lower()}/{slug(label)}")


def role_iri(role: str) -> URIRef:
    return URIRef(f"{BASE}id/role/{slug(role)}")


def _fact_iri(article_id: str, kind: str, *parts: object) -> URIRef:
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass"))
    return URIRef(f"{BASE}fact/{_id_segment(article_id)}/{kind}/{digest.hexdigest()[:16]}")


class _Triples:
    """The triples of one article graph as N-Triples lines, in insertion order, each once.

    Written directly rather than through an rdflib Graph: the build makes ~500 triples per
    article, and an rdflib Graph plus its serializer cost about as much as the extraction.
    Every IRI here is minted by this module (slugs and percent-encoded ids) or is a fixed
    vocabulary term; :func:`_iri` still refuses a character N-Triples cannot carry."""

    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines: dict[str, None] = {}

    def add(self, s: str, p: str, o: str) -> None:
        self.lines[f"{s} {p} {o} .\n"] = None

    def ntriples(self) -> bytes:
        return "".join(self.lines).encode("utf-8")


_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _iri(iri: str) -> str:
    if _BAD_IRI.search(iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def _lit(value: object, datatype: str | None = None) -> str:
    text = '"' + str(value).translate(_ESCAPES) + '"'
    return text if datatype is None else f"{text}^^<{datatype}>"


_A = _iri(str(RDF.type))
_T = {name: _iri(str(term)) for name, term in {
    "label": RDFS.label, "altLabel": SKOS.altLabel, "sameAs": OWL.sameAs,
    "derived": PROV.wasDerivedFrom, "attributed": PROV.wasAttributedTo,
    "identifier": DCTERMS.identifier, "title": DCTERMS.title, "issued": DCTERMS.issued,
    "source": DCTERMS.source, "publisher": DCTERMS.publisher,
    "member": ORG.member, "organization": ORG.organization, "role": ORG.role,
    "Membership": ORG.Membership, "hasPlace": SEM.hasPlace, "hasTimeStamp": SEM.hasTimeStamp,
    **{k: KGR[k] for k in (
        "Article", "contentHash", "mentionedIn", "entityType", "Role", "Operation",
        "operationType", "triggerText", "actor", "target", "dateText", "outcome", "Claim",
        "statement", "reportingVerb", "hedge", "about", "figure", "extractor", "confidence",
        "evidence", "Evidence", "sentence", "charStart", "charEnd", "CasualtyFigure",
        "casualtyType", "count", "qualifier", "subjectText")}}.items()}
_XSD_DECIMAL, _XSD_INTEGER, _XSD_DATE = str(XSD.decimal), str(XSD.integer), str(XSD.date)


def _provenance(g: _Triples, fact: str, art: str, evidence: list[Evidence], extractor: str,
                confidence: float) -> None:
    g.add(fact, _T["derived"], art)
    g.add(fact, _T["extractor"], _lit(extractor))
    g.add(fact, _T["confidence"], _lit(Decimal(str(round(confidence, 3))), _XSD_DECIMAL))
    for ev in evidence:
        node = f"{fact[:-1]}/ev/{ev.start}-{ev.end}>"
        g.add(fact, _T["evidence"], node)
        g.add(node, _A, _T["Evidence"])
        g.add(node, _T["sentence"], _lit(ev.sentence))
        g.add(node, _T["charStart"], _lit(ev.start, _XSD_INTEGER))
        g.add(node, _T["charEnd"], _lit(ev.end, _XSD_INTEGER))
        g.add(node, _T["derived"], art)


def _figures(g: _Triples, owner: str, prop: str, figures: list[Figure]) -> None:
    for i, f in enumerate(figures):
        node = f"{owner[:-1]}/figure/{i}>"
        g.add(owner, prop, node)
        g.add(node, _A, _T["CasualtyFigure"])
        g.add(node, _T["casualtyType"], _lit(f.casualty_type))
        g.add(node, _T["count"], _lit(int(f.count), _XSD_INTEGER))
        if f.qualifier:
            g.add(node, _T["qualifier"], _lit(f.qualifier))
        if f.subject:
            g.add(node, _T["subjectText"], _lit(f.subject))


def article_ntriples(article: Article, facts: ArticleFacts, *, content_hash: str) -> bytes:
    """The named graph of one article as N-Triples: its metadata, its entities as mentioned
    in it, and its memberships, operations and claims, each with provenance."""
    g = _Triples()
    art = _iri(str(article_iri(article.id)))
    g.add(art, _A, _T["Article"])
    g.add(art, _T["identifier"], _lit(article.id))
    g.add(art, _T["contentHash"], _lit(content_hash))
    if article.title:
        g.add(art, _T["title"], _lit(article.title))
    if article.published:
        g.add(art, _T["issued"], _lit(article.published.isoformat(), _XSD_DATE))
    if article.source:
        g.add(art, _T["source"], _lit(article.source))
    if article.publisher:
        g.add(art, _T["publisher"], _lit(article.publisher))

    nodes: dict[EntityKey, str] = {}

    def node(key: EntityKey) -> str:
        n = nodes.get(key)
        if n is None:
            n = nodes[key] = _iri(str(entity_iri(key, article.id)))
        return n

    for key, ent in facts.entities.items():
        n = node(key)
        g.add(n, _A, _iri(str(KGR[ent.kind])))
        g.add(n, _T["label"], _lit(ent.label))
        for alt in sorted(ent.alt_labels - {ent.label}):
            g.add(n, _T["altLabel"], _lit(alt))
        g.add(n, _T["mentionedIn"], art)
        if ent.entity_type:
            g.add(n, _T["entityType"], _lit(ent.entity_type))
        if ent.qid:
            g.add(n, _T["sameAs"], _iri(str(WD[ent.qid])))

    for m in facts.memberships:
        f = _iri(str(_fact_iri(article.id, "membership", m.person, m.role, m.organization)))
        role = _iri(str(role_iri(m.role)))
        g.add(f, _A, _T["Membership"])
        g.add(f, _T["member"], node(m.person))
        g.add(f, _T["organization"], node(m.organization))
        g.add(f, _T["role"], role)
        g.add(role, _A, _T["Role"])
        g.add(role, _T["label"], _lit(m.role))
        _provenance(g, f, art, [m.evidence], m.extractor, m.confidence)

    op_iris: list[str] = []
    for op in facts.operations:
        f = _iri(str(_fact_iri(article.id, "operation", op.op_type,
                               *(f"{e.start}-{e.end}" for e in op.evidence[:1]), op.trigger)))
        op_iris.append(f)
        g.add(f, _A, _T["Operation"])
        g.add(f, _T["operationType"], _iri(str(KGR[op.op_type])))
        g.add(f, _T["label"], _lit(_operation_label(op, facts)))
        g.add(f, _T["triggerText"], _lit(op.trigger))
        for p in op.places:
            g.add(f, _T["hasPlace"], node(p))
        for a in op.actors:
            g.add(f, _T["actor"], node(a))
        for t in op.targets:
            g.add(f, _T["target"], node(t))
        if op.time is not None:
            g.add(f, _T["dateText"], _lit(op.time.text))
            if op.time.value and op.time.precision:
                g.add(f, _T["hasTimeStamp"],
                      _lit(op.time.value, str(_TIME_TYPES[op.time.precision])))
        _figures(g, f, _T["outcome"], op.outcomes)
        _provenance(g, f, art, op.evidence, op.extractor, op.confidence)

    for c in facts.claims:
        f = _iri(str(_fact_iri(article.id, "claim", c.evidence.start, c.statement,
                               *sorted(map(str, c.sources)))))
        g.add(f, _A, _T["Claim"])
        for src in c.sources:
            g.add(f, _T["attributed"], node(src))
        g.add(f, _T["statement"], _lit(c.statement))
        g.add(f, _T["reportingVerb"], _lit(c.verb))
        g.add(f, _T["hedge"], _iri(str(KGR[c.hedge])))
        if c.about is not None and 0 <= c.about < len(op_iris):
            g.add(f, _T["about"], op_iris[c.about])
        _figures(g, f, _T["figure"], c.figures)
        _provenance(g, f, art, [c.evidence], c.extractor, c.confidence)
    return g.ntriples()


def article_graph(article: Article, facts: ArticleFacts, *, content_hash: str) -> Graph:
    """:func:`article_ntriples` as an rdflib Graph named by the article's graph IRI."""
    g = bind_prefixes(Graph(identifier=graph_iri(article.id)))
    g.parse(data=article_ntriples(article, facts, content_hash=content_hash).decode("utf-8"),
            format="nt")
    return g


def _operation_label(op: Operation, facts: ArticleFacts) -> str:
    words = [op.trigger]
    if op.places:
        specific = [p for p in op.places if not facts.is_broad_place(p)]
        words.append("near " + (specific or op.places)[0][1])
    if op.time is not None:
        words.append(op.time.value or op.time.text)
    return " ".join(words)
