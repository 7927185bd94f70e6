"""Stage 8: measure a graph against hand-written gold facts (``kgraid eval``).

The gold format and the matching rules are those of the project's scorer (the fact contract;
see the README): one JSON file per article::

    {"article": "004_ce07ce798a255723",          # the article's dcterms:identifier
     "memberships": [{"person": [aliases], "role": [aliases], "organization": [aliases],
                      "optional": false}],
     "operations":  [{"places": [aliases], "date": "2017-01-08" | "2015-10" | "2014" | null}],
     "claims":      [{"source": [aliases], "keys": [phrases]}]}

- A predicted label matches a gold alias when the alias's normalized tokens appear, in order
  and contiguous, inside the label's tokens, and the label is at most 5 tokens longer (case,
  punctuation, "U.S." vs "US", a possessive 's and a leading "the"/"a"/"an" are ignored).
  Labels are ``rdfs:label``, ``skos:prefLabel`` and ``skos:altLabel``.
- A membership matches on person, organization and role; an operation on one of its places
  (and counts as correct only when its ``sem:hasTimeStamp`` equals the gold date, or is absent
  when the gold date is null); a claim when its source matches and its statement (at most 400
  characters) contains one of the keys.
- Each predicted fact matches at most one gold fact. Gold items marked ``optional`` are neither
  required (recall) nor counted against precision when a prediction matches them.

Matching is one-to-one and optimal (a maximum-weight matching: as many required gold facts
as possible, then as many right dates, then optional ones), so the result does not depend on
the order the store returns facts in. A greedy matcher can only find as many matches or fewer.

``evaluate(store, gold)`` returns an :class:`EvalReport`; with ``explain=True`` it lists, per
article, the gold facts missed (with sentences of the article that mention them), the
predicted facts that match nothing and the wrong dates, each with its evidence sentence.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from .errors import InputError
from .export import load_rdf
from .query import open_read_only
from .store import KgStore

__all__ = ["KINDS", "GoldArticle", "KindScore", "Finding", "EvalReport", "load_gold",
           "collect_facts", "evaluate", "evaluate_file", "tokens", "label_matches",
           "register"]

log = logging.getLogger(__name__)

KINDS = ("memberships", "operations", "claims")
MAX_LENGTH_GAP = 5        # a label may be this many tokens longer than the alias it matches
MAX_STATEMENT_CHARS = 400  # longer statements never match a claim key

_PREFIXES = """
PREFIX kgr: <https://w3id.org/kgraid/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_LABEL = "(rdfs:label|skos:prefLabel|skos:altLabel)"
_EVIDENCE = "OPTIONAL { ?f kgr:evidence/kgr:sentence ?sentence }"

_Q_MEMBERSHIPS = _PREFIXES + f"""
SELECT DISTINCT ?id ?f ?pl ?ol ?rl ?sentence WHERE {{
  ?f a org:Membership ; org:member ?p ; org:organization ?o ; org:role ?r ;
     prov:wasDerivedFrom ?a .
  ?a a kgr:Article ; dcterms:identifier ?id .
  ?p a kgr:Person ; {_LABEL} ?pl .
  ?o a kgr:Organization ; {_LABEL} ?ol .
  ?r {_LABEL} ?rl .
  {_EVIDENCE}
}}"""

_Q_OPERATIONS = _PREFIXES + f"""
SELECT DISTINCT ?id ?f ?placel ?ts ?sentence WHERE {{
  ?f a kgr:Operation ; prov:wasDerivedFrom ?a .
  ?a a kgr:Article ; dcterms:identifier ?id .
  OPTIONAL {{ ?f sem:hasPlace ?place . ?place {_LABEL} ?placel . }}
  OPTIONAL {{ ?f sem:hasTimeStamp ?ts . }}
  {_EVIDENCE}
}}"""

_Q_CLAIMS = _PREFIXES + f"""
SELECT DISTINCT ?id ?f ?sl ?text ?sentence WHERE {{
  ?f a kgr:Claim ; prov:wasAttributedTo ?s ; kgr:statement ?text ;
     prov:wasDerivedFrom ?a .
  ?a a kgr:Article ; dcterms:identifier ?id .
  ?s {_LABEL} ?sl .
  {_EVIDENCE}
}}"""

