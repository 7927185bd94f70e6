"""Timing and memory helpers shared by the benchmarks."""
from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    """Largest peak RSS among waited-for child processes, in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def median_time(fn: Callable[[], Any], runs: int = 5, warmup: int = 1,
                budget: float | None = None) -> tuple[float, list[float], Any]:
    """Median wall time of ``fn()`` over ``runs`` runs after ``warmup`` runs; stops early
    once ``budget`` seconds are spent (at least one timed run). Returns (median, times,
    last result)."""
    result = None
    for _ in range(warmup):
        result = fn()
    times: list[float] = []
    spent = 0.0
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
        spent += times[-1]
        if budget is not None and spent > budget:
            break
    return statistics.median(times), times, result


@dataclass
class Run:
    """A finished child process: wall time, exit code, output and its own peak RSS."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float


def wait_child(proc: subprocess.Popen, cmd: Sequence[str], started: float,
               timeout: float | None, poll: float = 0.02) -> tuple[int, Any]:
    """Wait for ``proc`` (started at ``time.perf_counter()`` = ``started``): (wait status,
    rusage of it and the processes it waited for). After ``timeout`` seconds it is killed
    and TimeoutExpired raised."""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return status, usage
        if timeout is not None and time.perf_counter() > started + timeout:
            proc.kill()
            os.wait4(proc.pid, 0)
            raise subprocess.TimeoutExpired(list(cmd), timeout)
        time.sleep(poll)


def run_child(cmd: Sequence[str], *, env: dict[str, str] | None = None,
              timeout: float | None = None, cwd: Path | None = None) -> Run:
    """Run ``cmd``; measure its wall time and its peak RSS (``wait4`` gives the rusage of
    exactly this child: the largest RSS of it and of the processes it waited for)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, text=True, cwd=cwd,
                                env={**os.environ, **(env or {})})
        status, usage = wait_child(proc, cmd, t, timeout)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, proc.returncode, out.read(), err.read(), usage.ru_maxrss / 1024)


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": str(os.cpu_count())}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory"] = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    for pkg in ("spacy", "pyoxigraph", "rdflib", "pyshacl", "dask"):
        try:
            from importlib.metadata import version
            info[pkg] = version(pkg)
        except Exception:
            pass
    return info


def emit(obj: Any) -> None:
    """Print one JSON result line (for worker processes)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()
