"""Stage 3b: the three fact kinds — memberships, operations, claims — from one parsed article.

Every extractor is a function of the Doc and the article's mentions; every rule is named in
the facts it makes (``kgr:extractor``), and its vocabulary lives in ``resources/*.tsv``.
Precision comes first: a fact is made only when its sentence shows all of its parts.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from . import dates
from .facts import (ArticleFacts, Claim, EntityKey, Figure, Membership, Operation,
                    TimeValue)
from .gazetteer import load_gazetteer, load_table, phrase_tokens
from .mentions import (ORG_ANAPHORA, SERVICES, Mention, MentionIndex, TokenCache,
                       country_of_adjective, people_adjectives)

__all__ = ["extract", "extract_figures"]

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
            "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
            "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
            "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
            "dozens": 24, "hundreds": 200, "thousands": 2000, "a dozen": 12, "another": 1,
            "a": 1, "an": 1}
#: Vague plurals: their count is the least they can mean ("dozens": two dozen), stated with
#: the qualifier "at least", never as a number the text did not give.
_VAGUE = frozenset({"dozens", "hundreds", "thousands"})
#: Words that end the noun phrase after a number: "(Iraqi soldiers) near the town"
_PHRASE_ENDS = frozenset({"in", "on", "at", "near", "and", "or", "during", "after", "when",
                          "as"})
#: ... and, for its head noun, "of" and the like too: "(pieces) of artillery"
_HEAD_ENDS = _PHRASE_ENDS | {"of", "with", "from", "including"}
_CLOSING = ",;:)\"”"
#: a participle after the noun's first word starts what is said of it ("hostages held by"),
#: except the adjective "armed" ("Afghan armed forces")
_TRAILING_PARTICIPLE = re.compile(
    r"(?!armed$)[a-z]+ed|held|kept|taken|caught|hidden|left|found|known|thought|seen")
#: ... and, for the noun a casualty figure counts ("killed 25 ISIL fighters near Raqqa on
#: Sunday", "killing 3 civilians who ..."), the words that start what follows it.
_SUBJECT_ENDS = _HEAD_ENDS | {
    "who", "whom", "whose", "which", "that", "were", "was", "is", "are", "had", "have", "has",
    "the", "a", "an", "to", "by", "for", "while", "but", "since", "before", "amid", "against",
    "inside", "outside", "across", "along", "around", "into", "over", "under", "between",
    "among", "within", "without", "through", "toward", "towards", "following", "there",
    "here", "last", "this", "yesterday", "today", "tonight", "overnight", "earlier", "later",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_CASUALTY = {"killed": "killed", "dead": "killed", "died": "killed", "wounded": "wounded",
             "injured": "wounded", "injuring": "wounded", "wounding": "wounded",
             "killing": "killed", "detained": "detained", "arrested": "detained",
             "captured": "captured", "freed": "freed", "released": "freed", "rescued": "freed",
             "arresting": "detained", "detaining": "detained", "capturing": "captured",
             "freeing": "freed", "rescuing": "freed",
             # headlines' present tense: "an airstrike kills 52 militants"
             # ("wound(s)" is left out: "died of his wounds 2 days later")
             "kill": "killed", "kills": "killed", "injure": "wounded", "injures": "wounded"}
_PRESENT_TENSE = frozenset({"kill", "kills", "injure", "injures"})
_NUM = r"(?:\d[\d,]{0,15}|" + "|".join(sorted((k for k in _NUMBERS if " " not in k and len(k) > 2),
                                          key=len, reverse=True)) + r")"
_QUALIFIERS = ("at least", "about", "around", "more than", "over", "nearly", "almost", "up to",
               "some", "roughly")
_QUAL = rf"(?:(?P<q>{'|'.join(_QUALIFIERS)})\s+)?"
#: A lookahead for the first letter of a figure (a digit, a number word or a qualifier): it
#: changes nothing that matches and lets the engine pass over every other word.
_FIG_FIRST = "(?=[\\d" + "".join(sorted({w[0] for w in (*_NUMBERS, *_QUALIFIERS)})) + "])"
_FIG_PASSIVE = re.compile(
    rf"\b{_FIG_FIRST}{_QUAL}(?P<n>{_NUM})\s+(?P<subj>(?:[\w.'’-]+\s+){{0,3}}?)"
    rf"(?:were|was|have been|had been|are|is|has been)\s+(?:reportedly\s+)?"
    rf"(?P<v>killed|wounded|injured|detained|arrested|captured|freed|released|rescued)", re.I)
_FIG_CONJ = re.compile(
    rf"\band\s+{_QUAL}(?P<n>{_NUM}|another)\s+(?P<subj>(?:\w+\s+){{0,2}}?)"
    rf"(?:were\s+|was\s+)?(?P<v>killed|wounded|injured|detained|captured|freed)", re.I)
#: "killing at least 23 soldiers", and "... and injuring more than 50." with no noun after
#: the number.
_FIG_ACTIVE = re.compile(
    rf"\b(?P<v>killing|injuring|wounding|killed|wounded|injured|captured|detained|freed|"
    rf"arrested|rescued|arresting|detaining|capturing|freeing|rescuing|kills?|injures?)\s+"
    rf"{_QUAL}(?P<n>{_NUM})(?:\s+(?P<subj>(?:[\w.'’-]+\s+){{0,2}}?[\w'’-]+)|(?=\s*[.;,]|\s*$))",
    re.I)
_FIG_NAMED = re.compile(
    r"\b(?P<subj>[A-Z][\w'’-]+(?:\s+(?:al-|bin\s+|Abu\s+)?[A-Z][\w'’-]+){0,3})\s+(?:was|has been)\s+"
    r"(?:reportedly\s+)?(?P<v>killed|wounded|injured|captured|detained)\b")
_FIG_OF = re.compile(
    r"\b(?P<n>one|two|three|\d+)\s+of\s+(?:his|her|their|its|the)\s+\w+\s+(?:was|were)\s+"
    r"(?P<v>killed|wounded|injured|detained|captured)", re.I)
#: "three soldiers died", "at least 20 people are dead": deaths told without a killer. The
#: noun is the dead's ("his father died" and "in 2015 ... died" are no figure).
_FIG_DIED = re.compile(
    rf"\b{_FIG_FIRST}{_QUAL}(?P<n>{_NUM})\s+(?P<subj>(?:[\w.'’-]+\s+){{0,3}}?)"
    rf"(?P<v>died|(?:were|are)\s+(?:confirmed\s+)?dead)\b", re.I)
#: Every figure pattern above needs one of these words: a sentence without any has no figure
#: (most sentences; the test is one scan instead of four).
_FIG_VERB = re.compile(r"(?=[kwidacfr])"  # their first letters, so other letters are passed over
                       r"(?:kill|wound|injur|detain|arrest|captur|free|releas|rescu"
                       r"|died|dead)",
                       re.I)

#: The words before a present-tense "kill"/"injure" that make it no event: "to kill 100".
_UNREAL_BEFORE = re.compile(r"\b(?:to|will|would|could|might|may|can|cannot|not)\s+$", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")
_POSSESSIVES = frozenset({"his", "her", "their", "its", "my", "our", "your"})

_HYPOTHETICAL_HEADS = {"plan", "plot", "threaten", "want", "seek", "try", "attempt", "intend",
                       "vow", "hope", "aim", "continue", "encourage", "help", "prepare", "need",
                       "pledge", "promise", "urge", "call", "able", "conduct", "pose", "decline",
                       "refuse"}
# nouns whose infinitive says what someone wants or can do: "a desire to strike beyond ..."
_HYPOTHETICAL_NOUNS = {"desire", "plan", "plot", "threat", "intention", "intent", "ability",
                       "capability", "bid", "effort", "attempt", "aim", "goal", "wish", "call",
                       "vow", "pledge", "order", "permission", "authority", "decision"}
_MODALS = {"would", "could", "will", "may", "might", "should", "can", "must", "'ll"}
_GENERIC_DETS = {"such", "any", "no", "future", "every", "each", "more", "other", "similar",
                 "previous", "past", "many", "several", "some", "further", "most"}
_NEW_OP_DETS = {"another", "a second", "second", "separate", "earlier", "later"}
_LOCATION_HEADS = {"airport", "airbase", "base", "bridge", "dam", "mosque", "hospital",
                   "checkpoint", "university", "refinery", "field", "prison", "market", "road",
                   "highway", "crossing", "palace", "camp", "headquarters", "district",
                   "town", "city", "village", "province", "area", "region", "governorate",
                   "countryside", "vicinity", "outskirts", "border", "part", "territory",
                   "desert", "valley", "heart", "capital", "suburb", "neighborhood",
                   "zone", "west", "east", "north", "south"}
_FAMILIES = [{"Raid", "GroundOperation", "Capture", "Rescue"},
             {"Strike", "Airstrike", "DroneStrike"},
             {"Attack", "Bombing", "Offensive", "Capture"}]
_DECLINE = {"decline", "refuse", "fail", "not"}
_CONTROL_VERBS = ("take", "seize", "gain", "wrest")  # "... control of the district"
#: Capture verbs that in the present tense tell a state, not an event: only their past forms
#: ("ISIS occupied Raqqa in 2013") report an operation.
_STATE_VERBS = frozenset({"occupy"})
#: "NAME, 31, of Idaho Falls, Idaho,": where a service member came from, ending at a place.
_HOMETOWN = re.compile(r",\s*\d{1,3},\s+of\s+(?:[A-Z][\w.'’-]*,?\s+)*$")
#: Capture verbs that tell how a place came to be held ("Raqqa fell to ISIS in 2014",
#: "ISIS occupied Mosul in 2014"): background to an article's operations, so an operation
#: read from them takes no later mention told with another word.
_BACKGROUND_VERBS = frozenset({"occupy", "fall"})
#: Verbs whose counted object makes plural operation words particular ("killed 12").
_TOLL_VERBS = frozenset({"kill", "wound", "injure", "capture", "detain", "arrest", "destroy",
                         "free", "rescue", "eliminate", "neutralize"})
#: "Gunmen killed 20 villagers in Kumshe": a killing told with no operation word is an attack
#: when armed men did it (troops: an operation of unknown kind) and it has a toll.
_KILL_VERBS = frozenset({"kill", "massacre"})
_ARMED_MEN = {"gunman": "Attack", "militant": "Attack", "attacker": "Attack",
              "assailant": "Attack", "insurgent": "Attack", "jihadist": "Attack",
              "bandit": "Attack", "terrorist": "Attack", "extremist": "Attack",
              "rebel": "Attack", "fighter": "Attack", "troop": "GenericOperation",
              "soldier": "GenericOperation", "force": "GenericOperation",
              "army": "GenericOperation", "military": "GenericOperation"}
#: "The Taliban said they had killed 12 soldiers": a pronoun subject of the report is the
#: speaker
_SPEAKER_PRONOUNS = frozenset({"it", "they", "we"})
#: (not every reporting verb: "denied it had killed", "accused X, saying it had killed")
_CLAIMING_VERBS = frozenset({"say", "claim", "announce", "report"})
#: "claimed responsibility for the attack": who did it, by their own account
_RESPONSIBLE_VERBS = frozenset({"claim", "accept", "take", "admit", "bear"})
#: "<place>-based", "<place>-backed": the place says who someone is, not where it happened
_BACKER_WORDS = frozenset({"based", "backed", "funded", "supported", "sponsored", "allied",
                           "aligned", "trained", "armed"})
#: modifiers that count particular operations as a number does ("twin suicide bombings")
_COUNTED_MODS = frozenset({"twin", "double", "triple", "simultaneous", "coordinated"})
#: a state's bodies that a role may name without the state ("the army spokesman")
_BARE_BODIES = frozenset({"army", "military", "police", "navy"})
#: verb forms the model's lemmatizer leaves as they are ("retook" -> "retook")
_LEMMA_FIXES = {"retook": "retake", "overtook": "overtake"}
#: what strikes in support of an operation hang on: "with the backing of", "backed by"
_SUPPORT_WORDS = frozenset({"backing", "support", "backed", "supported", "cover", "covered"})
#: nouns a place's name follows as their apposition: "the capital Sanaa", "the town Marte"
_NAMING_PLACE_NOUNS = frozenset({"capital", "city", "town", "village", "province", "district",
                                 "region"})
_BOMBS = frozenset({"bomb", "blast", "explosion", "explosive", "bomber"})
#: "Turkish warplanes bombed ...", "coalition jets struck ...": strikes from the air, by what
#: flew them
_AIRCRAFT = {"warplane": "Airstrike", "jet": "Airstrike", "aircraft": "Airstrike",
             "plane": "Airstrike", "airplane": "Airstrike", "helicopter": "Airstrike",
             "gunship": "Airstrike", "drone": "DroneStrike", "uav": "DroneStrike"}
#: What a capture verb can take that is no place or person: "police seized two car bombs".
_SEIZED_GOODS = frozenset({"bomb", "weapon", "explosive", "ammunition", "cache", "arm", "rifle",
                           "gun", "drug", "document", "laptop", "computer", "phone", "material",
                           "equipment", "cash", "money", "passport", "device", "mine",
                           "missile", "rocket", "grenade"})
#: What armed groups capture or free that is no person ("captured two tanks"), singular.
_MATERIEL = _SEIZED_GOODS | {"tank", "vehicle", "truck", "car", "humvee", "drone", "aircraft",
                             "helicopter", "launcher", "shell", "round", "depot", "boat",
                             "ship", "artillery", "piece"}
#: what "fire" or "launch" sends at a place in an attack: "fire a ballistic missile toward Riyadh"
_MISSILES = frozenset({"missile", "rocket", "mortar", "projectile"})
_VERB_TRIGGER_HEADS = {"blow", "fall", "shoot", "fire", "launch", "open", *_CONTROL_VERBS,
                       *_KILL_VERBS}  # read with a child
# "SOUTHWEST ASIA, Feb. 15, 2017 —": a dateline names where the report was filed, not where
# anything happened.
# "STUTTGART, Germany, March 9, 2023 —", "MAIDUGURI, Nigeria, Nov 16 (Reuters) -", "TAMPA, Fla. —",
# "BAGHDAD (AFP) —", and at the very start of a text "RAWALPINDI:".
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATELINE_BODY = (r"(?P<place>[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3})"
                  r"(?:,\s+[A-Z][A-Za-z.'’-]{1,20}(?: [A-Z][a-z]+)?){0,2}"
                  r"(?:,?\s+" + _MONTH + r"\.?\s+\d{1,2}(?:,\s+\d{4})?)?"
                  r"(?:\s*\([A-Za-z .]{2,30}\))?"
                  r",?\s*[\u2014\u2013-]{1,2}(?=\s)")


_DATELINE = re.compile(r"^" + _DATELINE_BODY + r"|\A\s*(?P<cplace>[A-Z][A-Z'’-]{2,}(?: [A-Z][A-Z'’-]{2,})?):(?=\s)",
                       re.M)
_PRESENT_TAGS = {"VBZ", "VBP"}
_HEADLINE_VERBS = {"claims": "claim", "says": "say", "denies": "deny", "blames": "blame",
                   "announces": "announce", "confirms": "confirm", "reports": "report"}
_SERVICES = {"army", "navy", "marine", "marines", "corps", "air", "force", "u.s.", "us",
             "british", "iraqi", "syrian", "kurdish", "royal"}  # "U.S. Army Col. Ryan Dillon"
_ROLE_VERBS = {"lead": "leader", "head": "head", "command": "commander", "found": "founder",
               "join": "member", "co-found": "co-founder", "run": "head", "direct": "director"}
#: verbs of _ROLE_VERBS with other senses ("runs a shop", "directed the fire"): a role only
#: over a named organization
_ORG_ONLY_ROLE_VERBS = frozenset({"run", "direct"})
#: Nouns that tell a claim with its source ("reports by the Syrian Observatory that ...")
#: -> kgr hedge.
_CLAIM_NOUNS = {"claim": "Claimed", "allegation": "Claimed", "assertion": "Asserted",
                "report": "Asserted", "statement": "Asserted", "announcement": "Asserted"}
#: Nouns of speaking: "a press conference in Rawalpindi" is where something was said.
_SPEECH_NOUNS = frozenset({"conference", "briefing", "statement", "interview", "speech",
                           "remarks", "meeting", "message", "video", "recording",
                           "communique", "announcement", "tweet"})
# ("post" and "release" are left out: "an army post in Sinai", "the release of hostages in")
#: How a statement is put out: "a statement that it released on Telegram that ..." says
#: where, and the report is the clause after.
_PUBLISHING_VERBS = frozenset({"release", "post", "publish", "issue", "circulate", "send",
                               "distribute", "share", "upload", "put", "broadcast", "air"})
#: what speaks for its author: "a statement from the Pentagon said", "a report by ... said"
_REPORT_NOUNS = frozenset({"statement", "report", "release", "announcement", "communique",
                           "video", "message"})
_SOMEONE = frozenset({"someone", "man", "woman", "person", "individual", "figure"})
#: A speaker's asides inside a phrase, between commas.
_ASIDES = (("as", "you", "know"), ("we", "believe"), ("i", "believe"), ("i", "think"),
           ("we", "think"), ("of", "course"), ("as", "we", "said"), ("again",))
#: "speaking to reporters in Baghdad": where someone spoke, whom the phrase names
_SPEAKING_VERBS = frozenset({"speak", "talk"})
_AS_VERBS = frozenset({"serve", "work", "act"})  # "served as ISIL's spokesman"
#: "The Taliban named Mullah Akhtar Mansour as their new leader": the subject gives its object
#: a role in it
_NAMING_VERBS = frozenset({"name", "appoint", "elect", "choose", "select", "announce",
                           "install"})
_GOVERNMENT_ROLES = {"minister", "president", "secretary", "ambassador", "envoy", "governor",
                     "spokesman", "spokesperson"}
#: roles only a state's government has, whatever their last word
_STATE_ROLES = frozenset({"supreme leader", "chief executive", "national security adviser"})


def _governs(role: str) -> bool:
    """Whether ``role``, held for a state ("Iran's ...", "the Iraqi ..."), is a post in its
    government."""
    return role.split()[-1] in _GOVERNMENT_ROLES or role in _STATE_ROLES


#: The posts a people's adjective ("Kurdish", see resources/demonyms.tsv) gives to its
#: region's government: "Kurdish Prime Minister X" is the region's, "a Kurdish spokesman"
#: may speak for any Kurdish group.
_CABINET_ROLES = frozenset({"minister", "president"})


def _state_post(adjective: str, role: str) -> bool:
    """Whether ``role`` after the nationality ``adjective`` is a post in that state's
    government."""
    if adjective in people_adjectives():
        return role.split()[-1] in _CABINET_ROLES or role in _STATE_ROLES
    return _governs(role)


_DATELINE_PREFIX = re.compile(r"^(?:" + _DATELINE_BODY.replace("?P<place>", "") + r"|(?:[A-Z][A-Z .'’-]{1,40},?\s+)?"
                              + _MONTH + r"\.?\s+\d{1,2},\s+\d{4}\s*[\u2014\u2013-]{1,2}"
                              r"|[A-Z][A-Z'’-]{2,}(?: [A-Z][A-Z'’-]{2,})?:(?=\s)|[\u2014\u2013-]{1,2})\s*")
#: A list item's marker and its topic heading ("* War in Sudan: The Sudanese Armed Forces
#: say ..."), which are no part of what anyone said.
_ITEM_PREFIX = re.compile(r"^[*•]\s+(?:[A-Z][^:.;\n]{0,80}:\s+)?")
#: A briefing speaker's courtesies and speech acts about the briefing itself (an opening,
#: thanks, sympathy), which state no claim however many names they carry.
_COURTESY = re.compile(
    r"^\W*(?:(?:I|We)(?:'d| would)? (?:want|like|wish) to (?:start|begin|open|thank|welcome|"
    r"express|offer|extend|take a moment)|(?:Let me|Allow me to) (?:start|begin|thank|open)|"
    r"(?:Thank you|Thanks)\b|Good (?:morning|afternoon|evening)\b)"
    r"|\bthoughts and prayers\b|\b(?:our|my|deepest|sincere) condolences\b", re.I)
_HABITUAL = re.compile(r"\b(?:recent|past|last few|coming)\s+(?:months|weeks|years|days)\b|"
                       r"\bfor (?:months|years)\b|\b(?:routinely|regularly|often|repeatedly)\b")
#: Where a captive is kept afterwards is not where the operation was: "was captured during
#: the operation and is being held in Iraq".
_HELD_VERBS = frozenset({"hold", "imprison", "jail", "keep"})
#: "could not be independently verified", as a reporter says it of a claim.
_UNVERIFIABLE = (r"(?:cannot|(?:could|can)\s+not|couldn['’]t|can['’]t)\s+(?:yet\s+)?be\s+"
                 r"(?:independently\s+)?(?:verified|confirmed)")
#: "..., a claim that could not be independently verified": the reporter's caveat after a
#: claim (it makes the claim's hedge "Reportedly"), not part of what was claimed.
_UNVERIFIED_TAIL = re.compile(
    r",\s+(?:a|the)\s+(?:claim|report|figure|toll|account)\s+(?:that|which)\s+"
    + _UNVERIFIABLE + r"\s*$", re.I)
#: A sentence that only says the one before could not be checked: "The figure could not be
#: independently verified."
_CAVEAT_SENTENCE = re.compile(
    r"\s*(?:The|This|That|These|Those|Such|Neither|None of the)\s+(?:\w+\s+){0,2}?"
    r"(?:claims?|reports?|figures?|tolls?|accounts?|numbers?|casualties|details)\s+"
    + _UNVERIFIABLE + r"\b", re.I)
_STRIKE_TYPES = frozenset({"Strike", "Airstrike", "DroneStrike"})
_SPECIFICITY = {"Strike": 1, "Airstrike": 2, "DroneStrike": 3, "GroundOperation": 1, "Raid": 2,
                "Attack": 1, "Bombing": 2}
_ACTION = {"carry", "conduct", "launch", "execute", "perform", "lead", "mount", "stage",
           "begin", "start", "make", "undertake"}


def _speaker_for(subj: Token | None, v: Token) -> Token | None:
    """The subject of ``v``, with "it"/"they"/"we" reporting on themselves resolved to the
    speaker: "the army said it had killed 12 militants" (the army killed them)."""
    if subj is not None and subj.lower_ in _SPEAKER_PRONOUNS and v.dep_ == "ccomp" and \
            v.head.lemma_.lower() in _CLAIMING_VERBS:
        return next((c for c in v.head.children if c.dep_ == "nsubj"), None)
    return subj


def _nearest_subject(v: Token) -> Token | None:
    """The nominal subject nearest the verb: 'X killed 12 civilians, the Observatory said'
    can come out of the parser with two subjects, and the one beside the verb is the source."""
    subjects = [c for c in v.children if c.dep_ == "nsubj"]
    before = [c for c in subjects if c.i < v.i]  # children come in sentence order
    if before:
        nearest = before[-1]
        doc = v.doc
        edge = nearest.right_edge.i
        if len(before) > 1 and nearest.pos_ == "NOUN" and "," in (
                doc[edge].text, doc[min(edge + 1, len(doc) - 1)].text):
            # "Talal Silo, a spokesman for the SDF, said": the parser can make the apposition
            # a second subject; the name it describes is the source
            named = before[-2]
            if named.pos_ == "PROPN" and named.right_edge.i + 2 == nearest.left_edge.i and \
                    doc[named.right_edge.i + 1].text == ",":
                return named
        return nearest
    return subjects[0] if subjects else None


def _norm_num(s: str) -> int | None:
    s = s.lower().replace(",", "")
    if s.isdigit():
        return int(s)
    return _NUMBERS.get(s)


def _phrase_after(text: str, ends: frozenset[str], limit: int = 3,
                  participle_ends: bool = False) -> list[str]:
    """The words of the noun phrase at the start of ``text``: up to ``limit``, ending before a
    word of ``ends`` (or, with ``participle_ends``, a participle after the first word) or with
    one that punctuation ends ("Iraqi soldiers, the army said")."""
    words: list[str] = []
    for w in text.split()[:limit]:
        bare = w.rstrip(_CLOSING)
        if words and participle_ends and _TRAILING_PARTICIPLE.fullmatch(bare):
            break  # "30 hostages held by Boko Haram", "civilians trapped in the city"
        # a full stop ends the sentence, not an abbreviation's ("U.S. soldiers")
        sentence_end = bare.endswith(".") and "." not in bare[:-1]
        if sentence_end:
            bare = bare[:-1]
        stop = sentence_end or bare != w
        if not bare or bare.lower() in ends:
            break
        words.append(bare)
        if stop:
            break
    return words


def _counts_materiel(text: str) -> bool:
    """Does the phrase after a number ("armored vehicles near ...") count equipment? Its
    head is the last word before a preposition ("20 people in cars" counts people, "3 car
    passengers" passengers)."""
    words = _phrase_after(text, _HEAD_ENDS)
    return bool(words) and words[-1].lower().rstrip("s") in _MATERIEL


def extract_figures(text: str) -> list[Figure]:
    """Casualty figures stated in ``text`` ('25 ISIL members were killed', 'killing at least
    23 soldiers', 'one person was killed and another injured')."""
    figs: list[Figure] = []
    if not _FIG_VERB.search(text):
        return figs
    seen: set[tuple[str, int]] = set()

    def add(v: str, n: str, q: str | None, subj: str | None) -> None:
        count = _norm_num(n)
        ctype = _CASUALTY.get(v.lower())
        if count is None or ctype is None or (ctype, count) in seen:
            return
        if n.lower() in _VAGUE:
            # "dozens" is at least 24; "about dozens" or "some dozens" says no more than that
            q = "at least"
            if subj and subj.lower().startswith("of "):
                subj = subj[3:]  # "dozens of militants were killed"
        seen.add((ctype, count))
        figs.append(Figure(ctype, count, q.lower() if q else None,
                           subj.strip() if subj and subj.strip() else None))

    for m in _FIG_PASSIVE.finditer(text):
        if m["subj"] and _counts_materiel(m["subj"]):
            continue  # "five drones were captured": a figure counts people, not equipment
        add(m["v"], m["n"], m["q"], m["subj"])
        tail = text[m.end():m.end() + 80]
        for c in _FIG_CONJ.finditer(tail):
            if c.start() < 3:  # "and 10 Lebanese soldiers were wounded": their own subject
                add(c["v"], c["n"], c["q"], c["subj"].strip() or m["subj"])
        # "one person was killed and another injured": the conjoined figure shares the verb
        # tense; "five militants were captured and at least 10 killed".
        cm = re.match(rf"\s+and\s+{_QUAL}(?P<n>{_NUM}|another)\s+(?P<v>killed|wounded|injured|"
                      rf"detained|captured|freed)", tail, re.I)
        if cm:
            add(cm["v"], cm["n"], cm["q"], m["subj"])
    for m in _FIG_ACTIVE.finditer(text):
        first = m["subj"].split()[0].lower() if m["subj"] else None
        if first == "of":
            if m["n"].lower() not in _VAGUE:
                continue  # "killing two of the hostages": whose two the pattern cannot tell
            # "killing dozens of fighters": the fighters are counted
            noun = _phrase_after(text[m.start("subj") + 2:m.start("subj") + 60], _PHRASE_ENDS)
            add(m["v"], m["n"], m["q"], " ".join(noun) or None)
            continue
        if m["v"].lower() in _PRESENT_TENSE and _UNREAL_BEFORE.search(text, 0, m.start()):
            continue  # "vowed to kill 100 soldiers", "could injure 20": no toll yet
        if m["subj"] and _counts_materiel(text[m.start("subj"):m.start("subj") + 40]):
            continue  # "captured 4 armored vehicles": the noun the pattern stopped short of
        # the pattern stops at the noun's first word: the phrase is read on to its head
        # ("killed 3 car passengers", "killing 12 police officers near ..."); "the blast
        # killed 20 in Kabul" gives a figure without its noun
        noun = _phrase_after(text[m.start("subj"):m.start("subj") + 80], _SUBJECT_ENDS,
                             limit=4, participle_ends=True) if m["subj"] else []
        add(m["v"], m["n"], m["q"], " ".join(noun) or None)
    for m in _FIG_NAMED.finditer(text):
        if m["subj"].split()[0] not in ("It", "He", "She", "This", "That", "The", "No"):
            add(m["v"], "one", None, m["subj"])
    for m in _FIG_OF.finditer(text):
        add(m["v"], m["n"], None, None)
    for m in _FIG_DIED.finditer(text):
        words = m["subj"].lower().split()
        if _YEAR.fullmatch(m["n"]) or any(w in _POSSESSIVES for w in words):
            continue
        add("died", m["n"], m["q"], None if words[:1] == ["of"] else m["subj"])
    return figs


#: "a statement from CENTCOM", "reports by the Syrian Observatory": who said it.
_SOURCE_PREPS = ("from", "by", "of")


def _prep_objects(tok: Token, preps: tuple[str, ...]) -> list[Token]:
    """The objects of ``tok``'s prepositions among ``preps`` ("fell *to* ISIS")."""
    return [g for c in tok.children if c.dep_ == "prep" and c.lower_ in preps
            for g in c.children if g.dep_ == "pobj"]


def _times_conflict(a, b) -> bool:
    """Do two operations' times name different times? Dates conflict unless one contains
    the other (2017-01 and 2017-01-08 agree); a time the article cannot date ("June 6" with no
    publication date) agrees only with the same words, never with a dated one ("2013")."""
    if a is None or b is None:
        return False
    if a.value and b.value:
        return not (a.value.startswith(b.value) or b.value.startswith(a.value))
    if not a.value and not b.value:
        return a.text.strip().lower() != b.text.strip().lower()
    return True


@dataclass
class _Phrase:
    """A role phrase found at tokens [start, end)."""

    start: int
    end: int
    role: str
    implied_org: str | None
    org: EntityKey | None = None


class _Extractor:
    def __init__(self, doc: Doc, published: dt.date | None, offset: int) -> None:
        self.doc = TokenCache(doc)
        self.published = published
        self.mx = MentionIndex(self.doc, offset=offset)
        self.gz = load_gazetteer()
        self.facts = ArticleFacts()
        roles = sorted(load_table("roles.tsv"), key=lambda r: -len(phrase_tokens(r[0])))
        self.roles = [(list(phrase_tokens(r[0])), r[1], r[2] if len(r) > 2 and r[2] else None)
                      for r in roles]
        self.role_mods = {r[0] for r in load_table("role_modifiers.tsv")}
        self.single_roles = {r[0][0] for r in self.roles if len(r[0]) == 1}
        self.roles_by_first: dict[str, list] = {}
        for r in self.roles:
            self.roles_by_first.setdefault(r[0][0], []).append(r)
        self.ranks = {r[0].rstrip(".") for r in load_table("ranks.tsv")}
        self.verbs = {r[0]: r[1] for r in load_table("reporting_verbs.tsv")}
        self.demonyms = country_of_adjective()  # shared with mentions, read-only
        trig = load_table("triggers.tsv")
        self.noun_triggers = sorted([(t[0].split(), t[1]) for t in trig if t[2] == "NOUN"],
                                    key=lambda t: -len(t[0]))
        self.verb_triggers = {t[0]: t[1] for t in trig if t[2] == "VERB"}
        self.noun_by_first: dict[str, tuple] = {}
        for words, typ in self.noun_triggers:
            self.noun_by_first[words[0]] = self.noun_by_first.get(words[0], ()) + ((words, typ),)
        self.lemma = [_LEMMA_FIXES.get(t.lower_, t.lemma_.lower()) if t.pos_ == "VERB"
                      else t.lemma_.lower() for t in self.doc.tokens]
        self.datelines = [(m.start("place") if m["place"] else m.start("cplace"), m.end())
                          for m in _DATELINE.finditer(self.doc.text)]
        self.turn_q = [(m.start(), m.group(1) in ("Q", "QUESTION")) for m in
                       re.finditer(r"^\s*([A-Z][A-Z .'’-]{0,60}?)\s*:\s", self.doc.text, re.M)]
        self.context_time = None
        self.sent_index: dict[int, int] = {}
        self.op_last_sent: dict[int, int] = {}
        self.op_lemmas: dict[int, set[str]] = {}  # operation -> lemmas of its trigger words
        self.used_verbs: set[int] = set()
        self.quote_spans: list[tuple[int, int]] = []
        self.op_mentions: dict[int, int] = {}   # trigger token -> operation index
        self._dates: dict[tuple[int, int], list[tuple[int, int, str]]] = {}  # span -> dates
        self._inverted: dict[int, list[int]] = {}  # sentence start -> _inverted_starts
        # tokens that may start an operation word (_trigger_at says whether they do)
        self.pos = pos = [t.pos_ for t in self.doc.tokens]
        lower = self.mx.lower
        self.trigger_starts = {
            i for i, p in enumerate(pos)
            if (p in ("NOUN", "PROPN") and (self.lemma[i] in self.noun_by_first
                                            or lower[i] in self.noun_by_first))
            or (p == "VERB" and (self.lemma[i] in self.verb_triggers
                                 or self.lemma[i] in _VERB_TRIGGER_HEADS
                                 # a plural noun trigger read as a verb (_mistagged_plural)
                                 or lower[i][:-1] in self.noun_by_first))}

    # ================================================================ memberships
    def _role_at(self, i: int, end: int) -> _Phrase | None:
        lower = self.mx.lower
        j = i
        mods = []
        inner = None
        while j < end and lower[j] in self.role_mods and not self._multiword_role_at(j, end):
            mods.append(lower[j])
            j += 1
            org = self.mx.at(j)
            if mods and org is not None and org.key[0] == "Organization" and org.end < end:
                j = org.end  # "a senior Al Qaeda leader"
                inner = org.key
        if "former" not in mods and i >= 2 and lower[i - 2] == "former" and \
                self.doc[i - 1].text in self.demonyms:
            mods = ["former", *mods]  # "a former Iraqi prime minister": the state's, formerly
        if j < end:
            for words, role, implied in self.roles_by_first.get(lower[j], ()):
                n = len(words)
                if j + n <= end and lower[j:j + n] == words:
                    return _Phrase(i, j + n, self._role_label(mods, role), implied, inner)
        if mods and inner is None:
            # "Pakistani army chief Gen. Raheel Sharif": the last modifier is the role itself
            last = i + len(mods) - 1
            for words, role, implied in self.roles_by_first.get(lower[last], ()):
                if words == [lower[last]] and last < end and (j >= end or lower[j] == "of"):
                    return _Phrase(i, last + 1, self._role_label(mods[:-1], role), implied,
                                   None)
        return None

    @staticmethod
    def _role_label(mods: list[str], role: str) -> str:
        """The role as recorded: its modifiers, "former" first ("former senior commander")."""
        words = [m for m in mods if m != "former"] + [role]
        if "former" in mods:
            words.insert(0, "former")
        return " ".join(words)

    def _speakers_near(self, sent: Span) -> set[EntityKey]:
        """The persons who speak in this sentence and the two before it: subjects of a
        reporting verb, and the speaker of a transcript turn."""
        out: set[EntityKey] = set()
        first = sent.start
        for _ in range(2):
            if first > 0:
                first = self.doc.sent_of(first - 1).start
        for t in self.doc[first:sent.end]:
            if t.dep_ == "nsubj" and t.head.pos_ == "VERB" and \
                    t.head.lemma_.lower() in self.verbs and (m := self.mx.at(t.i)) is not None \
                    and m.key[0] == "Person":
                out.add(m.key)
        speaker = self.mx.speaker_at(sent.start_char)
        if speaker is not None:
            out.add(speaker)
        return out

    def _multiword_role_at(self, j: int, end: int) -> bool:
        """Does a role of several words start at ``j`` ("chief executive"), whose first word
        is no modifier of the role after it?"""
        lower = self.mx.lower
        return any(len(words) > 1 and j + len(words) <= end and lower[j:j + len(words)] == words
                   for words, _, _ in self.roles_by_first.get(lower[j], ()))

    def _org_key(self, name: str | None) -> EntityKey | None:
        if not name:
            return None
        entry = self.gz.by_label(name)
        if entry is None:
            return None
        key: EntityKey = ("Organization", entry.label)
        if key not in self.mx.entities:
            from .facts import Entity
            self.mx.entities[key] = Entity("Organization", entry.label, qid=entry.qid,
                                           entity_type=entry.entity_type)
        return key

    def _add_membership(self, person: EntityKey, role: str, org: EntityKey | None,
                        sent: Span, rule: str, conf: float) -> None:
        if org is None or person[0] != "Person" or org[0] != "Organization":
            return
        if org[1].lower() in SERVICES:
            return  # "Army spokesman Col. X" with no state named: whose army is unknown
        for m in list(self.facts.memberships):
            if (m.person, m.organization) == (person, org):
                if m.role == role or role == "member" or m.role.endswith(" " + role):
                    return  # "member" adds nothing to a role already known, nor
                    # "spokesman" (from "the mouthpiece for ISIL") to "chief spokesman"
                if m.role == "member" or role.endswith(" " + m.role):
                    self.facts.memberships.remove(m)
        self.facts.memberships.append(Membership(person, role, org, self.mx.evidence(sent),
                                                 f"membership/{rule}@1", conf))

    def _phrase_orgs(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mx.in_span(start, end, "Organization")]

    def memberships(self, sent: Span) -> None:
        doc, mx = self.doc, self.mx
        # (1) appositions and relative clauses after a person:
        #     "John Dorrian, spokesman for the U.S.-led coalition", "Haji Imam who was an
        #     ISIL senior leader", "He is an ISIS official"
        for m in mx.mentions:
            if m.key[0] != "Person" or not (sent.start <= m.start < sent.end):
                continue
            self._apposition(m.key, m.end, sent)
        lower, lemma, pos = mx.lower, self.lemma, self.pos
        for i in range(sent.start, sent.end):
            if lower[i] not in ("this", "he", "she"):
                continue
            if lower[i] != "this" and i + 1 < sent.end and (
                    doc[i + 1].lemma_ == "be" or self._perfect_copula(i + 1, sent)):
                person = mx.last_person_before(i)
                if person:
                    self._apposition(person, i + 1, sent, copula_only=True)
            if i + 3 < sent.end and doc[i + 1].lemma_ == "be":
                j = i + 2 + (lower[i + 2] in ("a", "an"))
                if j + 1 < sent.end and lower[j] in _SOMEONE and lower[j + 1] == "who":
                    # "This is someone who has been a senior leader in ISIL." - said of
                    # someone the speakers talk about, never of the speakers themselves
                    person = mx.last_person_spoken_of(i, self._speakers_near(sent))
                    if person:
                        self._apposition(person, j + 1, sent, copula_only=True)
        # (2) title before the name: "Pentagon Press Secretary Peter Cook", "Kurdistan
        #     Regional Government President Masoud Barzani", "Joint Chiefs of Staff Chairman
        #     General Joseph F. Dunford", "Secretary of Defense Ash Carter".
        for m in mx.mentions:
            if m.key[0] != "Person" or not (sent.start <= m.start < sent.end):
                continue
            self._title_before(m, sent)
            self._role_then_name(m, sent)
        # (3) verbs: "Al-Masri originally joined Al Qaeda", "X, who led ISIS's operations"
        for i in range(sent.start, sent.end):
            role = _ROLE_VERBS.get(lemma[i])
            if role is None or pos[i] != "VERB":
                continue
            v = doc[i]
            if any(c.dep_ == "neg" for c in v.children):
                continue
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            if subj is None:
                continue
            if subj.lower_ in ("who", "that") and v.dep_ == "relcl":
                subj = v.head
            person = mx.at(subj.i)
            if person is None and subj.lower_ in ("he", "she"):
                key = mx.last_person_before(subj.i)
            else:
                key = person.key if person is not None else None
            obj = next((c for c in v.children if c.dep_ == "dobj"), None)
            if key is None or obj is None:
                continue
            org = self._named_org(obj)
            if org is None:
                poss = next((c for c in obj.children if c.dep_ == "poss"), None)
                org = self._named_org(poss) if poss is not None else None
            if org is None and lemma[i] in _ORG_ONLY_ROLE_VERBS:
                continue
            self._add_membership(key, role, org, sent, "verb", 0.75)
        # (4) "serving as a finance minister", "X served as ISIL's spokesman", "worked as a
        #     recruiter for ISIS"
        for i in range(sent.start, sent.end):
            if lemma[i] in _AS_VERBS and pos[i] == "VERB" and \
                    not any(c.dep_ == "neg" for c in doc[i].children):
                self._served_as(doc[i], sent)
            elif lemma[i] in _NAMING_VERBS and pos[i] == "VERB" and \
                    not any(c.dep_ == "neg" for c in doc[i].children):
                self._named_as(doc[i], sent)

    def _named_as(self, v: Token, sent: Span) -> None:
        """'The Taliban named Mullah Akhtar Mansour as their new leader', 'Al-Shabaab
        appointed Ahmed Umar as its emir': the object holds the role in the organization the
        role phrase names, else in the subject's (when the subject is one)."""
        mx = self.mx
        obj = next((c for c in v.children if c.dep_ == "dobj"), None)
        person = mx.at(obj.i) if obj is not None else None
        objs = _prep_objects(v, ("as",))
        if person is None or person.key[0] != "Person" or not objs:
            return
        pobj = objs[0]
        start, end = pobj.left_edge.i, pobj.right_edge.i + 1
        ph = next((p for j in range(start, end) if (p := self._role_at(j, end))), None)
        if ph is None or ph.end != end:
            return
        org = self._org_for_role(ph, self._phrase_orgs(start, end))
        if org is None:
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            m = mx.at(subj.i) if subj is not None else None
            if m is None or m.key[0] != "Organization":
                return
            org = m.key
        self._add_membership(person.key, ph.role, org, sent, "named-as", 0.75)

    def _served_as(self, v: Token, sent: Span) -> None:
        """The role after "serve/work/act as"; its holder is the verb's subject, or for a
        participle without one ("..., serving as a finance minister") the person named last
        before it; its organization is named in the role phrase, or is the one the same
        sentence already gives that person."""
        mx = self.mx
        objs = _prep_objects(v, ("as",))
        if not objs:
            return
        pobj = objs[0]
        start, end = pobj.left_edge.i, pobj.right_edge.i + 1
        ph = next((p for j in range(start, end) if (p := self._role_at(j, end))), None)
        if ph is None:
            return
        subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None and subj.lower_ in ("who", "that") and v.dep_ == "relcl":
            subj = v.head
        if subj is not None:
            m = mx.at(subj.i)
            key = m.key if m is not None else (
                mx.last_person_before(subj.i) if subj.lower_ in ("he", "she") else None)
        else:
            before = [m for m in mx.in_span(sent.start, v.i, "Person")]
            key = before[-1].key if before else None
        if key is None or key[0] != "Person":
            return
        org = self._org_for_role(ph, self._phrase_orgs(start, end))
        if org is None:
            known = [m.organization for m in self.facts.memberships if m.person == key
                     and m.evidence == mx.evidence(sent)]
            org = known[0] if len(set(known)) == 1 else None
        self._add_membership(key, ph.role, org, sent, "served-as", 0.75)

    def _apposition(self, person: EntityKey, after: int, sent: Span,
                    copula_only: bool = False) -> None:
        doc = self.doc
        i = after
        rule = "apposition"
        if not copula_only and i + 1 < sent.end and doc[i].text == "," and \
                doc[i + 1].lower_ == "who":
            i = after = i + 1  # "X, who was a senior ISIL commander,": as without the comma
        if i < sent.end and (doc[i].text == "," or (
                doc[i].text == "(" and not copula_only and i + 1 < sent.end
                and doc[i + 1].lower_ in ("the", "a", "an"))):
            # "X, the leader of ...", "X (the leader of ...)"
            if copula_only:
                return
            i += 1
        elif i < sent.end and doc[i].lower_ in ("who", "is", "was", "'s", "has", "had"):
            rule = "copula"
            while i < sent.end and doc[i].lower_ in ("who", "is", "was", "'s", "has", "had",
                                                     "been", "be", "also", "still", "long"):
                i += 1
            if i == after or doc[i - 1].lower_ in ("who", "has", "had"):
                return
        else:
            return
        # The phrase ends at the next comma, semicolon, dash, parenthesis or verb; an aside
        # ("a chief spokesman, as you know, the mouthpiece for ISIL") is stepped over, and so
        # are a role the parser took for a verb ("commanding general of ...") and a name
        # with a dash in it ("Combined Joint Task Force – Operation Inherent Resolve").
        lead = self._role_at(i, min(sent.end, i + 8))
        end = lead.end if lead is not None else i
        while end < sent.end:
            if doc[end].text == "," and (after := self._aside_end(end, sent)) is not None:
                end = after
                continue
            inside = self.mx.at(end)
            if inside is not None and inside.start < end:
                end = max(end + 1, min(inside.end, sent.end))
                continue
            if doc[end].text in (",", ";", "(", ")", "—", "–", ".", "\"", "“", "”") or (
                    doc[end].pos_ in ("VERB", "AUX") and doc[end].tag_ not in ("VBN",)):
                break
            end += 1
        if end - i > 14 or end == i:
            return
        first = doc[i]
        if (first.pos_ == "VERB" and lead is None) or first.lower_ in ("who", "which", "that"):
            return
        orgs = self._phrase_orgs(i, end)
        phrases = []
        j = i
        while j < end:
            ph = self._role_at(j, end)
            if ph:
                phrases.append(ph)
                j = ph.end
            else:
                j += 1
        if not phrases:
            return
        for k, ph in enumerate(phrases):
            # "to leader Abu Bakr al-Baghdadi": the role belongs to the person it precedes.
            nxt = self.mx.at(ph.end)
            holder = person
            if nxt is not None and nxt.key[0] == "Person":
                holder = nxt.key
            elif k and self._someone_elses(phrases[k - 1].end, ph.start):
                continue  # "X, an adviser to the Taliban leader,": the leader is not X
            org = self._org_for_role(ph, orgs)
            if org is None and ph.start > i:
                org = self._role_owner(ph.start, sent, ph.role)  # "X, the group's leader,"
            if org is None:
                org = self._anaphor_after(ph.end, end)  # "X, a leader of the militant group"
            self._add_membership(holder, ph.role, org, sent, rule, 0.85 if orgs else 0.7)

    def _someone_elses(self, start: int, end: int) -> bool:
        """Do the words between two role phrases of one apposition (``start``..``end``) put the
        second in the first one's object ("adviser [to the Taliban] leader") rather than
        beside it ("commander [and] spokesman", "leader of ISIS[, and] its spokesman")?"""
        words = self.mx.lower[start:end]
        return any(w in ("to", "of", "for") for w in words) and \
            not any(w in ("and", ",", "&") for w in words)

    def _anaphor_after(self, k: int, end: int) -> EntityKey | None:
        """After a role ending at token ``k``, "of/for the (militant) group" within the phrase
        [k, end): the organization of that kind named last before it, else None."""
        doc, lower = self.doc, self.mx.lower
        if k + 2 >= end or lower[k] not in ("of", "for") or lower[k + 1] != "the":
            return None
        j = k + 2
        while j < end - 1 and doc[j].pos_ == "ADJ" and doc[j].text.islower():
            j += 1
        if lower[j] not in ORG_ANAPHORA or (j + 1 < end and doc[j + 1].pos_ in ("NOUN", "PROPN")):
            return None
        # only one of that kind: "the militant group" is no command named before it
        return self.mx.last_org_before(j, lower[j], typed_first=True, strict=True)

    def _is_patient(self, v: Token, place: Token) -> bool:
        patient = self._passive_patient(v)
        return patient is not None and (patient.i == place.i or self._is_ancestor(patient, place))

    def _passive_patient(self, v: Token) -> Token | None:
        """The subject a subjectless passive participle is said of: "Raqqa was occupied ...
        and was embroiled in a civil war before being seized by ISIS" -> "Raqqa"."""
        if not any(c.dep_ == "auxpass" for c in v.children) or any(
                c.dep_ in ("nsubj", "nsubjpass") for c in v.children):
            return None
        h = v
        for _ in range(5):
            if h.dep_ not in ("pcomp", "advcl", "conj", "prep", "xcomp") or h.head is h:
                return None
            h = h.head
            subj = next((c for c in h.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None:
                return subj
        return None

    def _aside_end(self, comma: int, sent: Span) -> int | None:
        """After ``comma``, a speaker's aside closed by another comma ("as you know", "we
        believe", "of course"): the token after the closing comma, else None."""
        doc, lower = self.doc, self.mx.lower
        for words in _ASIDES:
            j = comma + 1 + len(words)
            if j < sent.end and doc[j].text == "," and tuple(lower[comma + 1:j]) == words:
                return j + 1
        return None

    def _perfect_copula(self, i: int, sent: Span) -> bool:
        """"has been", "had long been", "has also been" from token ``i``."""
        lower = self.mx.lower
        if lower[i] not in ("has", "had", "'s", "'d", "have"):
            return False
        j = i + 1
        while j < sent.end and lower[j] in ("also", "still", "long", "always"):
            j += 1
        return j < sent.end and lower[j] == "been"

    def _government(self, country: str) -> EntityKey:
        from .facts import Entity
        key: EntityKey = ("Organization", f"Government of {country}")
        if key not in self.mx.entities:
            self.mx.entities[key] = Entity("Organization", key[1], entity_type="government")
        return key

    def _local_body(self, place: EntityKey, role: str) -> EntityKey | None:
        """The body a place's named role belongs to: the police of a city or province for a
        police chief, the government of a province or city for its governor; else None."""
        from .facts import Entity
        if role.endswith(("police chief", "police commissioner")):
            key: EntityKey = ("Organization", f"{place[1]} police")
            if key not in self.mx.entities:
                self.mx.entities[key] = Entity("Organization", key[1], entity_type="police")
            return key
        last = role.split()[-1]
        if last == "governor" and not self.mx.is_country(place):
            return self._government(place[1])
        if last in ("minister", "president") and self.mx.is_country(place):
            return self._government(place[1])  # "Iraq Prime Minister X"; not "Syria envoy X"
        return None

    def _org_for_role(self, ph: _Phrase, orgs: list[Mention]) -> EntityKey | None:
        doc = self.doc
        if ph.org is not None:
            return ph.org
        if orgs:
            # Prefer an organization right after "of/for/in/at/with (the)" the role, then one
            # before it (possessive or modifier), then the first in the phrase.
            k = ph.end
            if k < len(doc) and doc[k].lower_ in ("of", "for", "in", "at", "with", "to"):
                k += 1
                while k < len(doc) and doc[k].lower_ in ("the", "a", "an"):
                    k += 1
                m = self.mx.at(k)
                if m is not None and m.key[0] == "Organization":
                    return m.key
            before = [o for o in orgs if o.end <= ph.start]
            if before:
                return before[-1].key
            return orgs[0].key
        return self._bare_body(ph.start - 1) or self._org_key(ph.implied_org)

    def _bare_body(self, k: int) -> EntityKey | None:
        """"the army spokesman": the army (at token ``k``) of the state the article names;
        "a health ministry spokesman": the ministry (ending at token ``k``)."""
        if k < 0:
            return None
        if self.mx.lower[k] == "ministry" and k >= 1:
            return self.mx.national_body(k - 1, k + 1)
        if self.mx.lower[k] not in _BARE_BODIES:
            return None
        return self.mx.national_body(k)

    def _org_by_word(self, k: int) -> EntityKey | None:
        """A capitalized word at token ``k`` that no mention covers, naming the one
        organization of the article whose name starts with it or is its plural: "Houthi" of
        "Houthi rebels" (the Houthis), "Shabaab" of "al-Shabaab" is not (it does not start
        so). None for a state's adjective, or when no or several organizations fit."""
        if k < 0:
            return None
        word = self.doc[k].text
        if not word[:1].isupper() or word in self.demonyms or k in self.mx.by_token or \
                self.doc[k].pos_ not in ("PROPN", "ADJ", "NOUN"):
            return None
        fits = {m.key for m in self.mx.mentions if m.key[0] == "Organization" and (
                m.text.split()[0] == word or m.key[1] in (word + "s", word + "es"))}
        if len(fits) > 1:
            fits.discard(("Organization", word))  # "Houthi positions" beside "the Houthis"
        return fits.pop() if len(fits) == 1 else None

    def _role_then_name(self, m: Mention, sent: Span) -> None:
        """'a spokesman for the Iraqi army, Brig. Gen. Yahya Rasool,' and 'the leader of
        ISIS, Abu Bakr al-Baghdadi': the role phrase stands before the name, after a comma."""
        doc = self.doc
        j = m.start
        while j - 1 >= sent.start and (doc[j - 1].lower_.rstrip(".") in self.ranks
                                       or doc[j - 1].lower_ in _SERVICES
                                       or doc[j - 1].text == "."):
            j -= 1
        if j - 1 < sent.start or doc[j - 1].text != ",":
            return
        comma = j - 1
        org_m = self.mx.at(comma - 1)
        if org_m is None:
            # "A coalition spokesman, U.S. Army Col. Ryan Dillon,": organization before the role
            for start in range(max(sent.start, comma - 8), comma):  # "a senior al-Qaeda commander"
                ph = self._role_at(start, comma)
                if ph and ph.end == comma and start - 1 >= sent.start:
                    # "a senior ISIL leader, Abu Jandal al-Kuwaiti,": the organization inside
                    # the phrase, else the one before it
                    owner = ph.org or self._role_owner(start, sent, ph.role)
                    if owner is not None:
                        self._add_membership(m.key, ph.role, owner, sent,
                                             "role-then-name", 0.8)
                    return
            return
        if org_m.key[0] != "Organization":
            return
        k = org_m.start
        inside = set(range(org_m.start, org_m.end))  # the name and what modifies it
        while k - 1 >= sent.start and (doc[k - 1].lower_ in ("the", "a", "an")
                                       or doc[k - 1].head.i in inside
                                       or (doc[k - 1].dep_ == "case"
                                           and doc[k - 1].head.head.i in inside)):
            # "a spokesman for the Kurdish-led Syrian Democratic Forces, X,", "the head of
            # Afghanistan's National Directorate of Security, X,"
            k -= 1
            inside.add(k)
        if k - 1 < sent.start or doc[k - 1].lower_ not in ("for", "of", "at", "in", "to"):
            return
        for start in range(max(sent.start, k - 5), k - 1):
            ph = self._role_at(start, k - 1)
            if ph and ph.end == k - 1:
                self._add_membership(m.key, ph.role, org_m.key, sent, "role-then-name", 0.8)
                return

    def _role_owner(self, start: int, sent: Span, role: str) -> EntityKey | None:
        """The organization named just before a role phrase that starts at ``start``: "a
        coalition spokesman", "ISIL's spokesman", or "the group's leader" (the last group
        named before); for a minister or the like, the government of the state named there
        ("Somalia's information minister", "the Iraqi prime minister")."""
        doc = self.doc
        governs = _governs(role)
        before = self.mx.at(start - 1)
        if before is not None and before.key[0] == "Organization":
            return before.key
        if before is None and (body := self._bare_body(start - 1)) is not None:
            return body
        if before is None and (named := self._org_by_word(start - 1)) is not None:
            return named
        if doc[start - 1].text in self.demonyms and _state_post(doc[start - 1].text, role) \
                and (before is None or before.key[0] == "Place"):
            return self._government(self.demonyms[doc[start - 1].text])
        if start - 2 < sent.start or doc[start - 1].text not in ("'s", "’s"):
            return None
        owner = self.mx.at(start - 2)
        if owner is not None:
            if owner.key[0] == "Organization":
                return owner.key
            if governs and self.mx.is_country(owner.key):
                return self._government(owner.key[1])
            return None
        noun = doc[start - 2]
        if noun.lower_ in ORG_ANAPHORA and start - 3 >= sent.start and \
                doc[start - 3].lower_ == "the":
            return self.mx.last_org_before(noun.i, noun.lower_, typed_first=True)
        return None

    def _title_before(self, m: Mention, sent: Span) -> None:
        doc = self.doc
        j = m.start
        # skip ranks: "Chairman General Joseph F. Dunford"
        while j - 1 >= sent.start and (doc[j - 1].lower_.rstrip(".") in self.ranks
                                       or doc[j - 1].text == "."):
            j -= 1
        if j < m.start:  # "spokesman Navy Capt. Jeff Davis": the service belongs to the rank
            for n in (2, 1):
                if j - n >= sent.start and \
                        " ".join(t.lower_ for t in doc[j - n:j]) in SERVICES:
                    j -= n
                    if j - 1 >= sent.start and doc[j - 1].text == "U.S.":
                        j -= 1
                    break
        if j - 1 < sent.start:
            return
        # find the longest role phrase ending at j
        best: _Phrase | None = None
        for k in range(max(sent.start, j - 5), j):
            ph = self._role_at(k, j)
            if ph and ph.end == j and (best is None or ph.start < best.start):
                best = ph
        if best is None:
            return
        org: EntityKey | None = best.org
        k = best.start
        if k - 1 >= sent.start and doc[k - 1].text in ("'s", "’s"):
            k -= 1
        before = self.mx.at(k - 1) if k - 1 >= sent.start else None
        if before is not None and before.end > k:
            before = None  # "French Armed Forces Minister": the model's name took the title's
            # words; the state before it is the owner
        if org is not None:
            pass
        elif before is not None and before.key[0] == "Organization":
            org = before.key
        elif before is None and (body := self._bare_body(k - 1)) is not None:
            org = body  # "army spokesman Col. X" after "the French army said"
        elif before is None and (named := self._org_by_word(k - 1)) is not None:
            org = named  # "Houthi military spokesman X" after "Houthi rebels"
        elif k - 1 >= sent.start and doc[k - 1].text in self.demonyms and \
                _state_post(doc[k - 1].text, best.role):
            org = self._government(self.demonyms[doc[k - 1].text])
        elif before is not None and doc[k].text in ("'s", "’s") and _governs(best.role) and \
                self.mx.is_country(before.key):
            org = self._government(before.key[1])  # "Iraq's Prime Minister Haider al-Abadi"
        elif before is not None and before.key[0] == "Place" and doc[k].text not in ("'s", "’s"):
            org = self._local_body(before.key, best.role)  # "Kabul police chief", "Borno
            # state Governor"
        elif best.implied_org:
            org = self._org_key(best.implied_org)
        if org is None and doc[best.start - 1].lower_ in ("to",) and best.start - 1 > sent.start:
            return  # handled by the apposition rule ("second in command to leader Y")
        self._add_membership(m.key, best.role, org, sent, "title", 0.85)

    # ================================================================ operations
    def _trigger_at(self, tok: Token) -> tuple[str, int] | None:
        """(operation type, end token) when ``tok`` starts an operation word."""
        if tok.pos_ in ("NOUN", "PROPN"):
            i = tok.i
            for words, typ in self.noun_by_first.get(self.lemma[i], ()) + \
                    self.noun_by_first.get(self.mx.lower[i], ()):
                n = len(words)
                if self.lemma[i:i + n] == list(words) or self.mx.lower[i:i + n] == list(words):
                    return typ, i + n
        if tok.pos_ == "VERB":
            lemma = self.lemma[tok.i]
            if lemma in ("fire", "launch") and any(
                    c.dep_ == "dobj" and c.lemma_.lower() in _MISSILES for c in tok.children):
                return "Attack", tok.i + 1  # "Houthi rebels fire a ballistic missile at Riyadh"
            if lemma == "blow" and any(c.lower_ == "up" for c in tok.children):
                return self.verb_triggers.get("blow up", "Bombing"), tok.i + 1
            if lemma == "open" and any(c.dep_ == "dobj" and c.lower_ == "fire"
                                       for c in tok.children):
                # "gunmen opened fire on a bus": an attack when armed men or an armed group
                # fired (not "police opened fire on protesters")
                subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
                doer = subj.lemma_.lower() if subj is not None else None
                if doer is not None and (_ARMED_MEN.get(doer) == "Attack" or (
                        doer not in _BARE_BODIES and doer != "officer"
                        and self._named_org(subj) is not None)):
                    return "Attack", tok.i + 1
                return None
            if lemma in _CONTROL_VERBS and any(
                    c.dep_ == "dobj" and c.lower_ == "control" for c in tok.children):
                return "Capture", tok.i + 1  # "taken control of the al-Shifa district"
            if lemma == "fall" and any(
                    (m := self.mx.at(g.i)) is not None and m.key[0] == "Organization"
                    for g in _prep_objects(tok, ("to",))):
                return "Capture", tok.i + 1  # "Raqqa fell to ISIS in January 2014"
            if lemma in self.verb_triggers:
                typ = self.verb_triggers[lemma]
                if typ in _STRIKE_TYPES or typ == "Bombing":
                    typ = self._flown_by(tok) or (
                        self._struck_by(tok) if typ in _STRIKE_TYPES else None) or typ
                elif lemma == "storm" and typ == "Capture":
                    typ = self._storming(tok)
                return typ, tok.i + 1
            if lemma in _KILL_VERBS or (lemma == "shoot" and any(
                    c.lower_ == "dead" for c in tok.children)):  # "gunmen shot dead four"
                typ = self._armed_killing(tok)
                return (typ, tok.i + 1) if typ else None
            if (typ := self._mistagged_plural(tok)) is not None:
                return typ, tok.i + 1
        return None

    def _mistagged_plural(self, tok: Token) -> str | None:
        """The operation type of a plural noun trigger the tagger read as a verb ("coalition
        airstrikes on a funeral hall kill 140": "airstrikes" VBZ), of a word that is only
        ever a noun; None for any other token."""
        if tok.tag_ != "VBZ" or not tok.lower_.endswith("s") or \
                self.lemma[tok.i] in self.verb_triggers:
            return None
        return next((typ for words, typ in self.noun_by_first.get(tok.lower_[:-1], ())
                     if len(words) == 1), None)

    @staticmethod
    def _flown_by(v: Token) -> str | None:
        """The type of "warplanes bombed", "a drone struck", "were hit by Russian jets": a
        strike from the air, by its subject (or its passive's agent)."""
        doers = [c for c in v.children if c.dep_ == "nsubj"] + [
            g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        for d in doers:
            if d.pos_ in ("NOUN", "PROPN") and (typ := _AIRCRAFT.get(d.lemma_.lower())):
                return typ
        return None

    def _struck_by(self, v: Token) -> str | None:
        """The type of "a suicide bomber struck a convoy", "gunmen struck a checkpoint": the
        attack its subject names, not a strike from the air."""
        subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
        if subj is None or subj.pos_ != "NOUN":
            return None
        lemma = subj.lemma_.lower()
        if lemma in _BOMBS:
            return "Bombing"
        for t in self.doc[subj.left_edge.i:subj.i + 1]:
            if t.pos_ in ("NOUN", "PROPN") and (found := self._trigger_at(t)) is not None \
                    and found[1] == subj.i + 1:
                return found[0]
        armed = _ARMED_MEN.get(lemma)
        return armed if armed == "Attack" else None

    def _armed_killing(self, v: Token) -> str | None:
        """The operation type of "gunmen killed 20 people" (active, armed men or a named
        organization as subject, a counted object), when the sentence names no operation of
        its own: in "the strike killed 20" the killing is the strike's toll."""
        subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
        if subj is None and v.dep_ == "conj":  # "militants shot and killed four soldiers"
            subj = next((c for c in v.head.children if c.dep_ == "nsubj"), None)
        if subj is None or not any(c.dep_ == "dobj" and (self._counted(c) or self._named(c))
                                   for c in v.children):
            return None
        subj = _speaker_for(subj, v)
        if subj is None:
            return None
        m = self.mx.at(subj.i)
        if m is not None and m.key[0] == "Organization":
            typ = "Attack" if subj.lemma_.lower() not in _ARMED_MEN else _ARMED_MEN[subj.lemma_.lower()]
        else:
            typ = _ARMED_MEN.get(subj.lemma_.lower()) if m is None else None
        if typ is None:
            return None
        sent = self.doc.sent_of(v.i)
        for i in range(sent.start, sent.end):
            # "forces, supported by U.S. airstrikes, killed 25": the strikes back the killing
            if i in self.trigger_starts and self.lemma[i] not in _KILL_VERBS | {"shoot"} and \
                    self._support_word(self.doc[i]) is None and \
                    self._trigger_at(self.doc[i]) is not None:
                return None
        return typ

    def _storming(self, v: Token) -> str:
        """"Forces stormed the town of Tal Afar" (or "the airport") takes a place or a site: a
        Capture. "Gunmen stormed a hotel" or "a prison", "special forces stormed a compound":
        an attack, or a raid when troops did it."""
        obj = next((c for c in v.children if c.dep_ == "dobj"), None)
        if obj is None or self.mx.at(obj.i) is not None or \
                obj.lemma_.lower() in _NAMING_PLACE_NOUNS:
            return "Capture"
        subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
        armed = _ARMED_MEN.get(subj.lemma_.lower()) if subj is not None else None
        if obj.lemma_.lower() in _LOCATION_HEADS and armed != "Attack":
            return "Capture"  # "forces stormed the airport of Mosul": a site taken
        return "Raid" if armed == "GenericOperation" else "Attack"

    @staticmethod
    def _counted(obj: Token) -> bool:
        """A toll: "killed 20", "killed 20 villagers"."""
        return obj.like_num or any(n.dep_ == "nummod" or n.like_num for n in obj.children)

    def _named(self, obj: Token) -> bool:
        """A named person killed: "killed Abdelmalek Droukdel", or a role this sentence gives
        a person ("killed the leader of the Islamic State in the Greater Sahara, Adnan Abu
        Walid al-Sahrawi")."""
        m = self.mx.at(obj.i)
        if m is not None:
            return m.key[0] == "Person"
        if obj.lower_ in self.single_roles and any(
                c.dep_ in ("compound", "poss") and (o := self.mx.at(c.i)) is not None
                and o.key[0] == "Organization" for c in obj.children):
            return True  # "gunmen kill a senior Hezbollah commander": one known by his post
        return obj.lower_ in self.single_roles and bool(self._holders_here(obj))

    @staticmethod
    def _bomb_went_off(head: Token) -> bool:
        """A bomb named as what acted ("a car bomb killed 18", "a roadside bomb exploded",
        "a truck bomb was detonated") or as what people were killed or hurt by ("killed in
        a car bomb", "wounded by a roadside bomb"): the event, where "seized two car bombs"
        is the weapon."""
        if head.dep_ in ("nsubj", "nsubjpass"):
            return True
        if head.dep_ == "dobj" and head.head.lemma_.lower() in ("drop", "detonate", "plant"):
            return True  # "helicopters dropped barrel bombs on Daraya", "detonated a car bomb"
        prep = head.head
        return head.dep_ == "pobj" and prep.lower_ in ("in", "by") and prep.head.pos_ == "VERB" \
            and prep.head.lemma_.lower() in ("kill", "wound", "injure", "hurt", "die")

    def _is_generic_noun(self, head: Token, start: int) -> bool:
        doc = self.doc
        if head.dep_ in ("compound", "amod") and head.head.pos_ in ("NOUN", "PROPN") \
                and head.head.i > head.i:
            return True  # "special operations forces", "strike group"
        if any(c.dep_ in ("det", "amod", "predet", "nummod") and c.lower_ in _GENERIC_DETS
               for c in head.children) or (start > 0 and doc[start - 1].lower_ in _GENERIC_DETS
                                            and doc[start - 1].dep_ in ("det", "amod", "predet")):
            return True
        plural = head.tag_ in ("NNS", "NNPS")
        if plural and not any(c.dep_ == "nummod" for c in head.children) and (
                (head.dep_ == "dobj" and head.head.tag_ == "VBG" and head.head.dep_ == "pcomp")
                or (head.dep_ == "pobj" and head.head.head.pos_ == "ADJ")):
            # "a leader responsible for (planning) attacks in Europe", "known for carrying
            # out attacks": what someone does, no particular operation
            return True
        if plural and not any(c.dep_ == "nummod" for c in head.children) and not any(
                t.like_num or t.lower_ in _COUNTED_MODS for t in doc[max(0, start - 3):start]) \
                and not self._clause_specific(head):
            return True
        if plural:
            v = self._clause_verb(head)
            if any(c.dep_ == "aux" and c.lower_ in ("has", "have") for c in v.children) and \
                    any(c.dep_ == "prep" and c.lower_ == "since" and
                        re.search(r"\b(?:19|20)\d\d\b", self.doc[c.i:c.right_edge.i + 1].text)
                        for c in (*v.children, *head.children)):
                return True  # "has conducted more than 11,500 strikes since August 2014": a
                # campaign's tally over years, no operation of its own ("since Sunday" is)
        if head.lower_ == "operation" and self._campaign_name_at(head.i):
            return True  # "Operation Inherent Resolve": a named campaign
        if head.dep_ == "appos" and head.head.i < head.i and \
                self._campaign_name_at(head.head.left_edge.i):
            return True  # "Operation Inherent Resolve, the operation to destroy ISIS in ...":
            # a description of the campaign, whose places are the campaign's
        return False

    def _campaign_name_at(self, i: int) -> bool:
        """Does a campaign's name ("Operation Inherent Resolve") start at token ``i``?"""
        doc = self.doc
        return doc[i].text == "Operation" and i + 1 < len(doc) and \
            doc[i + 1].text[:1].isupper() and not doc[i + 1].is_punct

    def _clause_specific(self, head: Token) -> bool:
        """'Coalition airstrikes killed 20 fighters near Manbij on Monday': a plural trigger
        whose own clause gives a date or a specific place names particular operations."""
        sent = self.doc.sent_of(head.i)
        t = self._sentence_date(sent, head, fallback=False)
        if t is not None:
            return True  # "attacks in Paris and Nice" (no date, no toll) stay generic
        if self._told_as_done(head, sent):
            return True
        # a toll counted on the verb they depend on: "jets killed 12 militants in strikes on
        # hideouts in Diyala, the command said on Monday" (the day is the statement's)
        verb = head.head
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
            verb = verb.head
        if verb.pos_ != "VERB":
            return False
        # ... or on a participle after it: "launches airstrikes on positions in Sanaa,
        # killing 12"
        verbs = [verb] + [c for c in verb.children if c.dep_ == "advcl" and c.pos_ == "VERB"]
        return any(v.lemma_.lower() in _TOLL_VERBS and any(
            c.dep_ in ("dobj", "nsubjpass") and (
                any(n.dep_ == "nummod" or n.like_num for n in c.children) or c.like_num)
            for c in v.children) for v in verbs)

    @staticmethod
    def _support_word(head: Token) -> Token | None:
        """The word that makes ``head`` (an operation word) backing for another: "backed by
        coalition airstrikes", "with the support of"; None for "strikes in support of the
        ground assault", where the strikes are their own operation."""
        support = next((a for _, a in zip(range(3), head.ancestors)
                        if a.lower_ in _SUPPORT_WORDS), None)
        if support is None or (support.lower_ == "support" and support.head.lower_ != "with"):
            return None
        return support

    def _supporting(self, head: Token) -> bool:
        """'The battle for Mosul began with the backing of coalition airstrikes', 'Iraqi
        forces, backed by coalition airstrikes, retook Ramadi': strikes in support of an
        operation its clause names are part of it, not one of their own."""
        support = self._support_word(head)
        if support is None:
            return False
        verb = support.head
        while verb.pos_ not in ("VERB", "AUX") and verb.head is not verb:
            verb = verb.head
        if verb.pos_ == "VERB" and verb.dep_ in ("acl", "relcl"):
            verb = verb.head  # "forces, backed by ..." hangs on the noun; its verb is above
            while verb.pos_ not in ("VERB", "AUX") and verb.head is not verb:
                verb = verb.head
        inside = {t.i for t in support.subtree}
        return any(t.i in self.trigger_starts and t.i not in inside and
                   self.mx.at(t.i) is None and self._trigger_at(t) for t in verb.subtree)

    def _told_as_done(self, head: Token, sent: Span) -> bool:
        """'The coalition carried out airstrikes on Houthi positions in Sanaa hours later':
        the object of an action verb in the simple past, in a main or reported clause (not
        "a group that carried out attacks in Kabul", nor "led attacks", nor "for years"),
        tells of particular operations."""
        verb = head.head
        if head.dep_ != "dobj" or verb.tag_ != "VBD" or verb.dep_ in ("relcl", "acl") or \
                verb.lemma_.lower() not in _ACTION - {"lead", "make"}:
            return False
        if any(c.dep_ in ("aux", "neg") for c in verb.children):
            return False
        return not _HABITUAL.search(self.doc.text_of(sent))

    def _is_hypothetical_verb(self, tok: Token) -> bool:
        if any(c.dep_ in ("aux", "auxpass") and c.lower_ in _MODALS for c in tok.children):
            return True
        heads = [tok] + ([tok.head] if tok.dep_ == "conj" else [])
        if any(_HABITUAL.search(t.text_with_ws.lower() + " " + " ".join(x.lower_ for x in t.subtree
                                                              if x.i < tok.i))
               for h in heads for t in h.children if t.dep_ in ("prep", "npadvmod", "advmod")):
            return True  # "has in recent months targeted ...": a pattern, not an operation
        if any(c.dep_ == "neg" for c in tok.children):
            return True
        if tok.dep_ == "acl" and tok.head.pos_ == "NOUN" and \
                tok.head.lemma_.lower() in _HYPOTHETICAL_NOUNS and \
                any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
            return True  # "with a desire to strike beyond the Middle East"
        h = tok
        for _ in range(3):
            if h.dep_ in ("xcomp", "ccomp", "advcl", "pcomp", "conj") and h.head is not h:
                if h.head.lemma_.lower() in _HYPOTHETICAL_HEADS:
                    return True
                if h.dep_ == "pcomp" and h.head.lower_ in ("at", "of", "for") and \
                        h.tag_ == "VBG":
                    return True  # "aimed at capturing leaders"
                h = h.head
            else:
                break
        return False

    def _in_dateline(self, char: int) -> bool:
        return any(a <= char < b for a, b in self.datelines)

    def _in_question(self, char: int) -> bool:
        """Inside a reporter's question of a briefing transcript ('Q:')?"""
        q = False
        for start, is_q in self.turn_q:
            if start <= char:
                q = is_q
            else:
                break
        return q

    def _place_ok(self, m: Mention, sent: Span, trigger: Token) -> bool:
        """Is the place mention an operation's place, not a modifier ('U.S. forces',
        'Iraqi captives') or an origin ('Britain-based')?"""
        doc = self.doc
        if self._in_dateline(doc[m.start].idx):
            return False
        last = doc[m.end - 1]
        if m.end < len(doc) and doc[m.end].text in ("-", "\u2010") and m.end + 1 < len(doc) \
                and doc[m.end + 1].lower_ in _BACKER_WORDS:
            return False  # "Britain-based", "Iran-backed militias": who, not where
        if last.text.lower().rsplit("-", 1)[-1] in _BACKER_WORDS and "-" in last.text:
            return False
        named_by_noun = m.start > 0 and doc[m.start - 1].lower_ in _NAMING_PLACE_NOUNS and \
            doc[m.start - 1].pos_ == "NOUN"  # "in the capital Sanaa hours later", mis-parsed
        if last.dep_ in ("compound", "amod", "nmod", "poss") and last.head.i > last.i and \
                not named_by_noun:
            head = last.head
            if head.lemma_.lower() not in _LOCATION_HEADS and head.i != trigger.i:
                return False
        if any(a.lemma_.lower() == "base" and a.dep_ in ("acl", "amod", "relcl")
               for a in doc[m.start].ancestors):
            return False  # "a team of special forces based in Iraq"
        if m.key[1] in ("United States",):
            return False  # the actor's country, never where operations in this genre happen
        if _HOMETOWN.search(self.doc.text, max(sent.start_char, doc[m.start].idx - 80),
                            doc[m.start].idx):
            return False  # "Sgt. Dustin Ard, 31, of Idaho Falls, Idaho, died ...": home

        if self._where_reported(doc[m.start], trigger):
            return False
        return True

    def _summary_time(self, si: int, place_keys: list[EntityKey], *,
                      list_item: bool = False) -> TimeValue | None:
        """The date of a strike summary before: "Coalition forces conducted 12 strikes in
        Syria and Iraq on Jan. 4. In Syria, aircraft conducted eight strikes near Raqqa and
        Palmyra." dates the Syria strikes Jan. 4: the summary has a day's date and only
        countries for places, this sentence names one of them (an item of a list of strikes
        needs not), and each operation between them is told at most two sentences after
        the one before."""
        reach = si
        for idx in range(len(self.facts.operations) - 1, -1, -1):
            op = self.facts.operations[idx]
            last = self.op_last_sent.get(idx, -9)
            if reach - last > 2 or self._heading_between(last, si):
                break
            reach = min(reach, last)
            if op.op_type not in _STRIKE_TYPES or op.time is None or not op.time.value \
                    or len(op.time.value) != 10 or not op.places:
                continue
            if all(self.mx.is_country(p) for p in op.places) and (
                    list_item or any(p in op.places for p in place_keys)):
                return op.time
        return None

    def _border_landmark(self, m: Mention) -> bool:
        """Is the place the country of "the border with <country>"?"""
        last = self.doc[m.end - 1]
        prep = last.head
        return last.dep_ == "pobj" and prep.lower_ == "with" and \
            prep.head.lemma_.lower() == "border"

    def _speaker_or_origin(self, m: Mention, trigger: Token) -> bool:
        """Is the place the subject of a reporting verb ("Pakistan said ...") or the object
        of a "from" that tells where someone or something came from ("clarification from
        Washington", "fighters from Raqqa"), outside the trigger's own phrase?"""
        last = self.doc[m.end - 1]
        for t in (last, *last.ancestors):  # "The U.N. mission in Afghanistan said ..."
            if t.dep_ == "nsubj" and t.head.pos_ == "VERB" and t.head.i != trigger.i \
                    and t.head.lemma_.lower() in self.verbs and trigger not in t.subtree:
                return True
        prep = last.head
        return last.dep_ == "pobj" and prep.lower_ == "from" and prep.head.pos_ == "NOUN" \
            and prep.head.i != trigger.i and trigger not in prep.subtree

    def _describes_person(self, tok: Token, trigger: Token) -> bool:
        """Is ``tok`` inside an apposition that describes a person ("X, a senior ISIS leader
        responsible for attacks in Europe"), or a relative clause that describes a person or
        an organization ("The coalition, which intervened in Yemen in 2015,"), one the
        trigger is not in?"""
        for a in tok.ancestors:
            if a.dep_ in ("appos", "relcl"):
                if trigger in a.subtree:
                    return False
                m = self.mx.at(a.head.i)
                if m is not None and (m.key[0] == "Person" or (
                        a.dep_ == "relcl" and m.key[0] == "Organization")):
                    return True
        return False

    def _where_reported(self, tok: Token, trigger: Token) -> bool:
        """Is ``tok`` in a phrase that says where something was said ("told reporters in
        Paris", "a press conference in Rawalpindi"), a phrase the trigger is not in?"""
        prep = next((a for a in tok.ancestors if a.dep_ == "prep" and a.lower_ in ("in", "at")),
                    None)
        if prep is None or trigger in prep.subtree:
            return False
        head = prep.head
        if head.pos_ == "NOUN" and head.lemma_.lower() in _SPEECH_NOUNS:
            return True
        if head.pos_ == "NOUN" and head.lower_ in self.single_roles and (
                head.dep_ == "appos" or (head.dep_ == "nsubj"
                                         and head.head.lemma_.lower() in self.verbs)):
            return True  # "said Col. X, the coalition's spokesman in Baghdad": where he serves
        if head.pos_ == "NOUN" and head.dep_ in ("dobj", "iobj", "npadvmod"):
            head = head.head  # "told reporters in Paris"
        if head.pos_ == "VERB" and head.lemma_.lower() in _HELD_VERBS:
            return True  # "captured during the operation and is being held in Iraq"
        if head.pos_ == "VERB" and head.lemma_.lower() in _SPEAKING_VERBS and \
                trigger.i not in {t.i for t in head.subtree}:
            return True  # "Speaking to reporters in Baghdad, X said the coalition struck ..."
        return head.pos_ == "VERB" and head.lemma_.lower() in self.verbs

    @staticmethod
    def _clause_verb(tok: Token) -> Token:
        h = tok
        for _ in range(12):
            if h.pos_ in ("VERB", "AUX") or h.head is h:
                return h
            h = h.head
        return h

    def _sentence_date(self, sent: Span, trigger: Token, fallback: bool = True):
        best = None
        own = self._clause_verb(trigger)
        clause = {own.i, trigger.i} | {
            a.i for a in trigger.ancestors if a.pos_ in ("VERB", "AUX")} | {
            c.i for c in trigger.children if c.pos_ == "VERB" and c.dep_ in ("acl", "relcl")}
        # "a roadside bomb killed two ... and wounded five ... in Kirkuk on Monday": a verb
        # conjoined after the trigger's own shares the subject, and the date hung on it
        clause |= {c.i for c in own.children if c.dep_ == "conj" and c.pos_ == "VERB"
                   and c.i > own.i}
        # "forces continued to attack ISIL in Iraq yesterday, conducting 19 strikes": the
        # verb the trigger's clause hangs on takes its date from its own complement
        clause |= {c.i for a in trigger.ancestors if a.pos_ == "VERB"
                   and a.lemma_.lower() not in self.verbs
                   for c in a.children if c.dep_ == "xcomp" and c.pos_ == "VERB"}
        if self._mistagged_plural(trigger) is not None:
            # "U.S. airstrikes in support of Afghan forces killed 20 ... on Sunday": the noun
            # read as the root verb; the verb it governs is the clause's own
            clause |= {c.i for c in trigger.children if c.pos_ == "VERB"}
        sent_text = None
        for s, e, text in self._dates_in(sent):
            char = sent.start_char + s
            if self._in_dateline(char):
                continue
            span = self.doc.char_span(char, sent.start_char + e, alignment_mode="expand")
            if span is None:
                continue
            if trigger.pos_ in ("NOUN", "PROPN") and trigger.left_edge.i <= span.start and \
                    span.end <= trigger.i:
                # "the 2017 ambush", "Monday's raid": the trigger's own date, whatever else
                # the sentence dates ("released its report on Thursday into ...")
                return dates.resolve(text, self.published)
            sent_text = sent_text if sent_text is not None else self.doc.text_of(sent)
            if dates.is_attributive_year(sent_text, s, text):
                continue  # "the 2017 ambush" dates its ambush only
            if re.search(r"\bsince\s+$", sent_text[max(0, s - 7):s], re.I) and \
                    self.lemma[trigger.i] not in _STATE_VERBS | set(_CONTROL_VERBS):
                continue  # "has carried out airstrikes in Yemen since 2015": a period's start,
                # no strike's date (but "has held Mosul since 2014" tells when it was taken)
            root = span.root
            # "U.S. officials said Monday", "said in a statement on Thursday": the date of the
            # report, not of the operation.
            h = root
            reported = False
            for _ in range(3):
                if h.lemma_.lower() in self.verbs and h.pos_ == "VERB" or (
                        h.pos_ == "NOUN" and h.lemma_.lower() in _SPEECH_NOUNS):
                    reported = True  # also "said in a statement on Wednesday"
                    break
                if h is not root and h.pos_ in ("VERB", "AUX"):
                    break  # "officials said the strike killed four late Saturday": the
                    # date is the killing's, whatever verb reports it further up
                if h.head is h:
                    break
                h = h.head
            k = span.start - 1
            while k > sent.start and self.doc[k].lower_ in ("on", "late", "early"):
                k -= 1
            v = self.doc[k]  # never the sentence before: k stays in this one
            if k >= sent.start and v.pos_ == "VERB" and v.lemma_.lower() in self.verbs and \
                    v.i != trigger.i and \
                    not (span.end < sent.end and self.doc[span.end].text in ("'s", "’s")):
                continue  # "the army said on Wednesday it had rescued 30 hostages": right
                # after the reporting verb, the report's date, however it is parsed (but
                # "officials said Monday's strike killed 10" is the strike's)
            if reported and root.i < min(self._inverted_starts(sent), default=-1):
                reported = False  # "CLAUSE ... early Sunday, the Pentagon said": the date is
                # in the clause reported, however the parser hung it on "said"
            if reported and not self._is_ancestor(trigger, root):
                continue
            if self._clause_verb(root).i not in clause:
                continue  # "..., where al-Baghdadi proclaimed a caliphate in 2014"
            dist = abs(root.i - trigger.i)
            if best is None or dist < best[0]:
                best = (dist, text, s)
        if best is None:
            return self._present_tense_date(trigger) if fallback else None
        return self._resolve_in(sent, best[2], best[1])

    def _resolve_in(self, sent: Span, start: int, text: str) -> TimeValue:
        """The date expression ``text`` at character ``start`` of the sentence, resolved; a
        bound of a period ("between Friday and Sunday") dates the whole period."""
        period = dates.date_ranges(self.doc.text_of(sent), self._dates_in(sent)).get(start)
        if period is None:
            return dates.resolve(text, self.published)
        return dates.resolve_range(*period, self.published)

    def _dates_in(self, sent: Span) -> list[tuple[int, int, str]]:
        """:func:`dates.find_dates` of a sentence, found once: a sentence is searched for
        every trigger in it and again for its context time."""
        key = (sent.start, sent.end)
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = dates.find_dates(self.doc.text_of(sent))
        return found

    def _present_tense_date(self, trigger: Token):
        """Headline-style news in the simple present ('ISIL militants blow up the mosque',
        'a service member is killed') reports the day of publication."""
        if self.published is None or self._in_direct_speech(trigger):
            return None  # '"We congratulate ... on the liberation of Falluja," he said'
        verb = self._clause_verb(trigger)
        mistagged = self._mistagged_plural(trigger) is not None
        if mistagged:
            # the noun read as a verb has no tense: the verb it governs has ("... kill 140",
            # which the same misreading leaves a bare "VB")
            verb = next((c for c in trigger.children if c.pos_ == "VERB" and c.i > trigger.i),
                        None)
            if verb is None:
                return None
        while verb.tag_ == "VBG" and verb.dep_ in ("advcl", "pcomp", "conj") \
                and verb.head is not verb:
            verb = self._clause_verb(verb.head)  # "is killed while taking part in ..."
        if verb.tag_ == "VBN" and verb.dep_ == "acl" and verb.head.dep_ == "conj" and \
                verb.head.head.pos_ == "VERB":
            verb = verb.head.head  # "25 people are killed and dozens injured in ...": the
            # participle shares the verb before it
        aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
        if not aux and verb.tag_ == "VBN" and verb.dep_ == "conj" and verb.head.tag_ == "VBN":
            # "two soldiers are killed and four wounded during a raid": the participle shares
            # the auxiliary of the one it is conjoined to
            aux = [c for c in verb.head.children if c.dep_ in ("aux", "auxpass")]
        if any(c.lemma_.lower() in ("have", "will", "would") or c.tag_ == "MD" for c in aux):
            return None  # perfect or future: not today's news
        passive_present = verb.tag_ == "VBN" and any(
            c.dep_ == "auxpass" and c.tag_ in _PRESENT_TAGS for c in aux)
        bare_root = verb.tag_ == "VB" and (verb.dep_ == "ROOT" or mistagged) and not aux
        # "bombings take place"
        if verb.tag_ in _PRESENT_TAGS or passive_present or bare_root:
            if verb.lemma_.lower() in ("be", "have", "remain", "appear", "seem"):
                return None  # "the raid is the first ...": a description, not today's event
            return TimeValue(f"present tense: {verb.text}", self.published.isoformat(), "day")
        return None

    def _in_direct_speech(self, tok: Token) -> bool:
        """Is ``tok`` inside quotation marks of its sentence? (An odd number of straight
        quotes, or more opening than closing curly ones, stand before it.)"""
        sent = self.doc.sent_of(tok.i)
        before = self.doc.text[sent.start_char:tok.idx]
        return before.count('"') % 2 == 1 or before.count("“") > before.count("”")

    @staticmethod
    def _is_ancestor(a: Token, b: Token) -> bool:
        return any(x.i == a.i for x in b.ancestors)

    def operations(self, sent: Span, si: int) -> None:
        doc, mx = self.doc, self.mx
        if self._in_question(sent.start_char):
            return  # a reporter's question asserts nothing
        sent_text = self.doc.text_of(sent)
        is_item = bool(re.match(r"\s*(?:--|—|•|\*|-)\s", sent_text))
        if sent_text.rstrip().endswith(":"):
            self._update_context_time(sent)
            return  # the header of a list of strikes: its items are the operations
        found_any = False
        i = sent.start
        starts = self.trigger_starts
        while i < sent.end:
            if i not in starts:
                i += 1
                continue
            tok = doc[i]
            found = self._trigger_at(tok)
            if not found:
                i += 1
                continue
            typ, end = found
            head = doc[end - 1]
            i = end
            if mx.at(head.i) is not None:
                continue  # part of a name
            if head.pos_ in ("NOUN", "PROPN"):
                if self._is_generic_noun(head, tok.i):
                    continue
                if head.lemma_.lower() == "bomb" and not self._bomb_went_off(head):
                    continue  # "destroyed three car bombs": a weapon, not a bombing
                if head.lemma_.lower() == "bomb" and head.dep_ == "dobj" and \
                        head.head.lemma_.lower() == "drop":
                    typ = "Airstrike"  # "helicopters dropped (barrel) bombs on Daraya"
                if self._supporting(head):
                    continue
            elif self._is_hypothetical_verb(head):
                continue
            places = [m for m in mx.in_span(sent.start, sent.end, "Place")
                      if self._place_ok(m, sent, head)]
            beside = [m for m in places if self._border_landmark(m)]
            if beside and len(beside) < len(places):
                # "in the Menaka region, near the border with Niger": Niger is a landmark
                # when the sentence names the place itself
                places = [m for m in places if m not in beside]
            aside = [m for m in places if self._speaker_or_origin(m, head)]
            if aside and len(aside) < len(places):
                # "Pakistan said it was seeking clarification from Washington about the
                # strike in Kurram": who spoke and whom they asked, not where it happened
                places = [m for m in places if m not in aside]
            described = [m for m in places if self._describes_person(doc[m.start], head)]
            if described and len(described) < len(places):
                # "a raid in northern Syria, killing X, a leader responsible for attacks in
                # Europe": where the person acted, not where the raid was
                places = [m for m in places if m not in described]
            if head.pos_ == "VERB":
                if typ == "Capture" and not (places and any(
                        self._is_ancestor(head, doc[p.start]) or p.start in
                        [c.i for c in head.children] or self._is_patient(head, doc[p.start])
                        for p in places)):
                    continue  # "capturing leaders": the capture of a place is an operation
                if typ == "Capture" and any(c.dep_ == "dobj" and c.lemma_.lower() in _SEIZED_GOODS
                                            for c in head.children):
                    continue  # "police seized two car bombs in Baghdad": a haul, not a place
                if head.lemma_.lower() in _STATE_VERBS and head.tag_ not in ("VBD", "VBN"):
                    continue  # "ISIS fighters still occupy parts of Raqqa": a state
                if head.lemma_.lower() == "target" and not any(
                        c.dep_ == "nsubj" and (m := mx.at(c.i)) is not None
                        and m.key[0] == "Organization" for c in head.children):
                    # "who targeted ...", "targeting Rakkan ...": a detail of an operation
                    # already named, never a new one
                    typ = "GenericOperation"
                    if self._merge_candidate(typ, [], None, True) is None:
                        continue
            prev_words = [t.lower_ for t in doc[max(sent.start, tok.i - 2):tok.i]]
            new_forced = any(w in _NEW_OP_DETS for w in prev_words)
            # "reported that Russian airstrikes killed 23": a complementizer is no determiner
            definite = any(t.lower_ in ("the", "that", "this", "these", "those")
                           and t.dep_ != "mark"
                           for t in doc[max(sent.start, tok.i - 2):tok.i])
            plural = head.tag_ in ("NNS", "NNPS") and not any(
                c.dep_ == "nummod" for c in head.children)
            time = self._sentence_date(sent, head)
            if time is None and is_item:
                time = self.context_time  # "-- Near Mosul, three strikes ...": the list's date
            place_keys = list(dict.fromkeys(p.key for p in places))
            if time is None and typ in _STRIKE_TYPES:
                time = self._summary_time(si, place_keys, list_item=is_item)
            actors, targets = self._actors_targets(sent, head)
            figures = extract_figures(sent_text)
            lemma = head.lemma_.lower()
            idx = None if new_forced else self._merge_candidate(typ, place_keys, time, definite,
                                                                lemma)
            if idx is not None and lemma == "bomb" and \
                    self.facts.operations[idx].op_type not in ("Bombing", "Attack"):
                idx = None  # a bomb that went off is its own event, not the capture told before
            if idx is not None and definite and plural and (
                    si - self.op_last_sent.get(idx, -9) > 2
                    or self._heading_between(self.op_last_sent.get(idx, -9), si)):
                continue  # "These strikes were conducted as part of ...": a summary
            ev = mx.evidence(sent)
            found_any = True
            if idx is None:
                if definite and plural:
                    continue
                trigger_text = doc[tok.i:end].text
                op = Operation(typ, trigger_text, place_keys, time, actors, targets, figures,
                               [ev], f"operation/{'noun' if head.pos_ != 'VERB' else 'verb'}@1",
                               0.75 if place_keys else 0.6)
                self.facts.operations.append(op)
                idx = len(self.facts.operations) - 1
            else:
                self._merge_into(self.facts.operations[idx], typ, doc[tok.i:end].text,
                                 place_keys, time, actors, targets, figures, ev)
            self.op_mentions[head.i] = idx
            self.op_last_sent[idx] = si
            self.op_lemmas.setdefault(idx, set()).add(lemma)
        if not found_any:
            self._update_context_time(sent)
            # "Twenty ISIL militants were killed ...": figures of the operation just reported
            figures = extract_figures(sent_text)
            last = len(self.facts.operations) - 1
            if figures and last >= 0 and self.op_last_sent.get(last) == si - 1 and \
                    not any(t.lemma_.lower() in self.verbs for t in self.doc.span(sent)):
                op = self.facts.operations[last]
                for f in figures:
                    if all((f.casualty_type, f.count) != (g.casualty_type, g.count)
                           for g in op.outcomes):
                        op.outcomes.append(f)

    def _heading_between(self, first: int, last: int) -> bool:
        """Is a heading ("Part of Operation Inherent Resolve": a short line of its own with
        no closing punctuation) among the sentences strictly between ``first`` and ``last``?
        "These strikes" after a heading sums up the sections above, not the last item."""
        sents = self.doc.sents
        text = self.doc.text
        for k in range(max(first + 1, 0), min(last, len(sents))):
            sent = sents[k]
            line = self.doc.text_of(sent).strip()
            end = sent.end_char
            if line and len(sent) <= 10 and line[-1].isalnum() and \
                    text[end:end + 1] in ("\n", "") and \
                    (sent.start_char == 0 or text[sent.start_char - 1] == "\n"):
                return True
        return False

    def _update_context_time(self, sent: Span) -> None:
        """A sentence that dates a report of operations ('... continued to attack ISIL
        terrorists yesterday') dates the list items that follow it."""
        for tok in self.doc.span(sent):
            if tok.pos_ == "VERB" and (tok.lemma_.lower() in self.verb_triggers or
                                       tok.lemma_.lower() in _ACTION):
                t = self._sentence_date(sent, tok)
                if t is not None and t.value and not t.text.startswith("present tense"):
                    self.context_time = t
                    return

    def _merge_into(self, op: Operation, typ: str, trigger: str, place_keys, time, actors,
                    targets, figures, ev) -> None:
        if op.op_type == "GenericOperation" and typ != "GenericOperation" or (
                _SPECIFICITY.get(typ, 0) > _SPECIFICITY.get(op.op_type, 0)
                and self._compatible_types(typ, op.op_type)):
            op.op_type = typ
            op.trigger = trigger
        for k in place_keys:
            if k not in op.places:
                op.places.append(k)
        if time is not None and (op.time is None or (op.time.value is None
                                                     and time.value is not None)):
            op.time = time
        for a in actors:
            if a not in op.actors:
                op.actors.append(a)
        for t in targets:
            if t not in op.targets:
                op.targets.append(t)
        for f in figures:
            if all((f.casualty_type, f.count) != (g.casualty_type, g.count)
                   for g in op.outcomes):
                op.outcomes.append(f)
        if ev not in op.evidence:
            op.evidence.append(ev)

    def _compatible_types(self, a: str, b: str) -> bool:
        if a == b or "GenericOperation" in (a, b):
            return True
        return any(a in f and b in f for f in _FAMILIES)

    def _places_compatible(self, a: list[EntityKey], b: list[EntityKey]) -> bool:
        if not a or not b or set(a) & set(b):
            return True
        a_specific = [k for k in a if not self.mx.is_broad_place(k)]
        b_specific = [k for k in b if not self.mx.is_broad_place(k)]
        if not a_specific or not b_specific:
            return True
        for x in a_specific:
            for y in b_specific:
                if x[1].lower() in y[1].lower() or y[1].lower() in x[1].lower():
                    return True
        return False

    def _merge_candidate(self, typ: str, places: list[EntityKey], time, definite: bool,
                         lemma: str | None = None) -> int | None:
        if lemma is not None and not definite and not (time is not None and time.value):
            # an undated mention goes first to an operation told with the same word ("The
            # fight to liberate Raqqa" -> "Raqqa has been liberated", not the seizure of 2014
            # told in between)
            same = [i for i, lemmas in self.op_lemmas.items() if lemma in lemmas]
            found = self._merge_candidate_in(sorted(same, reverse=True), typ, places, time,
                                             definite, lemma)
            if found is not None:
                return found
        return self._merge_candidate_in(range(len(self.facts.operations) - 1, -1, -1), typ,
                                        places, time, definite, lemma)

    def _merge_candidate_in(self, order, typ: str, places: list[EntityKey], time,
                            definite: bool, lemma: str | None) -> int | None:
        for idx in order:
            op = self.facts.operations[idx]
            if not self._compatible_types(op.op_type, typ):
                continue
            lemmas = self.op_lemmas.get(idx, set())
            if lemmas and lemmas <= _BACKGROUND_VERBS and lemma not in lemmas:
                continue  # "ISIS had occupied Mosul since 2014" takes no later mention
            if _times_conflict(op.time, time):
                if definite:
                    continue
                return None
            if not definite and lemma is not None and time is not None and time.value and \
                    not (op.time is not None and op.time.value) and \
                    lemma not in self.op_lemmas.get(idx, ()):
                # "Raqqa was occupied by opposition forces in 2013" after the undated
                # "Raqqa has been liberated": another word with its own date tells another
                # operation, and must not date this one
                return None
            if not self._places_compatible(op.places, places):
                if definite:
                    continue
                return None
            new_specific = [p for p in places if not self.mx.is_broad_place(p) and p not in op.places]
            if not definite and new_specific and not any(
                    p[1].lower() in q[1].lower() or q[1].lower() in p[1].lower()
                    for p in new_specific for q in op.places):
                return None  # "its fighters captured the town of Baghouz": another operation
            if not definite and (places or (time is not None and time.value)) and \
                    op.op_type in ("Strike", "Airstrike") and typ == op.op_type:
                return None  # listed strikes are separate operations
            return idx
        return None

    def _named_org(self, t: Token) -> EntityKey | None:
        """The organization a noun phrase names: its own mention, or a name in compound or
        apposition ('the opposition group Jaysh Khaled bin Waleed'); never a dateline's."""
        m = self.mx.at(t.i)
        if m is not None:
            if self._in_dateline(self.doc[m.start].idx):
                return None  # "STUTTGART, Germany — U.S. Africa Command conducted"
            return m.key if m.key[0] == "Organization" else None
        for c in t.children:
            if c.dep_ in ("compound", "appos", "nmod") and c.i != t.i:
                m = self.mx.at(c.i)
                if m is not None and m.key[0] == "Organization" and \
                        (c.dep_ == "appos" or m.end >= t.i):
                    return m.key
        return None

    def _doer_of(self, head: Token) -> EntityKey | None:
        """The organization that did an operation told as a noun under another verb: "the
        Taliban killed 12 soldiers in an ambush", "al-Shabaab claimed responsibility for the
        attack"; "they" in "the Taliban said they had killed 12 in an ambush" is the speaker."""
        if head.pos_ != "NOUN" or head.dep_ not in ("pobj", "dobj"):
            return None
        up = head.head
        verb = None
        under = up.head
        if under.dep_ == "dobj" and under.pos_ == "NOUN":
            under = under.head  # "killed 40 militants in airstrikes", parsed under the object
        if head.dep_ == "pobj" and up.lower_ in ("in", "during") and under.pos_ == "VERB" \
                and under.lemma_.lower() in _TOLL_VERBS:
            verb = under
        elif head.dep_ == "pobj" and up.lower_ == "for" and up.head.lemma_.lower() == \
                "responsibility" and up.head.dep_ == "dobj" and up.head.head.pos_ == "VERB" \
                and up.head.head.lemma_.lower() in _RESPONSIBLE_VERBS:
            verb = up.head.head
        if verb is None:
            return None
        subj = _speaker_for(next((c for c in verb.children if c.dep_ == "nsubj"), None), verb)
        return self._named_org(subj) if subj is not None else None

    def _actors_targets(self, sent: Span, head: Token) -> tuple[list[EntityKey], list[EntityKey]]:
        mx = self.mx
        actors: list[EntityKey] = []
        targets: list[EntityKey] = []
        verb = head if head.pos_ == "VERB" else head.head
        acts = head.pos_ == "VERB" or (head.dep_ == "dobj" and verb.lemma_.lower() in _ACTION)
        for t in list(verb.children if acts else []) + list(head.children):
            if t.dep_ == "nsubj" and acts:
                m = self._named_org(t)
                if m is not None:
                    actors.append(m)
            if t.dep_ == "agent" or (t.dep_ == "prep" and t.lower_ == "by"):
                for obj in (c for c in t.children if c.dep_ == "pobj"):
                    org = self._named_org(obj)
                    if org is not None:
                        actors.append(org)
            if t.dep_ == "dobj" and acts and head.pos_ == "VERB":
                # "raided a Taliban compound", "attacked ISIS positions", "struck ISIS"
                org = self._named_org(t)
                if org is not None:
                    targets.append(org)
            if t.dep_ == "prep" and t.lower_ == "against":
                for m in mx.in_span(t.left_edge.i, t.right_edge.i + 1):
                    if m.key[0] in ("Organization", "Person"):
                        targets.append(m.key)
        doer = self._doer_of(head)
        if doer is not None:
            actors.append(doer)
        for tok in self.doc.span(sent):
            if tok.lemma_.lower() in ("target", "kill", "capture", "hit") and tok.pos_ == "VERB":
                for c in tok.children:
                    if c.dep_ in ("dobj", "nsubjpass"):
                        m = mx.at(c.i)
                        if m and m.key[0] == "Person":
                            targets.append(m.key)
        return list(dict.fromkeys(actors)), list(dict.fromkeys(targets))

    # ================================================================ claims
    def _declined(self, v: Token) -> bool:
        if any(c.dep_ == "neg" for c in v.children):
            return True
        h = v
        for _ in range(3):
            if h.dep_ in ("xcomp", "conj") and h.head is not h:
                h = h.head
                if h.lemma_.lower() in _DECLINE or any(c.dep_ == "neg" for c in h.children):
                    return True
            else:
                break
        return False

    def _source_keys(self, subj: Token) -> list[EntityKey]:
        """The sources a subject token names (with its conjuncts)."""
        out: list[EntityKey] = []
        for t in [subj] + [c for c in subj.conjuncts if c.i > subj.i]:
            key = self._source_key(t)
            if key and key not in out:
                out.append(key)
        return out

    def _source_key(self, t: Token) -> EntityKey | None:
        mx = self.mx
        if t.pos_ == "NOUN" and t.lemma_.lower() in _REPORT_NOUNS and mx.at(t.i) is None:
            # "A statement from the Pentagon said ...": whose statement it is
            inner = _prep_objects(t, _SOURCE_PREPS)
            return self._source_key(inner[0]) if inner else None
        # an apposition that names the source: "Another activist group, Sound and Picture,"
        m = mx.at(t.i)
        # "Navy Capt. Raymond Dorrian, ..., said": the service before a rank is the person's
        service = m is not None and m.key[0] == "Organization" and m.end < len(self.doc) and \
            self.mx.lower[m.end].rstrip(".") in {r.rstrip(".") for r in self.ranks}
        for c in t.children:
            if c.dep_ == "appos" and (m is None or m.key[0] == "Place" or service):
                am = mx.at(c.i)
                if am and am.key[0] in ("Organization", "Person"):
                    return am.key
        if m is not None and m.key[0] in ("Person", "Organization"):
            return m.key
        if t.lower_ in ("he", "she"):
            return self._last_speaker(t) or mx.last_person_before(t.i)
        if t.lower_ in ("i", "we"):
            return mx.speaker_at(t.idx)
        if t.lower_ == "it":
            return self._it_source(t)
        if m is not None and m.key[0] == "Place":
            # a country that speaks is its government: "Russia said ...", "Turkey's claim that
            # ..."; a place reached through a preposition ("reports from Aleppo that ...") is
            # where the words came from, not who said them. A one-word "place" that is the
            # surname of a person of the article ('"...," Jabouri said.') is that person, whom
            # the model took for a place; other places (a word the model called a place, a
            # town) are no source.
            if t.dep_ not in ("nsubj", "poss"):
                return None
            person = mx.person_by_surname(m.key[1]) if len(m.key[1].split()) == 1 else None
            return person or (m.key if mx.is_country(m.key) else None)
        holder = self._role_holder(t) if m is None else None
        if holder is None and m is None:
            holder = self._person_of_role_phrase(t)
        if holder is not None:
            return holder
        anon = mx.anonymous_source(t)
        if anon is None and m is None:
            return self._named_org(t)
        return anon

    def _role_holder(self, t: Token) -> EntityKey | None:
        """"The spokesman said", "the governor said": the one person the article gave that
        role before, by a membership or by a title before the name ("Governor Babagana
        Zulum"); none when it gave the role to several."""
        word = t.lower_
        if t.tag_ != "NN" or word not in self.single_roles or not any(
                c.dep_ == "det" and c.lower_ == "the" for c in t.children) or any(
                c.dep_ in ("compound", "amod", "poss", "nmod") for c in t.children):
            return None
        here = self.mx.evidence(t.sent).start
        found = {m.person for m in self.facts.memberships if m.evidence.start <= here
                 and (m.role == word or m.role.endswith(" " + word))}
        lower = self.mx.lower
        found.update(m.key for m in self.mx.mentions if m.key[0] == "Person"
                     and m.start < t.i and word in lower[max(0, m.start - 3):m.start])
        return next(iter(found)) if len(found) == 1 else None

    def _holders_here(self, t: Token) -> set[EntityKey]:
        """The people this sentence's memberships give the role ``t`` names ("spokesman":
        also a "military spokesman")."""
        here, word = self.mx.evidence(t.sent), t.lower_
        return {m.person for m in self.facts.memberships if m.evidence == here
                and (m.role == word or m.role.endswith(" " + word))}

    def _person_of_role_phrase(self, t: Token) -> EntityKey | None:
        """"According to a spokesman for the Syrian Democratic Forces, Talal Silo": the person
        the role phrase headed by ``t`` names itself, by a membership of this sentence with
        that role whose person is inside the phrase (the parser may hang the name on the
        organization); none when it names several."""
        word = t.lower_
        if t.tag_ != "NN" or word not in self.single_roles:
            return None
        people = self._holders_here(t)
        inside = {m.key for m in self.mx.in_span(t.i + 1, t.right_edge.i + 1, "Person")
                  if m.key in people}
        return next(iter(inside)) if len(inside) == 1 else None

    def _last_speaker(self, t: Token) -> EntityKey | None:
        """The person who spoke in the sentence before "he said" (or earlier in its own):
        "Col. X told the agency that a leader known as Y was among the dead. He said ..." is
        X speaking again, not Y, the person named last."""
        sent = t.sent
        here = self.mx.evidence(sent)
        before = self.mx.evidence(self.doc[sent.start - 1].sent) if sent.start > 0 else None
        for c in reversed(self.facts.claims):
            if c.evidence not in (here, before):
                break
            if len(c.sources) == 1 and c.sources[0][0] == "Person":
                return c.sources[0]
        return None

    def _it_source(self, t: Token) -> EntityKey | None:
        """The organization "it said" refers to: the one last named as a subject (else last
        named) before it in its own sentence or the one before (a dateline's agency is no
        antecedent); none further back, where "it" is as likely a thing."""
        sent = t.sent
        prev = self.doc[sent.start - 1].sent if sent.start > 0 else sent
        # the organization the claims just before were attributed to: "X was responsible for
        # attacks on Somali forces, the command said. It said no civilians were killed."
        here, before = self.mx.evidence(sent), self.mx.evidence(prev)
        for c in reversed(self.facts.claims):
            if c.evidence not in (here, before):
                break
            if len(c.sources) == 1 and c.sources[0][0] == "Organization":
                return c.sources[0]
        orgs = [m for m in self.mx.in_span(prev.start, t.i, "Organization")
                if not self._in_dateline(self.doc[m.start].idx)]
        # the subject before an object: "ISWAP claimed the attack on its Amaq news agency.
        # It said ..." is ISWAP speaking
        subjects = [m for m in orgs if self.doc[m.end - 1].dep_ in ("nsubj", "nsubjpass")]
        return max(subjects or orgs, key=lambda m: m.start).key if orgs else None

    def _clean_statement(self, span_text: str) -> str:
        s = _DATELINE_PREFIX.sub("", span_text.strip())
        s = _ITEM_PREFIX.sub("", s)
        s = re.sub(r"^(?:that|:)\s+", "", s)
        s = s.strip(" ,;:\n\t")
        s = s.strip("\"“”")
        s = s.rstrip(" ,;:.")
        s = _UNVERIFIED_TAIL.sub("", s)  # the reporter's caveat, not the claim (its hedge)
        return re.sub(r"\s+", " ", s)

    def _hedge(self, verb_lemma: str, sent: Span) -> str:
        low = self.doc.text_of(sent).lower()
        if re.search(r"\b(?:reportedly|allegedly|could not be (?:independently )?"
                     r"(?:confirmed|verified))\b", low):
            return "Reportedly"
        return self.verbs.get(verb_lemma, "Asserted")

    def _about(self, start: int, end: int) -> int | None:
        for i in range(start, end):
            if i in self.op_mentions:
                return self.op_mentions[i]
        return None

    def _add_claim(self, sources: list[EntityKey], statement: str, verb: str, hedge: str,
                   sent: Span, rule: str, about: int | None, conf: float) -> None:
        if not sources or len(statement.split()) < 2:
            return
        for c in self.facts.claims:
            if c.statement == statement and c.sources == sources:
                return
        self.facts.claims.append(Claim(sources, statement, verb, hedge, self.mx.evidence(sent),
                                       f"claim/{rule}@1", extract_figures(statement), about,
                                       conf))

    def _past_apposition(self, comma: int, end: int) -> int:
        """The comma that ends "According to Amaq, the Islamic State's news agency, ...": past
        a noun phrase between two commas (no verb in it), which says who the source is."""
        doc = self.doc
        nxt = next((t.i for t in doc[comma + 1:end] if t.text == ","), None)
        if nxt is None or nxt == comma + 1:
            return comma
        words = doc[comma + 1:nxt]
        # the parser hangs such a phrase on the source or on the comma after it, seldom as
        # "appos"; a phrase hung forwards is the clause's own ("the Taliban, who ..., attacked")
        if words.root.head.i <= comma and not any(
                t.pos_ in ("VERB", "AUX") and t.dep_ not in ("amod", "compound") for t in words):
            return nxt
        return comma

    def claims(self, sent: Span) -> None:
        doc, lower = self.doc, self.mx.lower
        # "according to X, ..." / "..., according to X"
        for i in range(sent.start, sent.end - 1):
            if lower[i] == "according" and lower[i + 1] == "to":
                tok, to = doc[i], doc[i + 1]
                objs = [c for c in to.children if c.dep_ == "pobj"]
                if not objs:
                    continue
                obj = objs[0]
                if obj.lemma_.lower() in ("statement", "report", "release", "announcement",
                                          "spokesman", "spokesperson", "tally", "estimate"):
                    # "according to a statement from the U.S. Central Command"
                    inner = _prep_objects(obj, _SOURCE_PREPS)
                    if inner:
                        obj = inner[0]
                sources = self._source_keys(obj)
                end_i = obj.right_edge.i + 1
                if all(t.is_punct or t.is_space for t in doc[sent.start:tok.i]):
                    # "According to X, CLAUSE.": the clause starts after the first comma
                    comma = next((t.i for t in doc[tok.i:sent.end] if t.text == ","), None)
                    if comma is not None:
                        comma = self._past_apposition(comma, sent.end)
                    rest = doc[(comma + 1) if comma is not None else end_i:sent.end].text
                else:
                    rest = doc[sent.start:tok.i].text
                statement = self._clean_statement(rest)
                self._add_claim(sources, statement, "according to", self._hedge("say", sent),
                                sent, "according-to", self._about(sent.start, sent.end), 0.8)
        self._mistagged_claims(sent)
        self._noun_claims(sent)
        # the cached tags and lemmas pick the reporting verbs before any Token is touched
        for i in range(sent.start, sent.end):
            lemma = self.lemma[i]
            if self.pos[i] != "VERB" or lemma not in self.verbs or i in self.used_verbs:
                continue
            v = doc[i]
            if any(a <= v.idx < b for a, b in self.quote_spans) or self._declined(v):
                continue
            subj = _nearest_subject(v)
            if subj is not None and subj.lower_ in ("which", "who") and v.dep_ == "relcl" \
                    and subj.head.i == v.i:
                subj = v.head  # "..., claimed by Islamic State, which said that ...": the group
            ccomps = [c for c in v.children if c.dep_ == "ccomp"]
            # the clause after the verb is what it reports: "X say ...; the RSF says it
            # captured ..." hangs X's whole attribution on "says" too
            ccomp = next((c for c in ccomps if c.i > v.i), ccomps[0] if ccomps else None)
            if ccomp is None:
                # "said in a statement (that was) posted online that ...": the parser hangs
                # the clause on "posted"
                ccomp = next((cc for n in _prep_objects(v, ("in",))
                              if n.lemma_.lower() in _SPEECH_NOUNS
                              for a in n.children if a.dep_ in ("acl", "relcl")
                              for cc in a.children if cc.dep_ == "ccomp"
                              and any(m.lower_ == "that" and m.dep_ == "mark"
                                      for m in cc.children)), None)
            if ccomp is None:
                # "said in a statement that the strike killed X": the parser hangs the clause
                # itself on "statement"
                # ("said in an audio message that the group would fight on": or as a relative
                # clause, "that" right after the noun)
                ccomp = next((a for n in _prep_objects(v, ("in",))
                              if n.lemma_.lower() in _SPEECH_NOUNS
                              for a in n.children if a.pos_ in ("VERB", "AUX") and (
                                  a.dep_ == "acl" and any(m.lower_ == "that" and m.dep_ == "mark"
                                                          for m in a.children)
                                  or a.dep_ == "relcl" and a.i > n.i + 1
                                  and doc[n.i + 1].lower_ == "that"
                                  and doc[n.i + 1].dep_ not in ("nsubj", "nsubjpass")
                                  and a.left_edge.i == n.i + 1)), None)
            if ccomp is not None and ccomp.i > v.i:
                # "said in a statement that it released on Telegram that ...": the relative
                # clause was taken for the report; the report is the "that" clause inside it
                rel = doc[ccomp.left_edge.i]
                inner = next((cc for cc in ccomp.children if cc.dep_ == "ccomp" and cc.i > rel.i
                              and any(m.lower_ == "that" and m.dep_ == "mark"
                                      for m in cc.children)), None)
                if inner is not None and rel.lower_ == "that" and rel.head.i == ccomp.i and \
                        ccomp.lemma_.lower() in _PUBLISHING_VERBS and rel.i > 0 and \
                        doc[rel.i - 1].lemma_.lower() in _SPEECH_NOUNS and \
                        not any(c.dep_ == "dobj" and c.i != rel.i for c in ccomp.children):
                    ccomp = inner
            inverted_obj = None
            if subj is None and v.dep_ == "conj" and v.i > 0 and doc[v.i - 1].text == ",":
                # "They targeted a senior ISIS official, reported CBS News."
                inverted_obj = next((c for c in v.children if c.dep_ in ("dobj", "nsubj")
                                     and c.i > v.i), None)
            if subj is None and inverted_obj is None and v.i - 1 > sent.start and \
                    doc[v.i - 1].pos_ in ("NOUN", "PROPN") and any(
                        t.text == "," for t in doc[max(sent.start, v.i - 9):v.i - 1]):
                # ", the coalition's Syrian Democratic Forces partners announced today,": the
                # parser hung the subject elsewhere; the noun right before the verb is it
                subj = doc[v.i - 1]
                loose_subject = True
            else:
                loose_subject = False
            if subj is None and inverted_obj is None:
                continue
            src_tok = subj or inverted_obj
            sources = self._source_keys(src_tok)
            if not sources:
                continue
            added = self._added_reports(v, sent)  # "..., adding that ...": claims of their own
            if ccomp is not None and ccomp.i > v.i:
                end_i = ccomp.right_edge.i + 1
                for c in ccomp.children:
                    # "..., but declined to", "..., but the Pentagon denied the report": the
                    # clause after "but" is not what the source said
                    if c.dep_ == "conj" and c.i > v.i and (
                            c.lemma_.lower() in _DECLINE or (
                                any(d.dep_ in ("nsubj", "nsubjpass") for d in c.children)
                                and any(d.dep_ == "cc" and d.lower_ == "but"
                                        for d in ccomp.children if d.i < c.i))):
                        end_i = min(end_i, c.left_edge.i)
                        while end_i - 1 > ccomp.left_edge.i and doc[end_i - 1].lower_ in (
                                ",", "but", "and"):
                            end_i -= 1
                begin = ccomp.left_edge.i
                if not any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in
                           ccomp.children):
                    # "said between 1,500 and 2,000 militants were believed to remain": the
                    # parser took the clause's subject for the verb's phrase
                    stolen = [c for c in v.children if c.dep_ == "prep" and c.lower_ == "between"
                              and v.i < c.i < begin]
                    if stolen:
                        begin = stolen[0].i
                begin = self._past_report_date(v, begin, end_i)
                if added and begin < added[0][0].i < end_i:
                    end_i = added[0][0].i - 1  # "said it killed 20, adding that ...": two claims
                span = doc[begin:end_i]
                # stop at a conjoined clause of the reporting verb ("..., but declined to")
                statement = self._clean_statement(span.text)
                rule = "reporting-verb"
            elif ccomp is not None or inverted_obj is not None or (
                    v.i > sent.start and doc[v.i - 1].text == ","
                    # "X's affiliate, Islamic State Khorasan, claimed": the comma closes
                    # the subject's apposition, no clause before it is reported
                    and not (subj is not None and subj.i < v.i
                             and subj.right_edge.i >= v.i - 1)) or (
                    subj is not None and subj.i > v.i) or (
                    subj is not None and subj.left_edge.i > sent.start
                    and doc[subj.left_edge.i - 1].text == ","
                    # "In a video posted online, the group claimed the attack": the verb's
                    # own object is what it reports, not the phrase before the comma
                    and not any(c.dep_ == "dobj" and c.i > v.i for c in v.children)):
                # inverted: "CLAUSE, officials said" / "CLAUSE, said a resident"
                first = min(v.i, subj.left_edge.i if subj is not None and subj.i < v.i else v.i)
                if loose_subject:
                    first = max(t.i for t in doc[sent.start:v.i] if t.text == ",") + 1
                k = min([first] + self._inverted_starts(sent)) - 1
                while k >= sent.start and doc[k].is_punct:
                    k -= 1
                if k < sent.start:
                    continue
                after = v.i + 1
                if after < sent.end and doc[after].text == "," and doc[first - 1].text == "," \
                        and not (added and added[0][0].i == after + 1) \
                        and any(not (t.is_punct or t.is_space) for t in doc[after + 1:sent.end]):
                    # parenthetical: "..., including, we believe, Haji Imam who ..."
                    statement = self._clean_statement(
                        doc[sent.start:first - 1].text + " " + doc[after + 1:sent.end].text)
                else:
                    statement = self._clean_statement(doc[sent.start:k + 1].text)
                rule = "inverted-attribution"
            else:
                dobj = next((c for c in v.children if c.dep_ == "dobj"), None)
                if dobj is None or lemma not in ("claim", "blame", "deny", "announce", "confirm",
                                                 "accuse"):
                    continue
                statement = self._clean_statement(doc[v.i:dobj.right_edge.i + 1].text)
                rule = "verb-object"
            about = self._about(sent.start, sent.end)
            if rule == "verb-object" and dobj.lower_ == "responsibility" and about is None \
                    and self.facts.operations:
                about = len(self.facts.operations) - 1  # the attack told before
            self._add_claim(sources, statement, v.text, self._hedge(lemma, sent), sent, rule,
                            about, 0.8)
            for part, content in added:
                self.used_verbs.add(part.i)
                self._add_claim(sources, self._clean_statement(content.text), part.text,
                                self._hedge(part.lemma_.lower(), sent), sent,
                                "reporting-participle", about, 0.8)

    def _past_report_date(self, v: Token, begin: int, end: int) -> int:
        """Where the reported clause starts when the report's own date stands between the
        verb and it and the parser put the date in the clause: "the army said on Wednesday it
        had killed 40" -> "it had killed 40" ("said Sunday's raid killed 10" keeps its
        date: it is the raid's)."""
        doc, k = self.doc, begin
        if begin != v.i + 1:
            return begin
        if k < end and doc[k].lower_ in ("on", "late", "early"):
            k += 1
        date_end = k
        while date_end < end and doc[date_end].ent_type_ in ("DATE", "TIME") and \
                doc[date_end].text not in ("'s", "’s"):
            date_end += 1
        if date_end == k or date_end >= end or doc[date_end].text in ("'s", "’s", ","):
            return begin
        nxt = doc[date_end]
        if nxt.pos_ in ("PRON", "DET", "PROPN", "NUM") or nxt.dep_ in ("nsubj", "nsubjpass"):
            return date_end
        return begin

    def _added_reports(self, v: Token, sent: Span) -> list[tuple[Token, Span]]:
        """The statements a reporting verb's source goes on to make in a participle after a
        comma: "..., the army said, adding that three soldiers died" -> (adding, "that three
        soldiers died"). Each is a claim of its own, not the end of the first one."""
        doc, out = self.doc, []
        for i in range(v.i + 2, sent.end):
            if self.pos[i] != "VERB" or self.lemma[i] not in self.verbs or \
                    doc[i - 1].text != "," or doc[i].tag_ != "VBG":
                continue
            part = doc[i]
            if v not in part.ancestors:
                continue
            content = next((c for c in part.children if c.dep_ == "ccomp" and c.i > i), None)
            if content is not None:
                out.append((part, doc[content.left_edge.i:content.right_edge.i + 1]))
        return out

    def _noun_claims(self, sent: Span) -> None:
        """A claim told as a noun with its source and a that-clause: "reports by the Syrian
        Observatory that 25 civilians died", "the allegation from local activists that ...",
        "CENTCOM's claim that ...", "Turkey's claim that ...". The claim is the source's, whoever
        disputes it."""
        if self._in_question(sent.start_char):
            return  # a reporter's question asserts nothing
        doc = self.doc
        for i in range(sent.start, sent.end):
            hedge = _CLAIM_NOUNS.get(self.lemma[i]) if self.pos[i] == "NOUN" else None
            if hedge is None:
                continue
            n = doc[i]
            clause = next((c for c in n.children if c.dep_ in ("acl", "ccomp") and c.i > n.i
                           and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)),
                          None)
            if clause is None:
                continue
            src = next((c for c in n.children if c.dep_ == "poss"), None) or next(
                iter(_prep_objects(n, _SOURCE_PREPS)), None)
            if src is None:
                continue
            sources = self._source_keys(src)
            mark = next(g for g in clause.children if g.dep_ == "mark" and g.lower_ == "that")
            statement = self._clean_statement(doc[mark.i + 1:clause.right_edge.i + 1].text)
            if self._hedge("say", sent) == "Reportedly":
                hedge = "Reportedly"
            self._add_claim(sources, statement, n.text, hedge, sent, "claim-noun",
                            self._about(sent.start, sent.end), 0.7)

    def _briefing_claim(self, sent: Span) -> None:
        """In a briefing transcript, what a named speaker states about a person, a group or an
        operation is that speaker's claim ('MR. COOK: ... He's been responsible for ISIL's
        external plotting.'). Questions, greetings and sentences already attributed are not."""
        speaker = self.mx.speaker_at(sent.start_char)
        if speaker is None or self._in_question(sent.start_char):
            return
        text = self.doc.text_of(sent).strip()
        if "?" in text or len(text.split()) < 6 or re.match(r"^[A-Z][A-Z .'’-]+:", text):
            return
        if _COURTESY.search(text):
            return  # "I want to start by reiterating that our thoughts and prayers ..."
        ev = self.mx.evidence(sent)
        if any(c.evidence == ev for c in self.facts.claims):
            return
        about = self._about(sent.start, sent.end)
        if about is not None and not self.facts.operations[about].places:
            about = None  # an operation without a place is dropped below
        armed = any(self.mx.entities.get(m.key) is not None and
                    self.mx.entities[m.key].entity_type == "armed group"
                    for m in self.mx.in_span(sent.start, sent.end, "Organization"))
        others = any(m.key != speaker for m in self.mx.in_span(sent.start, sent.end, "Person"))
        if about is None and not extract_figures(text) and not (
                armed and (others or self._about_someone(sent, speaker))):
            return
        self._add_claim([speaker], self._clean_statement(text), "(briefing)", "Asserted",
                        sent, "briefing-speaker", about, 0.6)

    def _about_someone(self, sent: Span, speaker: EntityKey) -> bool:
        """Is the sentence's subject a person other than the speaker, or an armed group?"""
        for subj in (c for c in sent.root.children if c.dep_ in ("nsubj", "nsubjpass")):
            if subj.lower_ in ("he", "she"):
                key = self.mx.last_person_before(subj.i)
            else:
                m = self.mx.at(subj.i)
                key = m.key if m else None
            if key is None or key == speaker:
                continue
            ent = self.mx.entities.get(key)
            if key[0] == "Person" or (ent is not None and ent.entity_type == "armed group"):
                return True
        return False

    def _mistagged_claims(self, sent: Span) -> None:
        """'The Islamic State ... claims responsibility.': headline verbs the tagger reads as
        nouns, right after a named source."""
        doc = self.doc
        for m in self.mx.in_span(sent.start, sent.end):
            if m.key[0] not in ("Organization", "Person"):
                continue
            k = m.end
            if k < sent.end and doc[k].pos_ == "ADV":
                k += 1
            if k >= sent.end or doc[k].lower_ not in _HEADLINE_VERBS or (
                    doc[k].pos_ == "VERB" and any(c.dep_ == "nsubj" for c in doc[k].children)
                    and doc[k].dep_ != "compound"):
                # a well-parsed verb is handled by the reporting-verb rule; one the parser
                # made part of a noun ("claims" in "[claims responsibility]") is not
                continue
            lemma = _HEADLINE_VERBS[doc[k].lower_]
            rest = [t for t in doc[k + 1:sent.end] if not (t.is_punct or t.is_space)]
            if not rest:
                # "CLAUSE, Prime Minister Haider al-Abadi announces.": the clause before
                comma = max((t.i for t in doc[sent.start:m.start] if t.text == ","), default=None)
                if comma is None:
                    continue
                statement = self._clean_statement(doc[sent.start:comma].text)
            else:
                statement = self._clean_statement(doc[k:sent.end].text)
            about = self._about(sent.start, sent.end)
            if about is None and lemma == "claim" and self.facts.operations:
                about = len(self.facts.operations) - 1
            self._add_claim([m.key], statement, doc[k].text, self._hedge(lemma, sent), sent,
                            "headline-verb", about, 0.7)

    def _inverted_starts(self, sent: Span) -> list[int]:
        """Where each trailing attribution of a sentence starts: 'CLAUSE, the SDF announced
        today, officials reported.' -> the tokens after the commas. Found once a sentence:
        every date of the sentence asks for them."""
        found = self._inverted.get(sent.start)
        if found is None:
            found = self._inverted[sent.start] = self._find_inverted_starts(sent)
        return found

    def _find_inverted_starts(self, sent: Span) -> list[int]:
        out = []
        for v in self.doc.span(sent):
            if v.pos_ == "VERB" and v.lemma_.lower() in self.verbs and \
                    not any(c.dep_ == "ccomp" and c.i > v.i for c in v.children):
                subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
                if subj is None and v.i - 1 > sent.start and \
                        self.doc[v.i - 1].pos_ in ("NOUN", "PROPN"):
                    subj = self.doc[v.i - 1]
                first = min(v.i, subj.left_edge.i) if subj is not None and subj.i < v.i else v.i
                if first - 1 >= sent.start and self.doc[first - 1].text == ",":
                    out.append(first)
        return out

    def quotes(self) -> None:
        """Direct quotes with a named speaker, across sentence boundaries:
        '“...,” he said', '“...,” said X', 'X said: “...”'."""
        doc = self.doc
        text = self.doc.text
        for m in re.finditer(r"[“\"]([^“”\"]{20,2000}?)[”\"]", text):
            after = text[m.end():m.end() + 120]
            if not (m.group(1).rstrip().endswith((",", "?", "!")) or after.startswith(",")):
                continue  # '"...smuggling." CENTCOM said that...' is no attribution
            am = re.match(r"\s*,?\s*(?:(?P<s1>[\w.’'\- ]{1,60}?)\s+(?P<v1>said|added|told|"
                          r"wrote|stated|explained|noted|confirmed)|(?P<v2>said|added)\s+"
                          r"(?P<s2>[\w.’'\- ]{1,60}?))\b", after)
            if not am:
                continue
            vtext = am["v1"] or am["v2"]
            vchar = m.end() + (am.start("v1") if am["v1"] else am.start("v2"))
            vspan = doc.char_span(vchar, vchar + len(vtext), alignment_mode="expand")
            if vspan is None:
                continue
            v = vspan.root
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            if subj is None:
                continue
            sources = self._source_keys(subj)
            if not sources:
                continue
            self.used_verbs.add(v.i)
            self.quote_spans.append((m.start(), m.end()))
            statement = self._clean_statement(m.group(1))
            start_tok = doc.char_span(m.start(), m.start() + 1, alignment_mode="expand")
            sent = self.doc.sent_of(v.i)
            about = self._about(start_tok.start if start_tok is not None else sent.start,
                                sent.end)
            self._add_claim(sources, statement, v.text, self._hedge(v.lemma_.lower(), sent),
                            sent, "direct-quote", about, 0.85)

    # ================================================================ driver
    def run(self) -> ArticleFacts:
        sents = self.doc.sents
        for sent in sents:
            self.memberships(sent)
        for si, sent in enumerate(sents):
            self.operations(sent, si)
        self.quotes()
        for sent in sents:
            self.claims(sent)
        for sent in sents:
            self._briefing_claim(sent)
        self._caveats(sents)
        self._drop_placeless_operations()
        self.facts.entities = self._used_entities()
        return self.facts

    def _caveats(self, sents: list[Span]) -> None:
        """'The army said it had killed 40 militants. The figure could not be independently
        verified.': the reporter's caveat in the next sentence hedges the claims before it as
        it does in the same sentence."""
        for prev, sent in zip(sents, sents[1:]):
            if not _CAVEAT_SENTENCE.match(self.doc.text_of(sent)):
                continue
            ev = self.mx.evidence(prev)
            for c in self.facts.claims:
                if c.evidence == ev and c.hedge in ("Asserted", "Claimed"):
                    c.hedge = "Reportedly"

    def _drop_placeless_operations(self) -> None:
        """An operation with no place is no operation–location–date fact: drop it (claims
        about it lose their kgr:about)."""
        keep = [i for i, op in enumerate(self.facts.operations) if op.places]
        remap = {old: new for new, old in enumerate(keep)}
        self.facts.operations = [self.facts.operations[i] for i in keep]
        for c in self.facts.claims:
            c.about = remap.get(c.about) if c.about is not None else None

    def _used_entities(self):
        """All named entities mentioned, plus the anonymous sources that facts use."""
        used = set()
        for c in self.facts.claims:
            used.update(c.sources)
        out = {}
        for key, ent in self.mx.entities.items():
            if key[0] != "AnonymousSource" or key in used:
                out[key] = ent
        return out


def extract(doc: Doc, *, published: dt.date | None = None, offset: int = 0) -> ArticleFacts:
    """Extract memberships, operations and claims from a parsed article body.

    ``offset`` is where the Doc's text starts in the article text (evidence offsets are
    reported in article coordinates)."""
    return _Extractor(doc, published, offset).run()