_Q_SENTENCES = _PREFIXES + """
SELECT DISTINCT ?id ?sentence ?start WHERE {
  ?e kgr:sentence ?sentence ; prov:wasDerivedFrom ?a .
  ?a dcterms:identifier ?id .
  OPTIONAL { ?e kgr:charStart ?start }
}"""


# ---------------------------------------------------------------------------- matching rules
_STOP = {"the", "a", "an"}


def tokens(text: str) -> list[str]:
    """Normalized tokens: lower case, "U.S." -> "us", possessive 's and punctuation dropped,
    a leading "the"/"a"/"an" removed."""
    t = text.lower().replace("\u2019", "'").replace("u.s.", "us").replace("u.s", "us")
    t = re.sub(r"'s\b", "", t)
    t = re.sub(r"[^\w\s]", " ", t)
    out = t.split()
    while out and out[0] in _STOP:
        out = out[1:]
    return out


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def label_matches(labels: Iterable[str], aliases: Iterable[str]) -> bool:
    """Whether one of ``labels`` matches one of the gold ``aliases``."""
    alias_tokens = [tokens(a) for a in aliases]
    for label in labels:
        lt = tokens(label)
        if any(_contains(lt, at) and len(lt) <= len(at) + MAX_LENGTH_GAP for at in alias_tokens):
            return True
    return False


def _key_matches(statements: Iterable[str], keys: Iterable[str]) -> bool:
    key_tokens = [tokens(k) for k in keys]
    for s in statements:
        if len(s) > MAX_STATEMENT_CHARS:
            continue
        st = tokens(s)
        if any(_contains(st, kt) for kt in key_tokens):
            return True
    return False


@dataclass
class Predicted:
    """One predicted fact of one article: its labels per field and its evidence."""

    iri: str
    fields: dict[str, set[str]]
    evidence: set[str] = field(default_factory=set)


def _match_membership(p: Predicted, g: Mapping[str, Any]) -> bool:
    return (label_matches(p.fields["person"], g["person"])
            and label_matches(p.fields["org"], g["organization"])
            and label_matches(p.fields["role"], g["role"]))


def _match_operation(p: Predicted, g: Mapping[str, Any]) -> bool:
    return bool(g["places"]) and label_matches(p.fields["places"], g["places"])


def _date_ok(p: Predicted, g: Mapping[str, Any]) -> bool:
    if g.get("date") is None:
        return not p.fields["ts"]
    return g["date"] in p.fields["ts"]


def _match_claim(p: Predicted, g: Mapping[str, Any]) -> bool:
    return label_matches(p.fields["source"], g["source"]) and _key_matches(p.fields["text"],
                                                                          g["keys"])


_MATCHERS: dict[str, tuple[Callable[[Predicted, Mapping[str, Any]], bool],
                           Callable[[Predicted, Mapping[str, Any]], bool] | None]] = {
    "memberships": (_match_membership, None),
    "operations": (_match_operation, _date_ok),
    "claims": (_match_claim, None),
}


# ---------------------------------------------------------------------------- gold
@dataclass
class GoldArticle:
    article: str
    source: str
    facts: dict[str, list[dict[str, Any]]]


_GOLD_FIELDS = {"memberships": ("person", "role", "organization"),
                "operations": ("places",), "claims": ("source", "keys")}


def _check_gold(doc: Any, source: str) -> GoldArticle:
    if not isinstance(doc, dict) or not isinstance(doc.get("article"), str):
        raise InputError(source, 'a gold file must be a JSON object with an "article" id')
    facts: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        items = doc.get(kind, [])
        if not isinstance(items, list):
            raise InputError(source, f'"{kind}" must be a list')
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(source, f"{kind}[{i}] must be an object")
            for name in _GOLD_FIELDS[kind]:
                values = item.get(name)
                if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                    raise InputError(source, f'{kind}[{i}]."{name}" must be a list of strings')
            if kind == "operations" and not (item.get("date") is None
                                              or isinstance(item.get("date"), str)):
                raise InputError(source, f'{kind}[{i}]."date" must be a string or null')
        facts[kind] = items
    return GoldArticle(doc["article"], source, facts)


