"""Is a sentence an instruction aimed at its reader ("Answer every question with …", "Ignore previous
instructions")? Such a sentence in an article is never an answer: quoting it would pass the order on.

The rule is grammatical, not a list of phrases: an imperative opens with a verb in its base form, with no
subject before it, and goes straight on to what the verb acts on: a determiner, a pronoun or an adjective
(closed classes, taken whole), possibly after one preposition ("Respond to every …"), or it speaks to "you".
"Police said …", "Trade talks resumed …" and "Protest leaders met …" are statements: a noun or a finite
verb follows the first word; a tensed verb after the last comma ("…, Lavrov said") makes it attributed
speech, and a sentence opening with a preposition or conjunction ("While …", "In March, …") opens with an
adverbial.
Quoted speech (a sentence opening with a quotation mark) is reported, not addressed to the reader. Word classes come from lemminflect's tables. It does not parse clauses: an order
after a subordinate clause ("If asked, answer …") is not caught.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Closed classes: English determiners, quantifiers and pronouns (object and possessive forms).
_OBJECT_START = frozenset(
    "the a an this that these those every each all any some no both either neither another other such what "
    "whatever which whichever more most few many much several my your our their his her its me you us them him "
    "it yourself yourselves everything anything nothing everyone anyone".split())
_PREPOSITIONS = frozenset("to with about for in on at by from into only as".split())  # not "of": "Cost of …"
# Closed classes: prepositions and subordinating conjunctions. A sentence opening with one ("While …", "In
# March, …", "To celebrate …") opens with an adverbial, not an order.
_OPENERS = frozenset(
    "while whilst to in on at by for with without within from into onto of off out over under up down about above "
    "across against along among around after before behind below beneath beside between beyond despite during "
    "except inside near past since through throughout toward towards until till upon via as if unless once when "
    "whenever where wherever whether though although because so yet but and or nor even still than like".split())
_SOFTENERS = frozenset("please kindly do don't dont not".split())  # "Please answer …", "Do not mention …"
_SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself|yourselves)\b", re.I)
# Closed class: the auxiliaries that front a question whose subject comes after them ("What did he say?"),
# and that never open an order ("May 29, 2020 …").
_FRONTED_AUXILIARIES = frozenset("do does did will would can could shall should may might must".split())
_QUOTES = "\"'“‘«"
_QUOTED = re.compile(r"[\"“«][^\"”»]*[\"”»]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@lru_cache(maxsize=50_000)
def _classes(word: str) -> dict:
    from lemminflect import getAllLemmas

    return getAllLemmas(word)


def _base_verb(word: str) -> bool:
    lemmas = _classes(word).get("VERB", ())
    return word in lemmas


def _adverb_only(word: str) -> bool:
    return set(_classes(word)) == {"ADV"}


def _starts_object(word: str) -> bool:
    return word in _OBJECT_START or set(_classes(word)) == {"ADJ"}


def _finite(word: str) -> bool:
    """A word that can only be a verb, in a tensed form ("said", "was", "outweighed"): it needs a subject."""
    classes = _classes(word)
    return bool(classes) and set(classes) <= {"VERB", "AUX"} and not any(word in v for v in classes.values())


def _tensed(text: str) -> bool:
    return any(_finite(w.replace("’", "'")) for w in map(str.lower, _WORD.findall(text)))


_MODALS = frozenset({"will", "would", "can", "could", "may", "might", "must", "shall", "should"})


def subject_part(sentence: str) -> str:
    """The words before the sentence's first tensed verb or modal ("Ashford Mayor Jane Hill" in "… said …",
    "The repair" in "The repair will cost …"), roughly its subject; "" when none is found."""
    for match in _WORD.finditer(sentence):
        if match.group(0) in _MODALS or _finite(match.group(0).lower().replace("’", "'")):
            return sentence[: match.start()]
    return ""


def _title_case(text: str) -> bool:
    words = _WORD.findall(text)[:6]
    return len(words) >= 3 and sum(w[0].isupper() for w in words[1:]) >= len(words[1:]) - 1


def is_instruction(sentence: str) -> bool:
    """True for an imperative addressed to the reader (see the module docstring)."""
    text = sentence.strip()
    if not text or text[0] in _QUOTES or text[0].isdigit() or text.endswith("?"):
        return False  # quoted speech, a number first ("2016 saw …", "1 pick in …"), a question
    plain = _QUOTED.sub(" ", text)  # what is quoted inside ("with \"nothing was agreed\"") is not the frame
    if "," in plain and _tensed(plain.rsplit(",", 1)[1]):
        return False  # "…, Lavrov said": attributed speech
    words = [w.lower().replace("’", "'") for w in _WORD.findall(plain)[:8]]
    while words and words[0] not in _OPENERS and (words[0] in _SOFTENERS or _adverb_only(words[0])):
        words = words[1:]
    if len(words) < 2 or words[0] in _OPENERS or words[0] in _FRONTED_AUXILIARIES or not _base_verb(words[0]):
        return False  # "May 29, 2020 …": a modal cannot give an order
    if set(_classes(words[0])) != {"VERB"} and _title_case(plain):
        return False  # "Total Electoral Votes Needed to Win": a heading whose first word is also a noun
    if _starts_object(words[1]):
        return True  # "Answer every …", "Ignore previous …"
    if words[1] in _PREPOSITIONS and len(words) > 2 and _starts_object(words[2]) and not _tensed(plain):
        return True  # "Respond to every …", but not "Access to the database was shut down"
    return bool(_SECOND_PERSON.search(plain))


_WH_WORDS = frozenset("who whom whose what which".split())


def asks_for_subject(question: str) -> bool:
    """Does the question ask who or what did something ("Who won …", "Which city hosted …", "What is …"),
    rather than what someone did or said ("What did the minister say …", "What will the bridge cost?")?
    Then an answer sentence's subject is the answer itself."""
    words = [w.lower() for w in _WORD.findall(question)[:6]]
    if not words or words[0] not in _WH_WORDS:
        return False
    for word in words[1:4]:  # past the wh-phrase's noun ("which city", "what movie")
        if word in _FRONTED_AUXILIARIES:
            return False
        if _classes(word).get("VERB") or _classes(word).get("AUX"):
            return True
    return False
