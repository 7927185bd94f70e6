"""Every error kgraid raises, in one place.

The hierarchy::

    KgraidError                  base of all kgraid errors; the CLI maps it to exit code 2
    ├── InputError               an article cannot be read (empty, binary, bad metadata...)
    │   └── DuplicateArticleError  two different articles share one id
    ├── ModelError               no usable spaCy model is installed
    ├── ValidationError          a graph does not conform to the SHACL shapes
    ├── StoreError               the store cannot be opened, read or written
    ├── QueryError               a SPARQL query is malformed or its bindings are wrong
    └── EndpointError            a remote SPARQL endpoint failed (refused, timed out, 4xx/5xx,
                                 malformed results)

Library code raises these and logs; only ``kgraid.cli`` turns them into messages and exit codes.
Each message names the input it is about and, where it can, says how to fix the problem.
"""
from __future__ import annotations

__all__ = [
    "KgraidError", "InputError", "DuplicateArticleError", "ModelError", "ValidationError",
    "StoreError", "QueryError", "EndpointError",
]


class KgraidError(Exception):
    """Base class of every error kgraid raises on purpose."""


class InputError(KgraidError):
    """An article (or a file of articles) cannot be read.

    ``source`` names the input: a path, ``path:line`` for JSON Lines, or ``<stdin>``.
    """

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class DuplicateArticleError(InputError):
    """Two inputs with different text claim the same article id."""


class ModelError(KgraidError):
    """No spaCy English pipeline could be loaded."""


class ValidationError(KgraidError):
    """A graph does not conform to the kgraid SHACL shapes."""


class StoreError(KgraidError):
    """The store cannot be opened, read or written."""


class QueryError(KgraidError):
    """A SPARQL query cannot be parsed, or its bindings do not fit it."""


class EndpointError(KgraidError):
    """A remote SPARQL endpoint failed: refused, timed out, answered an error or garbage."""
