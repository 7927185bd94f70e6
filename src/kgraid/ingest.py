"""Stage 1: read articles from files, directories, JSON Lines or stdin.

``iter_articles`` yields one :class:`Article` per readable article and one
:class:`~kgraid.errors.InputError` per unreadable one, so a batch goes on past bad input and
the caller decides what to report. Nothing here touches spaCy or RDF.

What happens to hostile input (each case is a test in ``tests/test_hostile_ingest.py``):

- empty or whitespace-only text, or front matter with no body: ``InputError`` ("is empty").
- binary data (a PNG/PDF/ZIP/... signature, NUL bytes without a UTF-16 byte-order mark, or a
  text that is mostly control characters): ``InputError``.
- UTF-8 with or without a BOM, UTF-16/UTF-32 with a BOM: decoded. Bytes that are not valid
  UTF-8 (a Latin-1 or Windows-1252 file, or one bad byte in a UTF-8 file) are decoded one by
  one as Windows-1252 (its printable range is a superset of Latin-1's), with a warning: "café"
  and "“quotes”" come out right, valid UTF-8 around them is kept.
- a few stray control characters, lone surrogates (``"\\ud800"`` in JSON) and the
  non-characters U+FFFE/U+FFFF are removed (form feed, vertical tab and NEL become a line
  break), with a warning: every string that reaches RDF is encodable.
- files larger than :data:`MAX_BYTES` are refused before they are read (nothing is loaded into
  memory); texts longer than :data:`MAX_CHARS` characters are refused after decoding.
- runs of more than :data:`MAX_RUN_CHARS` characters without a space in the body (base64,
  minified scripts, lines of '=') are broken with a space every MAX_RUN_CHARS characters, with
  a warning, so that parsing time stays linear (spaCy's tokenizer is quadratic on them).
  Lines of 100,000 characters of prose are read as they are.
- front matter that is not closed, not YAML, or not a mapping: ``InputError`` naming the line.
  Front matter scalars stay strings (``id: 0012`` is "0012", ``published: 2017-02-30`` is not
  a YAML crash); a date that is not a real date gives a warning and an unknown date.
- JSON Lines are read as UTF-8 one line at a time: a bad line (not JSON, not an object, no
  ``text``, too long) is an ``InputError`` naming ``file:line`` and the other lines are read.
- two inputs with the same article id: the first one wins. A later one with the same content
  is yielded again (a rebuild of an unchanged article is a no-op); a later one with different
  content is a :class:`~kgraid.errors.DuplicateArticleError` naming both inputs. Directories
  are read in sorted path order, so which one is first does not depend on the file system.
- hidden files and directories (``.git``, ``.cache``) and README.md are passed over in a
  directory; a directory that cannot be listed is an ``InputError``; symbolic links to
  directories are not followed (no loops).

Article ids can hold any printable character ("../../etc/x" included): they are never used as
file names here, and :mod:`kgraid.rdf` percent-encodes them in IRIs.
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import logging
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import yaml

from .errors import DuplicateArticleError, InputError

__all__ = ["Article", "iter_articles", "read_article_bytes", "parse_date", "ARTICLE_SUFFIXES",
           "MAX_CHARS", "MAX_BYTES", "MAX_RUN_CHARS"]

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: Articles longer than this (in characters, after decoding) are refused with a clear error:
#: spaCy's own limit is 1,000,000 and no news article comes near it.
MAX_CHARS = 1_000_000
#: Files (and JSON Lines lines) larger than this many bytes are refused without being read:
#: even in UTF-32 they would hold more than MAX_CHARS characters of text.
MAX_BYTES = 4 * MAX_CHARS + 64 * 1024
METADATA_KEYS = ("id", "title", "published", "source", "publisher")
_MAX_ID_CHARS = 200
#: Front matter is a few lines of metadata; more than this is not front matter.
MAX_FRONT_MATTER_CHARS = 64 * 1024
#: Runs of more characters than this without a space (base64, minified code, separator lines
#: of '=' or '*') are broken with a space every MAX_RUN_CHARS characters: no word of prose is
#: that long, and spaCy's tokenizer takes quadratic time on long runs of punctuation (4,000
#: '=' take seconds, 100,000 would take most of an hour).
MAX_RUN_CHARS = 100
_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN_CHARS + 1))

_BINARY_MAGIC = {
    b"\x89PNG": "PNG image", b"%PDF": "PDF document", b"PK\x03\x04": "ZIP archive",
    b"\x1f\x8b": "gzip archive", b"GIF8": "GIF image", b"\xff\xd8\xff": "JPEG image",
    b"\x7fELF": "ELF executable", b"BZh": "bzip2 archive", b"\xfd7zXZ\x00": "xz archive",
    b"7z\xbc\xaf\x27\x1c": "7-Zip archive", b"\x00\x00\x01\x00": "icon image",
    b"SQLite format 3\x00": "SQLite database",
}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _cp1252_table() -> dict[int, str]:
    """Lone surrogate (how ``surrogateescape`` keeps a bad byte) -> its Windows-1252 character;
    the five bytes Windows-1252 leaves undefined become U+FFFD."""
    table = {}
    for b in range(0x80, 0x100):
        try:
            table[0xDC00 + b] = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            table[0xDC00 + b] = "\ufffd"
    return table


_ESCAPED_BYTES = _cp1252_table()
_ESCAPED_RE = re.compile("[\udc80-\udcff]")
# Characters no article needs and some RDF syntaxes cannot carry: C0/C1 controls other than
# tab and line breaks, lone surrogates, and the non-characters U+FFFE/U+FFFF.
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x85": "\n"})

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTH_RE = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
             r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# A dateline at the very start of the body: an optional place in capitals and a comma, then
# the date, then a dash. "date 2017-01-09 –", "Jan. 9, 2017 —", "SOUTHWEST ASIA, Feb. 15, 2017 —"
# (matched with ``.match(text, body_offset)``, which anchors at the offset; ``\A`` would not).
_DATELINE = re.compile(
    r"[ \t\n]*(?:date\s+|(?:[A-Z][A-Z .'-]{1,40},\s*))?"
    r"(?P<date>\d{4}-\d{2}-\d{2}|" + _MONTH_RE + r"\.?\s+\d{1,2},\s+\d{4})"
    r"\s*(?:[\u2013\u2014-]{1,2}|:)\s*")


class _MetaLoader(yaml.SafeLoader):
    """YAML for front matter in which every scalar stays the string it was written as (an id
    ``0012`` is not the number 10, ``published: 2017-02-30`` is not a crash); only ``null``
    and an empty value are recognised, as None."""


_MetaLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


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
        raise ValueError(f"{what} must be a date such as 2017-01-09, not {_short(value)}")
    s = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]{1,30}(?:Z|[+-]\d\d:?\d\d)?)?", s)
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
    raise ValueError(f"{what} {_short(s)} is not a date kgraid understands (use YYYY-MM-DD)")


def _short(value: object, limit: int = 60) -> str:
    """``repr`` of a value for a message, cut to ``limit`` characters (never the repr of a
    huge or self-referencing structure)."""
    if isinstance(value, (dict, list, tuple, set)):
        return f"a {type(value).__name__}"
    r = repr(value)
    return r if len(r) <= limit else r[:limit - 3] + "..."


# ---------------------------------------------------------------------------- decoding
def _decode(data: bytes, origin: str) -> tuple[str, list[str]]:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16/32 with BOM; bytes that are not
    UTF-8 are read as Windows-1252, with a warning. Binary data raises InputError."""
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(origin, f"looks like a {what}, not text; skipped")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), []
            except UnicodeDecodeError as e:
                raise InputError(origin, f"starts with a {enc} byte-order mark but is not valid "
                                         f"{enc} at byte {e.start}; skipped") from None
    if b"\x00" in data:
        raise InputError(origin, f"contains NUL bytes (first at byte {data.index(0)}): binary "
                                 "data or UTF-16 without a byte-order mark; skipped")
    return _decode_utf8_lenient(data)


