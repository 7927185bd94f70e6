"""Hostile input at the ingest stage: every case gives an Article (with a warning where the
input was repaired) or an InputError naming the input, and the rest of the batch is read.

The same cases go through a whole build in tests/test_hostile_build.py.
"""
from __future__ import annotations

import codecs
import io
import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest

from kgraid.errors import DuplicateArticleError, InputError
from kgraid.ingest import MAX_BYTES, MAX_CHARS, MAX_RUN_CHARS, Article, iter_articles

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
GOOD = "U.S. forces conducted a raid near Qamishli on Thursday, a U.S. official said.\n"


def _one(tmp_path: Path, name: str, data: bytes) -> Article | InputError:
    f = tmp_path / name
    f.write_bytes(data)
    results = list(iter_articles([f]))
    assert len(results) == 1, results
    res = results[0]
    assert res.origin == str(f) if isinstance(res, Article) else res.source == str(f)
    return res


def _error(tmp_path: Path, name: str, data: bytes, *words: str) -> InputError:
    res = _one(tmp_path, name, data)
    assert isinstance(res, InputError), res
    msg = str(res)
    assert msg.startswith(str(tmp_path / name) + ": "), msg
    for w in words:
        assert w in msg, msg
    return res


# ----------------------------------------------------------------- empty and binary
@pytest.mark.parametrize("data", [b"", b"   \n\t\n  ", "\ufeff".encode(), b"\r\n\r\n",
                                  b"---\ntitle: Only metadata\n---\n"])
def test_empty_or_blank_is_refused_by_name(tmp_path: Path, data: bytes) -> None:
    _error(tmp_path, "empty.md", data, "empty")


@pytest.mark.parametrize("data, words", [
    (PNG, ("PNG image",)), (b"%PDF-1.7\n%\xe2\xe3", ("PDF",)), (b"PK\x03\x04rest", ("ZIP",)),
    (b"some text\x00\x00\x00more", ("NUL bytes", "byte 9")),
    (bytes(range(1, 256)) * 40, ("control characters",)),
])
def test_binary_is_refused_by_name(tmp_path: Path, data: bytes, words: tuple[str, ...]) -> None:
    _error(tmp_path, "binary.txt", data, *words)


def test_utf16_without_bom_is_named_as_such(tmp_path: Path) -> None:
    _error(tmp_path, "u16.txt", GOOD.encode("utf-16-le"), "NUL", "UTF-16")


# ----------------------------------------------------------------- encodings
TEXT = "café “quotes” – naïve résumé, 5 € — ok.\n" + GOOD


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_with_bom_is_decoded_exactly(tmp_path: Path, encoding: str) -> None:
    data = TEXT.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    art = _one(tmp_path, "bom.md", data)
    assert isinstance(art, Article)
    assert art.text == TEXT and art.warnings == ()


def test_utf16_front_matter_is_read(tmp_path: Path) -> None:
    art = _one(tmp_path, "fm16.md", f"---\ntitle: Café\n---\n{GOOD}".encode("utf-16"))
    assert isinstance(art, Article) and art.title == "Café" and art.body == GOOD


def test_latin1_is_decoded_with_a_warning_not_mojibake(tmp_path: Path) -> None:
    text = "Le café était naïve à Zürich; señor Ñúñez.\n"
    art = _one(tmp_path, "latin1.txt", text.encode("latin-1"))
    assert isinstance(art, Article)
    assert art.text == text
    assert "Ã" not in art.text
    assert any("Windows-1252" in w and "not valid UTF-8" in w for w in art.warnings)


def test_windows1252_quotes_and_dashes_are_decoded(tmp_path: Path) -> None:
    text = "He said “quotes” and ‘single’ – en — em … 5 € ™ café.\n"
    art = _one(tmp_path, "cp1252.txt", text.encode("cp1252"))
    assert isinstance(art, Article)
    assert art.text == text
    assert "café" in art.text and "“quotes”" in art.text
    assert len(art.warnings) == 1 and "Windows-1252" in art.warnings[0]