def load_gold(sources: Iterable[str | Path | Mapping[str, Any]]) -> list[GoldArticle]:
    """Gold articles from files, directories (their ``*.json``, sorted) or parsed objects."""
    out: list[GoldArticle] = []
    for src in sources:
        if isinstance(src, Mapping):
            out.append(_check_gold(dict(src), "<gold>"))
            continue
        path = Path(src)
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            raise InputError(str(path), "no gold *.json files in this directory")
        for f in files:
            try:
                doc = json.loads(f.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise InputError(str(f), "no such gold file") from None
            except (OSError, UnicodeDecodeError, ValueError) as e:
                raise InputError(str(f), f"not a readable JSON gold file: {e}") from None
            out.append(_check_gold(doc, str(f)))
    seen: dict[str, str] = {}
    for g in out:
        if g.article in seen:
            raise InputError(g.source, f"article {g.article!r} already has gold in "
                                       f"{seen[g.article]}")
        seen[g.article] = g.source
    return out


# ---------------------------------------------------------------------------- predictions
def collect_facts(store: KgStore) -> dict[str, dict[str, list[Predicted]]]:
    """``{article id: {kind: [Predicted]}}`` read from the store through the fact contract."""
    facts: dict[str, dict[str, dict[str, Predicted]]] = defaultdict(
        lambda: {k: {} for k in KINDS})
    spec = (("memberships", _Q_MEMBERSHIPS, {"person": "pl", "org": "ol", "role": "rl"}),
            ("operations", _Q_OPERATIONS, {"places": "placel", "ts": "ts"}),
            ("claims", _Q_CLAIMS, {"source": "sl", "text": "text"}))
    for kind, query, columns in spec:
        for row in store.query(query):
            iri = row["f"].value
            pred = facts[row["id"].value][kind].setdefault(
                iri, Predicted(iri, {name: set() for name in columns}))
            for name, var in columns.items():
                if row[var] is not None:
                    pred.fields[name].add(row[var].value)
            if row["sentence"] is not None:
                pred.evidence.add(row["sentence"].value)
    return {aid: {k: sorted(v.values(), key=lambda p: p.iri) for k, v in kinds.items()}
            for aid, kinds in facts.items()}


def _sentences(store: KgStore) -> dict[str, list[str]]:
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for row in store.query(_Q_SENTENCES):
        start = int(row["start"].value) if row["start"] is not None else 1 << 62
        prev = found[row["id"].value].get(row["sentence"].value, start)
        found[row["id"].value][row["sentence"].value] = min(prev, start)
    return {aid: sorted(s, key=s.get) for aid, s in found.items()}  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- scoring
@dataclass
class KindScore:
    tp: int = 0            # required gold facts matched (operations: place only)
    tp_strict: int = 0     # ... and right in every respect (operations: the date too)
    gold: int = 0          # required gold facts
    pred: int = 0          # predictions, less those that matched optional gold facts

    def add(self, other: "KindScore") -> None:
        self.tp += other.tp
        self.tp_strict += other.tp_strict
        self.gold += other.gold
        self.pred += other.pred

    def prf(self, strict: bool = True) -> tuple[float, float, float]:
        return _prf(self.tp_strict if strict else self.tp, self.pred, self.gold)

    def as_dict(self) -> dict[str, int]:
        return {"tp": self.tp, "tp_strict": self.tp_strict, "gold": self.gold,
                "pred": self.pred}


def _prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 3), round(r, 3), round(f, 3)


@dataclass
class Finding:
    """One line of ``--explain``: a gold fact ``missed``, a ``false`` prediction (it matches
    no gold fact) or a ``wrong date``; with the evidence sentences."""

    article: str
    kind: str
    what: str
    fact: dict[str, Any]
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"article": self.article, "kind": self.kind, "what": self.what,
                "fact": self.fact, "evidence": self.evidence}


def _match(preds: list[Predicted], gold: list[dict[str, Any]], kind: str,
           ) -> tuple[dict[int, int], KindScore]:
    """Optimal one-to-one matching. Returns {gold index: pred index} and the counts."""
    import networkx as nx  # here, not at import: every kgraid command loads this module
    matcher, extra = _MATCHERS[kind]
    big, mid = 1_000_000, 1_000
    g = nx.Graph()
    for gi, gf in enumerate(gold):
        for pi, p in enumerate(preds):
            if not matcher(p, gf):
                continue
            if gf.get("optional"):
                w = 1
            else:
                w = big + (mid if extra is None or extra(p, gf) else 0)
            g.add_edge(("g", gi), ("p", pi), weight=w)
    pairs: dict[int, int] = {}
    for a, b in nx.max_weight_matching(g):
        (ga, gi), (_, pi) = (a, b) if a[0] == "g" else (b, a)
        pairs[gi] = pi
    score = KindScore(gold=sum(1 for gf in gold if not gf.get("optional")))
    optional_hits = 0
    for gi, pi in pairs.items():
        gf = gold[gi]
        if gf.get("optional"):
            optional_hits += 1
            continue
        score.tp += 1
        if extra is None or extra(preds[pi], gf):
            score.tp_strict += 1
    score.pred = len(preds) - optional_hits
    return pairs, score


