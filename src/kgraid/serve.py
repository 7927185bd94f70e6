"""``kgraid serve``: a SPARQL 1.1 Protocol endpoint over an embedded kgraid store.

kgraid does not ship an HTTP server of its own: it runs the Oxigraph server (the ``oxigraph``
command of the ``oxigraph`` PyPI package, the same engine as the embedded ``pyoxigraph`` store)
over the same store directory. The endpoint is

- read-only unless ``--writable`` is given (``oxigraph serve-read-only``),
- bound to ``127.0.0.1:7878`` unless ``--bind`` says otherwise,
- queried with the union of all named graphs as the default graph, as ``kgraid query`` does.

Paths served by Oxigraph: ``/query`` (SPARQL 1.1 Protocol query), ``/update`` (only with
``--writable``) and ``/store`` (SPARQL 1.1 Graph Store HTTP Protocol; read-only unless
``--writable``). :class:`OxigraphServer` is the same server as a context manager for library
use and tests.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO

from .errors import EndpointError, KgraidError, StoreError

__all__ = ["OxigraphServer", "find_oxigraph", "parse_bind", "free_port", "register",
           "cmd_serve", "DEFAULT_BIND"]

log = logging.getLogger(__name__)

DEFAULT_BIND = "127.0.0.1:7878"
#: Seconds to wait for the server to answer its first query (opening a large store takes time).
DEFAULT_START_TIMEOUT = 60.0


def find_oxigraph() -> str:
    """The path of the ``oxigraph`` server command: next to this Python first (a virtualenv's
    ``bin/``), then on ``PATH``."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise KgraidError("the 'oxigraph' server command is not installed; install it with "
                      "pip install 'kgraid[server]' (or: pip install oxigraph)")


def parse_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) -> (host, port); raises ``ValueError``."""
    host, sep, port_text = bind.rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise ValueError(f"--bind {bind!r}: expected HOST:PORT, e.g. {DEFAULT_BIND}")
    port = int(port_text)
    if not 0 < port < 65536:
        raise ValueError(f"--bind {bind!r}: port must be between 1 and 65535")
    return host.strip("[]"), port


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _is_store_dir(path: Path) -> bool:
    # An Oxigraph on-disk store is a RocksDB directory, which always has a CURRENT file.
    return path.is_dir() and (path / "CURRENT").is_file()


@dataclass
class OxigraphServer:
    """An ``oxigraph`` server process over ``store`` (a store directory, or ``None`` for an
    empty in-memory store, which is always writable).

    ``start()`` returns once the endpoint answers a query; ``stop()`` ends the process. As a
    context manager it does both."""

    store: Path | None
    host: str = "127.0.0.1"
    port: int = 7878
    writable: bool = False
    timeout_s: int | None = None
    cors: bool = False

    def __post_init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        if self.store is not None:
            self.store = Path(self.store)

    # ------------------------------------------------------------------ addresses
    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base_url + "/query"

    @property
    def update_url(self) -> str:
        return self.base_url + "/update"

    @property
    def store_url(self) -> str:
        return self.base_url + "/store"

    def endpoints(self) -> dict[str, object]:
        out: dict[str, object] = {"base": self.base_url, "query": self.query_url,
                                  "graph_store": self.store_url, "writable": self.writable}
        if self.writable:
            out["update"] = self.update_url
        if self.store is not None:
            out["store"] = str(self.store)
        return out

    # ------------------------------------------------------------------ process
    def command(self) -> list[str]:
        """The exact ``oxigraph`` command line this server runs."""
        bind = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        if self.store is None:
            cmd = [find_oxigraph(), "serve"]
        else:
            cmd = [find_oxigraph(), "serve" if self.writable else "serve-read-only",
                   "--location", str(self.store)]
        cmd += ["--bind", bind, "--union-default-graph"]
        if self.timeout_s:
            cmd += ["--timeout-s", str(self.timeout_s)]
        if self.cors:
            cmd.append("--cors")
        return cmd

    def _check_store(self) -> None:
        if self.store is None:
            self.writable = True
            return
        if self.store.exists() and not self.store.is_dir():
            raise StoreError(f"{self.store}: exists and is not a store directory")
        if not self.writable and not _is_store_dir(self.store):
            raise StoreError(f"{self.store}: no kgraid store there; build one with "
                             f"'kgraid build ARTICLES --store {self.store}' (or serve it "
                             "with --writable to start an empty one)")

    def _check_port(self) -> None:
        # Another server on the port would answer our readiness probe: refuse up front.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family) as s:
            try:
                s.bind((self.host, self.port))
            except OSError as e:
                raise EndpointError(f"{self.base_url}: cannot listen there: {e.strerror or e}"
                                    "; choose another --bind HOST:PORT") from e

    def start(self, wait: float = DEFAULT_START_TIMEOUT) -> "OxigraphServer":
        if self._proc is not None:
            raise RuntimeError("server already started")
        self._check_store()
        self._check_port()
        cmd = self.command()
        log.info("starting %s", " ".join(cmd))
        try:
            # stderr goes to a file, not a pipe: a long-running server must never block on
            # a full pipe nobody reads.
            self._stderr = tempfile.TemporaryFile()
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=self._stderr)
        except OSError as e:
            raise KgraidError(f"cannot run {cmd[0]}: {e}") from e
        try:
            self._wait_ready(wait)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, wait: float) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + wait
        probe = self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        while True:
            if self._proc.poll() is not None:
                err = self.stderr_text()
                raise EndpointError(
                    f"{self.base_url}: the oxigraph server stopped at start "
                    f"(exit {self._proc.returncode}): {err or 'no message'}. Is the port in "
                    "use, or is another process writing the store?")
            try:
                with urllib.request.urlopen(probe, timeout=2) as r:
                    if r.status == 200 and self._proc.poll() is None:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise EndpointError(f"{self.base_url}: the oxigraph server did not answer "
                                    f"within {wait:.0f} s")
            time.sleep(0.05)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def wait(self) -> int:
        """Block until the server process ends; returns its exit code."""
        assert self._proc is not None
        return self._proc.wait()

    def stop(self, grace: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def stderr_text(self) -> str:
        """The end of what the server wrote to stderr (its error messages)."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        text = self._stderr.read()[-4000:].decode("utf-8", "replace")
        return text.split("Stack backtrace:")[0].strip()

    def __enter__(self) -> "OxigraphServer":
        return self.start() if self._proc is None else self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


