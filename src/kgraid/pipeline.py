"""The whole build: articles in, a validated graph per article in the store.

    ingest -> nlp -> extract -> rdf -> validate -> store (-> resolve, link)

``process_articles`` is the per-article work (parse, extract, mint RDF, validate) as a pure
function of the articles, so it runs the same in this process, in worker processes
(``jobs``) or on a Dask cluster. ``build`` streams the input in chunks, skips unchanged
articles, writes the graphs of each chunk in one store call and reports what happened to every
input: built, skipped (unchanged or duplicate), invalid (kept out unless ``keep_invalid``)
or failed (with the reason).
"""
from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from rdflib import Graph, URIRef

from .errors import DuplicateArticleError, InputError, KgraidError
from .facts import ArticleFacts
from .ingest import Article, iter_articles
from .model import model_id
from .rdf import EXTRACTOR_VERSION, article_ntriples, graph_iri
from .validate import Violation, check_shapes, load_shapes, validate_ntriples
from .views import maintains

__all__ = ["ArticleResult", "ArticleOutcome", "BuildReport", "process_articles", "build",
           "extract_article", "EXIT_OK", "EXIT_INVALID", "EXIT_ERROR", "EXIT_PARTIAL",
           "EXIT_INTERRUPTED"]

log = logging.getLogger(__name__)

EXIT_OK, EXIT_INVALID, EXIT_ERROR, EXIT_PARTIAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
CHUNK = 64


class Store(Protocol):
    """What the build needs of a store (``KgStore``, or a remote Graph Store)."""

    def article_hash(self, article_id: str) -> str | None: ...
    def replace_graph(self, graph: Graph) -> int: ...
    def flush(self) -> None: ...


@dataclass
class ArticleResult:
    """The per-article work's output: the graph as N-Triples (cheap to send between
    processes), the fact counts and the SHACL violations."""

    article_id: str
    origin: str
    graph_iri: str
    ntriples: bytes
    content_hash: str
    counts: dict[str, int]
    violations: list[Violation]
    warnings: list[str]
    error: str | None = None

    def graph(self) -> Graph:
        g = Graph(identifier=URIRef(self.graph_iri))
        if self.ntriples:
            g.parse(data=self.ntriples.decode("utf-8"), format="nt")
        return g


@dataclass
class ArticleOutcome:
    article_id: str | None
    origin: str
    status: str                      # built, skipped, invalid, failed
    reason: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = {"article": self.article_id, "origin": self.origin, "status": self.status,
             "reason": self.reason, "counts": self.counts, "warnings": self.warnings}
        if self.violations:
            d["violations"] = [v.__dict__ for v in self.violations]
        return d


@dataclass
class BuildReport:
    outcomes: list[ArticleOutcome] = field(default_factory=list)
    interrupted: bool = False
    post: dict[str, object] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def totals(self) -> dict[str, int]:
        t = {"memberships": 0, "operations": 0, "claims": 0, "entities": 0}
        for o in self.outcomes:
            if o.status == "built":
                for k in t:
                    t[k] += o.counts.get(k, 0)
        return t

    def exit_code(self, keep_invalid: bool = False) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.count("invalid") and not keep_invalid:
            return EXIT_INVALID
        if self.count("failed"):
            return EXIT_PARTIAL
        return EXIT_OK

    def as_dict(self) -> dict:
        return {"built": self.count("built"), "skipped": self.count("skipped"),
                "invalid": self.count("invalid"), "failed": self.count("failed"),
                "interrupted": self.interrupted, "facts": self.totals, **self.post,
                "articles": [o.as_dict() for o in self.outcomes]}


def content_salt() -> str:
    """What an article's content hash covers besides the article: the extractor's code and
    word lists (:data:`EXTRACTOR_VERSION`) and the spaCy model's name and version. A change to
    any of them rebuilds the article; an unchanged article is skipped."""
    return f"{EXTRACTOR_VERSION}|{model_id()}"


def extract_article(article: Article, doc=None) -> ArticleFacts:
    """Parse (unless ``doc`` is given) and extract one article's facts."""
    from .extract import extract
    from .nlp import load_nlp
    if doc is None:
        doc = load_nlp()(article.body)
    return extract(doc, published=article.published, offset=article.body_start)