def _decode_utf8_lenient(data: bytes) -> tuple[str, list[str]]:
    """UTF-8, each invalid byte read as Windows-1252 (in one pass: a mixed file keeps its
    valid UTF-8 and a Latin-1 file comes out right)."""
    text = data.decode("utf-8", "surrogateescape")
    first = _ESCAPED_RE.search(text)
    if first is None:
        return text, []
    bad = len(_ESCAPED_RE.findall(text))
    offset = len(text[:first.start()].encode("utf-8"))
    text = text.translate(_ESCAPED_BYTES)
    return text, [f"not valid UTF-8: {bad} byte(s) (the first at byte {offset}) decoded as "
                  "Windows-1252 (Latin-1)"]


def _sanitize(text: str, warnings: list[str]) -> str:
    """Remove what no RDF syntax should be asked to carry (see _BAD_CHARS), with a warning."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_BREAKS)
    bad = _BAD_CHARS.findall(text)
    if bad:
        kinds = sorted({f"U+{ord(c):04X}" for c in bad})
        shown = ", ".join(kinds[:5]) + (", ..." if len(kinds) > 5 else "")
        warnings.append(f"{len(bad)} control or invalid character(s) removed ({shown})")
        text = _BAD_CHARS.sub("", text)
    return text


def _check_binary(text: str, origin: str) -> None:
    head = text[:20000]
    controls = sum(1 for ch in head if unicodedata.category(ch) == "Cc"
                   and ch not in "\n\r\t\f\v")
    if controls > max(8, len(head) // 50):
        raise InputError(origin, f"has {controls} control characters in its first 20,000: "
                                 "binary data, not text; skipped")


def _check_text(text: str, origin: str) -> None:
    if not text.strip():
        raise InputError(origin, "is empty (no text after metadata); skipped")
    if len(text) > MAX_CHARS:
        raise InputError(origin, f"has {len(text):,} characters, more than the {MAX_CHARS:,} "
                                 "kgraid reads in one article; split it or clean it first")


# ---------------------------------------------------------------------------- metadata
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
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise InputError(origin, f"front matter is {len(raw):,} characters long; metadata "
                                 f"takes {MAX_FRONT_MATTER_CHARS:,} at most")
    body_at = lead + first_nl + 1 + m.end()
    if body_at < len(text) and text[body_at] == "\n":
        body_at += 1
    meta = _load_yaml(raw, origin) if raw.strip() else {}
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(origin, "front matter must be a mapping of keys (title, published, "
                                 f"source, publisher, id), not a {type(meta).__name__}")
    return meta, text[body_at:], body_at


def _load_yaml(raw: str, origin: str) -> object:
    try:
        return yaml.load(raw, Loader=_MetaLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError(origin, f"front matter is not valid YAML{line}: {problem}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as e:
        # Explicit tags (!!timestamp 2017-02-30, !!int 1e999) and absurd nesting.
        raise InputError(origin, f"front matter cannot be read: {type(e).__name__}: "
                                 f"{str(e)[:200]}") from None


def _clean_id(value: object, origin: str) -> str:
    if value is not None and not isinstance(value, (str, int, float)):
        raise InputError(origin, f"article id must be text, not {_short(value)}")
    s = str(value).strip() if value is not None else ""
    s = unicodedata.normalize("NFC", s)
    s = "".join(ch for ch in s if unicodedata.category(ch)[0] != "C").strip()
    if not s:
        raise InputError(origin, "has an empty article id")
    if len(s) > _MAX_ID_CHARS:
        raise InputError(origin, f"article id is {len(s)} characters long; "
                                 f"{_MAX_ID_CHARS} at most")
    return s


def _meta_str(meta: dict, key: str, warnings: list[str]) -> str | None:
    v = meta.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        warnings.append(f"metadata {key} is {_short(v)}, not text; ignored")
        return None
    s = _BAD_CHARS.sub("", str(v).translate(_BREAKS)).strip()
    return s or None


def _break_long_runs(body: str, warnings: list[str]) -> str:
    runs = [len(m) for m in _LONG_RUN.findall(body)]
    if not runs:
        return body
    warnings.append(f"{len(runs)} run(s) of more than {MAX_RUN_CHARS} characters without a "
                    f"space (the longest {max(runs):,}) broken with a space every "
                    f"{MAX_RUN_CHARS}: they are not prose")
    return _LONG_RUN.sub(lambda m: " ".join(m[0][i:i + MAX_RUN_CHARS]
                                            for i in range(0, len(m[0]), MAX_RUN_CHARS)), body)


def _build(meta: dict, text: str, body_offset: int, *, default_id: str, origin: str,
           warnings: list[str], published: dt.date | None) -> Article:
    unknown = sorted(str(k)[:40] for k in meta if k not in METADATA_KEYS and k != "text")
    if unknown:
        warnings.append(f"metadata keys ignored: {', '.join(unknown[:10])}")
    aid = _clean_id(meta.get("id", default_id), origin)
    pub = published
    if pub is None and meta.get("published") is not None and meta.get("published") != "":
        try:
            pub = parse_date(meta["published"])
        except ValueError as e:
            warnings.append(f"{e}; the publication date is left unknown")
    text = text[:body_offset] + _break_long_runs(text[body_offset:], warnings)
    body_start = body_offset
    # A dateline is always taken off the body (its words are not a sentence of the article);
    # it gives the publication date only when the metadata does not.
    m = _DATELINE.match(text, body_offset)
    if m:
        if pub is None:
            try:
                pub = parse_date(m["date"], what="dateline date")
            except ValueError as e:
                warnings.append(f"{e}; the publication date is left unknown")
            else:
                if meta.get("published") not in (None, ""):
                    warnings.append(f"publication date {pub.isoformat()} taken from the "
                                    "dateline instead")
        body_start = m.end()
    strs = {key: _meta_str(meta, key, warnings) for key in ("title", "source", "publisher")}
    _check_text(text[body_start:], origin)
    return Article(id=aid, text=text, title=strs["title"], published=pub, source=strs["source"],
                   publisher=strs["publisher"], origin=origin, body_start=body_start,
                   warnings=tuple(warnings))


def read_article_bytes(data: bytes, *, origin: str, default_id: str,
                       published: dt.date | None = None) -> Article:
    """Read one ``.txt``/``.md`` article (optional YAML front matter) from raw bytes.

    Raises :class:`InputError` (naming ``origin``) for anything that is not a readable article;
    never another exception."""
    if len(data) > MAX_BYTES:
        raise InputError(origin, _too_big(len(data)))
    text, warnings = _decode(data, origin)
    _check_binary(text, origin)
    text = _sanitize(text, warnings)
    meta, _body, offset = _split_front_matter(text, origin)
    return _build(meta, text, offset, default_id=default_id, origin=origin, warnings=warnings,
                  published=published)


def _too_big(size: int) -> str:
    return (f"is {size:,} bytes, more than the {MAX_BYTES:,} kgraid reads for one article "
            "(not read); split it or strip its boilerplate first")


# ---------------------------------------------------------------------------- JSON Lines
def _iter_jsonl(stream: BinaryIO, origin: str, stem: str) -> Iterator[Article | InputError]:
    """Read JSON Lines one line at a time (a file of any size, constant memory per line)."""
    head = stream.read(16)
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            yield InputError(origin, f"looks like a {what}, not JSON Lines; skipped")
            return
    for bom, enc in _BOMS:
        if head.startswith(bom) and enc != "utf-8-sig":
            yield InputError(origin, f"is {enc}; JSON Lines must be UTF-8; skipped")
            return
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    records = 0
    for lineno, raw in enumerate(_read_lines(stream, head), 1):
        where = f"{origin}:{lineno}"
        if raw is None:
            yield InputError(where, f"is longer than {MAX_BYTES:,} bytes; skipped (the other "
                                    "lines are still read)")
            records += 1
            continue
        if not raw.strip():
            continue
        records += 1
        try:
            yield _jsonl_record(raw, where, f"{stem}-{lineno}")
        except InputError as e:
            yield e
    if records == 0:
        yield InputError(origin, "has no JSON Lines records (empty); skipped")


def _read_lines(stream: BinaryIO, head: bytes) -> Iterator[bytes | None]:
    """Lines of ``stream`` (after ``head``) without their line break; None for a line longer
    than MAX_BYTES, which is skipped without being held in memory."""
    pending = head
    while True:
        chunk = stream.readline(MAX_BYTES + 1)
        line = pending + chunk
        pending = b""
        if not line:
            return
        if len(line) > MAX_BYTES and not line.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = stream.readline(1 << 20)
            yield None
            continue
        yield line.rstrip(b"\n").rstrip(b"\r")


def _jsonl_record(raw: bytes, where: str, default_id: str) -> Article:
    if b"\x00" in raw:
        raise InputError(where, "contains NUL bytes: not JSON; skipped (the other lines are "
                                "still read)")
    line, warnings = _decode_utf8_lenient(raw)
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(where, f"is not valid JSON ({e.msg} at column {e.colno}); "
                                "the other lines are still read") from None
    except (ValueError, RecursionError) as e:  # 5,000-digit numbers, 10,000 nested arrays
        raise InputError(where, f"is not usable JSON ({type(e).__name__}: {str(e)[:120]}); "
                                "the other lines are still read") from None
    if not isinstance(rec, dict):
        raise InputError(where, f"must be a JSON object, not {type(rec).__name__}")
    body = rec.get("text")
    if not isinstance(body, str):
        raise InputError(where, "has no 'text' string")
    body = _sanitize(body, warnings)
    return _build(rec, body, 0, default_id=default_id, origin=where, warnings=warnings,
                  published=None)


# ---------------------------------------------------------------------------- files
def _expand(inputs: Iterable[str | Path]) -> Iterator[Path | str | InputError]:
    for item in inputs:
        if str(item) == "-":
            yield "-"
            continue
        p = Path(item)
        try:
            is_dir = p.is_dir()
        except (OSError, ValueError) as e:  # a name too long, a NUL byte in it
            yield InputError(str(item)[:300], f"is not a usable path: {e.args[-1]}")
            continue
        if is_dir:
            yield from _walk(p)
        else:
            yield p


def _walk(root: Path) -> Iterator[Path | InputError]:
    """Article files under ``root`` in sorted path order; hidden files and directories and
    README.md are passed over, symbolic links to directories are not followed."""
    errors: list[OSError] = []
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append,
                                                followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            f = Path(dirpath, name)
            if name.startswith(".") or name.lower() == "readme.md":
                continue
            if f.suffix.lower() in ARTICLE_SUFFIXES + JSONL_SUFFIXES:
                found.append(f)
    for e in errors:
        yield InputError(str(e.filename or root), f"directory cannot be read: "
                                                  f"{e.strerror or e}; its articles are skipped")
    yield from sorted(found)


def _read_file(path: Path) -> bytes:
    """The bytes of a file, refused (InputError) when larger than MAX_BYTES: never more than
    MAX_BYTES + 1 bytes are read, even from a device or a growing file."""
    origin = str(path)
    try:
        with path.open("rb") as f:
            try:
                size = os.fstat(f.fileno()).st_size
            except OSError:
                size = 0
            if size > MAX_BYTES:
                raise InputError(origin, _too_big(size))
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(origin, "no such file or directory") from None
    except IsADirectoryError:
        raise InputError(origin, "is a directory") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the name
        raise InputError(origin[:300], f"cannot be read: {getattr(e, 'strerror', None) or e}"
                         ) from None
    if len(data) > MAX_BYTES:
        raise InputError(origin, f"is more than {MAX_BYTES:,} bytes (not read); split it or "
                                 "strip its boilerplate first")
    return data


def _read_one(item: Path | str, *, published: dt.date | None, stdin: BinaryIO | None,
              stdin_id: str) -> Iterator[Article | InputError]:
    if item == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            data = stream.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise InputError("<stdin>", f"is more than {MAX_BYTES:,} bytes; split it")
            yield read_article_bytes(data, origin="<stdin>", default_id=stdin_id,
                                     published=published)
        except InputError as e:
            yield e
        return
    path = Path(item)
    if path.suffix.lower() in JSONL_SUFFIXES:
        try:
            f = path.open("rb")
        except (OSError, ValueError) as e:
            yield InputError(str(path)[:300], "no such file or directory"
                             if isinstance(e, FileNotFoundError)
                             else f"cannot be read: {getattr(e, 'strerror', None) or e}")
            return
        with f:
            yield from _iter_jsonl(f, str(path), path.stem)
        return
    try:
        yield read_article_bytes(_read_file(path), origin=str(path), default_id=path.stem,
                                 published=published)
    except InputError as e:
        yield e


def iter_articles(inputs: Iterable[str | Path], *, published: dt.date | None = None,
                  stdin: BinaryIO | None = None, stdin_id: str = "stdin",
                  ) -> Iterator[Article | InputError]:
    """Yield every article found in ``inputs`` (files, directories read recursively, or
    ``"-"`` for stdin), or an :class:`InputError` for each one that cannot be read.

    ``published`` overrides the publication date (meant for a single file). In a directory,
    ``.txt``, ``.md`` and ``.jsonl`` files are read in sorted order; README.md and hidden
    files are passed over. An article id met a second time with different content gives a
    :class:`DuplicateArticleError` (the first one is kept); with the same content the article
    is yielded again. Nothing but Article and InputError is ever yielded for bad input.
    """
    seen: dict[str, tuple[str, str]] = {}
    for item in _expand(inputs):
        if isinstance(item, InputError):
            yield item
            continue
        for res in _read_one(item, published=published, stdin=stdin, stdin_id=stdin_id):
            if isinstance(res, Article):
                res = _check_duplicate(res, seen)
            yield res


def _check_duplicate(art: Article, seen: dict[str, tuple[str, str]]) -> Article | InputError:
    digest = art.content_hash()
    first = seen.get(art.id)
    if first is None:
        seen[art.id] = (digest, art.origin)
        return art
    if first[0] == digest:
        log.info("%s: same article as %s (id %r)", art.origin, first[1], art.id)
        return art
    return DuplicateArticleError(
        art.origin, f"article id {art.id!r} is already used by {first[1]} with different "
                    "content; this one is skipped (give one of them another 'id' in its front "
                    "matter or JSON record)")
