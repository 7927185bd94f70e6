"""Synthetic news corpora for the benchmarks: articles of the genre kgraid reads.

Sentences come from ``bench/data/templates.tsv``, patterns taken from real reporting on raids,
strikes and claims (the seed articles in ``data/articles`` and the DoD / WCEP texts in
``shared/dev-articles``); names, groups, places, dates and numbers are drawn at random from
the lists beside it. Each article tells one story (one operation, one spokesman, one target)
in about 500 words, with a title, a publication date and sometimes a dateline, so the spaCy
model and the extractors do the same work per word as on real articles.

    python -m bench.corpus --articles 1000 --out bench/out/corpus-1000.jsonl

Output is JSON Lines (``id``, ``title``, ``published``, ``source``, ``text``), which
``kgraid build`` reads directly, or a directory of ``.md`` files with front matter.
The same seed gives the same corpus.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

DATA = Path(__file__).parent / "data"
_SLOT = re.compile(r"\{(\w+)\}")
_NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_MONTH_ABBR = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.",
               "Oct.", "Nov.", "Dec."]
_FORCES = {
    "official": ["U.S. forces", "coalition forces", "U.S. special operations forces",
                 "American troops", "coalition aircraft", "U.S. commandos"],
}
_AMAQ = ["its Amaq news agency", "a statement posted online", "a message on Telegram"]
#: How many sentences of each kind an article draws (besides its lead), before trimming to
#: the target length.
_PLAN = {"detail": 5, "claim": 8, "member": 4, "casualty": 3, "quote": 2, "denial": 1,
         "background": 7}


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _rows(name: str) -> list[list[str]]:
    return [ln.split("\t") for ln in _lines(name)]


@dataclass(frozen=True)
class Org:
    name: str
    kind: str
    short: str


@dataclass(frozen=True)
class Place:
    name: str
    province: str
    country: str


@dataclass
class World:
    """The vocabularies stories are drawn from (``bench/data/``)."""

    first: list[str]
    last: list[str]
    kunyas: list[str]
    nisbas: list[str]
    ranks: list[str]
    roles: dict[str, list[str]]
    orgs: list[Org]
    places: list[Place]
    anonymous: list[str]
    ops: list[tuple[str, str]]
    templates: dict[str, list[str]] = field(default_factory=dict)

    def orgs_of(self, kind: str) -> list[Org]:
        return [o for o in self.orgs if o.kind == kind]


@lru_cache(maxsize=1)
def load_world() -> World:
    roles: dict[str, list[str]] = {}
    for role, holder in _rows("roles.tsv"):
        roles.setdefault(holder, []).append(role)
    templates: dict[str, list[str]] = {}
    for kind, text in _rows("templates.tsv"):
        templates.setdefault(kind, []).append(text)
    return World(
        first=_lines("first_names.txt"), last=_lines("last_names.txt"),
        kunyas=_lines("kunyas.txt"), nisbas=_lines("nisbas.txt"), ranks=_lines("ranks.txt"),
        roles=roles,
        orgs=[Org(n, k, s or n) for n, k, s in (r + [""] * (3 - len(r)) for r in
                                                 _rows("organizations.tsv"))],
        places=[Place(*r) for r in _rows("places.tsv")],
        anonymous=_lines("anonymous.txt"),
        ops=[(t, k) for t, k in _rows("ops.tsv")],
        templates=templates)


def official_name(rng: random.Random, w: World) -> str:
    return f"{rng.choice(w.first)} {rng.choice(w.last)}"


def militant_name(rng: random.Random, w: World) -> str:
    return f"Abu {rng.choice(w.kunyas)} al-{rng.choice(w.nisbas)}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _date_text(d: dt.date) -> str:
    return f"{_MONTH_ABBR[d.month - 1]} {d.day}"


def story(rng: random.Random, w: World, published: dt.date) -> dict[str, str]:
    """The slot values of one article: who did what to whom, where and when."""
    actor = rng.choice(w.orgs_of("official"))
    spokes_org = rng.choice(w.orgs_of("official"))
    off_org = rng.choice(w.orgs_of("official"))
    group = rng.choice(w.orgs_of("militant"))
    monitors = rng.sample(w.orgs_of("monitor"), 2)
    outlet = rng.choice(w.orgs_of("outlet"))
    place, place2 = rng.sample(w.places, 2)
    countries = sorted({p.country for p in w.places} - {place.country})
    op, _kind = rng.choice(w.ops)
    forces = rng.choice(_FORCES["official"])
    event = published - dt.timedelta(days=rng.randint(1, 3))
    past_year = rng.randint(max(2005, published.year - 8), published.year - 1)
    spokes_last = rng.choice(w.last)
    off_last = rng.choice(w.last)
    target_last = rng.choice(w.nisbas)
    anon = rng.choice(w.anonymous)
    values = {
        "actor_org": actor.name, "forces": forces, "group": group.name,
        "group_short": group.short, "place": place.name, "place2": place2.name,
        "province": place.province, "country": place.country,
        "country2": rng.choice(countries), "weekday": event.strftime("%A"),
        "date": _date_text(event), "month": rng.choice(_MONTHS), "year": str(past_year),
        "n": str(rng.randint(2, 30)), "n2": str(rng.randint(5, 95)),
        "nbig": str(rng.randint(20, 150)), "nword": rng.choice(_NUMBER_WORDS),
        "spokes": f"{rng.choice(w.ranks)} {rng.choice(w.first)} {spokes_last}",
        "spokes_last": spokes_last, "spokes_role": rng.choice(w.roles["official"][:3]),
        "spokes_org": spokes_org.name, "spokes_org_short": spokes_org.short,
        "off": f"{rng.choice(w.ranks)} {rng.choice(w.first)} {off_last}",
        "off_last": off_last, "off_role": rng.choice(w.roles["official"]),
        "off_org": off_org.name,
        "target": f"Abu {rng.choice(w.kunyas)} al-{target_last}", "target_last": target_last,
        "target_role": rng.choice(w.roles["militant"]),
        "target2": militant_name(rng, w), "leader": militant_name(rng, w),
        "outlet": outlet.name, "monitor": monitors[0].name, "monitor2": monitors[1].name,
        "anon": anon, "anon2": rng.choice(w.anonymous), "op": op,
        "amaq": rng.choice(_AMAQ),
    }
    for key in ("forces", "op", "actor_org", "spokes_org_short", "anon", "monitor",
                "off_org", "nword"):
        values[_cap_key(key)] = _cap(values[key])
    values["actor_org_cap"] = _cap(actor.name)
    values["anon_cap"] = _cap(anon)
    values["monitor_cap"] = _cap(monitors[0].name)
    values["spokes_org_short_cap"] = _cap(spokes_org.short)
    values["off_org_cap"] = _cap(off_org.name)
    return values


def _cap_key(key: str) -> str:
    return key[:1].upper() + key[1:]


def fill(template: str, values: dict[str, str]) -> str:
    return _SLOT.sub(lambda m: values[m.group(1)], template)


def _published(rng: random.Random) -> dt.date:
    start = dt.date(2014, 6, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, dt.date(2024, 12, 31).toordinal()))


def make_article(rng: random.Random, w: World, index: int, words: int = 500,
                 ) -> dict[str, str]:
    """One synthetic article of about ``words`` words (±10 %)."""
    published = _published(rng)
    values = story(rng, w, published)
    sentences = [fill(rng.choice(w.templates["lead"]), values)]
    pool: list[str] = []
    for kind, count in _PLAN.items():
        pool += rng.sample(w.templates[kind], min(count, len(w.templates[kind])))
    rng.shuffle(pool)
    target = int(words * rng.uniform(0.9, 1.1))
    n_words = len(sentences[0].split())
    for template in pool:
        if n_words >= target:
            break
        s = fill(template, values)
        sentences.append(s)
        n_words += len(s.split())
    paragraphs, i = [], 0
    while i < len(sentences):
        k = rng.randint(1, 3)
        paragraphs.append(" ".join(sentences[i:i + k]))
        i += k
    body = "\n\n".join(paragraphs)
    roll = rng.random()
    if roll < 0.25:
        body = (f"SOUTHWEST ASIA, {_date_text(published)}, {published.year} \u2014 " + body)
    elif roll < 0.4:
        body = f"date {published.isoformat()} \u2013 " + body
    art_id = f"synth-{index:07d}-" + "".join(rng.choice(string.ascii_lowercase + string.digits)
                                             for _ in range(6))
    article = {"id": art_id, "title": fill(rng.choice(w.templates["title"]), values),
               "source": f"https://news.example.org/{art_id}", "text": body}
    if rng.random() < 0.85:
        article["published"] = published.isoformat()
    return article


def generate(n: int, seed: int = 20170108, words: int = 500) -> Iterator[dict[str, str]]:
    """``n`` articles; the same ``seed`` gives the same articles."""
    w = load_world()
    rng = random.Random(seed)
    for i in range(n):
        yield make_article(rng, w, i, words)


def write_jsonl(path: Path, n: int, seed: int = 20170108, words: int = 500) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for art in generate(n, seed, words):
            f.write(json.dumps(art, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def write_markdown(directory: Path, n: int, seed: int = 20170108, words: int = 500) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for art in generate(n, seed, words):
        front = {k: art[k] for k in ("title", "published", "source") if k in art}
        head = "".join(f"{k}: {json.dumps(v)}\n" for k, v in front.items())
        (directory / f"{art['id']}.md").write_text(f"---\n{head}---\n{art['text']}\n",
                                                   encoding="utf-8")
    return directory


def corpus(n: int, out_dir: Path, seed: int = 20170108) -> Path:
    """The JSON Lines corpus of ``n`` articles under ``out_dir``, generated once and reused."""
    path = out_dir / f"corpus-{n}-{seed}.jsonl"
    if not path.exists():
        write_jsonl(path, n, seed)
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--words", type=int, default=500, help="words per article (about)")
    p.add_argument("--seed", type=int, default=20170108)
    p.add_argument("--format", choices=("jsonl", "md"), default="jsonl")
    p.add_argument("--out", type=Path, required=True, help="a .jsonl file or (md) a directory")
    args = p.parse_args(argv)
    if args.format == "jsonl":
        write_jsonl(args.out, args.articles, args.seed, args.words)
    else:
        write_markdown(args.out, args.articles, args.seed, args.words)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
