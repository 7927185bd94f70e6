"""Stage 7a: run SPARQL over the graph, embedded or on a remote endpoint, with bound values.

``run_query`` is the one entry point: it runs a query (text or a ``.rq`` file) on an embedded
:class:`~kgraid.store.KgStore` or on a SPARQL 1.1 Protocol endpoint and returns a
:class:`QueryResult` (variables and rows of rdflib terms for ``SELECT``, a bool for ``ASK``, an
rdflib ``Graph`` for ``CONSTRUCT``/``DESCRIBE``) that formats itself as SPARQL JSON results, CSV,
TSV or a text table.

Values a user supplies are always *bound*, never pasted into the query text:

- embedded: they are pyoxigraph substitutions (:meth:`KgStore.query`);
- remote: :func:`with_values` adds one ``VALUES`` block at the start of the outermost
  ``WHERE`` group, each term written by rdflib's ``n3()`` (which escapes quotes, backslashes and
  line breaks and refuses malformed IRIs); the block is read back and must denote exactly the
  given terms, and the whole query must parse with rdflib's SPARQL parser before it is sent.

On the embedded store, a final ``ORDER BY`` of simple keys is applied to the rows in Python
(:mod:`kgraid.ordering`; Oxigraph's is slower than the rest of most analyst queries there), with
SPARQL's order, and left to the engine wherever SPARQL leaves the order to it.

A bound variable must occur in the query, and for ``SELECT`` in its projection (Oxigraph's
rule for substitutions, applied to endpoints too so that a ``.rq`` file behaves the same
embedded and remote). The queries in ``queries/`` use ``COALESCE(?var, ...)`` for optional
filters, which means the same under both binding mechanisms.

Endpoint failures (connection refused, no answer within the timeout, HTTP errors, malformed
results) raise :class:`~kgraid.errors.EndpointError`; ``429`` and ``503`` are retried a bounded
number of times, honouring ``Retry-After`` up to a limit. Nothing is returned or printed until
the whole result has been read and checked.
"""
from __future__ import annotations

import argparse
import csv
import gc
import http.client
import io
import json
import logging
import re
import socket
import sys
import time
import urllib.error
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Literal as TLiteral, Mapping, Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .errors import EndpointError, QueryError
from .httputil import RetryRefused, retry_after_seconds, retry_delay
from .ordering import Unordered, sort_rows, split_order
from .rdf import BASE, PREFIXES
from .sparqltext import header_comments, tokens
from .store import KgStore, from_ox
from .views import DIGEST_QUERY, check_views, declared_views, embedded_digests

__all__ = [
    "QueryResult", "run_query", "load_query", "with_values", "parse_binding", "parse_bindings",
    "query_variables", "required_bindings", "open_read_only", "FORMATS", "DEFAULT_TIMEOUT",
    "register",
]

log = logging.getLogger(__name__)

#: Output formats of :meth:`QueryResult.format`.
FORMATS = ("json", "csv", "tsv", "table")
#: Seconds to wait for an endpoint to answer one request.
DEFAULT_TIMEOUT = 30.0
#: How often a 429/503 answer is retried before giving up.
DEFAULT_RETRIES = 3
#: The longest ``Retry-After`` kgraid honours; a server asking for more is an error at once.
DEFAULT_MAX_RETRY_WAIT = 30.0
#: Largest response body read from an endpoint.
MAX_RESPONSE_BYTES = 512 * 1024 * 1024

_XSD_STRING = str(XSD.string)
_RETRY_STATUSES = (429, 503)
_NAME_RE = re.compile(r"^[?$]?([A-Za-z_][A-Za-z0-9_]*)$")

Bindings = Mapping[str, "str | Node"]