def _gold_view(kind: str, g: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in g.items() if k not in ("note",)}


def _pred_view(p: Predicted) -> dict[str, Any]:
    return {k: sorted(v) for k, v in p.fields.items()} | {"iri": p.iri}


def _near(gold: Mapping[str, Any], kind: str, sentences: list[str]) -> list[str]:
    """Sentences of the article that mention what a missed gold fact is about."""
    groups = {"memberships": ("person", "organization"), "operations": ("places",),
              "claims": ("keys",)}[kind]
    out = []
    for s in sentences:
        st = tokens(s)
        if all(any(_contains(st, tokens(a)) for a in gold.get(name, []))
               for name in groups):
            out.append(s)
    return out[:2]


@dataclass
class EvalReport:
    kinds: dict[str, KindScore]
    per_article: dict[str, dict[str, KindScore]]
    articles_missing: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def overall(self) -> dict[str, float]:
        tp = sum(k.tp_strict for k in self.kinds.values())
        pred = sum(k.pred for k in self.kinds.values())
        gold = sum(k.gold for k in self.kinds.values())
        return dict(zip(("precision", "recall", "f1"), _prf(tp, pred, gold)))

    def summary(self) -> dict[str, Any]:
        """The same summary as the project's scorer (``score.py --json``)."""
        out: dict[str, Any] = {}
        for kind, c in self.kinds.items():
            out[kind] = dict(zip(("precision", "recall", "f1"), c.prf())) | c.as_dict()
        op = self.kinds["operations"]
        out["operations"]["place_only_f1"] = op.prf(strict=False)[2]
        out["operations"]["date_accuracy"] = round(op.tp_strict / op.tp, 3) if op.tp else 0.0
        out["overall"] = self.overall
        return out

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "summary": self.summary(),
            "articles": {aid: {k: c.as_dict() for k, c in row.items()}
                         for aid, row in self.per_article.items()},
            "articles_missing": self.articles_missing,
        }
        if self.findings:
            d["explain"] = [f.as_dict() for f in self.findings]
        return d

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_table(self) -> str:
        s = self.summary()
        lines = []
        for f in self.findings:
            lines.append(_finding_text(f))
        if self.findings:
            lines.append("")
        lines.append(f"{'kind':<12} {'P':>6} {'R':>6} {'F1':>6}   tp/pred/gold")
        for kind in KINDS:
            k = s[kind]
            lines.append(f"{kind:<12} {k['precision']:>6} {k['recall']:>6} {k['f1']:>6}   "
                         f"{k['tp_strict']}/{k['pred']}/{k['gold']}")
        lines.append(f"operations: place-only F1 {s['operations']['place_only_f1']}, "
                     f"date accuracy {s['operations']['date_accuracy']}")
        if self.articles_missing:
            lines.append("articles with no facts in the graph: "
                         + ", ".join(self.articles_missing))
        o = s["overall"]
        lines.append(f"overall F1 {o['f1']} (P {o['precision']}, R {o['recall']})")
        return "\n".join(lines) + "\n"


def _finding_text(f: Finding) -> str:
    fact = json.dumps(f.fact, ensure_ascii=False)
    if len(fact) > 300:
        fact = fact[:299] + "\u2026"
    out = [f"{f.article} {f.kind} {f.what}: {fact}"]
    label = "near" if f.what == "missed" else "evidence"
    out += [f"    {label}: {' '.join(s.split())}" for s in f.evidence]
    return "\n".join(out)