def test_invalid_utf8_in_the_middle_keeps_the_valid_utf8(tmp_path: Path) -> None:
    data = "Première partie, café “ok”. ".encode() + b"\xff\xfe\xe9" + " Suite: naïve.".encode()
    art = _one(tmp_path, "mixed.txt", data)
    assert isinstance(art, Article)
    assert art.text.startswith("Première partie, café “ok”. ")  # no mojibake of valid UTF-8
    assert art.text.endswith(" Suite: naïve.")
    assert "é" in art.text[28:35]  # the stray 0xE9 is read as Windows-1252 é
    warning = art.warnings[0]
    bad_at = data.index(b"\xff")
    assert "3 byte(s)" in warning and f"byte {bad_at}" in warning


def test_truncated_utf8_sequence_at_end(tmp_path: Path) -> None:
    art = _one(tmp_path, "trunc.txt", GOOD.encode() + "é".encode()[:1])
    assert isinstance(art, Article) and art.text.startswith(GOOD) and art.warnings


def test_invalid_utf16_after_bom_is_refused(tmp_path: Path) -> None:
    _error(tmp_path, "bad16.txt", codecs.BOM_UTF16_LE + "ok".encode("utf-16-le") + b"\x00\xd8",
           "utf-16")


def test_stray_control_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    text = "Forces\x00 struck\x1b[31m targets\x7f.\x0cNext page\x0bline\x85end \ufffe.\n"
    art = _one(tmp_path, "ctl.md", text.encode("utf-16"))
    assert isinstance(art, Article)
    assert art.text == "Forces struck[31m targets.\nNext page\nline\nend .\n"
    assert any("removed" in w and "U+0000" in w for w in art.warnings)