# ---------------------------------------------------------------------------- results
@dataclass
class QueryResult:
    """The complete answer to one query.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` (``CONSTRUCT``/``DESCRIBE``). For a
    select, ``vars`` are the variable names and ``rows`` tuples of rdflib terms (``None`` when
    unbound); for ask, ``boolean``; for a graph, ``graph`` (and ``vars``/``rows`` hold its
    triples as ``subject``/``predicate``/``object``)."""

    kind: TLiteral["select", "ask", "graph"]
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def dicts(self) -> list[dict[str, Node]]:
        """Rows as ``{variable: term}``, unbound variables left out."""
        return [{v: t for v, t in zip(self.vars, row) if t is not None} for row in self.rows]

    def column(self, var: str) -> list[Node | None]:
        i = self.vars.index(var)
        return [row[i] for row in self.rows]

    # -------------------------------------------------------------- formatting
    def format(self, fmt: str = "table") -> str:
        """The result as ``json`` (SPARQL 1.1 Query Results JSON), ``csv`` (SPARQL 1.1 CSV:
        plain values), ``tsv`` (SPARQL 1.1 TSV: terms in Turtle syntax) or ``table`` (aligned
        columns with prefixed names, for people)."""
        if fmt == "json":
            return self.to_json()
        if fmt == "csv":
            return self.to_csv()
        if fmt == "tsv":
            return self.to_tsv()
        if fmt == "table":
            return self.to_table()
        raise QueryError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")

    def to_json(self) -> str:
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}, indent=2) + "\n"
        # One binding per line, each written by json's C encoder (it is not used when
        # json.dumps indents: 12,600 rows took 0.5 s that way), and each distinct term
        # encoded once: labels, roles and articles repeat down a result.
        encode = json.JSONEncoder(ensure_ascii=False).encode
        names = [encode(v) + ": " for v in self.vars]
        encoded: dict[int, str] = {}
        lines = []
        for row in self.rows:
            cells = []
            for name, t in zip(names, row):
                if t is None:
                    continue
                text = encoded.get(id(t))
                if text is None:
                    text = encoded[id(t)] = encode(_json_term(t))
                cells.append(name + text)
            lines.append("{" + ", ".join(cells) + "}")
        bindings = "[\n      " + ",\n      ".join(lines) + "\n    ]" if lines else "[]"
        return ('{\n  "head": {"vars": ' + encode(list(self.vars)) + '},\n'
                '  "results": {\n    "bindings": ' + bindings + '\n  }\n}\n')

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        if self.kind == "ask":
            w.writerow(["boolean"])
            w.writerow(["true" if self.boolean else "false"])
            return buf.getvalue()
        w.writerow(self.vars)
        for row in self.rows:
            w.writerow([_csv_value(t) for t in row])
        return buf.getvalue()

    def to_tsv(self) -> str:
        if self.kind == "ask":
            return "?boolean\n" + ("true" if self.boolean else "false") + "\n"
        lines = ["\t".join("?" + v for v in self.vars)]
        for row in self.rows:
            lines.append("\t".join("" if t is None else _turtle_term(t) for t in row))
        return "\n".join(lines) + "\n"

    def to_table(self, max_width: int = 60) -> str:
        if self.kind == "ask":
            return ("yes" if self.boolean else "no") + "\n"
        header = list(self.vars)
        shown: dict[int, str] = {}  # each distinct term shortened once, as in to_json

        def short(t: Node | None) -> str:
            s = shown.get(id(t))
            if s is None:
                s = shown[id(t)] = _short(t, max_width)
            return s
        body = [[short(t) for t in row] for row in self.rows]
        widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
        out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
               "  ".join("-" * w for w in widths)]
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in body]
        n = len(self.rows)
        out.append(f"({n} {'row' if n == 1 else 'rows'})")
        return "\n".join(out) + "\n"


def _json_term(t: Node) -> dict[str, str]:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    if isinstance(t, Literal):
        d = {"type": "literal", "value": str(t)}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype is not None and str(t.datatype) != _XSD_STRING:
            d["datatype"] = str(t.datatype)
        return d
    raise QueryError(f"cannot write {t!r} as a SPARQL JSON term")


def _csv_value(t: Node | None) -> str:
    if t is None:
        return ""
    if isinstance(t, BNode):
        return f"_:{t}"
    return str(t)


