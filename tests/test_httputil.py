"""The one retry policy shared by kgraid's HTTP clients (their loops are tested against
loopback servers in test_endpoint, test_remote and test_link_online)."""
import time
from email.utils import formatdate

import pytest

from kgraid.httputil import RetryRefused, retry_after_seconds, retry_delay


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    waits = [retry_delay(None, n, base=0.25, limit=30, cap=1.0) for n in range(5)]
    assert waits == [0.25, 0.5, 1.0, 1.0, 1.0]


def test_the_servers_retry_after_wins_over_the_backoff() -> None:
    assert retry_delay(2.0, 0, base=0.25, limit=30) == 2.0
    assert retry_delay(0.0, 3, base=0.25, limit=30) == 0.0


def test_a_retry_after_beyond_the_limit_is_refused() -> None:
    with pytest.raises(RetryRefused) as e:
        retry_delay(31.0, 0, base=0.25, limit=30)
    assert e.value.wait == 31.0


def test_retry_after_header_forms() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("-3") == 0.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    in_a_minute = retry_after_seconds(formatdate(time.time() + 60, usegmt=True))
    assert in_a_minute is not None and 55 <= in_a_minute <= 60