# ----------------------------------------------------------------- size
def test_50_mb_article_is_refused_quickly_without_reading_it(tmp_path: Path) -> None:
    f = tmp_path / "huge.html"
    with f.open("wb") as out:
        block = b"<div class='boilerplate'>" + b"x" * 1000 + b"</div>\n"
        for _ in range(50 * 1024 * 1024 // len(block) + 1):
            out.write(block)
    assert f.stat().st_size > 50 * 1024 * 1024
    tracemalloc.start()
    t0 = time.perf_counter()
    results = list(iter_articles([f, tmp_path / "missing.md"]))
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 5 * 1024 * 1024, peak  # never loaded
    err = results[0]
    assert isinstance(err, InputError) and err.source == str(f)
    assert "bytes" in str(err) and "split it" in str(err)
    assert isinstance(results[1], InputError)  # the batch went on


def test_endless_device_is_read_only_up_to_the_limit() -> None:
    t0 = time.perf_counter()
    (err,) = list(iter_articles(["/dev/zero"]))
    assert isinstance(err, InputError) and err.source == "/dev/zero"
    assert time.perf_counter() - t0 < 5.0


def test_huge_stdin_is_refused() -> None:
    stream = io.BytesIO(b"a" * (MAX_BYTES + 10))
    (err,) = list(iter_articles(["-"], stdin=stream))
    assert isinstance(err, InputError) and err.source == "<stdin>"


def test_more_characters_than_max_chars_is_refused(tmp_path: Path) -> None:
    _error(tmp_path, "long.txt", b"word " * (MAX_CHARS // 5 + 10), "characters", "split")


def test_100k_character_lines_are_read(tmp_path: Path) -> None:
    line = ("Coalition forces struck an ISIS position near Mosul. " * 1900)[:100_000]
    text = "\n".join([line, line, GOOD])
    t0 = time.perf_counter()
    art = _one(tmp_path, "longlines.txt", text.encode())
    assert isinstance(art, Article) and art.text == text and art.warnings == ()
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("run", ["=", "*", "—", "=*", "a=", "x"])
def test_long_runs_without_spaces_are_broken_and_tokenize_in_linear_time(tmp_path: Path,
                                                                         run: str) -> None:
    from kgraid.nlp import load_nlp
    url = "https://example.test/" + "a" * 150
    line = run * (100_000 // len(run))
    art = _one(tmp_path, "runs.md", f"---\nsource: {url}\n---\n{GOOD}{line}\n{GOOD}".encode())
    assert isinstance(art, Article)
    assert art.source == url  # metadata is left alone
    assert art.body.startswith(GOOD) and art.body.endswith(GOOD)
    assert max(len(w) for w in art.body.split()) <= MAX_RUN_CHARS
    assert art.body.replace(" ", "").replace("\n", "") == (GOOD + line + GOOD).replace(
        " ", "").replace("\n", "")  # only spaces were added
    assert any("without a space" in w and ("100,000" in w or "99,999" in w)
               for w in art.warnings), art.warnings
    tokenizer = load_nlp().tokenizer
    t0 = time.perf_counter()
    tokenizer(art.body)
    assert time.perf_counter() - t0 < 10.0  # unbroken, 100,000 '=' take most of an hour


# ----------------------------------------------------------------- front matter
@pytest.mark.parametrize("front, words", [
    ("---\ntitle: [unclosed\n---\n", ("front matter is not valid YAML", "line")),
    ("---\ntitle: a\n  b: c\n---\n", ("not valid YAML", "line 3")),
    ("---\ntitle: Never closed\n", ("never closed",)),
    ("---\n- a list\n- not a mapping\n---\n", ("mapping", "list")),
    ("---\njust a string\n---\n", ("mapping", "str")),
    ("---\nx: !!python/object:os.system echo\n---\n", ("not valid YAML",)),
    ("---\npublished: !!timestamp 2017-02-30\n---\n", ("front matter cannot be read",)),
    ("---\nid: [a, b]\n---\n", ("article id must be text",)),
    ("---\nid: \"\\u200f\\x01\"\n---\n", ("empty article id",)),
    ("---\nid: " + "x" * 300 + "\n---\n", ("300 characters",)),
    ("---\nt: " + "[" * 1100 + "\n---\n", ("front matter cannot be read",)),
    ("---\nt: " + "x" * 70_000 + "\n---\n", ("front matter is 70,004 characters",)),
])
def test_bad_front_matter_is_an_error_naming_the_file(tmp_path: Path, front: str,
                                                      words: tuple[str, ...]) -> None:
    _error(tmp_path, "fm.md", (front + GOOD).encode(), *words)


def test_billion_laughs_aliases_do_not_explode(tmp_path: Path) -> None:
    lol = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lol.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    t0 = time.perf_counter()
    front = "---\n" + "\n".join(lol) + "\nid: *i\n---\n"
    _error(tmp_path, "lol.md", (front + GOOD).encode(), "article id must be text")
    front = "---\n" + "\n".join(lol) + "\ntitle: *i\n---\n"
    art = _one(tmp_path, "lol2.md", (front + GOOD).encode())
    assert isinstance(art, Article) and art.title is None
    assert any("title" in w and "ignored" in w for w in art.warnings)
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("value", ["2017-02-30", "2017-13-45", "someday", "yes", "[2017]"])
def test_wrong_date_warns_and_leaves_date_unknown(tmp_path: Path, value: str) -> None:
    art = _one(tmp_path, "date.md", f"---\npublished: {value}\n---\n{GOOD}".encode())
    assert isinstance(art, Article)
    assert art.published is None
    assert any("publication date is left unknown" in w for w in art.warnings), art.warnings


def test_wrong_dateline_date_warns(tmp_path: Path) -> None:
    art = _one(tmp_path, "dl.md", f"Feb. 30, 2017 — {GOOD}".encode())
    assert isinstance(art, Article) and art.published is None
    assert art.body == GOOD and any("not a real date" in w for w in art.warnings)


def test_non_text_metadata_values_are_ignored_with_warnings(tmp_path: Path) -> None:
    art = _one(tmp_path, "meta.md",
               f"---\ntitle: {{a: 1}}\nsource: [1, 2]\nfoo: bar\n---\n{GOOD}".encode())
    assert isinstance(art, Article) and art.title is None and art.source is None
    assert len(art.warnings) == 3


def test_crlf_and_cr_line_endings(tmp_path: Path) -> None:
    art = _one(tmp_path, "crlf.md", b"---\r\ntitle: T\r\n---\r\nLine one.\r\nLine two.\r")
    assert isinstance(art, Article) and art.title == "T"
    assert art.body == "Line one.\nLine two.\n"


# ----------------------------------------------------------------- JSON Lines
def test_jsonl_broken_lines_are_named_and_the_rest_is_read(tmp_path: Path) -> None:
    f = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "good-1", "text": GOOD}),
        '{"id": "broken", "text": "no closing quote}',
        json.dumps({"id": "good-2", "text": "A line\u2028with a separator\x85and NEL. " + GOOD},
                   ensure_ascii=False),
        "",
        "[1, 2, 3]",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "empty-text", "text": "   "}),
        "[" * 100_000 + "]" * 100_000,
        '{"id": "bignum", "text": "x", "n": ' + "9" * 10_000 + "}",
        json.dumps({"id": "surrogates\ud800", "title": "T\udfff", "text": "Bad \ud800 " + GOOD}),
        json.dumps({"id": ["a"], "text": GOOD}),
        "\x00\x00",
        json.dumps({"id": "good-3", "text": GOOD}),
    ]
    f.write_bytes(("\r\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
                  .replace(b"\\u0000", b"\x00"))
    got = list(iter_articles([f]))
    by_line = {(r.origin if isinstance(r, Article) else r.source).rsplit(":", 1)[1]: r
               for r in got}
    assert sorted(by_line, key=int) == ["1", "2", "3", "5", "6", "7", "8", "9", "10", "11",
                                        "12", "13"]
    arts = {k: v for k, v in by_line.items() if isinstance(v, Article)}
    assert [a.id for a in arts.values()] == ["good-1", "good-2", "surrogates", "good-3"]
    assert "\u2028with a separator\nand NEL" in arts["3"].text  # one record, not split
    assert arts["10"].title == "T" and "\ud800" not in arts["10"].text
    assert any("removed" in w for w in arts["10"].warnings)
    errs = {k: v for k, v in by_line.items() if isinstance(v, InputError)}
    assert "not valid JSON" in str(errs["2"]) and str(errs["2"]).startswith(f"{f}:2: ")
    assert "JSON object" in str(errs["5"])
    assert "'text'" in str(errs["6"])
    assert "empty" in str(errs["7"])
    assert "not usable JSON" in str(errs["8"]) or "not valid JSON" in str(errs["8"])
    assert "JSON" in str(errs["9"])
    assert "article id must be text" in str(errs["11"])
    assert "NUL" in str(errs["12"])


def test_jsonl_latin1_line_is_decoded_with_warning(tmp_path: Path) -> None:
    f = tmp_path / "l1.jsonl"
    f.write_bytes(b'{"id": "ok", "text": "plain"}\n'
                  + '{"id": "l1", "text": "café naïve"}\n'.encode("latin-1"))
    ok, l1 = list(iter_articles([f]))
    assert ok.warnings == ()
    assert l1.text == "café naïve" and "Windows-1252" in l1.warnings[0]


def test_jsonl_overlong_line_is_skipped_and_later_lines_read(tmp_path: Path) -> None:
    f = tmp_path / "long.jsonl"
    with f.open("wb") as out:
        out.write(json.dumps({"id": "before", "text": GOOD}).encode() + b"\n")
        out.write(b'{"id": "huge", "text": "' + b"a" * (MAX_BYTES + 100) + b'"}\n')
        out.write(json.dumps({"id": "after", "text": GOOD}).encode() + b"\n")
    tracemalloc.start()
    got = list(iter_articles([f]))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [type(r).__name__ for r in got] == ["Article", "InputError", "Article"]
    assert got[1].source == f"{f}:2" and "longer than" in str(got[1])
    assert got[2].id == "after" and got[2].origin == f"{f}:3"
    assert peak < 3 * MAX_BYTES


@pytest.mark.parametrize("data, words", [
    (b"", ("no JSON Lines records",)), (b"\n\n  \n", ("no JSON Lines records",)),
    (PNG, ("PNG",)), ('{"text": "x"}\n'.encode("utf-16"), ("must be UTF-8",)),
])
def test_jsonl_whole_file_problems(tmp_path: Path, data: bytes, words: tuple[str, ...]) -> None:
    _error(tmp_path, "f.jsonl", data, *words)


def test_jsonl_with_utf8_bom(tmp_path: Path) -> None:
    f = tmp_path / "bom.jsonl"
    f.write_bytes(codecs.BOM_UTF8 + json.dumps({"id": "x", "text": GOOD}).encode() + b"\n")
    (art,) = list(iter_articles([f]))
    assert isinstance(art, Article) and art.id == "x"


# ----------------------------------------------------------------- duplicates
def test_duplicate_id_with_different_text_is_an_error_naming_both(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(f"---\nid: same\n---\n{GOOD}")
    (tmp_path / "b.md").write_text("---\nid: same\n---\nA different text.\n")
    (tmp_path / "c.md").write_text(f"---\nid: same\n---\n{GOOD}")  # identical: harmless
    first, dup, again = list(iter_articles([tmp_path]))
    assert isinstance(first, Article) and first.body == GOOD
    assert isinstance(dup, DuplicateArticleError)
    assert dup.source == str(tmp_path / "b.md") and str(tmp_path / "a.md") in str(dup)
    assert "'same'" in str(dup)
    assert isinstance(again, Article) and again.content_hash() == first.content_hash()


def test_duplicate_ids_across_jsonl_and_files(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text(GOOD)
    (tmp_path / "y.jsonl").write_text(json.dumps({"id": "x", "text": "Other."}) + "\n")
    a, b = list(iter_articles([tmp_path]))
    assert isinstance(a, Article) and isinstance(b, DuplicateArticleError)
    assert b.source == f"{tmp_path / 'y.jsonl'}:1"


def test_ids_differing_only_by_unicode_normalization_are_one_id(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "cafe\u0301", "text": GOOD}) + "\n"
        + json.dumps({"id": "caf\u00e9", "text": "Other."}) + "\n")
    a, b = list(iter_articles([tmp_path / "a.jsonl"]))
    assert a.id == "café" and isinstance(b, DuplicateArticleError)


# ----------------------------------------------------------------- hostile names
HOSTILE_IDS = ['../../etc/x', 'quote"d', "back\\slash", "a>b<c", "brace}", "hash#frag",
               "} ; DROP GRAPH <x> ; {", '"""; ?s ?p ?o . #', "emoji-🚀-💣", "عربي-مقال",
               "line\nbreak", "x%2Fy", ".", ".."]


@pytest.mark.parametrize("aid", HOSTILE_IDS)
def test_hostile_ids_are_kept_as_text(tmp_path: Path, aid: str) -> None:
    f = tmp_path / "h.jsonl"
    f.write_text(json.dumps({"id": aid, "title": aid, "text": f"{aid} said: {GOOD}"}) + "\n")
    (art,) = list(iter_articles([f]))
    assert isinstance(art, Article)
    assert art.id == aid.replace("\n", "")  # control characters are dropped from ids only
    assert art.title == aid
    assert aid in art.text


def test_hostile_file_names(tmp_path: Path) -> None:
    names = ['quote"d.md', "brace}#.md", "emoji 🚀.md", "عربي.md", "new\nline.md"]
    for n in names:
        (tmp_path / n).write_text(GOOD)
    got = list(iter_articles([tmp_path]))
    assert sorted(a.id for a in got) == sorted(n[:-3].replace("\n", "") for n in names)


def test_broken_symlink_in_directory_is_named(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text(GOOD)
    (tmp_path / "dangling.md").symlink_to(tmp_path / "gone.md")
    got = list(iter_articles([tmp_path]))
    assert isinstance(got[0], InputError) and got[0].source == str(tmp_path / "dangling.md")
    assert isinstance(got[1], Article) and got[1].id == "ok"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
def test_unreadable_file_and_directory(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text(GOOD)
    locked = tmp_path / "locked.md"
    locked.write_text(GOOD)
    locked.chmod(0)
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "in.md").write_text(GOOD)
    sub.chmod(0)
    try:
        got = list(iter_articles([tmp_path]))
    finally:
        sub.chmod(0o755)
        locked.chmod(0o644)
    kinds = sorted(type(r).__name__ for r in got)
    assert kinds == ["Article", "InputError", "InputError"]