def _turtle_term(t: Node) -> str:
    if isinstance(t, Literal):
        # SPARQL TSV: one line per row, so tabs and line breaks must be escaped.
        lexical = (str(t).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r").replace("\t", "\\t"))
        if t.language:
            return f'"{lexical}"@{t.language}'
        if t.datatype is not None and str(t.datatype) != _XSD_STRING:
            return f'"{lexical}"^^<{t.datatype}>'
        return f'"{lexical}"'
    if isinstance(t, BNode):
        return f"_:{t}"
    return f"<{t}>"


_SHORT_PREFIXES = sorted([(p, str(ns)) for p, ns in PREFIXES.items()]
                         + [("kgf", BASE + "fact/"), ("kgg", BASE + "graph/")],
                         key=lambda pn: -len(pn[1]))


def _short(t: Node | None, max_width: int) -> str:
    if t is None:
        s = ""
    elif isinstance(t, URIRef):
        s = str(t)
        for p, ns in _SHORT_PREFIXES:
            if s.startswith(ns) and len(s) > len(ns):
                s = f"{p}:{s[len(ns):]}"
                break
    elif isinstance(t, BNode):
        s = f"_:{t}"
    else:
        s = str(t)
    s = " ".join(s.split())  # one line per row
    return s if len(s) <= max_width else s[:max_width - 1] + "\u2026"


# ---------------------------------------------------------------------------- query text
def load_query(query: str | Path) -> str:
    """The SPARQL text of ``query``: a path to a ``.rq`` file (a ``Path``, or a string naming
    an existing file or ending in ``.rq``), ``-`` for standard input, or SPARQL text itself."""
    if isinstance(query, Path):
        return _read_query_file(query)
    if query == "-":
        return sys.stdin.read()
    looks_like_path = "\n" not in query and "{" not in query and len(query) < 4096
    if looks_like_path and (query.endswith(".rq") or Path(query).is_file()):
        return _read_query_file(Path(query))
    return query


def _read_query_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"{path}: no such query file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise QueryError(f"{path}: cannot read the query: {e}") from e


_REQUIRES_RE = re.compile(r"^#\s*Requires:(?P<vars>.*)$", re.IGNORECASE)
_REQUIRED_VAR_RE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def required_bindings(query: str) -> list[list[str]]:
    """The bindings a query file declares it cannot run without: one list of variable names
    per ``# Requires: ?a or ?b`` line of its header (the comments before the first SPARQL
    token), of which at least one must be bound. A lookup such as ``entity_profile.rq``
    declares one: run unbound it would list the whole store (``kgraid export`` does that)."""
    groups: list[list[str]] = []
    for line in header_comments(query):
        m = _REQUIRES_RE.match(line)
        if m:
            names = _REQUIRED_VAR_RE.findall(m.group("vars"))
            if names:
                groups.append(names)
    return groups


def _check_required(query: str, terms: Mapping[str, Node], source: str) -> None:
    for names in required_bindings(query):
        if not any(n in terms for n in names):
            wanted = " or ".join(f"--bind {n}=VALUE" for n in names)
            raise QueryError(f"{source}: this query needs a value for "
                             f"{' or '.join('?' + n for n in names)} ({wanted}); run unbound it "
                             "would list the whole store, which `kgraid export` writes instead")


def query_variables(query: str) -> set[str]:
    """Names of the variables that occur in ``query`` (outside strings, IRIs and comments)."""
    return {t.text[1:] for t in tokens(query) if t.kind == "var"}


def _where_group_start(query: str) -> int:
    """Offset just after the ``{`` that opens the outermost WHERE group of ``query``."""
    depth = parens = 0
    previous = ""
    in_template = False
    for tok in tokens(query):
        if tok.kind in ("ws", "comment"):
            continue
        if tok.kind == "lparen":
            parens += 1
        elif tok.kind == "rparen":
            parens = max(0, parens - 1)
        elif tok.kind == "lbrace":
            if depth == 0 and parens == 0:
                if previous.upper() == "CONSTRUCT":
                    in_template = True
                else:
                    return tok.end
            depth += 1
        elif tok.kind == "rbrace":
            depth -= 1
            if depth == 0 and in_template:
                in_template = False
        previous = tok.text if tok.kind == "word" else ""
    raise QueryError("the query has no WHERE group to bind values into")


def _n3(term: Node) -> str:
    """The SPARQL form of ``term``. IRIs and datatypes are written by rdflib's ``n3()``, which
    refuses IRIs that would break the syntax. A literal's lexical form is always written as a
    short string with every quote, backslash and line break escaped (rdflib's long-string form
    mis-escapes a trailing quote, and parsers that expand tabs would turn a raw tab into
    spaces)."""
    try:
        if not isinstance(term, Literal):
            return term.n3()
        lexical = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return f"{lexical}@{term.language}"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"{lexical}^^{URIRef(term.datatype).n3()}"
        return lexical
    except Exception as e:  # rdflib refuses IRIs that would break the syntax
        raise QueryError(f"cannot bind {str(term)!r}: {e}") from e


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _values_block(bindings: Mapping[str, Node]) -> str:
    names = list(bindings)
    for name, term in bindings.items():
        if isinstance(term, BNode):
            raise QueryError(f"?{name}: a blank node cannot be bound on a remote endpoint")
        if not isinstance(term, (URIRef, Literal)):
            raise QueryError(f"?{name}: cannot bind {term!r}")
    row = " ".join(_n3(bindings[n]) for n in names)
    return "VALUES (" + " ".join("?" + n for n in names) + ") { (" + row + ") }"


def _check_values_block(block: str, bindings: Mapping[str, Node]) -> None:
    """Read the VALUES block back: it must denote exactly ``bindings``."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        rows = list(Graph().query(prepareQuery("SELECT * WHERE { " + block + " }")))
    except Exception as e:
        raise QueryError(f"the bound values do not form a valid VALUES block: {e}") from e
    if len(rows) != 1:
        raise QueryError("the bound values do not form a single VALUES row")
    got = rows[0].asdict()
    if set(got) != set(bindings):
        raise QueryError("the bound values do not form one VALUES row of the bound variables")
    for name, term in bindings.items():
        back = got[name]
        same = back == term
        if isinstance(term, Literal):
            # compare lexical forms exactly for strings, normalized forms for typed values
            expected = Literal(str(term), lang=term.language, datatype=term.datatype)
            same = (isinstance(back, Literal) and back.language == expected.language
                    and back.datatype == expected.datatype
                    and (str(back) == str(term) or str(back) == str(expected)))
        if not same:
            raise QueryError(f"?{name}: the value {str(term)!r} does not survive serialization")


def _parse_with_rdflib(query: str) -> Any:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return translateQuery(parseQuery(query))
    except Exception as e:
        raise QueryError(f"the query does not parse: {_first_line(e)}") from e


def with_values(query: str, bindings: Mapping[str, str | Node]) -> str:
    """``query`` with ``bindings`` as one ``VALUES`` row at the start of its outermost WHERE
    group: the binding mechanism for endpoints that have no substitution parameter.

    Each term is serialized (see :func:`_n3`) and read back; the result must parse with
    rdflib's SPARQL parser as a single query. Raises :class:`QueryError` otherwise."""
    return _bind_values(query, _as_terms(bindings))[0]


def _bind_values(query: str, terms: dict[str, Node]) -> tuple[str, Any]:
    """The bound query text and its rdflib parse (the query that is sent is the one parsed)."""
    if not terms:
        return query, _parse_with_rdflib(query)
    _check_names(query, terms)
    block = _values_block(terms)
    _check_values_block(block, terms)
    at = _where_group_start(query)
    bound = query[:at] + " " + block + "\n" + query[at:]
    return bound, _parse_with_rdflib(bound)


def _as_terms(bindings: Bindings | None) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for name, value in (bindings or {}).items():
        m = _NAME_RE.match(name)
        if not m:
            raise QueryError(f"{name!r} is not a SPARQL variable name")
        if isinstance(value, str) and not isinstance(value, (URIRef, Literal, BNode)):
            value = Literal(value)
        if not isinstance(value, (URIRef, Literal, BNode)):
            raise QueryError(f"?{m.group(1)}: cannot bind a {type(value).__name__}")
        if isinstance(value, URIRef):
            _check_iri(str(value), m.group(1))
        if isinstance(value, Literal) and getattr(value, "ill_typed", False):
            raise QueryError(f"?{m.group(1)}: {str(value)!r} is not a valid "
                             f"{_short(value.datatype, 80)}")
        out[m.group(1)] = value
    return out


_BAD_IRI_CHARS = re.compile(r'[<>"{}|^`\\\x00-\x20]')


def _check_iri(iri: str, name: str) -> None:
    if _BAD_IRI_CHARS.search(iri) or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri):
        raise QueryError(f"?{name}: {iri!r} is not an absolute IRI")


