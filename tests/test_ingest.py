"""kgraid.ingest on ordinary input: metadata, datelines, directories, JSON Lines, stdin."""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from kgraid.errors import DuplicateArticleError, InputError
from kgraid.ingest import Article, iter_articles, parse_date, read_article_bytes

DEV = Path(__file__).resolve().parents[2] / "shared" / "dev-articles"
DATA = Path(__file__).resolve().parents[1] / "data" / "articles"


def _read(data: bytes, name: str = "a") -> Article:
    return read_article_bytes(data, origin=f"{name}.md", default_id=name)


def test_front_matter_metadata_and_body_offsets() -> None:
    art = _read(b"---\ntitle: \"Strikes\"\npublished: 2017-02-15\nsource: https://x.test/a\n"
                b"publisher: DoD\n---\nCoalition forces struck targets.\n")
    assert art.id == "a"
    assert art.title == "Strikes" and art.source == "https://x.test/a" and art.publisher == "DoD"
    assert art.published == dt.date(2017, 2, 15)
    assert art.body == "Coalition forces struck targets.\n"
    assert art.text[art.body_start:] == art.body and art.warnings == ()


def test_front_matter_id_overrides_file_name_and_stays_a_string() -> None:
    art = _read(b"---\nid: 0012\n---\nText of the article.\n")
    assert art.id == "0012"  # not the YAML 1.1 octal number 10


def test_dateline_after_front_matter_sets_date_and_body_start() -> None:
    art = _read("---\ntitle: T\n---\nSOUTHWEST ASIA, Feb. 15, 2017 — Forces struck.\n"
                .encode())
    assert art.published == dt.date(2017, 2, 15)
    assert art.body == "Forces struck.\n"


def test_metadata_date_wins_over_dateline_but_dateline_is_cut() -> None:
    art = _read("---\npublished: 2017-02-14\n---\nJan. 9, 2017 — Forces struck.\n".encode())
    assert art.published == dt.date(2017, 2, 14)
    assert art.body == "Forces struck.\n"


def test_published_override() -> None:
    art = read_article_bytes(b"Text.", origin="x", default_id="x",
                             published=dt.date(2020, 1, 2))
    assert art.published == dt.date(2020, 1, 2)


@pytest.mark.parametrize("value, expected", [
    ("2017-01-09", dt.date(2017, 1, 9)), ("2017-1-9", dt.date(2017, 1, 9)),
    ("2017-01-09T10:00:00Z", dt.date(2017, 1, 9)), ("Jan. 9, 2017", dt.date(2017, 1, 9)),
    ("September 30, 2016", dt.date(2016, 9, 30)), (dt.date(2015, 5, 1), dt.date(2015, 5, 1)),
])
def test_parse_date_accepts(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2017-02-30", "2017-13-01", "yesterday", "", None, 20170109,
                                   ["2017-01-01"], "9" * 5000])
def test_parse_date_refuses_with_value_error(value: object) -> None:
    with pytest.raises(ValueError) as e:
        parse_date(value)
    assert len(str(e.value)) < 300


def test_content_hash_changes_with_text_metadata_and_salt() -> None:
    a = Article(id="x", text="t")
    assert a.content_hash() == Article(id="x", text="t", origin="elsewhere").content_hash()
    assert a.content_hash() != Article(id="x", text="u").content_hash()
    assert a.content_hash() != Article(id="x", text="t", title="T").content_hash()
    assert a.content_hash("v1") != a.content_hash("v2")


def test_directory_is_read_sorted_and_passes_over_readme_and_hidden(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("Second article.")
    (tmp_path / "a.txt").write_text("First article.")
    (tmp_path / "README.md").write_text("Not an article.")
    (tmp_path / ".hidden.md").write_text("Not an article.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text("Not an article.")
    (tmp_path / "notes.csv").write_text("Not an article.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.md").write_text("Third article.")
    got = list(iter_articles([tmp_path]))
    assert [a.id for a in got] == ["a", "b", "c"]
    assert all(isinstance(a, Article) for a in got)


def test_symlink_loop_in_directory_terminates(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("An article.")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    got = list(iter_articles([tmp_path]))
    assert [a.id for a in got] == ["a"]


def test_missing_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.md"
    (err,) = list(iter_articles([missing]))
    assert isinstance(err, InputError) and err.source == str(missing)
    assert "no such file" in str(err)
    (err,) = list(iter_articles([tmp_path / "nope.jsonl"]))
    assert isinstance(err, InputError) and "no such file" in str(err)


@pytest.mark.parametrize("name", ["a\x00b.md", "x" * 5000 + ".md", "x" * 5000 + ".jsonl",
                                  "x" * 5000])
def test_unusable_path_names_are_input_errors(tmp_path: Path, name: str) -> None:
    got = list(iter_articles([str(tmp_path / name), tmp_path]))
    assert isinstance(got[0], InputError) and len(got) == 1
    assert len(str(got[0])) < 800


def test_stdin(tmp_path: Path) -> None:
    (art,) = list(iter_articles(["-"], stdin=io.BytesIO(b"From stdin."), stdin_id="piped"))
    assert isinstance(art, Article) and art.id == "piped" and art.origin == "<stdin>"
    (err,) = list(iter_articles(["-"], stdin=io.BytesIO(b"  \n")))
    assert isinstance(err, InputError) and err.source == "<stdin>"


def test_jsonl_records(tmp_path: Path) -> None:
    f = tmp_path / "batch.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"id": "r1", "text": "One.", "title": "T1", "published": "2017-01-09"},
        {"text": "Two, with no id."},
    ]) + "\n")
    a, b = list(iter_articles([f]))
    assert (a.id, a.title, a.published, a.origin) == ("r1", "T1", dt.date(2017, 1, 9),
                                                      f"{f}:1")
    assert (b.id, b.origin) == ("batch-2", f"{f}:2")


def test_shipped_articles_all_read_cleanly() -> None:
    from conftest import require_shared
    require_shared("dev-articles")
    got = list(iter_articles([DATA, DEV]))
    assert len(got) >= 18
    assert all(isinstance(a, Article) for a in got), [str(e) for e in got
                                                      if not isinstance(e, Article)]
    assert len({a.id for a in got}) == len(got)


def test_duplicate_rule_is_documented_in_module() -> None:
    import kgraid.ingest as ingest
    assert "DuplicateArticleError" in (ingest.__doc__ or "")
    assert issubclass(DuplicateArticleError, InputError)
