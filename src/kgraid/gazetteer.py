"""The domain gazetteer (``resources/gazetteer.tsv``) and the rule tables (``resources/*.tsv``).

One data file of groups, agencies, units, outlets and places with their aliases feeds the
entity ruler, the canonical labels of entities (ISIS = ISIL = Daesh = Islamic State) and the
offline Wikidata links. Rule vocabularies (roles, reporting verbs, operation triggers) live
beside it, one term a line, so they can be extended without touching code.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .rdf import normalize_label

__all__ = ["GazetteerEntry", "Gazetteer", "load_gazetteer", "load_table", "phrase_tokens",
           "resource_path", "role_words"]


def resource_path(name: str) -> Path:
    return Path(str(resources.files("kgraid") / "resources" / name))


@dataclass(frozen=True)
class GazetteerEntry:
    kind: str            # Person, Organization, Place
    label: str           # canonical label
    aliases: tuple[str, ...]
    qid: str | None
    entity_type: str | None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass
class Gazetteer:
    entries: list[GazetteerEntry] = field(default_factory=list)
    _by_norm: dict[str, list[GazetteerEntry]] = field(default_factory=dict)

    def add(self, entry: GazetteerEntry) -> None:
        self.entries.append(entry)
        for name in entry.names:
            bucket = self._by_norm.setdefault(normalize_label(name), [])
            if entry not in bucket:
                bucket.append(entry)

    def lookup(self, name: str, kind: str | None = None) -> GazetteerEntry | None:
        """The entry one of whose names normalizes like ``name`` (and of ``kind``, if given)."""
        for entry in self._by_norm.get(normalize_label(name), ()):
            if kind is None or entry.kind == kind:
                return entry
        return None

    def by_label(self, label: str) -> GazetteerEntry | None:
        for entry in self.entries:
            if entry.label == label:
                return entry
        return None


def _rows(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append([c.strip() for c in line.split("\t")])
    return rows


@functools.cache
def load_gazetteer(path: str | None = None) -> Gazetteer:
    gz = Gazetteer()
    for row in _rows(Path(path) if path else resource_path("gazetteer.tsv")):
        row += [""] * (5 - len(row))
        kind, label, aliases, qid, etype = row[:5]
        gz.add(GazetteerEntry(kind=kind, label=label,
                              aliases=tuple(a.strip() for a in aliases.split("|") if a.strip()),
                              qid=qid or None, entity_type=etype or None))
    return gz


#: The ``ent_id_`` the pipeline gives a name that must not be looked up here: someone else
#: than the gazetteer's person of that short name ("Hamza bin Laden", then "Bin Laden").
NOT_IN_GAZETTEER = "kgraid:not-in-gazetteer"


@functools.cache
def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """A rule table's phrase as the tokenizer splits it: words and each hyphen on its own
    ("second-in-command" -> second, -, in, -, command), so it matches the tokens of a text."""
    return tuple(re.findall(r"[^\s-]+|-", phrase))


@functools.cache
def load_table(name: str) -> tuple[tuple[str, ...], ...]:
    """A rule table from ``resources/NAME.tsv``: rows of tab-separated cells."""
    return tuple(tuple(r) for r in _rows(resource_path(name)))


@functools.cache
def role_words() -> frozenset[str]:
    """Every word of the role phrases of ``resources/roles.tsv`` (lower case, as listed),
    hyphens left out: the words a title before a name is made of."""
    return frozenset(w for r in load_table("roles.tsv") for w in phrase_tokens(r[0])) - {"-"}
