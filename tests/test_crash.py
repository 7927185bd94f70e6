"""Crash safety of ``kgraid build``: SIGKILL at random points (while models load, while article
graphs are written, while cross-article resolution rewrites them) leaves a store that opens
and holds only whole articles; Ctrl-C (SIGINT) stops with a message and exit code 130; and a
re-run completes the build with a graph isomorphic to an uninterrupted build's.

The builds run as real ``python -m kgraid.cli build`` processes with stderr on a
pseudo-terminal, so they print one progress line per article ("[7] built gov_03_...") and the
test can kill them right after a given article was written. The kill points are drawn from a
seeded RNG (``KGRAID_CRASH_SEED`` overrides the seed; it is printed on failure).
"""
from __future__ import annotations

import contextlib
import io
import os
import pty
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kgraid.cli import main as kgraid_main
from kgraid.rdf import KGR
from kgraid.store import DERIVED_PREFIX, KgStore
from kgraid.validate import validate_graph
from conftest import seed_and_dev_corpus, store_graphs

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "dev-articles"
SEED = int(os.environ.get("KGRAID_CRASH_SEED", "20170109"))
PROGRESS = re.compile(rb"\[(\d+)\] (built|skipped|failed|invalid)\b")

pytestmark = pytest.mark.slow


# ----------------------------------------------------------------- helpers
@dataclass
class Run:
    returncode: int
    stderr: str
    events: list[tuple[int, str]] = field(default_factory=list)
    signalled: bool = False

    @property
    def built(self) -> int:
        return sum(1 for _, s in self.events if s == "built")


def run_build(corpus: Path, store: Path, *, when=None, sig: int = signal.SIGKILL,
              timeout: float = 300.0) -> Run:
    """Run ``kgraid build corpus --store store`` in a subprocess; ``when(events, elapsed,
    pid)`` is polled and the process gets ``sig`` as soon as it returns True."""
    master, slave = pty.openpty()
    # small write batches, so that kills land between batches as well as inside one
    cmd = [sys.executable, "-m", "kgraid.cli", "build", str(corpus), "--store", str(store),
           "--batch", "3"]
    # a shell without job control starts background commands with SIGINT ignored, and
    # Python keeps an ignored SIGINT ignored: give the build the disposition a terminal has
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=slave, cwd=ROOT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    os.close(slave)
    t0 = time.monotonic()
    out = bytearray()
    events: list[tuple[int, str]] = []
    signalled = False
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 0.005)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                if not chunk and proc.poll() is not None:
                    break
                out += chunk
                events = [(int(n), s.decode()) for n, s in PROGRESS.findall(bytes(out))]
            elif proc.poll() is not None:
                break
            if not signalled and when is not None and when(events, time.monotonic() - t0,
                                                           proc.pid):
                proc.send_signal(sig)
                signalled = True
            assert time.monotonic() - t0 < timeout, "build did not finish"
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return Run(rc, out.decode("utf-8", "replace"), events, signalled)


def loaded(pid: int, needle: str) -> bool:
    """Whether the process has mapped a shared object whose path contains ``needle``: a way to
    know which stage a process has reached without timing guesses."""
    try:
        return needle in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def article_graphs(store_path: Path) -> dict[str, Graph]:
    """Every article graph of the store (derived graphs left out). Opening the store is part
    of the test: it must open after any crash."""
    store = KgStore(store_path)
    try:
        names = store.graph_names()
        default = list(store.raw.quads_for_pattern(None, None, None,
                                                   __import__("pyoxigraph").DefaultGraph()))
        assert default == [], "triples outside any named graph"
        return {n: store.graph(n) for n in names if not n.startswith(DERIVED_PREFIX)}
    finally:
        store.close()


