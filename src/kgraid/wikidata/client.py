"""A polite SPARQL 1.1 client (SPARQLWrapper) for Wikidata or any endpoint.

Polite means: a descriptive User-Agent (Wikimedia's policy asks for one), a timeout on every
request, at most one request every ``min_interval`` seconds, and bounded retries with
exponential backoff on refused connections, time-outs, 429 and 5xx answers, honouring the
server's ``Retry-After`` (up to ``max_retry_after`` seconds). Every failure ends as an
:class:`~kgraid.errors.EndpointError` saying what happened; nothing is retried forever.
"""
from __future__ import annotations

import http.client
import logging
import socket
import time
import urllib.error
from dataclasses import dataclass
from typing import Any, Callable

from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (EndPointInternalError, EndPointNotFound,
                                            QueryBadFormed, Unauthorized, URITooLong)

from ..errors import EndpointError
from ..httputil import RetryRefused, retry_after_seconds, retry_delay
from .sparql import parse_select_json

__all__ = ["SparqlClient", "DEFAULT_ENDPOINT", "USER_AGENT", "ClientStats"]

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("kgraid")
    except Exception:  # not installed (running from a source tree)
        return "dev"


USER_AGENT = (f"kgraid/{_version()} (knowledge graphs of news about military operations; "
              "https://w3id.org/kgraid) SPARQLWrapper")
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Queries longer than this many characters are sent with POST rather than GET.
_MAX_GET = 1800


@dataclass
class ClientStats:
    requests: int = 0   # HTTP requests sent, retries included
    retries: int = 0
    failures: int = 0   # queries that ended in an EndpointError


class _Retryable(Exception):
    def __init__(self, why: str, retry_after: float | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.retry_after = retry_after


class SparqlClient:
    """Send SELECT queries to ``endpoint`` and get SPARQL JSON bindings back."""

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, *, user_agent: str = USER_AGENT,
                 timeout: float = 30.0, retries: int = 3, backoff: float = 1.0,
                 min_interval: float = 1.0, max_retry_after: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise EndpointError(f"{endpoint}: not an http(s) SPARQL endpoint URL")
        self.endpoint = endpoint
        self.user_agent = user_agent
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.min_interval = max(0.0, min_interval)
        self.max_retry_after = max_retry_after
        self.stats = ClientStats()
        self._sleep = sleep
        self._clock = clock
        self._next_at = 0.0

    # ------------------------------------------------------------------ public
    def select(self, query: str) -> list[dict[str, Any]]:
        """The bindings of a SELECT ``query`` (raw SPARQL JSON objects)."""
        for attempt in range(self.retries + 1):
            try:
                body = self._send(query)
            except _Retryable as e:
                if attempt == self.retries:
                    self.stats.failures += 1
                    raise EndpointError(f"{self.endpoint}: {e.why}; gave up after "
                                        f"{attempt + 1} tries") from e
                self._wait_before_retry(attempt, e)
                continue
            except EndpointError:
                self.stats.failures += 1
                raise
            try:
                return parse_select_json(body, self.endpoint)
            except EndpointError:
                self.stats.failures += 1
                raise
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ internals
    def _wait_before_retry(self, attempt: int, e: _Retryable) -> None:
        try:
            delay = retry_delay(e.retry_after, attempt, base=self.backoff,
                                limit=self.max_retry_after)
        except RetryRefused as refused:
            self.stats.failures += 1
            raise EndpointError(f"{self.endpoint}: {e.why}; the server asks to retry in "
                                f"{refused.wait:.0f} s, more than the "
                                f"{self.max_retry_after:.0f} s limit") from e
        self.stats.retries += 1
        log.warning("%s: %s; retry %d/%d in %.1f s", self.endpoint, e.why, attempt + 1,
                    self.retries, delay)
        self._sleep(delay)
        # The server said when to come back; do not let the rate limit add to it.
        self._next_at = min(self._next_at, self._clock())

    def _throttle(self) -> None:
        now = self._clock()
        if now < self._next_at:
            self._sleep(self._next_at - now)
        self._next_at = self._clock() + self.min_interval

    def _wrapper(self, query: str) -> SPARQLWrapper:
        sw = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        sw.setOnlyConneg(True)  # no format=json parameters that some servers refuse
        sw.setReturnFormat(JSON)
        sw.setMethod(POST if len(query) > _MAX_GET else GET)
        sw.setQuery(query)
        sw.timeout = self.timeout  # type: ignore[assignment]  # setTimeout() truncates to int
        return sw

    def _send(self, query: str) -> bytes:
        self._throttle()
        self.stats.requests += 1
        sw = self._wrapper(query)
        try:
            result = sw.query()
            return result.response.read()
        except QueryBadFormed as e:
            raise EndpointError(f"{self.endpoint}: the server refused the query (HTTP 400): "
                                f"{_detail(e)}") from e
        except (EndPointNotFound, Unauthorized) as e:
            raise EndpointError(f"{self.endpoint}: {type(e).__name__} ({_detail(e)}); is "
                                "this a SPARQL endpoint URL?") from e
        except URITooLong as e:
            raise EndpointError(f"{self.endpoint}: the query is too long for the server "
                                "(HTTP 414)") from e
        except EndPointInternalError as e:
            raise _Retryable(f"HTTP 500 server error ({_detail(e)})") from e
        except urllib.error.HTTPError as e:
            if e.code in _RETRY_STATUSES:
                raise _Retryable(f"HTTP {e.code} {e.reason}", retry_after_seconds(e.headers.get("Retry-After") if e.headers is not None else None)) from e
            raise EndpointError(f"{self.endpoint}: HTTP {e.code} {e.reason}") from e
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise _Retryable(f"no answer within {self.timeout:g} s") from e
            raise _Retryable(f"cannot connect ({reason})") from e
        except (socket.timeout, TimeoutError) as e:
            raise _Retryable(f"no answer within {self.timeout:g} s") from e
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            raise _Retryable(f"connection failed ({type(e).__name__}: {e})") from e


def _detail(e: Exception) -> str:
    text = str(e).strip().replace("\n", " ")
    return text[:200] if text else type(e).__name__


