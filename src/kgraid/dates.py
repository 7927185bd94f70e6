"""Resolve the date words of an article against its publication date, at their true precision.

``resolve("Sunday", date(2017, 1, 9))`` is 2017-01-08 (an ``xsd:date``); "August" in a January
article is last August (an ``xsd:gYearMonth``); "May 2015" is 2015-05; "2014" is a ``gYear``.
Words that need a publication date ("Sunday", "last Tuesday", "two days ago", "Jan. 8")
resolve to nothing when there is none, and so do vague ones ("recent months", "two weeks
ago"): the text is kept, the timestamp is not invented. News reports past events, so a
resolved date is never after the publication date.
"""
from __future__ import annotations

import datetime as dt
import re

from .facts import TimeValue

__all__ = ["resolve", "find_dates", "is_attributive_year", "DATE_RE"]

_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
           "sep": 9, "oct": 10, "nov": 11, "dec": 12}
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
             "saturday": 5, "sunday": 6}
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
#: "two days ago": a count of days is exact; "two weeks ago" and "days ago" are not.
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9}

#: The first letters of every alternative of :data:`DATE_RE` (digits; months; weekdays;
#: yesterday, today, tonight, this, last, later, earlier). The lookahead that tests them adds
#: nothing to what matches; it lets the engine skip every other word instead of trying each
#: alternative there (finding the dates of a sentence took half the time).
_DATE_FIRST = r"\dJFMASONDWTYLE"

#: Date expressions kgraid recognises, most specific first.
DATE_RE = re.compile(
    rf"\b(?=[{_DATE_FIRST}])(?:"
    rf"(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<mdy>{_MONTH}\s+\d{{1,2}}(?:\s*[-\u2013]\s*\d{{1,2}})?,\s*\d{{4}})"
    rf"|(?P<dmy>\d{{1,2}}\s+{_MONTH}\s+\d{{4}})"
    rf"|(?P<md>{_MONTH}\s+\d{{1,2}}(?:\s*[-\u2013]\s*\d{{1,2}})?)(?!\d|,\s*\d{{4}})"
    rf"|(?P<dm>\d{{1,2}}\s+{_MONTH})(?!\s*\d)"
    rf"|(?P<my>{_MONTH}\s+(?:of\s+)?\d{{4}})"
    rf"|(?P<lwd>last\s+{_WEEKDAY})"
    rf"|(?P<wd>{_WEEKDAY})"
    rf"|(?P<ago>(?:{'|'.join(_NUMBER_WORDS)}|[1-9])\s+days?\s+ago)"
    r"|(?P<rel>yesterday|today|last night|this morning|tonight|earlier today)"
    r"|(?P<relm>(?:earlier |later )?(?:this|last) (?:month|year))"
    rf"|(?P<mon>(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?|May)(?!\s+\d)"
    r"|(?P<year>(?:19[5-9]\d|20\d\d))(?![\d-])"
    r")",
    re.IGNORECASE,
)
_MONTH_NAMES = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)$")


def _month(word: str) -> int:
    return _MONTHS[word.strip(". ").lower()[:3]]


def _last_on_or_before(published: dt.date, month: int, day: int) -> dt.date | None:
    for year in (published.year, published.year - 1):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            continue
        if d <= published:
            return d
    return None


def _tv(text: str, d: dt.date | None = None, *, ym: tuple[int, int] | None = None,
        year: int | None = None) -> TimeValue:
    if d is not None:
        return TimeValue(text, d.isoformat(), "day")
    if ym is not None:
        return TimeValue(text, f"{ym[0]:04d}-{ym[1]:02d}", "month")
    if year is not None:
        return TimeValue(text, f"{year:04d}", "year")
    return TimeValue(text, None, None)


