"""Stage 3a: who and where an article names — entity mentions and coreference within it.

From a spaCy ``Doc`` (with the gazetteer's entity ruler) this builds the article's entities
with canonical labels (gazetteer aliases; titles and possessives stripped), repairs the names
the small model splits ("Rakkan" + "Wahid al-Shammri"), resolves short names to the full
mention ("Dorrian" -> "John Dorrian", "Adnani" -> "Abu Muhammad al-Adnani"), and answers
coreference questions the extractors ask: who "he" is, who "the official" is, who the speaker
of a briefing turn is.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .facts import DIRECTION_WORDS, US_NAMES, Entity, EntityKey, Evidence, is_broad_place
from .gazetteer import NOT_IN_GAZETTEER, load_gazetteer, load_table, phrase_tokens, role_words

__all__ = ["Mention", "MentionIndex", "country_of_adjective", "people_adjectives"]

_NER_KIND = {"PERSON": "Person", "ORG": "Organization", "GPE": "Place", "LOC": "Place",
             "FAC": "Place"}
#: A photo caption or credit line ("Representation Image US Military Soldiers Black Hawk
#: Helicopter Military_Material/ Pixabay", "File Photo: ..."): a line without closing
#: punctuation that names an image or a picture agency. Its names are no article's mentions.
_CAPTION = re.compile(r"^(?!.*[.!?\"\u201d\u2019]\s*$).*\b(?:Image|Images|Photo|Photograph|"
                      r"Pixabay|Shutterstock|Unsplash|iStock)\b.*$", re.M)
#: Weapon and device acronyms the model tags as organizations ("The attack included VBIED").
_DEVICE_ACRONYMS = frozenset({"ied", "ieds", "vbied", "vbieds", "svbied", "svbieds",
                              "manpads", "atgm", "atgms", "uav", "uavs"})
#: How many sentences back (the mention's own included) a person is looked for.
PERSON_WINDOW = 3
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_SPEAKER = re.compile(r"^\s*(?P<name>[A-Z][A-Z .'\u2019-]{1,60}?)\s*:\s", re.M)
_HONORIFIC = re.compile(
    r"^(?:MR|MRS|MS|DR|SECRETARY OF DEFENSE|SECRETARY|GENERAL|GEN|ADMIRAL|ADM|COLONEL|COL|"
    r"CAPTAIN|CAPT|MAJOR|PRESIDENT|CHAIRMAN|AMBASSADOR|SENATOR|PRESS SECRETARY)\.?\s+")


_PLACE_NOUNS = {"town", "village", "city", "province", "district", "governorate", "area",
                "region", "countryside", "outskirts", "suburb", "neighborhood", "vicinity"}
_INSTITUTIONS = {"military", "army", "ministry", "government", "police", "authorities",
                 "command", "agency", "forces"}
#: Heads that name an institution only when capitalized, as part of a name after the state's
#: adjective: "the Turkish General Staff", "the Iraqi Counter Terrorism Service".
_NAMED_INSTITUTIONS = {"staff", "service", "guard", "corps", "directorate", "council",
                       "committee", "brigade", "division", "navy"}
#: The bodies of a state named without the state ("Defense Ministry", "the army"): the state
#: must qualify the name, or every country's ministry would be one entity across articles.
_NATIONAL_BODY = re.compile(
    r"(?i)^(?:(?:national|federal)\s+)?(?:(?:defen[cs]e|interior|foreign|home|security|war|"
    r"health|information|justice|finance|education)\s+"
    r"ministry|ministry\s+of\s+(?:the\s+)?(?:defen[cs]e|interior|foreign\s+affairs|"
    r"home\s+affairs|security)|army|navy|air\s+force|armed\s+forces|security\s+forces|"
    r"defen[cs]e\s+forces|military|police|coast\s+guard|government|intelligence\s+service)$")
#: Words of organizations' names, never of a person's ("Islamic State West Africa Province").
#: prepositions that put an operation at a place ("an airstrike in Khan Younis")
_PLACE_PREPS = frozenset({"in", "near", "outside", "around"})
_ORG_NAME_WORDS = frozenset({
    "forces", "force", "army", "group", "front", "brigade", "brigades", "state", "council",
    "party", "movement", "ministry", "command", "organization", "committee", "network",
    "battalion", "division", "corps", "militia", "agency", "office", "government",
    "coalition", "alliance", "union", "league", "province", "republic", "city", "county",
    "district", "region", "mission", "news", "times", "post", "observatory", "institute",
    "foundation", "center", "centre"})
#: Verbs of leading an organization, which only a person does: "X, who headed ...".
_LEADING_VERBS = frozenset({"lead", "head", "found", "co-found", "command"})
#: Words between "NAME," and the role that names it ("the leader", "its senior commander").
_APPOSITION_DETS = frozenset({"the", "a", "an", "its", "his", "their", "her", "senior",
                              "top", "chief", "deputy", "former", "acting", "self"})
#: The armed services whose name stands before a rank ("Navy Capt. Jeff Davis").
SERVICES = frozenset({"army", "navy", "air force", "marine corps", "marine", "marines",
                      "coast guard", "space force"})
ORG_ANAPHORA = {"monitor", "observatory", "group", "organization", "agency", "outlet",
                 "network", "ministry", "militia", "coalition", "command", "alliance"}
#: What an organization anaphor's noun calls the organizations it can refer back to: words
#: of their entity type or label ("the group" -> an armed or monitoring group, "the
#: ministry" -> a ministry, "the command" -> a military command).
#: Anaphors that may refer back to any organization when none of their kind was named
#: ("ISWAP ... the group said"); the others ("the ministry", "the agency") name a kind.
_GENERIC_ANAPHORA = frozenset({"group", "organization", "network", "militia"})
_ANAPHOR_KINDS = {"militia": ("group", "militia"), "monitor": ("monitor", "observatory"),
                  "observatory": ("monitor", "observatory"), "outlet": ("media", "outlet"),
                  "alliance": ("alliance", "coalition")}


@dataclass
class Mention:
    start: int           # token index in the Doc
    end: int
    key: EntityKey
    text: str


@functools.cache
def _titles_by_first_word() -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for r in load_table("roles.tsv"):
        words = phrase_tokens(r[0])
        out.setdefault(words[0], []).append(words)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


@functools.cache
def _operation_words() -> frozenset[str]:
    """The one-word operation nouns of ``resources/triggers.tsv`` ("strike", "raid")."""
    return frozenset(r[0] for r in load_table("triggers.tsv")
                     if len(r) > 2 and r[2] == "NOUN" and " " not in r[0])


@functools.cache
def _multiword_roles() -> frozenset[str]:
    """Roles of ``resources/roles.tsv`` with "of" in them ("secretary of defense")."""
    return frozenset(r[0] for r in load_table("roles.tsv") if " of " in r[0])


@functools.cache
def _role_heads() -> frozenset[str]:
    """The last word of each role phrase ("spokesman", "minister"), "member" left out."""
    return frozenset(phrase_tokens(r[0])[-1] for r in load_table("roles.tsv")) - {"member"}


def _ranks() -> set[str]:
    return {r[0].lower() for r in load_table("ranks.tsv")}


def _names_a_place_noun(ent: Span) -> bool:
    """Is the entity (or a name it is listed with) a modifier of a place noun: "Salahuddin"
    in "Diyala, Salahuddin and Kirkuk provinces", which the model took for a person?"""
    tok = ent.root
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    return tok.dep_ in ("nmod", "compound") and tok.head.i > tok.i and \
        tok.head.lemma_.lower() in _PLACE_NOUNS


def _joined_persons(doc: "TokenCache") -> list[Span]:
    """The Doc's entities, with two PERSON entities that touch (no token between them, in
    one sentence) made one: the model splits long names ("Hassan Sheikh" + "Mohamud")."""
    out: list[Span] = []
    for ent in doc.ents:
        prev = out[-1] if out else None
        if prev is not None and prev.label_ == ent.label_ == "PERSON" and \
                prev.end == ent.start and not doc[ent.start].is_sent_start:
            out[-1] = Span(doc.doc, prev.start, ent.end, label=prev.label_)
        else:
            out.append(ent)
    return out


_LED_COALITION = re.compile(r"(\w[\w.]*)\s?[-\u2010]\s?led(?: \w+)? coalition", re.IGNORECASE)


def _other_coalition(ents: list[Span]) -> str | None:
    """The name of the one coalition "led" by another than the U.S. that the article names
    ("the Saudi-led coalition"), when it names no other: its bare "the coalition" is that
    one, not the U.S.-led coalition a bare "coalition" means in Defense Department releases."""
    led, named_us = set(), False
    for e in ents:
        name = _strip_name(e.text)
        m = _LED_COALITION.fullmatch(name) if e.label_ == "ORG" else None
        if m and m.group(1) not in US_NAMES:
            led.add(name)
        elif e.ent_id_ and name.lower() != "coalition" and "coalition" in name.lower():
            named_us = True
    return next(iter(led)) if len(led) == 1 and not named_us else None


@functools.cache
def _demonym_of() -> dict[str, str]:
    """Country -> its nationality adjective, the first one resources/demonyms.tsv lists."""
    out: dict[str, str] = {}
    for adjective, country, *_ in load_table("demonyms.tsv"):
        out.setdefault(country, adjective)
    return out


@functools.cache
def people_adjectives() -> frozenset[str]:
    """The adjectives of resources/demonyms.tsv that also name a people across several
    states ("Kurdish"): only a minister's or president's post makes them a government's."""
    return frozenset(row[0] for row in load_table("demonyms.tsv") if row[2:3] == ("people",))


