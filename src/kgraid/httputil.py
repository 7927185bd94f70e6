"""Small HTTP helpers shared by the endpoint clients (query, remote store, Wikidata)."""
from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

__all__ = ["retry_after_seconds", "retry_delay", "RetryRefused"]


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delay seconds or an HTTP date, never
    negative), or None when the header is absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class RetryRefused(Exception):
    """The server asks to be retried later than the caller is willing to wait."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"retry after {wait:g} s")
        self.wait = wait


def retry_delay(retry_after: float | None, attempt: int, *, base: float, limit: float,
                cap: float = float("inf")) -> float:
    """Seconds to wait before retry number ``attempt`` (0 for the first): the server's
    ``Retry-After`` (in seconds) when it gave one, else ``base`` doubled for each earlier
    retry, at most ``cap``. A server asking for more than ``limit`` seconds raises
    :class:`RetryRefused`: the caller reports it at once instead of sleeping that long.
    The one retry policy of kgraid's three HTTP clients (query endpoint, Graph Store,
    Wikidata)."""
    if retry_after is not None:
        if retry_after > limit:
            raise RetryRefused(retry_after)
        return retry_after
    return min(cap, base * 2 ** attempt)
