"""Candidate Wikidata items for one entity, and the score that decides whether to link.

A candidate is an item one of whose labels or aliases is one of the entity's names. Its score
adds up what speaks for it:

- the name: the entity's own label is the item's label (``label``) or one of its aliases
  (``alias``); only one of the entity's other names matched (``other_name``);
- the type: the item's classes (``resources/wikidata_classes.tsv``) fit the entity's kind
  (``type_match``); a candidate whose known classes all belong to another kind is dropped;
- the context: the item's country, location, citizenship, membership, part-of or headquarters
  is an item the entity's article also mentions (``context`` each, up to ``context_max``).

The best candidate is linked when its score reaches ``threshold`` and beats the runner-up by
``margin``; otherwise the entity stays unlinked (below the threshold, or ambiguous).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..gazetteer import load_table

__all__ = ["Candidate", "Scoring", "Scored", "candidates", "class_kinds", "score",
           "choose", "qid_of", "CONTEXT_KEYS"]

WD_ENTITY = "http://www.wikidata.org/entity/"
_QID = re.compile(r"Q[1-9][0-9]{0,11}")
CONTEXT_KEYS = ("P17", "P131", "P27", "P463", "P361", "P159")


def qid_of(iri: str) -> str | None:
    """``Q42`` for ``http://www.wikidata.org/entity/Q42``; None for anything else."""
    if not iri.startswith(WD_ENTITY):
        return None
    local = iri[len(WD_ENTITY):]
    return local if _QID.fullmatch(local) else None


@functools.cache
def class_kinds() -> dict[str, str]:
    """Class QID -> kind (Person, Organization, Place or Other), from the data file."""
    table: dict[str, str] = {}
    for row in load_table("wikidata_classes.tsv"):
        if len(row) >= 2 and _QID.fullmatch(row[1]):
            table[row[1]] = row[0]
    return table


@dataclass
class Candidate:
    qid: str
    label: str | None = None
    description: str | None = None
    #: entity name -> how it matched ("label" and/or "alias")
    matches: dict[str, set[str]] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    context: set[str] = field(default_factory=set)

    def kinds(self, table: Mapping[str, str] | None = None) -> set[str]:
        table = class_kinds() if table is None else table
        return {table[c] for c in self.classes if c in table}


def _value(b: Mapping[str, Any], var: str) -> str | None:
    cell = b.get(var)
    return cell.get("value") if isinstance(cell, Mapping) else None


def candidates(bindings_by_name: Mapping[str, Iterable[Mapping[str, Any]]],
               ) -> dict[str, Candidate]:
    """Candidates from the rows of ``wikidata_candidates.rq``, grouped by the name sent."""
    out: dict[str, Candidate] = {}
    for name, bindings in bindings_by_name.items():
        for b in bindings:
            qid = qid_of(_value(b, "item") or "")
            if qid is None:
                continue
            c = out.setdefault(qid, Candidate(qid))
            via = _value(b, "via")
            if via in ("label", "alias"):
                c.matches.setdefault(name, set()).add(via)
            k, v = _value(b, "k"), _value(b, "v")
            if v is None:
                continue
            if k == "label" and (c.label is None or v < c.label):
                c.label = v
            elif k == "description" and (c.description is None or v < c.description):
                c.description = v
            elif k == "class":
                cls = qid_of(v)
                if cls:
                    c.classes.add(cls)
            elif k in CONTEXT_KEYS:
                ctx = qid_of(v)
                if ctx:
                    c.context.add(ctx)
    return {q: c for q, c in out.items() if c.matches}


@dataclass(frozen=True)
class Scoring:
    label: float = 0.5
    alias: float = 0.4
    other_name: float = 0.3
    type_match: float = 0.3
    context: float = 0.2
    context_max: float = 0.3
    threshold: float = 0.7
    margin: float = 0.1


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    matched: str
    reasons: tuple[str, ...]


def score(c: Candidate, *, kinds: set[str], labels: Iterable[str], context: set[str],
          scoring: Scoring = Scoring(), table: Mapping[str, str] | None = None,
          ) -> Scored | None:
    """The score of candidate ``c`` for an entity of ``kinds`` whose own labels are
    ``labels``, mentioned with the items ``context``; None if its type rules it out."""
    own = set(labels)
    cand_kinds = c.kinds(table)
    if cand_kinds and not (cand_kinds & kinds):
        return None
    name_score, matched, how = 0.0, "", ""
    for name, vias in sorted(c.matches.items()):
        for via in sorted(vias):
            s = (scoring.label if via == "label" else scoring.alias) if name in own \
                else scoring.other_name
            if s > name_score:
                name_score, matched, how = s, name, via
    reasons = [f"name {matched!r} is the item's {how}" + ("" if matched in own
                                                          else " (an alternative name)")]
    total = name_score
    if cand_kinds & kinds:
        total += scoring.type_match
        reasons.append("type " + "/".join(sorted(cand_kinds & kinds)))
    shared = sorted(c.context & context)
    if shared:
        total += min(scoring.context * len(shared), scoring.context_max)
        reasons.append("context " + ", ".join(shared))
    return Scored(c, round(min(total, 1.0), 3), matched, tuple(reasons))


def choose(scored: Iterable[Scored], scoring: Scoring = Scoring(),
           ) -> tuple[Scored | None, str, str]:
    """The candidate to link, a status ("linked", "ambiguous", "below-threshold",
    "no-candidate") and why."""
    ranked = sorted(scored, key=lambda s: (-s.score, int(s.candidate.qid[1:])))
    if not ranked:
        return None, "no-candidate", "no candidate of a compatible type"
    best = ranked[0]
    if best.score < scoring.threshold:
        return None, "below-threshold", (
            f"best candidate {best.candidate.qid} scores {best.score:.2f}, below the "
            f"threshold {scoring.threshold:.2f}")
    if len(ranked) > 1 and round(best.score - ranked[1].score, 3) < scoring.margin:
        return None, "ambiguous", (
            f"{best.candidate.qid} and {ranked[1].candidate.qid} both score about "
            f"{best.score:.2f}")
    return best, "linked", "; ".join(best.reasons)