def evaluate(store: KgStore, gold: Sequence[str | Path | Mapping[str, Any]] | list[GoldArticle],
             *, explain: bool = False) -> EvalReport:
    """Score the facts in ``store`` against ``gold`` (files, directories, parsed objects or
    :class:`GoldArticle`\\ s)."""
    golds = [g for g in gold if isinstance(g, GoldArticle)]
    golds += load_gold([g for g in gold if not isinstance(g, GoldArticle)])  # type: ignore[list-item]
    facts = collect_facts(store)
    sentences = _sentences(store) if explain else {}
    totals = {k: KindScore() for k in KINDS}
    per_article: dict[str, dict[str, KindScore]] = {}
    findings: list[Finding] = []
    for ga in golds:
        preds = facts.get(ga.article, {k: [] for k in KINDS})
        row = {}
        for kind in KINDS:
            gold_items = ga.facts[kind]
            pairs, score = _match(preds[kind], gold_items, kind)
            row[kind] = score
            totals[kind].add(score)
            if explain:
                findings += _explain(ga.article, kind, preds[kind], gold_items, pairs,
                                     sentences.get(ga.article, []))
        per_article[ga.article] = row
    missing = [ga.article for ga in golds if ga.article not in facts]
    return EvalReport(totals, per_article, missing, findings)


def _explain(article: str, kind: str, preds: list[Predicted], gold: list[dict[str, Any]],
             pairs: dict[int, int], sentences: list[str]) -> list[Finding]:
    out: list[Finding] = []
    _, extra = _MATCHERS[kind]
    for gi, gf in enumerate(gold):
        if gf.get("optional"):
            continue
        if gi not in pairs:
            out.append(Finding(article, kind, "missed", _gold_view(kind, gf),
                               _near(gf, kind, sentences)))
        elif extra is not None and not extra(preds[pairs[gi]], gf):
            p = preds[pairs[gi]]
            out.append(Finding(article, kind, "wrong date",
                               {"gold": gf.get("date"), "predicted": sorted(p.fields["ts"]),
                                "places": gf["places"][:3], "iri": p.iri},
                               sorted(p.evidence)))
    used = set(pairs.values())
    for pi, p in enumerate(preds):
        if pi not in used:
            out.append(Finding(article, kind, "false", _pred_view(p), sorted(p.evidence)))
    return out


def evaluate_file(graph: str | Path, gold: Sequence[str | Path], *, explain: bool = False,
                  ) -> EvalReport:
    """Score an RDF file (any format kgraid exports; read without fetching anything)."""
    return evaluate(load_rdf(graph), gold, explain=explain)


# ---------------------------------------------------------------------------- CLI
EVAL_HELP = """\
Score a graph against gold facts (one JSON file per article; format in the README) and print
precision, recall and F1 per kind of fact (memberships, operations, claims) and overall.

Operations count as correct only with the right date; "place-only F1" and "date accuracy"
say how much the dates cost. --explain lists, per article, the gold facts missed (with the
article's sentences that mention them), the predicted facts that match nothing and the wrong
dates, each with its evidence sentence.

exit codes: 0 scored (and overall F1 >= --min-f1 when given), 1 overall F1 below --min-f1,
2 error (unreadable graph, store or gold file).
"""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kgraid eval`` to an argparse sub-parser set."""
    p = subparsers.add_parser("eval", help="score a graph against gold facts",
                              description=EVAL_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--graph", metavar="FILE",
                     help="an RDF file (.trig .ttl .nq .nt .jsonld .rdf)")
    src.add_argument("--store", metavar="PATH", help="a kgraid store directory")
    p.add_argument("--gold", nargs="+", required=True, metavar="DIR|FILE",
                   help="gold JSON files, or directories of them")
    p.add_argument("--explain", action="store_true",
                   help="list missed gold facts, false facts and wrong dates with evidence")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="output: a text table (default) or JSON")
    p.add_argument("--min-f1", type=float, default=None, metavar="X",
                   help="exit 1 when the overall F1 is below X")
    p.set_defaults(func=cmd_eval)
    return p


def cmd_eval(args: argparse.Namespace) -> int:
    gold = load_gold(args.gold)
    if args.graph is not None:
        report = evaluate(load_rdf(args.graph), gold, explain=args.explain)
    else:
        with open_read_only(args.store) as store:
            report = evaluate(store, gold, explain=args.explain)
    text = report.to_json() if args.format == "json" else report.to_table()
    sys.stdout.write(text)
    sys.stdout.flush()
    if args.min_f1 is not None and report.overall["f1"] < args.min_f1:
        return 1
    return 0

