"""SPARQL text for remote endpoints: values bound as serialized RDF terms, results parsed.

A remote endpoint has no binding API, so values travel in a ``VALUES`` block. The query files
(``resources/wikidata_*.rq``) each hold one empty block, ``VALUES ?var { }``; :func:`fill_values`
writes the terms there in their N-Triples form (pyoxigraph validates IRIs and escapes
literals), then parses the whole query again and checks that the block binds exactly the
given terms. A name full of quotes, braces or SPARQL keywords therefore stays one literal.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Iterable, Mapping, Sequence

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery, traverse
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from ..errors import EndpointError, QueryError
from ..store import to_ox

__all__ = ["load_query", "fill_values", "parse_select_json", "Row"]

Row = dict[str, Node]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@functools.cache
def load_query(name: str) -> str:
    """The text of ``resources/NAME`` (a ``.rq`` file shipped with kgraid)."""
    return (resources.files("kgraid") / "resources" / name).read_text(encoding="utf-8")


def _serialize(term: Node) -> str:
    if isinstance(term, BNode) or not isinstance(term, (URIRef, Literal)):
        raise QueryError(f"cannot bind {term!r}: only IRIs and literals can be sent")
    try:
        return str(to_ox(term))
    except (TypeError, ValueError) as e:
        raise QueryError(f"cannot bind {term!r}: {e}") from e


def _bound_values(query: str, var: str) -> list[Node]:
    """Every term the query's VALUES blocks bind to ``?var``, in order."""
    found: list[Node] = []
    v = Variable(var)

    def visit(node: Any) -> None:
        if isinstance(node, CompValue) and node.name == "values":
            for row in node.res:
                if v in row:
                    found.append(row[v])

    traverse(translateQuery(parseQuery(query)).algebra, visitPost=visit)
    return found


def fill_values(template: str, var: str, terms: Sequence[Node]) -> str:
    """``template`` with its empty ``VALUES ?var { }`` block holding ``terms``.

    Raises :class:`QueryError` if the template has no such block (or more than one), if a term
    cannot be serialized, or if the filled query does not parse back to exactly ``terms``."""
    marker = f"VALUES ?{var} {{ }}"
    if template.count(marker) != 1:
        raise QueryError(f"query template must contain '{marker}' exactly once")
    if not terms:
        raise QueryError(f"no values to bind to ?{var}")
    block = " ".join(_serialize(t) for t in terms)
    query = template.replace(marker, f"VALUES ?{var} {{ {block} }}")
    try:
        bound = _bound_values(query, var)
    except Exception as e:  # pyparsing raises its own exception types
        raise QueryError(f"the filled query does not parse: {e}") from e
    if bound != list(terms):
        raise QueryError(f"the filled query binds ?{var} to {len(bound)} values, "
                         f"expected exactly the {len(terms)} given")
    return query


def _term(cell: Mapping[str, Any]) -> Node:
    kind, value = cell["type"], cell["value"]
    if not isinstance(value, str):
        raise ValueError(f"value is not a string: {value!r}")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in cell:
            return Literal(value, lang=cell["xml:lang"])
        dt = cell.get("datatype")
        return Literal(value, datatype=URIRef(dt) if dt and dt != _XSD_STRING else None)
    raise ValueError(f"unknown term type {kind!r}")


def parse_select_json(body: bytes, where: str) -> list[dict[str, Any]]:
    """The bindings of a SPARQL 1.1 JSON results document, checked for shape.

    Returns the raw binding objects (JSON-serializable, so they can be cached); use
    :func:`rows` to turn them into rdflib terms. Raises :class:`EndpointError` naming
    ``where`` when the body is not such a document."""
    try:
        doc = json.loads(body.decode("utf-8"))
        bindings = doc["results"]["bindings"]
        if not isinstance(doc["head"]["vars"], list) or not isinstance(bindings, list):
            raise TypeError("head.vars and results.bindings must be lists")
        for b in bindings:
            for cell in b.values():
                _term(cell)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
        snippet = body[:120].decode("utf-8", "replace").replace("\n", " ")
        raise EndpointError(f"{where}: malformed SPARQL results ({type(e).__name__}: {e}); "
                            f"the answer began with {snippet!r}") from e
    return bindings


def rows(bindings: Iterable[Mapping[str, Any]]) -> list[Row]:
    """SPARQL JSON binding objects as rows of rdflib terms (unbound variables left out)."""
    return [{k: _term(v) for k, v in b.items()} for b in bindings]
