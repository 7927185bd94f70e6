"""Stage 1: read articles from files, directories, JSON Lines or stdin.

``iter_articles`` yields one :class:`Article` per readable article and one
:class:`~kgraid.errors.InputError` per unreadable one, so a batch goes on past bad input and
the caller decides what to report. Nothing here touches spaCy or RDF.
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import logging
import re
import sys
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import yaml

from .errors import InputError

__all__ = ["Article", "iter_articles", "read_article_bytes", "parse_date", "ARTICLE_SUFFIXES",
           "MAX_CHARS"]

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: Articles longer than this (in characters, after decoding) are refused with a clear error:
#: spaCy's own limit is 1,000,000 and no news article comes near it.
MAX_CHARS = 1_000_000
METADATA_KEYS = ("id", "title", "published", "source", "publisher")

_BINARY_MAGIC = {
    b"\x89PNG": "PNG image", b"%PDF": "PDF document", b"PK\x03\x04": "ZIP archive",
    b"\x1f\x8b": "gzip archive", b"GIF8": "GIF image", b"\xff\xd8\xff": "JPEG image",
    b"\x7fELF": "ELF executable",
}

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTH_RE = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
             r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# A dateline at the very start of the text: an optional place in capitals and a comma, then
# the date, then a dash. "date 2017-01-09 –", "Jan. 9, 2017 —", "SOUTHWEST ASIA, Feb. 15, 2017 —"
_DATELINE = re.compile(
    r"\A\s*(?:date\s+|(?:[A-Z][A-Z .'-]{1,40},\s*))?"
    r"(?P<date>\d{4}-\d{2}-\d{2}|" + _MONTH_RE + r"\.?\s+\d{1,2},\s+\d{4})"
    r"\s*(?:[\u2013\u2014-]{1,2}|:)\s*")


@dataclass(frozen=True)
class Article:
    """One article, decoded and with its metadata.

    ``text`` is the whole text as read; ``body_start`` is where the prose starts after a
    dateline (extraction reads ``text[body_start:]`` and reports offsets in ``text``).
    ``origin`` names where it came from (a path, ``path:line`` or ``<stdin>``); ``warnings``
    are problems that did not stop it (an encoding guessed, a bad date ignored).
    """

    id: str
    text: str
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    publisher: str | None = None
    origin: str = ""
    body_start: int = 0
    warnings: tuple[str, ...] = field(default=())

    @property
    def body(self) -> str:
        return self.text[self.body_start:]

    def content_hash(self, salt: str = "") -> str:
        """SHA-256 over the text, the metadata and ``salt`` (the extractor version)."""
        h = hashlib.sha256()
        for part in (salt, self.id, self.text, self.title or "", str(self.published or ""),
                     self.source or "", self.publisher or ""):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        return h.hexdigest()


def parse_date(value: object, *, what: str = "published") -> dt.date:
    """Parse a metadata date (``date`` object, ISO string, or "Jan. 9, 2017"); raise ValueError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a date such as 2017-01-09, not {value!r}")
    s = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as e:
            raise ValueError(f"{what} {s!r} is not a real date ({e})") from None
    m = re.fullmatch(r"(" + _MONTH_RE + r")\.?\s+(\d{1,2}),\s+(\d{4})", s)
    if m:
        try:
            return dt.date(int(m[3]), _MONTHS[m[1][:3].lower()], int(m[2]))
        except ValueError as e:
            raise ValueError(f"{what} {s!r} is not a real date ({e})") from None
    raise ValueError(f"{what} {s!r} is not a date kgraid understands (use YYYY-MM-DD)")