def _check_names(query: str, terms: Mapping[str, Node]) -> None:
    known = query_variables(query)
    for name in terms:
        if name not in known:
            hint = f"; its variables are ?{', ?'.join(sorted(known))}" if known else ""
            raise QueryError(f"the query has no variable ?{name} to bind{hint}")


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


# ---------------------------------------------------------------------------- bindings (CLI)
_TYPED_RE = re.compile(r'^"(?P<lex>.*)"\^\^(?:xsd:(?P<local>[A-Za-z]+)|<(?P<iri>[^<>]*)>)$', re.S)
_LANG_RE = re.compile(r'^"(?P<lex>.*)"@(?P<lang>[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$', re.S)


def parse_binding(spec: str) -> tuple[str, Node]:
    """Parse one ``--bind`` value: ``name=value``.

    - ``name=Deir al-Zour``           a plain string literal (the default);
    - ``name=<https://w3id.org/...>`` an IRI;
    - ``name="2017-01-08"^^xsd:date`` a typed literal (``xsd:`` names or ``^^<datatype IRI>``);
    - ``name="Dorrian"@en``           a literal with a language tag.
    """
    name, sep, value = spec.partition("=")
    name = name.strip()
    if not sep or not _NAME_RE.match(name):
        raise QueryError(f"--bind {spec!r}: expected NAME=VALUE with NAME a variable name")
    var = _NAME_RE.match(name).group(1)  # type: ignore[union-attr]
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        _check_iri(value[1:-1], var)
        return var, URIRef(value[1:-1])
    m = _TYPED_RE.match(value)
    if m:
        if m.group("local"):
            dt = XSD[m.group("local")]
        else:
            _check_iri(m.group("iri"), var)
            dt = URIRef(m.group("iri"))
        return var, _typed_literal(var, m.group("lex"), dt)
    m = _LANG_RE.match(value)
    if m:
        return var, Literal(m.group("lex"), lang=m.group("lang"))
    return var, Literal(value)