def process_articles(articles: list[Article], *, validate: bool = True,
                     engine: str = "auto", batch_size: int = 32,
                     shapes: str | None = None) -> list[ArticleResult]:
    """The per-article work for a batch: NLP, extraction, RDF and SHACL validation.
    A failure in one article is reported in its result and does not stop the others."""
    from .nlp import load_nlp
    nlp = load_nlp()
    salt = content_salt()  # looks the model up on disk: once per batch, not per article
    results: list[ArticleResult] = []
    docs = nlp.pipe((a.body for a in articles), batch_size=batch_size)
    for article in articles:
        chash = article.content_hash(salt)
        try:
            doc = next(docs)
            facts = extract_article(article, doc)
            nt = article_ntriples(article, facts, content_hash=chash)
            results.append(ArticleResult(
                article.id, article.origin, str(graph_iri(article.id)), nt, chash, facts.counts(),
                [], list(article.warnings)))
        except KgraidError as e:
            results.append(ArticleResult(article.id, article.origin, str(graph_iri(article.id)),
                                         b"", chash, {}, [], list(article.warnings), str(e)))
        except Exception as e:  # noqa: BLE001 - one bad article must not stop the batch
            log.debug("extraction failed for %s", article.origin, exc_info=True)
            results.append(ArticleResult(article.id, article.origin, str(graph_iri(article.id)),
                                         b"", chash, {}, [], list(article.warnings),
                                         f"internal error while extracting: {type(e).__name__}:"
                                         f" {e}"))
    if validate:
        validate_results(results, engine=engine, shapes=shapes)
    return results


def validate_results(results: list[ArticleResult], *, engine: str = "auto",
                     shapes: str | None = None) -> None:
    """SHACL-validate each extracted article graph of ``results`` in place: its violations are
    filled in; an article whose graph cannot be validated becomes a failed result."""
    for k, res in enumerate(results):
        if res.error:
            continue
        try:
            # load_shapes is cached; inside the try, a shapes file that fails to parse fails
            # each article with its reason, as any other validation error
            report = validate_ntriples(res.ntriples, engine=engine, shapes=load_shapes(shapes))
        except Exception as e:  # noqa: BLE001 - one bad article must not stop the batch
            if not isinstance(e, KgraidError):
                log.debug("validation failed for %s", res.origin, exc_info=True)
            why = str(e) if isinstance(e, KgraidError) else \
                f"internal error while validating: {type(e).__name__}: {e}"
            results[k] = replace(res, ntriples=b"", counts={}, violations=[], error=why)
            continue
        if not report.conforms:
            res.violations = list(report.violations)


def _chunks(items: Iterable, n: int) -> Iterator[list]:
    chunk: list = []
    for it in items:
        chunk.append(it)
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write(store: Store, results: list[ArticleResult]) -> None:
    """Replace each article's named graph with its result's triples: in one call for the
    batch where the store can (KgStore), else one call per article."""
    if hasattr(store, "replace_many"):
        store.replace_many([(r.graph_iri, r.ntriples) for r in results])
    elif hasattr(store, "replace_ntriples"):  # RemoteStore batches these itself
        for r in results:
            store.replace_ntriples(r.graph_iri, r.ntriples)
    else:
        for r in results:
            store.replace_graph(r.graph())


def _worker_init() -> None:
    """Each of ``jobs`` worker processes does its BLAS work on one thread: numpy's OpenBLAS
    otherwise starts a thread per core in every worker, and N workers on N cores then spend
    CPU time spinning against each other (one run, 300 articles, 2 workers on 2 cores: 70
    CPU-s in the workers with OpenBLAS's default of 2 threads each, 61.5 CPU-s with 1). Dask's
    nanny already starts its workers with one BLAS thread."""
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)