def resolve(text: str, published: dt.date | None) -> TimeValue:
    """Resolve one date expression (as matched by ``DATE_RE``) against ``published``."""
    m = DATE_RE.fullmatch(text.strip())
    if not m:
        return _tv(text)
    kind = m.lastgroup
    s = m.group(kind)
    try:
        if kind == "iso":
            y, mo, d = map(int, s.split("-"))
            return _tv(text, dt.date(y, mo, d))
        if kind == "mdy":
            mm = re.match(rf"({_MONTH})\s+(\d{{1,2}})(\s*[-\u2013]\s*\d{{1,2}})?,\s*(\d{{4}})", s,
                          re.I)
            if mm[3]:  # a range of days: the month is what the text supports
                return _tv(text, ym=(int(mm[4]), _month(mm[1])))
            return _tv(text, dt.date(int(mm[4]), _month(mm[1]), int(mm[2])))
        if kind == "dmy":
            dd, mon, yy = s.split()
            return _tv(text, dt.date(int(yy), _month(mon), int(dd)))
        if kind in ("md", "dm"):
            if published is None:
                return _tv(text)
            if kind == "md":
                mm = re.match(rf"({_MONTH})\s+(\d{{1,2}})(\s*[-\u2013]\s*\d{{1,2}})?", s, re.I)
                mon, day, rng = _month(mm[1]), int(mm[2]), mm[3]
            else:
                dd, mon_s = s.split()
                mon, day, rng = _month(mon_s), int(dd), None
            d = _last_on_or_before(published, mon, day)
            if d is None:
                return _tv(text)
            return _tv(text, ym=(d.year, d.month)) if rng else _tv(text, d)
        if kind == "my":
            parts = s.replace(" of ", " ").split()
            return _tv(text, ym=(int(parts[-1]), _month(parts[0])))
        if kind in ("wd", "lwd"):
            if published is None:
                return _tv(text)
            back = (published.weekday() - _WEEKDAYS[s.split()[-1].lower()]) % 7
            if kind == "lwd" and back == 0:
                back = 7  # "last Tuesday" in a Tuesday's paper is a week before
            return _tv(text, published - dt.timedelta(days=back))
        if kind == "ago":
            if published is None:
                return _tv(text)
            count = s.split()[0].lower()
            days = _NUMBER_WORDS[count] if count in _NUMBER_WORDS else int(count)
            return _tv(text, published - dt.timedelta(days=days))
        if kind == "rel":
            if published is None:
                return _tv(text)
            word = s.lower()
            if word in ("yesterday", "last night"):
                return _tv(text, published - dt.timedelta(days=1))
            return _tv(text, published)
        if kind == "relm":
            # "last month" is a month, "this year" a year: the precision the words support
            if published is None:
                return _tv(text)
            words = s.lower().split()
            unit, which = words[-1], words[-2]
            if unit == "month":
                y, mo = published.year, published.month
                if which == "last":
                    y, mo = (y, mo - 1) if mo > 1 else (y - 1, 12)
                return _tv(text, ym=(y, mo))
            return _tv(text, year=published.year - (1 if which == "last" else 0))
        if kind == "mon":
            if published is None or not _MONTH_NAMES.match(s):
                return _tv(text)
            mon = _month(s)
            year = published.year if mon <= published.month else published.year - 1
            return _tv(text, ym=(year, mon))
        if kind == "year":
            return _tv(text, year=int(s))
    except (ValueError, KeyError, TypeError):
        return _tv(text)
    return _tv(text)


_NOT_NOUNS = frozenset({"of", "and", "or", "to", "in", "on", "at", "for", "who", "that",
                        "which", "were", "was", "are", "is", "had", "have", "did"})
_DETERMINER_END = re.compile(r"\b(?:the|a|an|this|that|its|their|his|her|our)\s+$", re.I)


#: between two dates found in a sentence: they bound one period ("between Friday and Sunday",
#: "from Jan. 2 to Jan. 5")
_RANGE_OPEN = re.compile(r"\b(?:between|from)\s+$", re.I)
_RANGE_JOIN = re.compile(r"\s*(?:and|to|through|until|till|[-\u2013])\s*", re.I)


