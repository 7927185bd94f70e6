"""Stage 5: SHACL validation of article graphs and of whole exported graphs.

pySHACL is the reference validator. ``engine="auto"`` uses ``pyshacl_turbo`` (a Rust engine
with pySHACL's API) when it is installed; tests check that both give the same conformance and
focus nodes on the project's corpus. The shapes file is read from disk once per process and
never fetches anything (no owl:imports are followed).
"""
from __future__ import annotations

import functools
import importlib.util
import logging
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, Namespace
from rdflib.namespace import SH

from .errors import ValidationError

__all__ = ["Violation", "ValidationReport", "validate_graph", "validate_ntriples",
           "load_shapes", "shapes_path", "ontology_dir", "validate_file", "check_shapes"]

log = logging.getLogger(__name__)
KGR = Namespace("https://w3id.org/kgraid/ontology#")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str
    evidence: str | None = None


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    engine: str = "pyshacl"

    def as_dict(self) -> dict:
        return {"conforms": self.conforms, "engine": self.engine,
                "violations": [v.__dict__ for v in self.violations]}


def ontology_dir() -> Path:
    """The directory of the ontology and shapes: ``ontology/`` of a source checkout, else the
    copy installed with the package (``kgraid/resources/ontology``, a link to ``ontology/`` in
    the source tree, so there is one copy to edit)."""
    here = Path(__file__).resolve()
    for cand in (here.parents[2] / "ontology", here.parent / "resources" / "ontology"):
        if (cand / "shapes.ttl").exists():
            return cand
    raise ValidationError("cannot find the kgraid ontology and SHACL shapes (ontology/)")


def shapes_path() -> Path:
    """``shapes.ttl`` in :func:`ontology_dir`."""
    return ontology_dir() / "shapes.ttl"


@functools.cache
def load_shapes(extra: str | None = None) -> Graph:
    """The kgraid shapes (``shapes.ttl`` and the ``*-shapes.ttl`` beside it), plus the
    user's own shapes file ``extra`` if given (stricter house rules)."""
    g = Graph(bind_namespaces="core")  # rdflib's ~30 default prefixes cost ~1 ms a report
    base = shapes_path()
    g.parse(base, format="turtle")
    for more in sorted(base.parent.glob("*-shapes.ttl")):
        g.parse(more, format="turtle")
    if extra:
        try:
            g.parse(extra, format="turtle")
        except Exception as e:  # noqa: BLE001 - rdflib raises parser-specific types
            raise ValidationError(f"{extra}: cannot read the shapes file: {e}") from None
    return g


def _engine(name: str):
    if name in ("auto", "turbo") and importlib.util.find_spec("pyshacl_turbo") is not None:
        import pyshacl_turbo
        return "pyshacl-turbo", pyshacl_turbo.validate
    if name == "turbo":
        raise ValidationError("pyshacl-turbo is not installed (pip install pyshacl-turbo)")
    import pyshacl
    return "pyshacl", pyshacl.validate


@functools.lru_cache(maxsize=8)
def _compiled(shapes_id: int, shapes: Graph):
    """pyshacl-turbo's compiled form of a shapes graph, built once per process."""
    import pyshacl_turbo
    return pyshacl_turbo.CompiledShapes(shapes)


def validate_graph(data: Graph, *, engine: str = "pyshacl", shapes: Graph | None = None
                   ) -> ValidationReport:
    """Validate ``data`` against the kgraid shapes. ``engine`` is ``pyshacl`` (reference),
    ``turbo`` or ``auto``."""
    name, fn = _engine(engine)
    shapes = shapes if shapes is not None else load_shapes()
    if name == "pyshacl-turbo":
        compiled = _compiled(id(shapes), shapes)
        conforms, report_graph, text = compiled.validate(data, abort_on_first=False,
                                                         allow_warnings=True)
    else:
        conforms, report_graph, text = fn(data, shacl_graph=shapes, inference="none",
                                          abort_on_first=False, allow_warnings=True)
    if not conforms and str(text).startswith("Validation Failure"):
        # the engine could not run the shapes at all: that is an error, not a verdict
        raise ValidationError(f"SHACL validation could not run ({name}): {text}")
    violations = []
    if not conforms:
        rg = report_graph if isinstance(report_graph, Graph) else Graph()
        for r in rg.subjects(RDF.type, SH.ValidationResult):
            focus = rg.value(r, SH.focusNode)
            path = rg.value(r, SH.resultPath)
            msg = rg.value(r, SH.resultMessage)
            sev = rg.value(r, SH.resultSeverity)
            violations.append(Violation(
                focus=str(focus), path=str(path) if path is not None else None,
                message=str(msg) if msg is not None else "constraint violated",
                severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
                evidence=_evidence_of(data, focus)))
        violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return ValidationReport(bool(conforms), violations, name)


def validate_ntriples(data: bytes, *, engine: str = "pyshacl", shapes: Graph | None = None
                      ) -> ValidationReport:
    """:func:`validate_graph` for a graph serialized as N-Triples (the build's form). With
    pyshacl-turbo the text goes to the engine's own parser, with no rdflib Graph in between;
    an rdflib Graph is made only for pySHACL or to quote the evidence of violations."""
    name, _ = _engine(engine)
    if name != "pyshacl-turbo":
        return validate_graph(_parse_nt(data), engine=engine, shapes=shapes)
    try:
        from pyshacl_turbo.rdf import Input
    except ImportError:  # an engine version without it: the public Graph path
        return validate_graph(_parse_nt(data), engine=engine, shapes=shapes)
    shapes = shapes if shapes is not None else load_shapes()
    compiled = _compiled(id(shapes), shapes)
    conforms, _report, text = compiled.validate(Input(data.decode("utf-8"), "nquads", None, {}),
                                                abort_on_first=False, allow_warnings=True)
    if conforms:
        return ValidationReport(True, [], name)
    # rare: redo it on a Graph so violations carry their evidence sentence as usual
    return validate_graph(_parse_nt(data), engine=engine, shapes=shapes)


def check_shapes(*, engine: str = "auto", extra: str | None = None) -> None:
    """Run the shapes once on an empty graph, so that shapes the engine cannot run (a broken
    SPARQL constraint in the user's ``extra`` file) stop a build at its start with one clear
    error instead of failing every article."""
    try:
        validate_ntriples(b"", engine=engine, shapes=load_shapes(extra))
    except ValidationError:
        raise
    except Exception as e:  # noqa: BLE001 - each engine raises its own parser errors
        where = extra or shapes_path()
        raise ValidationError(f"{where}: the SHACL engine cannot run these shapes: "
                              f"{str(e).splitlines()[0][:300]}") from None


def _parse_nt(data: bytes) -> Graph:
    g = Graph()
    g.parse(data=data.decode("utf-8"), format="nt")
    return g


def _evidence_of(data: Graph, focus) -> str | None:
    if focus is None:
        return None
    for ev in data.objects(focus, KGR.evidence):
        s = data.value(ev, KGR.sentence)
        if s is not None:
            return str(s)
    return None


def validate_file(path: str | Path, *, engine: str = "pyshacl") -> ValidationReport:
    """Validate an RDF file (format from its suffix). Nothing is fetched while parsing:
    JSON-LD remote contexts are refused."""
    from .rdfio import load_rdf_file
    return validate_graph(load_rdf_file(path), engine=engine)