def cli_build(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return kgraid_main(["build", *args])


# ----------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """20 articles: the seed articles, the dev articles, and two copies under other ids."""
    d = seed_and_dev_corpus(tmp_path_factory.mktemp("crash") / "corpus")
    for name in ("wcep_14_2017-01-08.md", "gov_03_strikes-2017-02-15.md"):
        shutil.copy(DEV / name, d / f"copy-{name}")
    assert len(list(d.iterdir())) == 20
    return d


@pytest.fixture(scope="module")
def references(corpus: Path, tmp_path_factory) -> tuple[dict[str, Graph], dict[str, Graph],
                                                        Path]:
    """(article graphs of an uninterrupted build without resolution, every graph of an
    uninterrupted full build, the store of the first)."""
    base = tmp_path_factory.mktemp("refs")
    assert cli_build(str(corpus), "--store", str(base / "plain"), "--no-resolve") == 0
    assert cli_build(str(corpus), "--store", str(base / "full")) == 0
    plain, full = article_graphs(base / "plain"), store_graphs(base / "full")
    assert len(plain) == 20 and len([n for n in full if not n.startswith(DERIVED_PREFIX)]) == 20
    return plain, full, base / "plain"


def assert_whole_articles(store: Path, plain: dict[str, Graph], *, resolved: bool) -> int:
    """Every article graph in ``store`` is a whole article: its content hash is the reference
    one and its triples are the reference graph's (before resolution), or, once resolution may
    have run, it still conforms to the shapes. Returns how many articles are present."""
    graphs = article_graphs(store)
    assert set(graphs) <= set(plain), set(graphs) - set(plain)
    for name, g in graphs.items():
        ref = plain[name]
        hashes = list(g.objects(None, KGR.contentHash))
        assert hashes == list(ref.objects(None, KGR.contentHash)), name
        if not resolved:
            assert isomorphic(g, ref), f"{name} is not whole"
    if resolved and graphs:
        # Resolution moves a merged node's label to its canonical node, which may live in
        # another article graph: conformance is a property of the union.
        union = Graph()
        for g in graphs.values():
            union += g
        report = validate_graph(union)
        assert report.conforms, report.violations[:3]
    return len(graphs)


def assert_same_as_reference(store: Path, full: dict[str, Graph]) -> None:
    got = store_graphs(store)
    assert sorted(got) == sorted(full)
    differ = [name for name in full if not isomorphic(got[name], full[name])]
    assert differ == [], f"graphs that differ from the uninterrupted build: {differ}"


# ----------------------------------------------------------------- the tests
def test_killed_and_interrupted_builds_then_rerun_completes(corpus, references,
                                                            tmp_path) -> None:
    """One store through four crashes at random points, then a re-run."""
    plain, full, _ = references
    rng = random.Random(SEED)
    store = tmp_path / "kg.db"
    log: list[tuple] = []

    # 1. SIGKILL while starting / loading the model / parsing, before any write
    t_kill = rng.uniform(0.3, 3.0)
    r = run_build(corpus, store, when=lambda ev, t, pid: t >= t_kill or bool(ev))
    log.append(("early", round(t_kill, 2), r.returncode, r.built))
    assert r.returncode == -signal.SIGKILL, (SEED, log, r.stderr[-2000:])
    if store.exists():
        assert_whole_articles(store, plain, resolved=False)

    # 2. SIGKILL right after the k-th article graph was written
    k = rng.randint(1, 8)
    r = run_build(corpus, store, when=lambda ev, t, pid: sum(s == "built" for _, s in ev) >= k)
    log.append(("writes", k, r.returncode, r.built))
    assert r.returncode == -signal.SIGKILL, (SEED, log, r.stderr[-2000:])
    present = assert_whole_articles(store, plain, resolved=False)
    assert present >= k, (SEED, log)

    # 3. Ctrl-C (SIGINT) while this run writes: a message, exit 130, whole articles
    r = run_build(corpus, store, sig=signal.SIGINT,
                  when=lambda ev, t, pid: any(s == "built" for _, s in ev))
    log.append(("sigint", None, r.returncode, r.built))
    assert r.signalled and r.returncode == 130, (SEED, log, r.stderr[-2000:])
    assert "interrupted" in r.stderr and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert sum(s == "skipped" for _, s in r.events) == present
    present = assert_whole_articles(store, plain, resolved=False)

    # 4. SIGKILL a random moment after the last article was written: in the resolution step,
    #    which rewrites article graphs, or just after it
    delay = rng.uniform(0.0, 0.3)  # resolution of 20 articles takes a few tenths of a second
    last: dict[str, float] = {}

    def in_resolution(ev: list, t: float, pid: int) -> bool:
        if len(ev) >= 20 and "t" not in last:
            last["t"] = t
        return "t" in last and t >= last["t"] + delay

    r = run_build(corpus, store, when=in_resolution)
    log.append(("resolution", round(delay, 3), r.returncode, r.built))
    assert r.returncode in (-signal.SIGKILL, 0), (SEED, log, r.stderr[-2000:])
    assert r.built == 20 - present
    assert assert_whole_articles(store, plain, resolved=True) == 20
    print(f"kill points (seed {SEED}):", log)

    # 5. a re-run completes the build: the same graph as an uninterrupted build
    r = run_build(corpus, store)
    assert r.returncode == 0, (SEED, log, r.stderr[-2000:])
    assert_same_as_reference(store, full)


def test_sigint_while_spacy_loads_exits_130_and_writes_nothing(corpus, references,
                                                               tmp_path) -> None:
    plain = references[0]
    store = tmp_path / "kg.db"
    r = run_build(corpus, store, sig=signal.SIGINT,
                  when=lambda ev, t, pid: loaded(pid, "/spacy/"))
    assert r.signalled and r.returncode == 130, r.stderr[-2000:]
    assert "interrupted" in r.stderr and "Traceback" not in r.stderr
    assert assert_whole_articles(store, plain, resolved=False) == 0


def test_sigint_during_startup_exits_130_without_traceback(tmp_path) -> None:
    """Ctrl-C while the CLI imports its subcommands (pyoxigraph just mapped)."""
    r = run_build(ROOT / "data" / "articles", tmp_path / "kg.db", sig=signal.SIGINT,
                  when=lambda ev, t, pid: loaded(pid, "pyoxigraph"))
    assert r.signalled
    assert r.returncode == 130 and "Traceback" not in r.stderr, r.stderr[-1500:]


KILL_IN_RESOLVE = '''
import os, signal, sys
from kgraid.resolve import resolve_store
from kgraid.store import KgStore

class KillAt:
    """The real store, and a real SIGKILL just before its n-th write (remove, extend or
    update): resolution is killed between two of its writes."""
    def __init__(self, inner, n):
        self.inner, self.n, self.calls = inner, n, 0
    def _tick(self):
        self.calls += 1
        if self.calls == self.n:
            os.kill(os.getpid(), signal.SIGKILL)
    def remove(self, quad):
        self._tick()
        return self.inner.remove(quad)
    def extend(self, quads):
        self._tick()
        return self.inner.extend(quads)
    def update(self, text):
        self._tick()
        return self.inner.update(text)
    def __getattr__(self, name):
        return getattr(self.inner, name)

class Store:
    def __init__(self, path, n):
        self.kg = KgStore(path)
        self.raw = KillAt(self.kg.raw, n)

resolve_store(Store(sys.argv[1], int(sys.argv[2])))
print("resolution finished without reaching the kill point")
'''


def test_sigkill_inside_resolution_rewrite_then_rerun_completes(corpus, references,
                                                                 tmp_path) -> None:
    _, full, plain_store = references
    store = tmp_path / "kg.db"
    shutil.copytree(plain_store, store)
    proc = subprocess.run([sys.executable, "-c", KILL_IN_RESOLVE, str(store), "2"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    assert cli_build(str(corpus), "--store", str(store)) == 0
    assert_same_as_reference(store, full)