def _typed_literal(var: str, lexical: str, datatype: URIRef) -> Literal:
    rdflib_term_log = logging.getLogger("rdflib.term")
    level = rdflib_term_log.level
    rdflib_term_log.setLevel(logging.CRITICAL)  # rdflib logs a traceback for ill-typed values
    try:
        lit = Literal(lexical, datatype=datatype, normalize=False)
    finally:
        rdflib_term_log.setLevel(level)
    if getattr(lit, "ill_typed", False):
        raise QueryError(f"--bind {var}: {lexical!r} is not a valid {_short(datatype, 80)}")
    return lit


def parse_bindings(specs: Sequence[str] | None) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for spec in specs or ():
        name, term = parse_binding(spec)
        if name in out:
            raise QueryError(f"--bind: ?{name} is bound twice")
        out[name] = term
    return out


# ---------------------------------------------------------------------------- embedded
def _from_ox(term: object) -> Node | None:
    try:
        return from_ox(term)
    except TypeError as e:
        raise QueryError(f"results holding such terms are not supported: {e}") from None


def _uses_service(text: str) -> bool:
    """Does the query call another endpoint? Read from the parsed query, so a 'SERVICE' in
    a string or a comment does not count; a query rdflib cannot parse is left to the store."""
    if "service" not in text.lower():
        return False
    from rdflib.plugins.sparql.parser import parseQuery
    try:
        tree = parseQuery(text)
    except Exception:  # noqa: BLE001 - pyoxigraph reports the syntax error itself
        return False

    def walk(node: object) -> bool:
        if getattr(node, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(node, dict):
            return any(walk(v) for v in node.values())
        if isinstance(node, (str, bytes)):
            return False
        if hasattr(node, "__iter__"):  # lists and pyparsing's ParseResults
            return any(walk(v) for v in node)
        return False
    return walk(tree)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a result is built. Tens of thousands of new row
    tuples and terms set it off again and again, each pass walking every live object, for
    rows that hold no cycles: 0.03 to 0.1 s of a 12,000-row result on the bench store. Left
    off if the caller had turned it off."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _run_embedded(store: KgStore, query: str, terms: dict[str, Node]) -> QueryResult:
    _check_names(query, terms)
    with _collector_paused():
        return _run_embedded_ordered(store, query, terms)


def _run_embedded_ordered(store: KgStore, query: str, terms: dict[str, Node]) -> QueryResult:
    # the final ORDER BY is applied here when it can be, exactly as SPARQL orders (see
    # kgraid.ordering): the on-disk engine is slower at it than the rest of the query
    plan = split_order(query)
    if plan is not None:
        result = _run_embedded_once(store, plan.query, terms)
        try:
            result.rows = sort_rows(result.rows, result.vars, plan)
            return result
        except Unordered as e:
            log.debug("the engine orders this query: %s", e)
    return _run_embedded_once(store, query, terms)


def _run_embedded_once(store: KgStore, query: str, terms: dict[str, Node]) -> QueryResult:
    try:
        result = store.query(query, terms or None)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            # labels, roles and articles repeat down a result: convert each term once. A
            # solution iterates its values in the order of the variables (None unbound),
            # about a third cheaper than looking each one up by name
            seen: dict[object, Node | None] = {None: None}
            get, miss = seen.get, object()
            rows = []
            for sol in result:
                row = []
                for term in sol:
                    got = get(term, miss)
                    if got is miss:
                        got = seen[term] = _from_ox(term)
                    row.append(got)
                rows.append(tuple(row))
            return QueryResult("select", vars=variables, rows=rows)
        graph = Graph()
        for t in result:
            graph.add((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)))
        return _graph_result(graph)
    except (SyntaxError, RuntimeError, QueryError) as e:
        # KgStore.query wraps pyoxigraph's errors in QueryError; older versions did not
        raise _embedded_error(e) from e
    except OSError as e:
        raise QueryError(f"{store.path or 'memory store'}: the query failed: {e}") from e


def _embedded_error(e: BaseException) -> QueryError:
    cause = e.__cause__ if isinstance(e, QueryError) and e.__cause__ is not None else e
    if isinstance(cause, SyntaxError):
        return QueryError(f"the query does not parse: {_first_line(cause)}")
    msg = str(cause)
    if "projection" in msg:
        msg += " (a bound variable must be selected by the query)"
    return e if isinstance(e, QueryError) and cause is e else QueryError(msg)