@functools.cache
def country_of_adjective() -> dict[str, str]:
    """Nationality adjective -> its country (resources/demonyms.tsv)."""
    return {adjective: country for adjective, country, *_ in load_table("demonyms.tsv")}


def _state_body(country: str, body: str) -> str | None:
    """'Yemen', 'Defense Ministry' -> 'Yemeni Defense Ministry'; None when ``body`` is no
    state body or the country has no adjective."""
    adjective = _demonym_of().get(country)
    return f"{adjective} {body}" if adjective and _NATIONAL_BODY.match(body) else None


def _strip_name(text: str) -> str:
    text = _LEADING.sub("", text.strip(" \t\n\"'“”‘’()[],.;:"))
    return _POSSESSIVE.sub("", text).strip()


def _surname(label: str) -> str:
    """The last name part without Arabic article: 'Abu Muhammad al-Adnani' -> 'adnani'."""
    last = re.split(r"\s+", label.strip())[-1].lower()
    return re.sub(r"^(?:al|el|ad|ar|as|an|at|az)[-\u2010]", "", last)


class TokenCache:
    """A Doc whose tokens are made once. ``doc[i]`` on a spaCy Doc builds a new Token object on
    every call, and the extractors index and iterate each sentence many times (about two thirds
    of their time went to that); slices and every other attribute are the Doc's own."""

    __slots__ = ("doc", "tokens", "text", "_sents", "_sent_of")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.tokens: list[Token] = list(doc)
        self.text: str = self.doc.text   # Doc.text joins every token on each access
        self._sents: list[Span] | None = None
        self._sent_of: list[int] = []

    @property
    def sents(self) -> list[Span]:
        """The Doc's sentences, made once."""
        if self._sents is None:
            self._sents = list(self.doc.sents)
            self._sent_of = [k for k, s in enumerate(self._sents) for _ in range(len(s))]
        return self._sents

    def sent_of(self, i: int) -> Span:
        """``doc[i].sent`` (the sentence of token ``i``) without walking to its boundaries."""
        sents = self.sents
        return sents[self._sent_of[i]]

    def text_of(self, span: Span) -> str:
        """``span.text``, sliced from the text instead of joined from the tokens."""
        return self.text[span.start_char:span.end_char]

    def __getitem__(self, i):
        if type(i) is int:
            return self.tokens[i]
        return self.doc[i]

    def __len__(self) -> int:
        return len(self.tokens)

    def __iter__(self):
        return iter(self.tokens)

    def span(self, span: Span) -> list[Token]:
        """The tokens of ``span`` (a sentence), from the cache."""
        return self.tokens[span.start:span.end]

    def __getattr__(self, name: str):
        return getattr(self.doc, name)


