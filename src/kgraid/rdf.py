"""Stage 4: turn one article's facts into its own named graph.

IRIs are minted deterministically: entities from their kind and normalized canonical label (so
the same name in two articles is the same node), facts from the article id and a hash of their
content and position (so a rebuild of an unchanged article gives the same graph).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from decimal import Decimal
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from .facts import ArticleFacts, Evidence, EntityKey, Figure, Operation
from .ingest import Article

__all__ = ["KGR", "ORG", "SEM", "BASE", "slug", "article_iri", "graph_iri", "entity_iri",
           "role_iri", "article_graph", "bind_prefixes", "EXTRACTOR_VERSION"]

KGR = Namespace("https://w3id.org/kgraid/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
WD = Namespace("http://www.wikidata.org/entity/")
BASE = "https://w3id.org/kgraid/"
#: Part of every article's content hash: a new extractor version rebuilds every article.
EXTRACTOR_VERSION = "kgraid-extract-1.0"

PREFIXES = {"kgr": KGR, "org": ORG, "sem": SEM, "prov": PROV, "dcterms": DCTERMS,
            "skos": SKOS, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "wd": WD,
            "kgi": Namespace(BASE + "id/"), "kga": Namespace(BASE + "article/")}

_DIRECTION_WORDS = {"northern", "southern", "eastern", "western", "northeast", "northwest",
                    "southeast", "southwest", "central", "north", "south", "east", "west",
                    "northeastern", "northwestern", "southeastern", "southwestern"}
_TIME_TYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}


def bind_prefixes(g: Graph) -> Graph:
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)
    return g


def normalize_label(label: str) -> str:
    """The form two labels must share to be one node: case, punctuation, 'U.S.' vs 'US',
    curly quotes and a leading article are ignored."""
    s = unicodedata.normalize("NFKC", label).replace("\u2019", "'").replace("\u2018", "'")
    s = s.lower().replace("u.s.", "us").replace("u.k.", "uk").replace("u.n.", "un")
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"[\W_]+", " ", s).strip()
    s = re.sub(r"^(?:the|a|an) ", "", s)
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
        digest = hashlib.sha1((norm or label).encode("utf-8", "surrogatepass")).hexdigest()[:10]
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


def _provenance(g: Graph, fact: URIRef, art: URIRef, evidence: list[Evidence], extractor: str,
                confidence: float) -> None:
    g.add((fact, PROV.wasDerivedFrom, art))
    g.add((fact, KGR.extractor, Literal(extractor)))
    g.add((fact, KGR.confidence, Literal(Decimal(str(round(confidence, 3))),
                                         datatype=XSD.decimal)))
    for ev in evidence:
        node = URIRef(f"{fact}/ev/{ev.start}-{ev.end}")
        g.add((fact, KGR.evidence, node))
        g.add((node, RDF.type, KGR.Evidence))
        g.add((node, KGR.sentence, Literal(ev.sentence)))
        g.add((node, KGR.charStart, Literal(ev.start, datatype=XSD.integer)))
        g.add((node, KGR.charEnd, Literal(ev.end, datatype=XSD.integer)))
        g.add((node, PROV.wasDerivedFrom, art))


def _figures(g: Graph, owner: URIRef, prop: URIRef, figures: list[Figure]) -> None:
    for i, f in enumerate(figures):
        node = URIRef(f"{owner}/figure/{i}")
        g.add((owner, prop, node))
        g.add((node, RDF.type, KGR.CasualtyFigure))
        g.add((node, KGR.casualtyType, Literal(f.casualty_type)))
        g.add((node, KGR["count"], Literal(f.count, datatype=XSD.integer)))
        if f.qualifier:
            g.add((node, KGR.qualifier, Literal(f.qualifier)))
        if f.subject:
            g.add((node, KGR.subjectText, Literal(f.subject)))


def article_graph(article: Article, facts: ArticleFacts, *, content_hash: str) -> Graph:
    """The named graph of one article: its metadata, its entities as mentioned in it, and its
    memberships, operations and claims, each with provenance."""
    gid = graph_iri(article.id)
    g = bind_prefixes(Graph(identifier=gid))
    art = article_iri(article.id)
    g.add((art, RDF.type, KGR.Article))
    g.add((art, DCTERMS.identifier, Literal(article.id)))
    g.add((art, KGR.contentHash, Literal(content_hash)))
    if article.title:
        g.add((art, DCTERMS.title, Literal(article.title)))
    if article.published:
        g.add((art, DCTERMS.issued, Literal(article.published.isoformat(), datatype=XSD.date)))
    if article.source:
        g.add((art, DCTERMS.source, Literal(article.source)))
    if article.publisher:
        g.add((art, DCTERMS.publisher, Literal(article.publisher)))

    def node(key: EntityKey) -> URIRef:
        return entity_iri(key, article.id)

    for key, ent in facts.entities.items():
        n = node(key)
        g.add((n, RDF.type, KGR[ent.kind]))
        g.add((n, RDFS.label, Literal(ent.label)))
        for alt in sorted(ent.alt_labels - {ent.label}):
            g.add((n, SKOS.altLabel, Literal(alt)))
        g.add((n, KGR.mentionedIn, art))
        if ent.entity_type:
            g.add((n, KGR.entityType, Literal(ent.entity_type)))
        if ent.qid:
            g.add((n, OWL.sameAs, WD[ent.qid]))

    for m in facts.memberships:
        f = _fact_iri(article.id, "membership", m.person, m.role, m.organization)
        role = role_iri(m.role)
        g.add((f, RDF.type, ORG.Membership))
        g.add((f, ORG.member, node(m.person)))
        g.add((f, ORG.organization, node(m.organization)))
        g.add((f, ORG.role, role))
        g.add((role, RDF.type, KGR.Role))
        g.add((role, RDFS.label, Literal(m.role)))
        _provenance(g, f, art, [m.evidence], m.extractor, m.confidence)

    op_iris: list[URIRef] = []
    for op in facts.operations:
        f = _fact_iri(article.id, "operation", op.op_type,
                      *(f"{e.start}-{e.end}" for e in op.evidence[:1]), op.trigger)
        op_iris.append(f)
        g.add((f, RDF.type, KGR.Operation))
        g.add((f, KGR.operationType, KGR[op.op_type]))
        g.add((f, RDFS.label, Literal(_operation_label(op, facts))))
        g.add((f, KGR.triggerText, Literal(op.trigger)))
        for p in op.places:
            g.add((f, SEM.hasPlace, node(p)))
        for a in op.actors:
            g.add((f, KGR.actor, node(a)))
        for t in op.targets:
            g.add((f, KGR.target, node(t)))
        if op.time is not None:
            g.add((f, KGR.dateText, Literal(op.time.text)))
            if op.time.value and op.time.precision:
                g.add((f, SEM.hasTimeStamp, Literal(op.time.value,
                                                    datatype=_TIME_TYPES[op.time.precision])))
        _figures(g, f, KGR.outcome, op.outcomes)
        _provenance(g, f, art, op.evidence, op.extractor, op.confidence)

    for c in facts.claims:
        f = _fact_iri(article.id, "claim", c.evidence.start, c.statement,
                      *sorted(map(str, c.sources)))
        g.add((f, RDF.type, KGR.Claim))
        for s in c.sources:
            g.add((f, PROV.wasAttributedTo, node(s)))
        g.add((f, KGR.statement, Literal(c.statement)))
        g.add((f, KGR.reportingVerb, Literal(c.verb)))
        g.add((f, KGR.hedge, KGR[c.hedge]))
        if c.about is not None and 0 <= c.about < len(op_iris):
            g.add((f, KGR.about, op_iris[c.about]))
        _figures(g, f, KGR.figure, c.figures)
        _provenance(g, f, art, [c.evidence], c.extractor, c.confidence)
    return g


def _operation_label(op: Operation, facts: ArticleFacts) -> str:
    words = [op.trigger]
    if op.places:
        broad = {"country", "region", "governorate", "province", "river"}
        specific = [p for p in op.places
                    if (facts.entities.get(p) is None or facts.entities[p].entity_type not in broad)
                    and (p[1].split() or [""])[0].lower() not in _DIRECTION_WORDS]
        words.append("near " + (specific or op.places)[0][1])
    if op.time is not None:
        words.append(op.time.value or op.time.text)
    return " ".join(words)
