"""Reading user RDF files safely: the format from the suffix, nothing fetched from the network.

rdflib never follows ``owl:imports``; a JSON-LD document whose ``@context`` names a remote
document would be fetched, so such documents are refused with a clear error instead.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from rdflib import Dataset, Graph

from .errors import InputError

__all__ = ["FORMATS", "format_for", "load_rdf_file", "check_xml_entities"]

#: Declared entity text allowed in an RDF/XML DTD (namespace shorthands are a few dozen bytes).
MAX_ENTITY_TEXT = 16_384
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*\[(?P<subset>.*?)\]\s*>", re.S)
_ENTITY = re.compile(rb"<!ENTITY\s+(?P<pe>%\s+)?(?P<name>[^\s]+)\s+(?P<rest>.*?)>", re.S)

FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt",
           ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
           ".n3": "n3"}


def format_for(path: str | Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(str(path), f"cannot tell the RDF format from the suffix; use one of "
                                    f"{', '.join(sorted(FORMATS))}")
    return fmt


def _remote_contexts(node: object) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "@context":
                for c in v if isinstance(v, list) else [v]:
                    if isinstance(c, str):
                        found.append(c)
                    else:
                        found += _remote_contexts(c)
            elif k == "@import" and isinstance(v, str):
                found.append(v)
            else:
                found += _remote_contexts(v)
    elif isinstance(node, list):
        for v in node:
            found += _remote_contexts(v)
    return found


def check_xml_entities(data: bytes, source: str) -> None:
    """Refuse an XML document whose DTD could expand without bound or fetch something:
    entities that reference other entities ('billion laughs'), external (SYSTEM/PUBLIC) or
    parameter entities, or more declared entity text than namespace shorthands need.
    Plain entities such as ``<!ENTITY ex "http://example.org/">`` stay allowed."""
    head = data[:1_000_000]
    if b"<!DOCTYPE" not in head and b"<!ENTITY" not in head:
        return
    m = _DOCTYPE.search(head)
    subset = m.group("subset") if m else head
    total = 0
    for e in _ENTITY.finditer(subset):
        rest = e.group("rest")
        if e.group("pe") or re.match(rb"\s*(SYSTEM|PUBLIC)\b", rest):
            raise InputError(source, "declares an external or parameter XML entity; kgraid "
                                     "never fetches one: inline it")
        if b"&" in rest or b"%" in rest:
            raise InputError(source, "declares XML entities that expand other entities (an "
                                     "entity-expansion bomb); refused")
        total += len(rest)
    if total > MAX_ENTITY_TEXT:
        raise InputError(source, f"declares {total:,} bytes of XML entities; at most "
                                 f"{MAX_ENTITY_TEXT:,} are read")


def load_rdf_file(path: str | Path) -> Graph:
    """The union of all graphs in an RDF file, as one rdflib Graph."""
    p = Path(path)
    fmt = format_for(p)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(str(p), f"cannot be read: {e.strerror or e}") from None
    if fmt == "xml":
        check_xml_entities(data, str(p))
    if fmt == "json-ld":
        try:
            doc = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise InputError(str(p), f"is not valid JSON: {e}") from None
        remote = _remote_contexts(doc)
        if remote:
            raise InputError(str(p), f"uses a remote JSON-LD context ({remote[0]}); kgraid "
                                     "never fetches one: inline the context")
    ds = Dataset(default_union=True)
    try:
        ds.parse(data=data, format=fmt)
    except Exception as e:  # rdflib raises many parser-specific exception types
        raise InputError(str(p), f"is not valid {fmt}: {e}") from None
    g = Graph()
    for t in ds.triples((None, None, None)):
        g.add(t)
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns, override=False)
    return g