class MentionIndex:
    """Entity mentions of one article and the coreference questions asked of them."""

    def __init__(self, doc: Doc, *, offset: int = 0) -> None:
        self.doc = doc if isinstance(doc, TokenCache) else TokenCache(doc)
        self.offset = offset
        self.gz = load_gazetteer()
        self.entities: dict[EntityKey, Entity] = {}
        self.by_token: dict[int, Mention] = {}
        self.mentions: list[Mention] = []
        self._anon: list[tuple[int, EntityKey, bool]] = []  # (token, key, plural)
        self._person_cache: tuple[int, list[Mention], list[int]] | None = None
        self._antecedents: tuple[int, dict[int, EntityKey]] | None = None
        self._seen_evidence: set[tuple[EntityKey, int]] = set()
        self._folded: dict[EntityKey, EntityKey] = {}  # short name -> the full one
        self._org_label: dict[str, str] = {}  # lower-cased -> first spelling of an org
        self._ranks = _ranks()
        self.lower = [t.lower_ for t in doc]
        self._role_words = role_words() - {"of"}
        self._role_heads = _role_heads()
        self._rank_stems = {r.rstrip(".") for r in self._ranks}
        self._titles = self._rank_stems | self._role_words  # words no name starts with
        self._captions = self._caption_lines()
        self._build()

    # ------------------------------------------------------------------ building
    def evidence(self, sent: Span) -> Evidence:
        text = self.doc.text_of(sent)
        lead = len(text) - len(text.lstrip())
        stripped = text.strip()
        start = self.offset + sent.start_char + lead
        return Evidence(stripped, start, start + len(stripped))

    def _register(self, start: int, end: int, kind: str, label: str, surface: str,
                  qid: str | None = None, etype: str | None = None) -> Mention | None:
        label = label.strip()
        if not label or len(label) > 120 or not any(ch.isalpha() for ch in label):
            return None
        if self._captions and any(a <= self.doc[start].idx < b for a, b in self._captions):
            return None  # a photo caption or credit, not the article's text
        if kind == "Organization":
            # "the Nigerian Army ... the Nigerian army said": one body, its first spelling
            label = self._org_label.setdefault(label.lower(), label)
        key: EntityKey = (kind, label)
        ent = self.entities.get(key)
        if ent is None:
            ent = self.entities[key] = Entity(kind=kind, label=label, qid=qid,
                                              entity_type=etype)
        if surface and surface != label:
            ent.alt_labels.add(surface)
        sent = self.doc.sent_of(start)
        if (key, sent.start) not in self._seen_evidence:
            self._seen_evidence.add((key, sent.start))
            ent.evidence.append(self.evidence(sent))
        m = Mention(start, end, key, surface or label)
        self.mentions.append(m)
        for i in range(start, end):
            self.by_token[i] = m
        return m

    def _person_span(self, span: Span) -> tuple[int, int]:
        """Extend a PERSON span over a name part the model left outside it ('Rakkan')."""
        start, end = span.start, span.end
        while start > 0:
            prev = self.doc[start - 1]
            if (prev.pos_ == "PROPN" and prev.text[:1].isupper() and prev.ent_type_ in ("", "NORP")
                    and prev.text.lower().rstrip(".") not in self._ranks
                    and prev.lower_ not in self._role_words  # "Forces Minister Florence Parly"
                    and self.gz.lookup(prev.text) is None and prev.sent == span.sent
                    and not prev.is_sent_start):
                start -= 1
            else:
                break
        # Drop leading ranks and titles inside the span ("Col. John Dorrian" -> "John
        # Dorrian", "Press Secretary Peter Cook" -> "Peter Cook").
        while start < end - 1 and self.doc[start].text.lower().rstrip(".") in self._titles:
            start += 1
            if start < end and self.doc[start].text == ".":
                start += 1
        return start, end

    def _named_beside_a_role(self, ent: Span) -> bool:
        """A name in apposition to a role is a person's, whatever the model tagged it:
        "Abdelmalek Droukdel, the leader of ...", "one of its commanders, Bassem Issa," (two
        to four capitalized words with no word of an organization's name)."""
        doc, lower = self.doc, self.lower
        if not 2 <= len(ent) <= 4 or not all(t.text[:1].isupper() for t in ent if t.is_alpha) \
                or any(lower[i] in _ORG_NAME_WORDS for i in range(ent.start, ent.end)):
            return False
        heads = self._role_heads
        j = ent.end
        if j + 1 < len(doc) and doc[j].text == ",":
            k = j + 1
            while k < min(len(doc), j + 5) and (lower[k] in _APPOSITION_DETS or
                                                doc[k].pos_ == "ADJ"):
                k += 1
            if k < len(doc) and lower[k] in heads and doc[k].pos_ == "NOUN":
                return True
            if k == j + 1 and lower[k] == "who" and k + 1 < len(doc) and \
                    doc[k + 1].lemma_.lower() in _LEADING_VERBS and doc[k + 1].pos_ == "VERB":
                return True  # "Abdelmalek Droukdel, who headed al-Qaeda in the Islamic Maghreb"
        i = ent.start - 1
        return i >= 1 and doc[i].text == "," and doc[i - 1].pos_ == "NOUN" and \
            doc[i - 1].lemma_.lower() in heads

    def _definite_org(self, ent: Span) -> bool:
        """A name right after "the" is not a person's when it is one word ("the Observatory",
        "the Taliban") or holds a word of an organization's name."""
        if ent.start == 0 or self.lower[ent.start - 1] != "the" or len(ent) > 4:
            return False
        return len(ent) == 1 or any(self.lower[i] in _ORG_NAME_WORDS
                                    for i in range(ent.start, ent.end))

    def _not_a_name(self, ent: Span) -> bool:
        """Spans the model tags that name nobody: a lone operation word ("Strikes", heading
        "Strikes in Syria"), a device acronym ("VBIED"), and the name of an operation
        ("launches operation Fajr al-Joroud": no person, no organization)."""
        lower, start = self.lower, ent.start
        word = lower[start]
        if ent.end - start == 1 and (word in _DEVICE_ACRONYMS or {word, ent[0].lemma_.lower(),
                                                                   word.removesuffix("s")}
                                     & _operation_words()):
            return True  # the lemma of a capitalized "Strikes" can be "Strikes"
        before = lower[start - 1] if start > 0 else ""
        if before == "operation" and ent.label_ in ("PERSON", "ORG"):
            return True
        if before == "of":  # "Secretary of Defense Ash Carter": "Defense" is the title's
            for k in range(max(0, start - 3), start - 1):
                if " ".join(lower[k:ent.end]) in _multiword_roles():
                    return True
        return False

    def _caption_lines(self) -> list[tuple[int, int]]:
        """(start, end) characters of the caption lines (:data:`_CAPTION`) of the text."""
        return [(m.start(), m.end()) for m in _CAPTION.finditer(self.doc.text)]

    def _build(self) -> None:
        doc = self.doc
        ents = _joined_persons(doc)
        other_coalition = _other_coalition(ents)
        for ent in ents:
            if ent.start >= 2 and doc[ent.start - 1].text in ("-", "\u2010") and \
                    doc[ent.start - 2].lower_ in ("anti", "counter", "pro", "non"):
                continue  # "anti-ISIS", "counter-ISIL": a modifier, not a mention of the group
            entry = None
            if ent.ent_id_:
                entry = self.gz.by_label(ent.ent_id_)
            surface = _strip_name(ent.text)
            if entry is None and ent.ent_id_ != NOT_IN_GAZETTEER:
                entry = self.gz.lookup(surface)
            if other_coalition is not None and surface.lower() == "coalition":
                entry = self.gz.lookup(other_coalition)
                if entry is None:  # "the Russian-led coalition ... the coalition said"
                    self._register(ent.start, ent.end, "Organization", other_coalition,
                                   surface, None, "military coalition")
                    continue
            if entry is not None:
                start, end = ent.start, ent.end
                label, kind = entry.label, entry.kind
                if kind == "Place":
                    start, label, surface = self._directional(ent, label, surface)
                    if label != entry.label:
                        self._register(start, end, "Place", label, surface, None, "region")
                        continue
                self._register(start, end, kind, label, surface, entry.qid, entry.entity_type)
                continue
            kind = _NER_KIND.get(ent.label_)
            if kind is None or not surface or not surface[0].isupper():
                continue
            if self._not_a_name(ent):
                continue
            if all(w.rstrip(".") in self._rank_stems for w in surface.lower().split()) or (
                    kind == "Person" and surface.lower() in SERVICES):
                continue  # "Brig." taken for a place, "Navy" for a person: no names
            if kind in ("Person", "Organization") and len(ent) > 1 and \
                    self.lower[ent.start] in _PLACE_PREPS:
                # "Near Ras Baalbek, three strikes ...": the model took the preposition of a
                # list item into the name; what follows it is the place
                ent = doc[ent.start + 1:ent.end]
                surface = _strip_name(ent.text)
                known = self.gz.lookup(surface)
                if known is not None:
                    if known.kind == "Place":
                        self._register(ent.start, ent.end, "Place", known.label, surface,
                                       known.qid, known.entity_type)
                    continue
                kind = "Place"
            if kind == "Person" and _names_a_place_noun(ent):
                kind = "Place"  # "across Diyala, Salahuddin and Kirkuk provinces"
            elif kind == "Person" and self._definite_org(ent):
                kind = "Organization"  # "the Observatory said", tagged PERSON
            elif kind != "Person" and ent.start > 0 and 2 <= len(ent) <= 4 and \
                    doc[ent.start - 1].text.endswith(".") and \
                    self.lower[ent.start - 1].rstrip(".") in self._rank_stems and \
                    all(t.text[:1].isupper() for t in ent):
                kind = "Person"  # "Col. Aminu Iliyasu", whom the model took for an org
            elif kind != "Person" and self._named_beside_a_role(ent):
                kind = "Person"  # "Abdelmalek Droukdel, the leader of ...", tagged ORG
            if kind == "Person":
                start, end = self._person_span(ent)
                surface = _strip_name(doc[start:end].text)
                if surface.isupper() and len(surface) > 3:
                    surface = surface.title()  # "PETER COOK:" in a transcript
                if not re.search(r"[A-Za-z]{2}", surface) or \
                        surface.lower().rstrip(".") in self._titles:
                    continue  # a rank or title alone ("Brig.") is nobody's name
                self._register(start, end, "Person", surface, surface)
            elif kind == "Place":
                start, label, surface = self._directional(ent, surface, surface)
                self._register(start, ent.end, "Place", label, surface, None,
                               "region" if start != ent.start else None)
            else:
                label = self._national(ent.start, surface)
                known = self.gz.lookup(label, kind) if label != surface else None
                # a name the article wrote stays an alias; a bare "Defense Ministry" does not
                # (it would tie every state's ministry together again)
                self._register(ent.start, ent.end, kind, known.label if known else label,
                               surface if _NATIONAL_BODY.match(surface) is None else label,
                               known.qid if known else None,
                               known.entity_type if known else None)
        self._titled_names()
        self._institutions()
        self._pattern_places()
        self._places_of_operations()
        self._places_between()
        self._resolve_short_names()
        self._speakers = self._find_speakers()

    def _national(self, start: int, name: str) -> str:
        """The label of an organization the model named ``name`` at token ``start``. A
        state's body is qualified by its state: "Yemen's Defense Ministry" and "Defense
        Ministry of Yemen" are the "Yemeni Defense Ministry"; a bare "the Defense Ministry" is
        the one of a state named before it, else of the article's only state. Other names
        stand."""
        m = re.match(r"^(.+?)\s+of\s+(?:the\s+)?(.+)$", name)
        if m and (label := _state_body(m[2], m[1])):
            return label
        if not _NATIONAL_BODY.match(name):
            return name
        if start >= 2 and self.doc[start - 1].text in ("'s", "’s"):
            owner = self.by_token.get(start - 2)
            if owner is not None and owner.key[0] == "Place" and \
                    (label := _state_body(owner.key[1], name)):
                return label
        named = self._body_named_before(start, name)
        if named is not None:
            return named
        # the one state of its own sentence ("Algerian troops kill seven militants ..., the
        # Defense Ministry says"), else of the article
        sent = self.doc.sent_of(start)
        state = self._states_in(sent.start, sent.end) or self._sole_state
        return (_state_body(state, name) or name) if state else name

    def _states_in(self, start: int, end: int) -> str | None:
        """The one state tokens [start, end) name by its adjective, or None."""
        country_of = country_of_adjective()
        states = {country_of[t.text] for t in self.doc[start:end] if t.text in country_of
                  and t.ent_type_ != "ORG"}  # not "Syrian" of "Syrian Democratic Forces"
        return next(iter(states)) if len(states) == 1 else None

    def national_body(self, i: int, end: int | None = None) -> EntityKey | None:
        """The organization a bare state's body at tokens [i, end) ("the army spokesman",
        "a health ministry spokesman"; one token by default) is, as :meth:`_national`
        resolves it, registered as a mention there; None when no state can be told."""
        end = i + 1 if end is None else end
        if any(k in self.by_token for k in range(i, end)):
            return None
        name = self.doc[i:end].text
        label = self._national(i, name)
        if label.lower() == name.lower():
            return None
        known = self.gz.lookup(label, "Organization")
        m = self._register(i, end, "Organization", known.label if known else label, label,
                           known.qid if known else None, known.entity_type if known else None)
        return m.key if m is not None else None

    def _body_named_before(self, start: int, name: str) -> str | None:
        """The organization named before token ``start`` as a state's ``name``: "the
        Pakistani Army" for a later "the army"."""
        adjectives = country_of_adjective()
        for prev in reversed(self.mentions):
            label = prev.key[1]
            if prev.key[0] == "Organization" and prev.start < start and \
                    label.lower().endswith(" " + name.lower()) and \
                    label[:-len(name) - 1] in adjectives:
                return label
        return None

    @functools.cached_property
    def _sole_state(self) -> str | None:
        """The one state the article names by its adjective or as an owner ("Iraqi
        soldiers", "Iraq's Joint Operations Command"), or None when it names several or
        none: then a bare "the Defense Ministry" may be any of them."""
        country_of, countries = country_of_adjective(), _demonym_of()
        ends = {e.end: e for e in self.doc.ents}
        states = set()
        for tok in self.doc:
            if tok.text in country_of:
                states.add(country_of[tok.text])
            elif tok.text in ("'s", "’s") and tok.i in ends:
                entry = self.gz.lookup(_strip_name(ends[tok.i].text), "Place")
                if entry is not None and entry.label in countries:
                    states.add(entry.label)
        return next(iter(states)) if len(states) == 1 else None

    def _pattern_places(self) -> None:
        """'near the town of Atmeh', 'in the village of Muluk Saray', 'near Sirmata', 'in El
        Adde, Somalia': names the model misses (or calls a person or an organization) are
        places in these frames."""
        doc = self.doc
        for tok in doc:
            frame_of = tok.lower_ in _PLACE_NOUNS and tok.i + 1 < len(doc) and \
                doc[tok.i + 1].lower_ == "of"
            frame_near = tok.lower_ in ("near", "outside", "around") and tok.dep_ == "prep"
            frame_in = tok.lower_ in ("in", "at") and tok.dep_ == "prep"
            if not (frame_of or frame_near or frame_in):
                continue
            j = tok.i + (2 if frame_of else 1)
            k = j

            def name_part(i: int, j: int = j) -> bool:
                t = doc[i]
                if t.text[:1].isupper() and t.pos_ == "PROPN":
                    return True
                nxt_upper = i + 1 < len(doc) and doc[i + 1].text[:1].isupper()
                if t.text in ("-", "\u2010") and i > j and nxt_upper:
                    return True  # "al-Zour"
                return t.lower_ in ("al", "el") and i + 1 < len(doc) and \
                    doc[i + 1].text in ("-", "\u2010")

            while k < len(doc) and k - j < 6 and name_part(k):
                k += 1
            if k == j or (doc[k - 1].text in ("-", "\u2010")):
                continue
            if frame_in and not self._country_follows(k):
                continue  # only "in <name>, <country>" says that the name is a place
            existing = list({id(self.by_token[i]): self.by_token[i]
                             for i in range(j, k) if i in self.by_token}.values())
            if existing and any(m.key[0] == "Place" for m in existing):
                continue
            # "near Kumshe" read as a person: a one-word person named nowhere else in the
            # article, not an owner ("near Baghdadi's hideout"), is the village
            lone_word = frame_near and len(existing) == 1 and existing[0].key[0] == "Person" \
                and existing[0].end - existing[0].start == 1 == k - j \
                and not (k < len(doc) and doc[k].text in ("'s", "’s")) \
                and sum(m.key == existing[0].key for m in self.mentions) == 1
            # "near Sarmada in Idlib province" read as an organization: one word the
            # gazetteer does not know, never owning anything, is the village (and so is
            # every other mention of that word)
            lone_org = frame_near and len(existing) == 1 and k - j == 1 and \
                existing[0].key[0] == "Organization" and \
                self.gz.lookup(existing[0].text) is None and \
                not (k < len(doc) and doc[k].text in ("'s", "’s")) and \
                all(m.end - m.start == 1 for m in self.mentions if m.key == existing[0].key)
            if lone_org:
                existing = [m for m in self.mentions if m.key == existing[0].key]
            if existing and not lone_word and not lone_org and (frame_near or any(
                    self.gz.lookup(m.text) is not None for m in existing)):
                continue  # already named: the model's reading stands
            name = _strip_name(doc[j:k].text)
            entry = self.gz.lookup(name)
            if entry is not None and entry.kind != "Place":
                continue
            for m in existing:  # "the town of Sinjar" read as a person or an organization
                if m in self.mentions:
                    self.mentions.remove(m)
                for i in range(m.start, m.end):
                    self.by_token.pop(i, None)
                if not any(x.key == m.key for x in self.mentions):
                    self.entities.pop(m.key, None)  # nobody of that name is left
            label = entry.label if entry else name
            for a, b in sorted({(m.start, m.end) for m in existing} if lone_org else {(j, k)}):
                self._register(a, b, "Place", label, name, entry.qid if entry else None,
                               entry.entity_type if entry else None)

    def _places_of_operations(self) -> None:
        """'an Israeli airstrike in Khan Younis', tagged PERSON: a name the gazetteer does not
        know, after 'in'/'near' right under an operation word, is where the operation was,
        and so is each other mention of it, when every one of them follows such a
        preposition (no person is only ever 'in' or 'near')."""
        doc, words = self.doc, _operation_words()
        for tok in doc:
            if tok.lower_ not in _PLACE_PREPS or tok.dep_ != "prep" or \
                    tok.head.pos_ != "NOUN" or tok.head.lemma_.lower() not in words:
                continue
            obj = next((c for c in tok.children if c.dep_ == "pobj"), None)
            m = self.by_token.get(obj.i) if obj is not None else None
            if m is None or m.key[0] not in ("Person", "Organization") or \
                    self.gz.lookup(m.text) is not None or m.end - m.start > 3:
                continue
            same = [x for x in self.mentions if x.key == m.key]
            if any(x.start == 0 or self.lower[x.start - 1] not in _PLACE_PREPS
                   or (x.end < len(doc) and doc[x.end].text in ("'s", "’s")) for x in same):
                continue
            for x in same:
                self.mentions.remove(x)
                for i in range(x.start, x.end):
                    self.by_token.pop(i, None)
            self.entities.pop(m.key, None)
            for x in same:
                self._register(x.start, x.end, "Place", m.text, m.text)

    def _places_between(self) -> None:
        """'between Sarmada and Atmeh' with Sarmada a place: the other one-word name, which
        the model took for a person or an organization and the gazetteer does not know, is
        a place too (and so is every other mention of it)."""
        for tok in self.doc:
            if tok.lower_ != "between" or tok.dep_ != "prep":
                continue
            first = next((c for c in tok.children if c.dep_ == "pobj"), None)
            second = next((c for c in first.children if c.dep_ == "conj"), None) \
                if first is not None else None
            if second is None:
                continue
            a, b = self.by_token.get(first.i), self.by_token.get(second.i)
            if a is None or b is None:
                continue
            for place, other in ((a, b), (b, a)):
                if place.key[0] != "Place" or other.key[0] not in ("Person", "Organization") \
                        or self.gz.lookup(other.text) is not None:
                    continue
                same = [m for m in self.mentions if m.key == other.key]
                if any(m.end - m.start != 1 or (m.end < len(self.doc) and self.doc[m.end].text
                                                in ("'s", "’s")) for m in same):
                    continue
                for m in same:
                    self.mentions.remove(m)
                    for i in range(m.start, m.end):
                        self.by_token.pop(i, None)
                self.entities.pop(other.key, None)
                for m in same:
                    self._register(m.start, m.end, "Place", other.text, other.text)
                break

    def _country_follows(self, k: int) -> bool:
        """Whether token ``k`` is a comma before the name of a country, or of a part of one
        named by its direction: "El Adde, Somalia", "al-Amr, eastern Syria"."""
        if k + 1 >= len(self.doc) or self.doc[k].text != ",":
            return False
        m = self.by_token.get(k + 1)
        if m is None or m.start != k + 1 or m.key[0] != "Place":
            return False
        ent = self.entities.get(m.key)
        return self.is_country(m.key) or (ent is not None and ent.entity_type == "region"
                                          and m.key[1].split()[0].lower() in DIRECTION_WORDS)

    def _institutions(self) -> None:
        """'the Iraqi army', 'Syrian government forces': a nationality and an institution
        name an organization even when the model tags only the nationality."""
        doc = self.doc
        for tok in doc:
            if tok.i in self.by_token or tok.i == 0:
                continue
            named = tok.text[:1].isupper() and tok.pos_ in ("PROPN", "NOUN")
            if tok.lower_ not in _INSTITUTIONS and not (
                    named and tok.lower_ in _NAMED_INSTITUTIONS):
                continue
            start = tok.i
            # a capitalized name may run between the state and the head ("Turkish General
            # Staff"); a lower-case head takes the state's adjective and a ministry word only
            while start - 1 >= 0 and (doc[start - 1].ent_type_ in ("NORP", "GPE")
                                      or doc[start - 1].lower_ in ("defense", "interior",
                                                                   "foreign", "security")
                                      or (named and tok.i - start < 3
                                          and doc[start - 1].pos_ in ("PROPN", "NOUN", "ADJ")
                                          and doc[start - 1].ent_type_ == "")) \
                    and doc[start - 1].text[:1].isupper() and doc[start - 1].i not in self.by_token:
                start -= 1
            # the state's adjective or name must open the name
            if start == tok.i or doc[start].ent_type_ not in ("NORP", "GPE"):
                continue
            label = doc[start:tok.i + 1].text
            self._register(start, tok.i + 1, "Organization", label, label)

    def _titled_names(self) -> None:
        """'Secretary of Defense Ash Carter': two to four capitalized words right after a
        capitalized title are a person's name even when the model misses them."""
        doc = self.doc
        lower = self.lower
        ranks = {r.rstrip(".") for r in self._ranks}
        by_first = _titles_by_first_word()
        i = 0
        n_doc = len(doc)
        while i < n_doc:
            matched = None
            for words in by_first.get(lower[i], ()):
                n = len(words)
                if lower[i:i + n] == list(words) and doc[i].text[:1].isupper():
                    matched = i + n
                    break
            if matched is None:
                i += 1
                continue
            j = matched
            while j < n_doc and lower[j].rstrip(".") in ranks | {""}:
                j += 1
            k = j
            while k < n_doc and k - j < 4 and doc[k].pos_ == "PROPN" and \
                    doc[k].text[:1].isupper() and (k not in self.by_token or
                                                   self.by_token[k].key[0] == "Person"):
                k += 1
            if k - j >= 2 and not any(i2 in self.by_token for i2 in range(j, k)):
                name = doc[j:k].text
                if self.gz.lookup(name) is None:
                    self._register(j, k, "Person", name, name)
            i = max(k, i + 1)

    def _directional(self, ent: Span, label: str, surface: str) -> tuple[int, str, str]:
        """'northern Syria' is a place of its own (a region of Syria)."""
        if ent.start > 0:
            prev = self.doc[ent.start - 1]
            if prev.lower_ in DIRECTION_WORDS and prev.sent == ent.sent:
                word = prev.lower_
                return ent.start - 1, f"{word} {label}", f"{word} {surface}"
        return ent.start, label, surface

    def _resolve_short_names(self) -> None:
        """Fold short person names into the full name they abbreviate, and find surname-only
        mentions the model missed ('Adnani was hit...')."""
        persons = [k for k in self.entities if k[0] == "Person"]
        full_by_surname: dict[str, set[EntityKey]] = {}
        full_by_first: dict[str, set[EntityKey]] = {}
        for k in persons:
            if len(k[1].split()) >= 2:
                full_by_surname.setdefault(_surname(k[1]), set()).add(k)
                full_by_first.setdefault(k[1].split()[0].lower(), set()).add(k)
        remap: dict[EntityKey, EntityKey] = {}
        for k in persons:
            # a family name with its particle is short too: "al-Adnani", "Bin Laden"
            if len(k[1].split()) >= 2 and not re.match(
                    r"(?i)^(?:(?:al|el)[-\u2010]|(?:bin|ibn|bint)\s+\S+$)", k[1]):
                continue
            cands = full_by_surname.get(_surname(k[1]), set()) - {k}
            if not cands and len(k[1].split()) == 1:
                # "Hi, Peter." in a briefing with one Peter: the full name's first word
                cands = full_by_first.get(k[1].lower(), set()) - {k}
            if len(cands) == 1:
                remap[k] = next(iter(cands))
        remap.update(self._short_org_names())
        self._fold(remap)
        # One-word names the model took for an organization or a place ("Dillon said")
        for m in list(self.mentions):
            if m.key[0] in ("Organization", "Place") and m.end - m.start == 1 and \
                    self.gz.lookup(m.text) is None:
                cands = full_by_surname.get(_surname(m.text), set())
                if len(cands) == 1:
                    self.mentions.remove(m)
                    for i in range(m.start, m.end):
                        self.by_token.pop(i, None)
                    if not any(x.key == m.key for x in self.mentions):
                        self.entities.pop(m.key, None)
        # Surname-only tokens the NER left out.
        for tok in self.doc:
            if tok.i in self.by_token or not tok.text[:1].isupper() or len(tok.text) < 3:
                continue
            cands = full_by_surname.get(_surname(tok.text.rstrip("’'s")) if tok.text.endswith(
                ("’s", "'s")) else _surname(tok.text))
            if cands and len(cands) == 1 and tok.pos_ in ("PROPN", "NOUN", "ADJ", "VERB"):
                start = tok.i
                if (tok.i >= 2 and self.doc[tok.i - 1].text in ("-", "\u2010")
                        and self.doc[tok.i - 2].lower_ in ("al", "el")):
                    start = tok.i - 2
                if any(i in self.by_token for i in range(start, tok.i + 1)):
                    continue
                key = next(iter(cands))
                surface = self.doc[start:tok.i + 1].text
                self._register(start, tok.i + 1, "Person", key[1], surface)

    def _fold(self, remap: dict[EntityKey, EntityKey]) -> None:
        """Make each short name of ``remap`` an alias of its full name, mentions and all."""
        for short, full in remap.items():
            self._folded[short] = full
            ent = self.entities.pop(short)
            target = self.entities[full]
            target.alt_labels |= ent.alt_labels | {ent.label}
            target.evidence += [e for e in ent.evidence if e not in target.evidence]
        for m in self.mentions:
            if m.key in remap:
                m.key = remap[m.key]

    def _short_org_names(self) -> dict[EntityKey, EntityKey]:
        """One word of one organization's longer name, written alone, is that organization:
        "the Observatory" after "the Syrian Observatory for Human Rights". A word that two
        names share, or a name the gazetteer knows, stays as written."""
        orgs = [k for k in self.entities if k[0] == "Organization"]
        remap: dict[EntityKey, EntityKey] = {}
        for k in orgs:
            word = k[1].lower()
            # a state's bodies ("the army") and "the coalition" are resolved by their own rules
            if " " in word or word in _INSTITUTIONS or word == "coalition" or \
                    _NATIONAL_BODY.match(word) or self.gz.lookup(k[1]) is not None:
                continue
            cands = [o for o in orgs if o != k and " " in o[1] and
                     word in o[1].lower().split()]
            if len(cands) == 1:
                remap[k] = cands[0]
        return remap

    # ------------------------------------------------------------------ lookups
    def at(self, i: int) -> Mention | None:
        return self.by_token.get(i)

    def in_span(self, start: int, end: int, kind: str | None = None) -> list[Mention]:
        seen, out = set(), []
        for i in range(start, end):
            m = self.by_token.get(i)
            if m is not None and id(m) not in seen and (kind is None or m.key[0] == kind):
                seen.add(id(m))
                out.append(m)
        return out

    def last_person_before(self, i: int) -> EntityKey | None:
        """The person mentioned last before token ``i``, within :data:`PERSON_WINDOW`
        sentences. A "he"/"she" resolved before counts as a mention of its person, so a chain
        of pronouns ("Adnani ... He's been responsible ... He's been a chief spokesman")
        reaches back past the window, never past another person named in between."""
        if self.lower[i] in ("he", "she"):
            return self._pronoun_antecedents().get(i)
        return self._nearest_person(i, None)

    def last_person_spoken_of(self, i: int, speakers: set[EntityKey]) -> EntityKey | None:
        """The person mentioned last before token ``i`` (within :data:`PERSON_WINDOW`
        sentences) who is not one of ``speakers``: "This is someone who has been a senior
        leader", said of the person the speakers talk about."""
        persons, starts = self._person_index()
        floor = self._window_floor(i)
        for k in range(bisect.bisect_left(starts, i) - 1, -1, -1):
            if persons[k].start < floor:
                break
            if persons[k].key not in speakers:
                return persons[k].key
        return None

    def _window_floor(self, i: int) -> int:
        floor = self.doc.sent_of(i).start
        for _ in range(PERSON_WINDOW - 1):
            if floor == 0:
                break
            floor = self.doc.sent_of(floor - 1).start
        return floor

    def _nearest_person(self, i: int,
                        pronoun: tuple[int, EntityKey] | None) -> EntityKey | None:
        persons, starts = self._person_index()
        k = bisect.bisect_left(starts, i) - 1
        best = (persons[k].start, persons[k].key) if k >= 0 else None
        if pronoun is not None and (best is None or pronoun[0] > best[0]):
            best = pronoun
        if best is not None and best[0] >= self._window_floor(i):
            return best[1]
        return None

    def _pronoun_antecedents(self) -> dict[int, EntityKey]:
        """Every "he"/"she" of the article resolved in text order (see
        :meth:`last_person_before`); recomputed when mentions are added."""
        if self._antecedents is not None and self._antecedents[0] == len(self.mentions):
            return self._antecedents[1]
        out: dict[int, EntityKey] = {}
        last: tuple[int, EntityKey] | None = None
        for i, word in enumerate(self.lower):
            if word in ("he", "she"):
                key = self._nearest_person(i, last)
                if key is not None:
                    out[i] = key
                    last = (i, key)
        self._antecedents = (len(self.mentions), out)
        return out

    def _person_index(self) -> tuple[list[Mention], list[int]]:
        """The person mentions in text order, and their start tokens (for bisecting)."""
        if self._person_cache is None or self._person_cache[0] != len(self.mentions):
            persons = sorted((m for m in self.mentions if m.key[0] == "Person"),
                             key=lambda m: m.start)
            self._person_cache = (len(self.mentions), persons, [m.start for m in persons])
        return self._person_cache[1], self._person_cache[2]

    # ------------------------------------------------------------------ anonymous sources
    def anonymous_source(self, head: Token) -> EntityKey | None:
        """The source that the noun phrase headed by ``head`` names when it names no entity:
        'a U.S. official' is a new source; 'the official' is the last one like it."""
        heads = {r[0] for r in load_table("sources.tsv")}
        if head.lower_ not in heads:
            return None
        plural = head.tag_ in ("NNS", "NNPS") or head.lower_.endswith("s")
        dets = [c for c in head.children if c.dep_ == "det"]
        mods = [c for c in head.children if c.dep_ in ("compound", "amod", "nmod", "poss")
                and c.i < head.i]
        definite = any(d.lower_ in ("the", "that", "this", "these", "those") for d in dets)
        if definite and head.lower_ in ORG_ANAPHORA:
            # "The Britain-based monitor said", "the group said": the organization of that
            # kind last named, else the organization last named
            org = self.last_org_before(head.i, head.lower_)
            if org is not None:
                return org
        if head.lower_ in _INSTITUTIONS:
            named = [self.by_token[c.i].key for c in mods if c.i in self.by_token
                     and self.by_token[c.i].key[0] == "Organization"]
            if named:
                return named[-1]  # "Islamic State's Amaq news agency" -> Amaq
        if definite and not mods and head.lower_ not in ORG_ANAPHORA:
            for i, key, pl in reversed(self._anon):
                if i < head.i and pl == plural and (
                        head.lower_ in key[1].lower().split()
                        or head.lower_ in ("person", "source", "people", "sources")):
                    return key
            for i, key, pl in reversed(self._anon):  # 'the officials' after 'Pentagon officials'
                if i < head.i and pl == plural:
                    return key
        start = min([head.i] + [m.left_edge.i for m in mods])
        for t in self.doc[start:head.i]:
            # a modifier's subtree can reach back over a dateline ("MAIDUGURI, Nigeria, Nov 16
            # (Reuters) - Nigeria's army"): the phrase starts after its last separator
            if t.text in (",", "(", ")", ":", ";", "—", "–") or (
                    t.text == "-" and t.whitespace_ and self.doc[t.i - 1].whitespace_):
                start = t.i + 1
        label = self._phrase_label(start, head.i + 1)
        if head.lower_ in _INSTITUTIONS:
            # "the Iraqi military", "Turkey's defense ministry": an institution, not a person
            if not mods:
                # "police said", "the army said": the state's body the article named before
                # ("the Pakistani Army"), else a source unnamed as "officials" are; never a
                # guess at the state. A bare "the agency", "the command": no one known.
                named = self._body_named_before(head.i, head.lower_)
                if named is not None:
                    m = self._register(head.i, head.i + 1, "Organization", named, named)
                    return m.key if m else None
                if head.lower_ in ORG_ANAPHORA:
                    return None
                key = self._register_anon(head.i, head.i + 1, head.lower_)
                if key:
                    self._anon.append((head.i, key, plural))
                return key
            owned = re.match(r"^(.+?)['’]s\s+(.+)$", label)
            if owned:
                label = _state_body(owned[1], owned[2]) or label  # "Nigeria's army"
            label = next((k[1] for k in self.entities if k[0] == "Organization"
                          and k[1].lower() == label.lower()), label)  # "Nigerian Army"
            m = self._register(start, head.i + 1, "Organization", label, label)
            return m.key if m else None
        # "a spokesman for the Federal Police", "an official with the ministry": whose
        # spokesman is part of who the source is (the name, not its apposition)
        owner = next((m for p in head.children if p.dep_ == "prep" and p.i == head.i + 1
                      and p.lower_ in ("for", "of", "with", "at")
                      for o in p.children if o.dep_ == "pobj"
                      and (m := self.by_token.get(o.i)) is not None
                      and m.key[0] == "Organization" and m.end - head.i <= 8), None)
        end = owner.end if owner is not None else head.i + 1
        if owner is not None:
            label = self._phrase_label(start, end)
        elif (org := self._anaphor_owner(head)) is not None:
            # "a spokesman for the group": the group named before, by its name
            label = f"{label} {self.doc[head.i + 1].lower_} {org[1]}"
        key = self._register_anon(start, end, label)
        if key:
            self._anon.append((head.i, key, plural))
        return key

    def _anaphor_owner(self, head: Token) -> EntityKey | None:
        """The organization "for the group" / "of the militia" right after a source's head
        noun refers back to, when the article named one of that kind before."""
        prep = next((p for p in head.children if p.dep_ == "prep" and p.i == head.i + 1
                     and p.lower_ in ("for", "of", "with")), None)
        obj = next((o for o in prep.children if o.dep_ == "pobj"), None) if prep else None
        if obj is None or obj.lower_ not in ORG_ANAPHORA or obj.i in self.by_token or not any(
                d.dep_ == "det" and d.lower_ == "the" for d in obj.children):
            return None
        return self.last_org_before(obj.i, obj.lower_, typed_first=True, strict=True)

    def last_org_before(self, i: int, noun: str | None = None, *,
                        typed_first: bool = False, strict: bool = False) -> EntityKey | None:
        """The organization named last before token ``i``; with ``noun``, the last one of
        that kind (:data:`_ANAPHOR_KINDS`) if there is one. ``typed_first``: the last one
        whose gazetteer type says so ("armed group") before one whose name merely has the
        word ("SITE Intelligence Group"). ``strict``: only one of that kind, never any
        organization for a generic noun ("the group")."""
        orgs = sorted((m for m in self.mentions if m.key[0] == "Organization" and m.start < i),
                      key=lambda m: m.start)
        if noun is not None:
            words = _ANAPHOR_KINDS.get(noun, (noun,))
            for with_label in ((False, True) if typed_first else (True,)):
                fits = []
                for m in orgs:
                    ent = self.entities.get(m.key)
                    about = (ent.entity_type or "") if ent else ""
                    if with_label:
                        about = f"{about} {m.key[1]}"
                    if any(w in about.lower() for w in words):
                        fits.append(m)
                if fits:
                    # the subject of the sentence that names the last one, before an object
                    # or an aside there: "Al-Shabab, which is allied with al-Qaida, has been
                    # fighting ... The group denied" is al-Shabab
                    last = self.doc.sent_of(fits[-1].start)
                    subjects = [m for m in fits if last.start <= m.start
                                and self.doc[m.end - 1].dep_ in ("nsubj", "nsubjpass")]
                    return (subjects or fits)[-1].key
            if strict or noun not in _GENERIC_ANAPHORA:
                # "... in a PKK attack in Hakkari province, the ministry said": no ministry
                # was named, and the PKK is none
                return None
        return orgs[-1].key if orgs else None

    def _phrase_label(self, start: int, end: int) -> str:
        """Tokens ``start:end`` as a label: "Turkey's defense ministry", "al-Sham"."""
        label = " ".join(t.text for t in self.doc[start:end])
        label = label.replace(" 's", "'s").replace(" ’s", "’s")
        return re.sub(r"\s+-\s+", "-", label)

    def _register_anon(self, start: int, end: int, label: str) -> EntityKey | None:
        key: EntityKey = ("AnonymousSource", label)
        if key not in self.entities:
            self.entities[key] = Entity(kind="AnonymousSource", label=label)
        ent = self.entities[key]
        ev = self.evidence(self.doc.sent_of(start))
        if ev not in ent.evidence:
            ent.evidence.append(ev)
        return key

    # ------------------------------------------------------------------ transcripts
    def _find_speakers(self) -> list[tuple[int, EntityKey | None]]:
        """Briefing transcripts: 'PETER COOK:' and 'MR. COOK:' start a speaker's turn."""
        out: list[tuple[int, EntityKey | None]] = []
        text = self.doc.text
        for m in _SPEAKER.finditer(text):
            raw = m["name"].strip()
            if raw in ("Q", "QUESTION") or len(raw) < 3:
                out.append((m.start(), None))
                continue
            name = _HONORIFIC.sub("", raw)
            name = _HONORIFIC.sub("", name).strip()
            if not re.search(r"[A-Z]{2}", name):
                continue
            key = self._person_by_name(name.title())
            out.append((m.start(), key))
        # a turn read before its speaker's full name folded the short name into it
        return [(at, self._folded.get(key, key) if key is not None else None)
                for at, key in out]

    def _person_by_name(self, name: str) -> EntityKey | None:
        full = self.person_by_surname(name)
        if full is not None:
            return full
        sur = _surname(name)
        cands = [k for k in self.entities if k[0] == "Person" and _surname(k[1]) == sur]
        full_name = len(name.split()) >= 2
        if cands and not (full_name and len(cands) == 1 and len(cands[0][1].split()) == 1):
            return cands[0]
        if full_name:
            # "COLONEL JOHN DORRIAN:" names in full the "Colonel Dorrian" read before
            key: EntityKey = ("Person", name)
            self.entities.setdefault(key, Entity(kind="Person", label=name))
            if cands:
                self._fold({cands[0]: key})
            return key
        return None

    def person_by_surname(self, word: str) -> EntityKey | None:
        """The one person of the article whose surname is ``word`` ('Jabouri' for 'Ahmed
        al-Jabouri'), if exactly one; nothing is registered."""
        sur = _surname(word)
        found = [k for k in self.entities if k[0] == "Person" and len(k[1].split()) >= 2
                 and _surname(k[1]) == sur]
        return found[0] if len(found) == 1 else None

    def speaker_at(self, char: int) -> EntityKey | None:
        """The speaker whose turn contains character ``char`` of the Doc, if any."""
        current = None
        for start, key in self._speakers:
            if start <= char:
                current = key
            else:
                break
        return current

    def is_broad_place(self, key: EntityKey) -> bool:
        return is_broad_place(key, self.entities.get(key))

    def is_country(self, key: EntityKey) -> bool:
        ent = self.entities.get(key)
        return ent is not None and ent.entity_type == "country"