@maintains
def build(inputs: Iterable[str | Path], store: Store, *, published: dt.date | None = None,
          keep_invalid: bool = False, validate: bool = True, engine: str = "auto",
          jobs: int = 1, force: bool = False, chunk_size: int = CHUNK,
          progress: Callable[[ArticleOutcome, int], None] | None = None,
          executor: Callable[[list[list[Article]]], Iterable[list[ArticleResult]]] | None = None,
          post_build: Iterable[Callable[[Store], dict]] = (),
          shapes: str | Path | None = None, views: bool = True,
          ) -> BuildReport:
    """Build the articles found in ``inputs`` into ``store``.

    ``jobs`` > 1 runs the per-article work in that many processes; ``executor`` replaces the
    local one (it gets chunks of articles and yields their results, in order, e.g. from a Dask
    cluster). ``shapes`` adds a SHACL file of the user's own to the kgraid shapes.
    ``views=False`` leaves the views (:mod:`kgraid.views`) unreadable instead of computing
    them at the end, for a large store built in several runs.
    ``progress(outcome, done)`` is called after every article. ``post_build`` steps
    (cross-article resolution, linking) run on the store afterwards; each returns a summary.
    """
    report = BuildReport()
    seen: dict[str, tuple[str, str]] = {}   # article id -> (content hash, origin)
    salt = content_salt()
    done = 0

    def record(o: ArticleOutcome) -> None:
        nonlocal done
        report.outcomes.append(o)
        done += 1
        if progress is not None:
            progress(o, done)
        log.debug("%s %s %s", o.status, o.origin, o.reason or "")

    def todo_chunks() -> Iterator[list[Article]]:
        for chunk in _chunks(iter_articles(inputs, published=published), chunk_size):
            work: list[Article] = []
            for item in chunk:
                if isinstance(item, InputError):
                    record(ArticleOutcome(None, item.source, "failed", item.reason))
                    continue
                chash = item.content_hash(salt)
                if item.id in seen:
                    prev_hash, prev_origin = seen[item.id]
                    if prev_hash == chash:
                        record(ArticleOutcome(item.id, item.origin, "skipped",
                                              f"same article as {prev_origin}"))
                    else:
                        err = DuplicateArticleError(
                            item.origin, f"article id {item.id!r} is already used by "
                            f"{prev_origin} with different text; give one of them another id "
                            "(front matter 'id:') — the first one is kept")
                        record(ArticleOutcome(item.id, item.origin, "failed", err.reason))
                    continue
                seen[item.id] = (chash, item.origin)
                if not force and store.article_hash(item.id) == chash:
                    record(ArticleOutcome(item.id, item.origin, "skipped", "unchanged",
                                          warnings=list(item.warnings)))
                    continue
                work.append(item)
            if work:
                yield work

    shp = str(shapes) if shapes else None
    if validate:
        check_shapes(engine=engine, extra=shp)
    # A store that takes whole batches (KgStore) is written from one thread beside this one:
    # pyoxigraph releases the GIL while it writes, so batch k goes to disk while batch k+1 is
    # parsed. Batches are written in order, one at a time, and an article is reported built
    # only once its batch is written. In a build in this process (jobs 1) the thread also
    # validates the batch: pyshacl-turbo releases the GIL too, so the SHACL check runs on the
    # second core beside the NLP instead of after it.
    writer = ThreadPoolExecutor(1, thread_name_prefix="kgraid-write") \
        if hasattr(store, "replace_many") else None
    validate_in_writer = validate and writer is not None and executor is None and jobs <= 1

    def local_results() -> Iterator[list[ArticleResult]]:
        run = lambda arts: process_articles(  # noqa: E731
            arts, validate=validate and not validate_in_writer, engine=engine, shapes=shp)
        if jobs <= 1:
            for work in todo_chunks():
                yield run(work)
            return
        with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init) as pool:
            pending = []
            for work in todo_chunks():
                # split the chunk so every worker gets a share
                size = max(1, (len(work) + jobs - 1) // jobs)
                pending.append([pool.submit(process_articles, work[i:i + size],
                                            validate=validate, engine=engine, shapes=shp)
                                for i in range(0, len(work), size)])
                while len(pending) > 2:
                    yield [r for f in pending.pop(0) for r in f.result()]
            for futs in pending:
                yield [r for f in futs for r in f.result()]

    results = executor(todo_chunks()) if executor is not None else local_results()

    def split(batch: list[ArticleResult]) -> tuple[list[ArticleResult], list[ArticleOutcome]]:
        """The results to write, and the outcomes of the rest (failed, or invalid)."""
        built: list[ArticleResult] = []
        rejected: list[ArticleOutcome] = []
        for res in batch:
            if res.error:
                rejected.append(ArticleOutcome(res.article_id, res.origin, "failed",
                                               res.error, warnings=res.warnings))
            elif res.violations and not keep_invalid:
                rejected.append(ArticleOutcome(
                    res.article_id, res.origin, "invalid",
                    f"{len(res.violations)} SHACL violation(s); not merged (use "
                    "--keep-invalid to merge anyway)", res.counts, res.warnings,
                    res.violations))
            else:
                built.append(res)
        return built, rejected

    def check_and_write(batch: list[ArticleResult]
                        ) -> tuple[list[ArticleResult], list[ArticleOutcome]]:
        if validate_in_writer:
            validate_results(batch, engine=engine, shapes=shp)
        built, rejected = split(batch)
        _write(store, built)
        return built, rejected

    in_flight: list[Future] = []   # each batch's check_and_write, in order

    def landed() -> None:
        while in_flight:
            built, rejected = in_flight[0].result()
            in_flight.pop(0)
            for o in rejected:
                record(o)
            for res in built:
                record(ArticleOutcome(res.article_id, res.origin, "built", None, res.counts,
                                      res.warnings, res.violations))

    try:
        for batch in results:
            landed()
            if writer is not None:
                in_flight.append(writer.submit(check_and_write, batch))
            else:  # a store written per article (remote): inline, reported at once
                written: Future = Future()
                written.set_result(check_and_write(batch))
                in_flight.append(written)
                landed()
        landed()
    except KeyboardInterrupt:
        report.interrupted = True
        try:
            landed()  # the batch being written lands whole and is reported
        except KeyboardInterrupt:
            pass
        log.warning("interrupted: %d article(s) done; the store holds only whole articles "
                    "and a re-run completes the build", report.count("built"))
    finally:
        if writer is not None:
            writer.shutdown(wait=True)
        store.flush()
    if not report.interrupted:
        for step in post_build:
            report.post.update(step(store) or {})
        store.flush()
    return report