def date_ranges(sentence: str,
                found: list[tuple[int, int, str]]) -> dict[int, tuple[str, str, str]]:
    """The periods among ``found`` (:func:`find_dates` of ``sentence``): the start character
    of each bound, mapped to (first bound, last bound, the whole period's text)."""
    out: dict[int, tuple[str, str, str]] = {}
    for (s1, e1, t1), (s2, e2, t2) in zip(found, found[1:]):
        if _RANGE_OPEN.search(sentence[max(0, s1 - 9):s1]) and \
                _RANGE_JOIN.fullmatch(sentence[e1:s2]):
            out[s1] = out[s2] = (t1, t2, sentence[s1:e2])
    return out


def resolve_range(first: str, last: str, text: str, published: dt.date | None) -> TimeValue:
    """The date of a period from ``first`` to ``last``: the finest precision both ends
    share ("between Friday and Sunday" of one month is that month; across months, the year;
    across years, no date), never one end for the whole."""
    a, b = resolve(first, published), resolve(last, published)
    if a.value is None or b.value is None:
        return _tv(text)
    if a.value == b.value:
        return TimeValue(text, a.value, a.precision)
    if len(a.value) >= 7 and len(b.value) >= 7 and a.value[:7] == b.value[:7]:
        return TimeValue(text, a.value[:7], "month")
    if a.value[:4] == b.value[:4]:
        return TimeValue(text, a.value[:4], "year")
    return _tv(text)


def is_attributive_year(sentence: str, start: int, text: str) -> bool:
    """Is ``text`` at ``start`` a year modifying the noun after it ("the 2017 ambush")?"""
    if re.fullmatch(r"(?:19|20)\d\d", text) is None or \
            _DETERMINER_END.search(sentence[max(0, start - 8):start]) is None:
        return False
    noun = re.match(r"\s+([a-z]+)\b", sentence[start + 4:start + 40])
    # a plural noun after it is as likely counted: "the 2000 fighters who surrendered"
    return noun is not None and noun[1] not in _NOT_NOUNS and not re.search(r"[^su]s$", noun[1])


def find_dates(sentence: str) -> list[tuple[int, int, str]]:
    """Date expressions in ``sentence`` as (start, end, text)."""
    out = []
    for m in DATE_RE.finditer(sentence):
        s, end = m.group(0), m.end()
        if m.lastgroup == "mon" and s.endswith(".") and not _MONTH_NAMES.match(s) and \
                _MONTH_NAMES.match(s[:-1]):
            s, end = s[:-1], end - 1  # "killed in August.": the full stop ends the sentence
        if m.lastgroup == "mon" and not _MONTH_NAMES.match(s):
            continue
        if m.lastgroup == "mon" and s.lower().rstrip(".") == "may":
            # "may" is far more often the verb: only "in May" counts as the month.
            before = sentence[:m.start()].rstrip().lower()
            if not (s[0] == "M" and (before.endswith(" in") or before.endswith(" of")
                                     or before.endswith(" since"))):
                continue
        if m.lastgroup == "year":
            # A bare four-digit number is a year only where English puts one ("in 2014", or
            # before a noun: "the 2017 ambush", which only that noun's phrase may take).
            before = sentence[:m.start()].rstrip().lower()
            if not re.search(r"\b(?:in|of|since|during|early|late|until|by|from|mid-?)$",
                             before) and not is_attributive_year(sentence, m.start(), s):
                continue
        if out and m.lastgroup in ("md", "mdy", "dmy", "dm") and out[-1][3] in ("wd", "lwd") \
                and re.fullmatch(r",?\s*", sentence[out[-1][1]:m.start()]):
            out.pop()  # "on Tuesday, Jan. 3": the weekday names the date that follows it
        out.append((m.start(), end, s, m.lastgroup))
    return [(a, b, t) for a, b, t, _ in out]
