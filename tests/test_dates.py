"""Dates resolve against the publication date at the precision the text supports."""
import datetime as dt

import pytest

from kgraid import dates
from kgraid.dates import find_dates, resolve

MON_2017_01_09 = dt.date(2017, 1, 9)  # a Monday


@pytest.mark.parametrize("text,value,precision", [
    ("Sunday", "2017-01-08", "day"),          # the day before a Monday publication
    ("Monday", "2017-01-09", "day"),          # the publication day itself
    ("Thursday", "2017-01-05", "day"),
    ("yesterday", "2017-01-08", "day"),
    ("Jan. 8", "2017-01-08", "day"),
    ("December 30", "2016-12-30", "day"),     # no year, after the publication: last year
    ("August", "2016-08", "month"),           # a month after January: last August
    ("January", "2017-01", "month"),
    ("May 2015", "2015-05", "month"),
    ("October 2015", "2015-10", "month"),
    ("2014", "2014", "year"),
    ("Dec. 15-17", "2016-12", "month"),       # a range: no single day
    ("Feb. 15, 2017", "2017-02-15", "day"),
    ("2017-01-08", "2017-01-08", "day"),
    ("last Thursday", "2017-01-05", "day"),   # the last one before, as "Thursday"
    ("last Monday", "2017-01-02", "day"),     # in a Monday's paper: the week before
    ("two days ago", "2017-01-07", "day"),
    ("3 days ago", "2017-01-06", "day"),
])
def test_resolves_at_true_precision(text, value, precision):
    tv = resolve(text, MON_2017_01_09)
    assert (tv.value, tv.precision) == (value, precision)


@pytest.mark.parametrize("text", ["Sunday", "Jan. 8", "yesterday", "August", "Dec. 15-17",
                                  "last Monday", "two days ago"])
def test_relative_dates_need_a_publication_date(text):
    tv = resolve(text, None)
    assert tv.value is None and tv.precision is None and tv.text == text


@pytest.mark.parametrize("text", ["Feb. 30, 2017", "2017-02-30", "two weeks ago", "recent months",
                                  "several days ago", "days ago"])
def test_impossible_or_vague_dates_do_not_resolve(text):
    assert resolve(text, MON_2017_01_09).value is None


def test_never_after_publication():
    for text in ["Sunday", "Saturday", "Jan. 10", "December", "yesterday"]:
        tv = resolve(text, MON_2017_01_09)
        assert tv.value is not None
        assert tv.value[:7] <= "2017-01" and (len(tv.value) < 10 or tv.value <= "2017-01-09")


def test_find_dates_skips_the_verb_may_and_bare_numbers():
    found = [t for _, _, t in find_dates(
        "It may rain. In July 2014 forces landed; 2000 fighters left in May. On Dec. 16, strikes.")]
    assert found == ["July 2014", "May", "Dec. 16"]


@pytest.mark.parametrize("sentence, found", [
    ("It took place on Tuesday, Jan. 3.", ["Jan. 3"]),
    ("On Tuesday, January 3, 2017, forces struck.", ["January 3, 2017"]),
    ("On Tuesday forces struck; on Jan. 3 they left.", ["Tuesday", "Jan. 3"]),
])
def test_a_weekday_before_its_date_gives_way_to_it(sentence, found):
    """'on Tuesday, Jan. 3' in a later Tuesday's paper is Jan. 3, not the paper's day."""
    assert [t for _, _, t in find_dates(sentence)] == found


@pytest.mark.parametrize("word", ["August", "March", "June", "October"])
def test_a_month_that_ends_the_sentence_is_found(word):
    """'killed in an airstrike in August.': the full stop is not part of the month."""
    assert [t for _, _, t in find_dates(f"He was killed in an airstrike in {word}.")] == [word]


@pytest.mark.parametrize("text,value,precision", [
    ("last month", "2016-12", "month"),
    ("earlier this month", "2017-01", "month"),
    ("last year", "2016", "year"),
    ("this year", "2017", "year"),
])
def test_relative_months_and_years_keep_their_precision(text, value, precision):
    tv = resolve(text, MON_2017_01_09)
    assert (tv.value, tv.precision) == (value, precision)


@pytest.mark.parametrize("word", [
    "2017-01-08", "January 8, 2017", "8 January 2017", "Jan. 8", "8 Jan", "May 2015",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "yesterday", "today", "last night", "this morning", "tonight", "earlier today",
    "last month", "later this year", "earlier this month", "last Friday", "two days ago",
    "6 days ago"])
@pytest.mark.parametrize("case", [str, str.lower, str.upper])
def test_every_kind_of_date_is_found_in_any_case_mid_sentence(word, case):
    """The date pattern skips words by their first letter: every kind of date it knows, in
    any case, is still found where it stands in a sentence."""
    text = case(word)
    sentence = f"Forces said on {text} they had struck."
    assert [t for _, _, t in find_dates(sentence)] == [text]


@pytest.mark.parametrize("word", ["January", "February", "March", "April", "June", "July",
                                  "August", "September", "October", "November", "December",
                                  "Sept.", "Oct."])
def test_every_month_alone_is_found_capitalized(word):
    """A month named alone counts only capitalized ("march" is a verb)."""
    assert [t for _, _, t in find_dates(f"Forces said in {word} they struck.")] == [word]
    assert find_dates(f"forces said in {word.lower()} they struck.") == []


@pytest.mark.parametrize("sentence, found", [
    ("into the 2017 ambush in Niger", ["2017"]),
    ("its 2015 offensive on Ramadi", ["2015"]),
    # a count, not a year, and a year that modifies nothing
    ("the 2000 fighters who surrendered", []),
    ("killed 2017 people", []),
    ("the 2017 of them", []),
])
def test_a_year_before_a_noun_is_found(sentence, found):
    assert [t for _, _, t in find_dates(sentence)] == found


@pytest.mark.parametrize("first,last,expected", [
    ("Friday", "Sunday", ("2017-06", "month")),      # June 9 to June 11
    ("Jan. 2", "Jan. 5", ("2017-01", "month")),
    ("May 28", "June 2", ("2017", "year")),
    ("December 2015", "March 2016", (None, None)),   # across years: no one date is true
    ("Monday", "Monday", ("2017-06-12", "day")),
])
def test_a_period_is_dated_at_the_precision_both_bounds_share(first, last, expected):
    got = dates.resolve_range(first, last, f"{first} to {last}", dt.date(2017, 6, 12))
    assert (got.value, got.precision) == expected


def test_date_ranges_finds_between_and_from_to_periods_only():
    s = "Strikes between Friday and Sunday, and from Jan. 2 to Jan. 5, and on Monday and Tuesday."
    got = dates.date_ranges(s, dates.find_dates(s))
    assert sorted(set(got.values())) == [("Friday", "Sunday", "Friday and Sunday"),
                                         ("Jan. 2", "Jan. 5", "Jan. 2 to Jan. 5")]
