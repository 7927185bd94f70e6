"""The typed facts that extraction produces and ``kgraid.rdf`` turns into triples.

Entities are referred to by a key (kind, canonical label); every fact carries its evidence
(sentence and character offsets in the article text), the extractor rule that made it and
a confidence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["EntityKind", "EntityKey", "Evidence", "Entity", "Membership", "TimeValue",
           "Figure", "Operation", "Claim", "ArticleFacts", "BROAD_PLACE_TYPES", "DIRECTION_WORDS",
           "is_broad_place"]

EntityKind = Literal["Person", "Organization", "Place", "AnonymousSource"]
EntityKey = tuple[str, str]  # (kind, canonical label)


@dataclass(frozen=True)
class Evidence:
    """A sentence of the article and its offsets [start, end) in ``Article.text``."""

    sentence: str
    start: int
    end: int


@dataclass
class Entity:
    kind: EntityKind
    label: str
    alt_labels: set[str] = field(default_factory=set)
    qid: str | None = None
    entity_type: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def key(self) -> EntityKey:
        return (self.kind, self.label)


@dataclass
class Membership:
    person: EntityKey
    role: str
    organization: EntityKey
    evidence: Evidence
    extractor: str
    confidence: float = 0.8


@dataclass(frozen=True)
class TimeValue:
    """A date as the text gives it. ``value`` is ISO at the text's precision
    (``2017-01-08``, ``2015-10``, ``2014``) or None when it cannot be resolved."""

    text: str
    value: str | None
    precision: Literal["day", "month", "year"] | None


@dataclass
class Figure:
    casualty_type: str          # killed, wounded, detained, captured, freed
    count: int
    qualifier: str | None = None  # at least, about, more than
    subject: str | None = None    # "ISIL members"


@dataclass
class Operation:
    op_type: str                 # a local name in kgr: (Raid, Airstrike, ...)
    trigger: str
    places: list[EntityKey] = field(default_factory=list)
    time: TimeValue | None = None
    actors: list[EntityKey] = field(default_factory=list)
    targets: list[EntityKey] = field(default_factory=list)
    outcomes: list[Figure] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    extractor: str = "operation/trigger@1"
    confidence: float = 0.7


@dataclass
class Claim:
    sources: list[EntityKey]
    statement: str
    verb: str
    hedge: str                   # Confirmed, Asserted, Claimed, Reportedly, Denied
    evidence: Evidence
    extractor: str
    figures: list[Figure] = field(default_factory=list)
    about: int | None = None     # index into ArticleFacts.operations
    confidence: float = 0.8


@dataclass
class ArticleFacts:
    entities: dict[EntityKey, Entity] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    def is_broad_place(self, key: EntityKey) -> bool:
        return is_broad_place(key, self.entities.get(key))

    def counts(self) -> dict[str, int]:
        return {"entities": len(self.entities), "memberships": len(self.memberships),
                "operations": len(self.operations), "claims": len(self.claims)}


#: Words before "-led coalition" that name the U.S.-led (counter-ISIL) coalition, which the
#: gazetteer holds; any other leader ("the Saudi-led coalition") names a coalition of its own.
US_NAMES = ("U.S.", "US", "American", "America", "United", "Washington")
#: Entity types of a place too wide to say where an operation happened.
BROAD_PLACE_TYPES = frozenset({"country", "region", "governorate", "province", "river"})
#: First words of a place name that make it a part of a wider place ("northern Syria").
DIRECTION_WORDS = frozenset({
    "northern", "southern", "eastern", "western", "northeast", "northeastern", "northwest",
    "northwestern", "southeast", "southeastern", "southwest", "southwestern", "central",
    "north", "south", "east", "west", "north-eastern", "north-western", "south-eastern",
    "south-western"})


def is_broad_place(key: EntityKey, entity: Entity | None) -> bool:
    """A country, region, governorate, province or river, or a place named by a direction
    ("northern Syria"): where an operation happened in a wide sense, not the spot."""
    words = key[1].split()
    return bool(entity is not None and entity.entity_type in BROAD_PLACE_TYPES) or \
        bool(words and words[0].lower() in DIRECTION_WORDS)