def _graph_result(graph: Graph) -> QueryResult:
    for p, ns in PREFIXES.items():
        graph.bind(p, ns, override=True)
    rows = sorted(graph, key=lambda t: tuple(map(str, t)))
    return QueryResult("graph", vars=["subject", "predicate", "object"],
                       rows=[tuple(t) for t in rows], graph=graph)


# ---------------------------------------------------------------------------- remote
_KINDS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph",
          "DescribeQuery": "graph"}


def _run_remote(endpoint: str, query: str, terms: dict[str, Node], *, timeout: float,
                retries: int, max_retry_wait: float) -> QueryResult:
    if not re.match(r"^https?://", endpoint):
        raise EndpointError(f"{endpoint}: an endpoint must be an http:// or https:// URL")
    text, parsed = _bind_values(query, terms)
    kind = _KINDS.get(parsed.algebra.name)
    if kind is None:
        raise QueryError(f"unsupported query form {parsed.algebra.name}")
    if kind == "select" and terms:
        projected = {str(v) for v in parsed.algebra.get("PV", [])}
        for name in terms:
            if name not in projected:
                raise QueryError(f"the query does not contain variable ?{name} in its SELECT "
                                 "projection (a bound variable must be selected by the query)")
    body, ctype = _fetch(endpoint, text, kind, timeout=timeout, retries=retries,
                         max_retry_wait=max_retry_wait)
    if kind == "graph":
        return _graph_result(_parse_graph(endpoint, body, ctype))
    return _parse_json_results(endpoint, body, kind)


def _fetch(endpoint: str, text: str, kind: str, *, timeout: float, retries: int,
           max_retry_wait: float) -> tuple[bytes, str]:
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper import SPARQLExceptions as SE

    attempt = 0
    while True:
        attempt += 1
        sw = SPARQLWrapper(endpoint, agent="kgraid")
        sw.setQuery(text)
        # The kind was read by rdflib's parser; SPARQLWrapper's regex must not guess.
        sw.queryType = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT"}[kind]
        sw.setMethod(POST)
        sw.setTimeout(timeout)  # type: ignore[arg-type]
        sw.setReturnFormat(TURTLE if kind == "graph" else JSON)
        started = time.monotonic()
        try:
            response = sw.query().response
            ctype = response.headers.get("Content-Type", "") or ""
            body = _read_body(endpoint, response, started + timeout)
            return body, ctype
        except urllib.error.HTTPError as e:
            wait = _retry_wait(e, attempt, retries, max_retry_wait, endpoint)
            log.warning("%s answered %s; retrying in %.1f s (attempt %d of %d)",
                        endpoint, e.code, wait, attempt + 1, retries + 1)
            time.sleep(wait)
        except SE.EndPointInternalError as e:
            raise EndpointError(f"{endpoint}: the endpoint failed (HTTP 500): "
                                f"{_msg(e)}") from None
        except SE.QueryBadFormed as e:
            raise EndpointError(f"{endpoint}: the endpoint refused the query as malformed "
                                f"(HTTP 400): {_msg(e)}") from None
        except SE.EndPointNotFound:
            raise EndpointError(f"{endpoint}: no SPARQL endpoint there (HTTP 404)") from None
        except SE.Unauthorized:
            raise EndpointError(f"{endpoint}: the endpoint needs credentials (HTTP 401)") from None
        except SE.URITooLong:
            raise EndpointError(f"{endpoint}: the request is too long (HTTP 414)") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, (TimeoutError, socket.timeout)):
                raise EndpointError(f"{endpoint}: no answer within {timeout:g} s") from None
            raise EndpointError(f"{endpoint}: cannot connect: {e.reason}") from None
        except (TimeoutError, socket.timeout):
            raise EndpointError(f"{endpoint}: no answer within {timeout:g} s") from None
        except (http.client.HTTPException, ConnectionError, OSError) as e:
            raise EndpointError(f"{endpoint}: the connection failed: "
                                f"{type(e).__name__}: {e}") from None


def _msg(e: BaseException) -> str:
    text = str(e)
    text = text.split("Response:", 1)[-1].strip()
    text = re.sub(r"^b['\"]|['\"]$", "", text)
    return (text[:300] or type(e).__name__).replace("\\n", " ")