def _decode(data: bytes, origin: str) -> tuple[str, list[str]]:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16/32 with BOM, else a legacy
    single-byte encoding with a warning. Binary data raises InputError."""
    warnings: list[str] = []
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(origin, f"looks like a {what}, not text; skipped")
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), warnings
            except UnicodeDecodeError as e:
                raise InputError(origin, f"starts with a {enc} byte-order mark but is not valid "
                                         f"{enc} at byte {e.start}") from None
    if b"\x00" in data:
        raise InputError(origin, f"contains NUL bytes (first at byte {data.index(0)}): binary "
                                 "data or UTF-16 without a byte-order mark; skipped")
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError as e:
        bad_at = e.start
    # Not UTF-8. Windows-1252 is a superset of Latin-1's printable range and what most
    # legacy Western news text is in; bytes it leaves undefined fall back to Latin-1.
    try:
        text = data.decode("cp1252")
        enc = "Windows-1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        enc = "Latin-1"
    warnings.append(f"not valid UTF-8 (first bad byte at offset {bad_at}); decoded as {enc}")
    return text, warnings


def _check_text(text: str, origin: str) -> None:
    if not text.strip():
        raise InputError(origin, "is empty (no text after metadata); skipped")
    if len(text) > MAX_CHARS:
        raise InputError(origin, f"has {len(text):,} characters, more than the {MAX_CHARS:,} "
                                 "kgraid reads in one article; split it or clean it first")
    controls = sum(1 for ch in text[:20000] if unicodedata.category(ch) == "Cc"
                   and ch not in "\n\r\t\f\v")
    if controls > max(8, len(text[:20000]) // 50):
        raise InputError(origin, f"has {controls} control characters in its first 20,000: "
                                 "binary data, not text; skipped")


def _split_front_matter(text: str, origin: str) -> tuple[dict, str, int]:
    """Return (metadata, body, offset of body in text)."""
    stripped = text.lstrip("\ufeff")
    lead = len(text) - len(stripped)
    if not stripped.startswith("---"):
        return {}, text, 0
    first_nl = stripped.find("\n")
    if first_nl < 0 or stripped[:first_nl].strip() != "---":
        return {}, text, 0
    m = re.search(r"^(?:---|\.\.\.)[ \t]*$", stripped[first_nl + 1:], flags=re.M)
    if not m:
        raise InputError(origin, "front matter opened with '---' is never closed; add a '---' "
                                 "line after the metadata")
    raw = stripped[first_nl + 1: first_nl + 1 + m.start()]
    body_at = lead + first_nl + 1 + m.end()
    if body_at < len(text) and text[body_at] == "\n":
        body_at += 1
    try:
        meta = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        raise InputError(origin, f"front matter is not valid YAML{line}: "
                                 f"{getattr(e, 'problem', None) or e}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(origin, "front matter must be a mapping of keys (title, published, "
                                 f"source, publisher, id), not a {type(meta).__name__}")
    return meta, text[body_at:], body_at


def _clean_id(value: object, origin: str) -> str:
    s = str(value).strip() if value is not None else ""
    s = "".join(ch for ch in s if unicodedata.category(ch)[0] != "C")
    if not s:
        raise InputError(origin, "has an empty article id")
    if len(s) > 200:
        raise InputError(origin, f"article id is {len(s)} characters long; 200 at most")
    return s


def _build(meta: dict, text: str, body_offset: int, *, default_id: str, origin: str,
           warnings: list[str], published: dt.date | None) -> Article:
    unknown = sorted(str(k) for k in meta if k not in METADATA_KEYS and k != "text")
    if unknown:
        warnings.append(f"metadata keys ignored: {', '.join(unknown)}")
    aid = _clean_id(meta.get("id", default_id), origin)
    pub = published
    if pub is None and meta.get("published") not in (None, ""):
        try:
            pub = parse_date(meta["published"])
        except ValueError as e:
            warnings.append(f"{e}; the publication date is left unknown")
    body_start = body_offset
    # A dateline is always taken off the body (its words are not a sentence of the article);
    # it gives the publication date only when the metadata does not.
    m = _DATELINE.match(text, body_offset)
    if m:
        if pub is None:
            try:
                pub = parse_date(m["date"], what="dateline date")
            except ValueError as e:
                warnings.append(str(e))
        body_start = m.end()
    strs = {}
    for key in ("title", "source", "publisher"):
        v = meta.get(key)
        if v is not None and not isinstance(v, (str, int, float)):
            warnings.append(f"metadata {key} is a {type(v).__name__}, not text; ignored")
            v = None
        strs[key] = str(v).strip() or None if v is not None else None
    _check_text(text[body_start:], origin)
    return Article(id=aid, text=text, title=strs["title"], published=pub, source=strs["source"],
                   publisher=strs["publisher"], origin=origin, body_start=body_start,
                   warnings=tuple(warnings))


def read_article_bytes(data: bytes, *, origin: str, default_id: str,
                       published: dt.date | None = None) -> Article:
    """Read one ``.txt``/``.md`` article (optional YAML front matter) from raw bytes."""
    text, warnings = _decode(data, origin)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, _body, offset = _split_front_matter(text, origin)
    return _build(meta, text, offset, default_id=default_id, origin=origin, warnings=warnings,
                  published=published)


def _iter_jsonl(data: bytes, origin: str, stem: str) -> Iterator[Article | InputError]:
    text, warnings = _decode(data, origin)
    for warning in warnings:
        log.warning("%s: %s", origin, warning)
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{origin}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield InputError(where, f"is not valid JSON ({e.msg} at column {e.colno}); "
                                    "the other lines are still read")
            continue
        if not isinstance(rec, dict):
            yield InputError(where, f"must be a JSON object, not {type(rec).__name__}")
            continue
        body = rec.get("text")
        if not isinstance(body, str):
            yield InputError(where, "has no 'text' string")
            continue
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        try:
            yield _build(rec, body, 0, default_id=f"{stem}-{lineno}", origin=where,
                         warnings=list(warnings), published=None)
        except InputError as e:
            yield e


def _expand(inputs: Iterable[str | Path]) -> Iterator[Path | str]:
    for item in inputs:
        if str(item) == "-":
            yield "-"
            continue
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES + JSONL_SUFFIXES \
                        and not f.name.startswith(".") and f.name.lower() != "readme.md":
                    yield f
        else:
            yield p


def iter_articles(inputs: Iterable[str | Path], *, published: dt.date | None = None,
                  stdin: BinaryIO | None = None, stdin_id: str = "stdin",
                  ) -> Iterator[Article | InputError]:
    """Yield every article found in ``inputs`` (files, directories read recursively, or
    ``"-"`` for stdin), or an :class:`InputError` for each one that cannot be read.

    ``published`` overrides the publication date (meant for a single file). In a directory,
    ``.txt``, ``.md`` and ``.jsonl`` files are read and a README.md is passed over.
    """
    for item in _expand(inputs):
        if item == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            try:
                yield read_article_bytes(stream.read(), origin="<stdin>", default_id=stdin_id,
                                         published=published)
            except InputError as e:
                yield e
            continue
        path = Path(item)
        origin = str(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            yield InputError(origin, "no such file or directory")
            continue
        except OSError as e:
            yield InputError(origin, f"cannot be read: {e.strerror or e}")
            continue
        if path.suffix.lower() in JSONL_SUFFIXES:
            yield from _iter_jsonl(data, origin, path.stem)
            continue
        try:
            art = read_article_bytes(data, origin=origin, default_id=path.stem,
                                     published=published)
        except InputError as e:
            yield e
            continue
        yield art


def with_published(article: Article, published: dt.date) -> Article:
    return replace(article, published=published)
