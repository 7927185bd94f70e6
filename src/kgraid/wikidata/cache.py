"""An on-disk cache of endpoint answers, so a rebuild sends no request twice.

One SQLite file (``wikidata-cache.sqlite``) in the cache directory. Entries are keyed by the
endpoint URL, the version of the query that produced them, a kind ("search" for the
candidates of one name, "enrich" for the facts of one item) and the name or item; the value is
JSON (the SPARQL result bindings for that key). Only well-formed answers are stored, so a
failed request is retried by the next run. Entries do not expire: delete the file (or pass
another cache directory) to ask the endpoint again.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from ..errors import KgraidError

__all__ = ["ResponseCache", "default_cache_dir", "CACHE_FILE"]

log = logging.getLogger(__name__)

CACHE_FILE = "wikidata-cache.sqlite"


def default_cache_dir() -> Path:
    """``$KGRAID_CACHE_DIR``, else ``$XDG_CACHE_HOME/kgraid``, else ``~/.cache/kgraid``."""
    if os.environ.get("KGRAID_CACHE_DIR"):
        return Path(os.environ["KGRAID_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kgraid"


class ResponseCache:
    """A persistent map from (endpoint, version, kind, key) to a JSON value.

    The file is opened on first use, so creating a cache costs nothing when no request is
    made (offline linking never touches it)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self._db: sqlite3.Connection | None = None

    @property
    def path(self) -> Path:
        return self.directory / CACHE_FILE

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=30)
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, endpoint TEXT, "
                    "kind TEXT, term TEXT, value TEXT NOT NULL, stored REAL)")
                self._db.commit()
            except (OSError, sqlite3.Error) as e:
                raise KgraidError(f"{self.path}: cannot open the link cache: {e}; pass "
                                  "another directory with --cache DIR") from e
        return self._db

    @staticmethod
    def _key(endpoint: str, version: str, kind: str, term: str) -> str:
        raw = json.dumps([endpoint, version, kind, term], ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, endpoint: str, version: str, kind: str, term: str) -> Any | None:
        row = self._conn().execute("SELECT value FROM answers WHERE key = ?",
                                   (self._key(endpoint, version, kind, term),)).fetchone()
        if row is None:
            return None
        try:
            return json.loads(row[0])
        except ValueError:
            log.warning("%s: a corrupt cache entry for %s %r is ignored", self.path, kind, term)
            return None

    def put_many(self, endpoint: str, version: str, kind: str,
                 values: dict[str, Any]) -> None:
        """Store several entries in one transaction."""
        now = time.time()
        db = self._conn()
        with db:
            db.executemany(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                [(self._key(endpoint, version, kind, term), endpoint, kind,
                  term.encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
                  json.dumps(value, ensure_ascii=False), now)
                 for term, value in values.items()])

    def __len__(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM answers").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