# ---------------------------------------------------------------------- CLI
def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]",
             ) -> argparse.ArgumentParser:
    """Add ``kgraid serve`` to the CLI's subparsers; its handler is ``args.func(args)``."""
    p = subparsers.add_parser(
        "serve", help="serve a store as a SPARQL 1.1 Protocol endpoint (Oxigraph server)",
        description=(
            "Serve a kgraid store as a SPARQL 1.1 Protocol endpoint with the Oxigraph server "
            "(the same engine as the embedded store): queries at /query, graphs at /store "
            "(Graph Store HTTP Protocol), updates at /update with --writable. The default "
            "graph of queries is the union of all named graphs. Read-only and bound to "
            f"{DEFAULT_BIND} unless told otherwise. Runs until interrupted (Ctrl-C)."),
        epilog=("exit codes: 0 stopped cleanly (interrupt or SIGTERM); 2 error (no store, "
                "port in use, store locked by a writer, oxigraph not installed). "
                "A read-only server must not run while another process writes the store: "
                "stop 'kgraid build' first, or serve with --writable and build through "
                "--store http://HOST:PORT."))
    p.add_argument("--store", required=True, metavar="PATH", help="store directory")
    p.add_argument("--bind", default=DEFAULT_BIND, metavar="HOST:PORT",
                   help=f"address to listen on (default {DEFAULT_BIND}); a non-loopback "
                        "address exposes the store to the network")
    p.add_argument("--writable", action="store_true",
                   help="allow SPARQL Update and Graph Store writes (default: read-only)")
    p.add_argument("--timeout-s", type=int, default=None, metavar="SECONDS",
                   help="stop queries that run longer than this")
    p.add_argument("--cors", action="store_true", help="allow cross-origin requests")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="how to print the endpoints once the server is up (json: one object "
                        "on stdout)")
    p.set_defaults(func=cmd_serve)
    return p


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server in the foreground until SIGINT/SIGTERM. Errors raise KgraidError."""
    try:
        host, port = parse_bind(args.bind)
    except ValueError as e:
        raise KgraidError(str(e)) from e
    if not _is_loopback(host):
        log.warning("serving on %s: the store is reachable from other machines", host)
    server = OxigraphServer(Path(args.store), host=host, port=port, writable=args.writable,
                            timeout_s=args.timeout_s, cors=args.cors)
    server.start()

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        if args.format == "json":
            print(json.dumps(server.endpoints()), flush=True)
        else:
            mode = "read-write" if server.writable else "read-only"
            print(f"kgraid: serving {args.store} ({mode}) at {server.query_url} "
                  f"(graph store: {server.store_url}); Ctrl-C to stop", file=sys.stderr,
                  flush=True)
        code = server.wait()
        if code != 0:
            raise EndpointError(f"{server.base_url}: the oxigraph server stopped (exit {code}): "
                                f"{server.stderr_text() or 'no message'}")
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