def _retry_wait(e: urllib.error.HTTPError, attempt: int, retries: int, max_wait: float,
                endpoint: str) -> float:
    """Seconds to wait before retrying after ``e``, or raise when it must not be retried."""
    if e.code not in _RETRY_STATUSES:
        raise EndpointError(f"{endpoint}: the endpoint answered HTTP {e.code} {e.reason}")
    if attempt > retries:
        raise EndpointError(f"{endpoint}: still HTTP {e.code} after {retries} "
                            f"{'retry' if retries == 1 else 'retries'}; try again later")
    header = e.headers.get("Retry-After") if e.headers else None
    try:
        return retry_delay(retry_after_seconds(header), attempt - 1, base=0.5, limit=max_wait,
                           cap=max_wait)
    except RetryRefused as refused:
        raise EndpointError(f"{endpoint}: HTTP {e.code}, the endpoint asks to retry after "
                            f"{refused.wait:g} s, more than the {max_wait:g} s kgraid waits"
                            ) from None


def _read_body(endpoint: str, response: Any, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise EndpointError(f"{endpoint}: the answer did not arrive in time")
        # read1: at most one socket read per call, so a trickling body meets the deadline
        read = getattr(response, "read1", None) or response.read
        chunk = read(1 << 16)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise EndpointError(f"{endpoint}: the answer is larger than "
                                f"{MAX_RESPONSE_BYTES >> 20} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _malformed(endpoint: str, why: str) -> EndpointError:
    return EndpointError(f"{endpoint}: malformed results: {why}")


def _parse_json_results(endpoint: str, body: bytes, kind: str) -> QueryResult:
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _malformed(endpoint, f"not JSON ({_first_line(e)})") from None
    if not isinstance(doc, dict):
        raise _malformed(endpoint, "not a JSON object")
    if kind == "ask":
        if not isinstance(doc.get("boolean"), bool):
            raise _malformed(endpoint, "an ASK answer without a boolean")
        return QueryResult("ask", boolean=doc["boolean"])
    head, results = doc.get("head"), doc.get("results")
    if not isinstance(head, dict) or not isinstance(results, dict):
        raise _malformed(endpoint, "no 'head' and 'results'")
    variables = head.get("vars")
    bindings = results.get("bindings")
    if (not isinstance(variables, list) or not all(isinstance(v, str) for v in variables)
            or not isinstance(bindings, list)):
        raise _malformed(endpoint, "'head.vars' or 'results.bindings' is not a list")
    rows = []
    for i, b in enumerate(bindings):
        if not isinstance(b, dict) or not set(b) <= set(variables):
            raise _malformed(endpoint, f"row {i} is not an object of the declared variables")
        rows.append(tuple(_term_from_json(endpoint, b[v]) if v in b else None
                          for v in variables))
    return QueryResult("select", vars=list(variables), rows=rows)


def _term_from_json(endpoint: str, d: Any) -> Node:
    if not isinstance(d, dict) or not isinstance(d.get("value"), str):
        raise _malformed(endpoint, f"bad term {str(d)[:80]}")
    kind, value = d.get("type"), d["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang, dt = d.get("xml:lang"), d.get("datatype")
        if lang:
            return Literal(value, lang=lang)
        if dt and dt != _XSD_STRING:
            return Literal(value, datatype=URIRef(dt), normalize=False)
        return Literal(value)
    raise _malformed(endpoint, f"unsupported term type {kind!r}")


def _parse_graph(endpoint: str, body: bytes, ctype: str) -> Graph:
    media = ctype.split(";")[0].strip().lower()
    fmt = {"application/n-triples": ox.RdfFormat.N_TRIPLES,
           "text/plain": ox.RdfFormat.N_TRIPLES}.get(media, ox.RdfFormat.TURTLE)
    if media and media not in ("text/turtle", "application/x-turtle", "application/n-triples",
                               "text/plain"):
        raise _malformed(endpoint, f"expected Turtle, got {media}")
    graph = Graph()
    try:
        for t in ox.parse(body, format=fmt):
            graph.add((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)))
    except (SyntaxError, ValueError) as e:
        raise _malformed(endpoint, _first_line(e)) from None
    return graph


# ---------------------------------------------------------------------------- entry point
def run_query(query: str | Path, *, store: KgStore | None = None, endpoint: str | None = None,
              bindings: Bindings | None = None, timeout: float = DEFAULT_TIMEOUT,
              retries: int = DEFAULT_RETRIES,
              max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
              allow_service: bool = False) -> QueryResult:
    """Run ``query`` (SPARQL text or a ``.rq`` path) on ``store`` or ``endpoint``.

    On an embedded store a ``SERVICE`` clause (a request to another endpoint, sent by the
    query engine) is refused unless ``allow_service`` is set.

    ``bindings`` maps variable names to values: a ``str`` is a plain literal, an rdflib term
    is itself. On an embedded store the default graph is the union of all graphs; on an
    endpoint it is what the server makes it (``kgraid serve`` and ``oxigraph serve
    --union-default-graph`` make it the union). ``timeout`` (seconds) bounds each request to
    an endpoint; ``429``/``503`` answers are retried up to ``retries`` times, waiting what
    ``Retry-After`` asks when it is at most ``max_retry_wait`` seconds."""
    text = load_query(query)
    terms = _as_terms(bindings)
    _check_required(text, terms, "the query" if text is query
                    else "standard input" if query == "-" else str(query))
    if (store is None) == (endpoint is None):
        raise QueryError("give exactly one of a store or an endpoint")
    views = declared_views(text)
    if store is not None:
        check_views(views, embedded_digests(store), str(store.path or "the memory store"))
        if not allow_service and _uses_service(text):
            raise QueryError("the query calls a remote endpoint (SERVICE); kgraid does not send "
                             "requests on a query's behalf unless told to (--allow-service)")
        return _run_embedded(store, text, terms)
    assert endpoint is not None
    if views:
        def digests(iri: str) -> set[str]:
            found = _run_remote(endpoint, DIGEST_QUERY, {"g": URIRef(iri)}, timeout=timeout,
                                retries=retries, max_retry_wait=max_retry_wait)
            return {str(h) for h in found.column("h") if h is not None}
        check_views(views, digests, endpoint)
    return _run_remote(endpoint, text, terms, timeout=timeout, retries=retries,
                       max_retry_wait=max_retry_wait)


# ---------------------------------------------------------------------------- CLI
QUERY_HELP = """\
Run a SPARQL query on the graph and print the result.

QUERY is a .rq file, '-' for standard input, or SPARQL text. The default graph is the union
of all article graphs, so no GRAPH clause is needed.

Values for the query's variables are bound with --bind NAME=VALUE, never pasted into the text:
  --bind place_label='Deir al-Zour'           a plain string literal (the default)
  --bind entity='<https://w3id.org/kgraid/id/person/john-dorrian>'   an IRI, in <...>
  --bind from='"2017-01-01"^^xsd:date'        a typed literal ("..."^^xsd:TYPE or ^^<IRI>)
  --bind label='"Dorrian"@en'                 a literal with a language tag
A bound variable must occur in the query (for SELECT, in its projection). A query whose
header has a line '# Requires: ?a or ?b' (a lookup, such as entity_profile.rq) runs only with
one of those variables bound.

exit codes: 0 the query ran (even with no rows), 2 error (bad query or binding, a required
binding missing, store or endpoint failure; nothing is printed on stdout then).
"""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kgraid query`` to an argparse sub-parser set."""
    p = subparsers.add_parser("query", help="run a SPARQL query (.rq file or text)",
                              description=QUERY_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", metavar="QUERY", help="a .rq file, '-' for stdin, or SPARQL text")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", metavar="PATH", help="an embedded kgraid store directory")
    where.add_argument("--endpoint", metavar="URL",
                       help="a SPARQL 1.1 query endpoint, e.g. http://127.0.0.1:7878/query")
    p.add_argument("--bind", action="append", metavar="NAME=VALUE", default=[],
                   help="bind a variable (repeatable); see above for the value syntax")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="output: SPARQL JSON results, CSV, TSV, or a text table (default)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"endpoint request timeout (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--allow-service", action="store_true",
                   help="let a SERVICE clause of the query call other endpoints (refused by "
                        "default: kgraid sends no request a user did not ask for)")
    p.set_defaults(func=cmd_query)
    return p


@contextmanager
def open_read_only(path: str | Path) -> Iterator[KgStore]:
    """An existing store opened for reading (another process may be writing it)."""
    store = KgStore(path, read_only=True)
    try:
        yield store
    finally:
        try:
            store.close()
        except RuntimeError:  # a read-only pyoxigraph store refuses flush(); nothing to save
            pass


def cmd_query(args: argparse.Namespace) -> int:
    """``kgraid query``: the whole answer is formatted before anything is written."""
    bindings = parse_bindings(args.bind)
    if args.store is not None:
        with open_read_only(args.store) as store:
            result = run_query(args.query, store=store, bindings=bindings,
                               allow_service=args.allow_service)
    else:
        result = run_query(args.query, endpoint=args.endpoint, bindings=bindings,
                           timeout=args.timeout)
    text = result.format(args.format)
    sys.stdout.write(text)
    sys.stdout.flush()
    if result.kind != "ask":
        log.info("%d rows", len(result))
    return 0

