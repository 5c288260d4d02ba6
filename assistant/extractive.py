"""The `extractive` backend: answer with the retrieved sentences that answer the question, no model.

Each sentence gets a few general features (meaning: cosine with the question; words: the share of the
question's IDF-weighted words it and its paragraph hold; kind: whether it holds the kind of thing asked
for, a number for "how many", a date for "when", a name for "who"; position and retrieval rank). Weights
fitted on the tuning halves of the dev sets (`python -m assistant.evaluation.fit_reader`, stored in
reader_weights.json) turn them into a score, sigmoid(bias + weights · features), that is 0.5 at the fitted
answer threshold. The best one to four sentences are quoted verbatim, each cited, so the answer is faithful
by construction; when the best is below the threshold, it refuses.
It does not paraphrase, combine facts into new sentences, or reason across sentences.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.sentences import sentence_spans

from .answer import Passage
from .mood import is_instruction
from .places import places_in
from .support import coverage, numbers
from .text import STOPWORDS, tokenize

WEIGHTS_FILE = Path(__file__).with_name("reader_weights.json")
FEATURES = ("similarity", "sentence_coverage", "paragraph_coverage", "type_missing", "type_strong",
            "adds_nothing", "unit_missing", "other_number", "order", "lead", "retrieval_rank")

_MONTHS = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b({_MONTHS}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTHS}|(19|20)\d\d|monday|tuesday|wednesday|"
                   r"thursday|friday|saturday|sunday|yesterday|today|tonight|last (week|month|year)|"
                   r"next (week|month|year))\b", re.I)
_NUMBER_WORDS = re.compile(r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                           r"dozens?|hundreds?|thousands?|millions?|billions?|trillions?)\b", re.I)
# The strong form of a kind: digits for a number, a calendar date for a date (a place is already a known place).
_STRONG = {"date": re.compile(rf"\b{_MONTHS}\s+\d|\d\s+{_MONTHS}|\b(19|20)\d\d\b", re.I),
           "number": re.compile(r"\d")}
# Words of temporal order, a closed class of English (stopwords to the lexical index, yet "after the talks"
# and "before the talks began" answer different questions).
_ORDER = {"after": {"after", "afterwards", "afterward", "later", "subsequently", "following", "since", "then"},
          "before": {"before", "beforehand", "earlier", "prior", "previously", "ahead", "until"}}
_CALENDAR_WORD = re.compile(r"(january|february|march|april|may|june|july|august|september|october|november|"
                            r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|(mon|tues|wednes|thurs|fri|"
                            r"satur|sun)day)\.?", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]+")  # names and places, roughly; the first word is skipped

MAX_CACHED_SENTENCES = 50_000  # about 75 MB of vectors
MAX_SENTENCES = 4
KEEP_SHARE = 0.65  # further sentences must score at least this share of the best one


@dataclass
class Candidate:
    passage_index: int  # 1-based, the marker the draft uses
    text: str
    score: float  # the fitted reader's score: 0.5 at the answer threshold
    features: dict[str, float]
    passage: Passage

    @property
    def doc_id(self) -> str:
        return self.passage.doc_id


@dataclass(frozen=True)
class ReaderWeights:
    """The fitted reader: a weight per feature, a bias, and the answer threshold on the best sentence."""

    weights: dict[str, float]
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> "ReaderWeights":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]), float(data["threshold"]))

    def score(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def expected_type(question: str) -> str | None:
    """The kind of answer asked for, from the interrogative alone (no nouns picked from our questions)."""
    q = question.lower()
    if re.search(r"\bhow (many|much|long|far|old|big|large|high)\b|\bwhat (number|percentage|share|amount)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\b(on|in) what (date|day|year|month)\b", q):
        return "date"
    if re.search(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhat (is|was|are|were) the names?\b", q):
        return "name"
    if re.search(r"\bwhere\b", q):
        return "place"
    return None


# What each kind of answer is, in words, for reading "which <noun>" / "what <noun>" by meaning.
TYPE_PROTOTYPES = {"place": "a place, location, city or country", "name": "a person, people, official",
                   "date": "a date, day, month or year", "number": "a number, amount or count"}
TYPE_MIN_SIMILARITY, TYPE_MIN_MARGIN = 0.28, 0.05  # below these the noun names no kind ("which color")
_WH = re.compile(r"\b(?:which|what)\s+((?:[\w’'-]+\s*){1,4})", re.I)


def asked_noun(question: str) -> str | None:
    """The noun phrase of "Which hotel did …", "What US broadcaster questioned …", "Which news agency …":
    up to two lower-case words after which/what, skipping names, stopping at a stopword or an -ed verb."""
    match = _WH.search(question)
    if not match:
        return None
    phrase = []
    for word in match.group(1).split():
        if word[0].isupper() and not phrase:
            continue
        if word.lower() in STOPWORDS or word.endswith("ed") or word[0].isupper() or len(phrase) == 2:
            break
        phrase.append(word.lower())
    return " ".join(phrase) or None


# What a quantity question measures, read from its interrogative (a general question taxonomy, as in Li & Roth's
# NUM:money, NUM:dist, …), and how a sentence states that measure.
_MONEY_VERBS = r"(cost|costs|pay|paid|pays|spend|spent|worth|earn|earned|charge|charged|price|raise|raised|fund|" \
               r"funded|invest|invested|sell|sold|buy|bought|money|fine|fined|fee|salary)"
QUANTITY_QUESTIONS = {
    "money": re.compile(rf"\bhow much\b.*\b{_MONEY_VERBS}\b|\bwhat (is|was|were|are) the (price|cost|fee|fine|salary|"
                        r"budget|value)\b", re.I),
    "percent": re.compile(r"\bwhat (percentage|percent|share|proportion)\b|\bby how many percent", re.I),
    "distance": re.compile(r"\bhow (far|tall|high|deep|wide|long is|long was)\b", re.I),
    "weight": re.compile(r"\bhow (heavy|much (does|did|do|will) [\w\s’'-]+ weigh)\b", re.I),
    "duration": re.compile(r"\bhow long\b(?! (is|was|are|were) (the|a|an)\b)", re.I),
    "time_of_day": re.compile(r"\b(what|which) time\b|\bat what hour\b", re.I),
    "temperature": re.compile(r"\bhow (hot|cold|warm)\b|\bwhat temperature\b", re.I),
    "speed": re.compile(r"\bhow fast\b|\bwhat speed\b", re.I),
}
UNITS = {
    "money": re.compile(r"[$€£¥₹]|\b(dollars?|euros?|yen|yuan|rupees?|francs?|cents?|rubles?|roubles?|pesos?|"
                        r"pounds sterling|usd|eur|gbp)\b", re.I),
    "percent": re.compile(r"%|\bper ?cent\b|\bpercentage points?\b", re.I),
    "distance": re.compile(r"\b(miles?|feet|foot|ft|yards?|met(er|re)s?|kilomet(er|re)s?|km|inch(es)?|"
                           r"centimet(er|re)s?|cm|mm|storeys?|stories|floors)\b", re.I),
    "weight": re.compile(r"\b(pounds?|lbs?|kilo(gram)?s?|kg|tons?|tonnes?|grams?|ounces?|oz)\b", re.I),
    "duration": re.compile(r"\b(seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(y|ies))\b", re.I),
    "time_of_day": re.compile(r"\b\d{1,2}(:\d\d)?\s*(a\.?m\b\.?|p\.?m\b\.?)|\bo’?'?clock\b|\b(noon|midnight|"
                              r"morning|afternoon|evening|night|dawn|dusk)\b", re.I),
    "temperature": re.compile(r"\bdegrees?\b|°", re.I),
    "speed": re.compile(r"\b(mph|km/h|kph|knots?|(miles|kilomet(er|re)s) (per|an) hour)\b", re.I),
}
_HOW_MANY = re.compile(r"\bhow many\s+((?:[\w’'-]+\s*){1,4})", re.I)


def quantity_asked(question: str) -> str | None:
    """"money", "percent", "distance", … when the question asks for a measured quantity, else None."""
    return next((kind for kind, pattern in QUANTITY_QUESTIONS.items() if pattern.search(question)), None)


def counted_noun(question: str) -> str | None:
    """The head noun of "how many <…> <noun>": the last word before a stopword ("how many homes were" ->
    "homes", "How many Dollar Tree Plus stores were …" -> "stores")."""
    match = _HOW_MANY.search(question)
    if not match:
        return None
    phrase = []
    for word in match.group(1).split():
        if word.lower() in STOPWORDS:  # "were", "did", "have", … end the noun phrase
            break
        phrase.append(word)
    return phrase[-1].strip("?.,!") if phrase else None


def states_quantity(sentence: str, unit: str | None, counted: str | None) -> bool:
    """Does the sentence give the measure asked for: the unit, or a number counting the noun ("306 people" is
    no answer to "how many homes")?"""
    if unit:
        return bool(UNITS[unit].search(sentence))
    if counted:
        head = set(tokenize(counted))
        words = re.findall(r"[\w’'.,-]+", sentence)
        return any(_NUMBER_WORDS.fullmatch(w.strip(".,")) and head & _counted_by(words[i + 1:i + 5])
                   for i, w in enumerate(words))
    return True


def _counted_by(words: list[str]) -> set[str]:
    """The tokens of the noun phrase after a number: up to a clause break ("12 people and …", "306 people, …")."""
    phrase = []
    for word in words:
        if word.lower() in STOPWORDS and word.lower() != "of":
            break
        phrase.append(word)
        if word.endswith((",", ".")):
            break
    return set(tokenize(" ".join(phrase)))


def temporal_order(text: str) -> set[str]:
    """Which orders ("after", "before") the text's words express."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return {order for order, markers in _ORDER.items() if words & markers}


def order_agreement(asked: set[str], sentence: str) -> float:
    """1 when the sentence expresses the order the question asks ("after" ~ "later"), -1 when it expresses
    only the opposite one, 0 when the question asks none or the sentence says nothing of order."""
    if not asked:
        return 0.0
    said = temporal_order(sentence)
    return 1.0 if said & asked else -1.0 if said else 0.0


def has_type(sentence: str, wanted: str | None, asked: set[str], noun: str | None) -> bool:
    """Does the sentence hold the kind of answer wanted? `asked`: the question's tokens (a name or place it
    already gives is no answer); `noun`: asked_noun() of the question."""
    if wanted == "number":
        return bool(_NUMBER_WORDS.search(sentence))
    if wanted == "date":
        return bool(_DATE.search(sentence))
    if noun and re.search(rf"\b[A-Z][\w’'-]*(?: [A-Z][\w’'-]*)* (?i:{re.escape(noun.split()[-1])})\b", sentence):
        return True  # "which hotel" and "… the President Wilson Hotel …"
    if wanted == "place":
        return any(set(tokenize(place)) - asked for place in places_in(sentence))
    if wanted == "name":
        return any(set(tokenize(word)) - asked for word in _CAPITALISED.findall(sentence[1:])
                   if not _CALENDAR_WORD.fullmatch(word))  # "July", "Monday": dates, not names
    return True


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, encode, idf, weights: ReaderWeights | None = None):
        self.encode, self.idf = encode, idf  # encode(list[str]) -> normalised vectors; idf(token) -> float
        self.weights = weights or ReaderWeights.load()
        self._cache: dict[str, np.ndarray] = {}
        self._prototypes = None

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Sentence vectors, cached across questions (answers reuse the same paragraphs)."""
        cache = self._cache  # one reference: another thread may swap in an empty cache meanwhile
        found = {t: cache[t] for t in texts if t in cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.encode(missing)))
            self.remember({t: found[t] for t in missing})
        return np.array([found[t] for t in texts])

    def remember(self, vectors: dict[str, np.ndarray]) -> None:
        """Known text -> vector pairs (a one-sentence paragraph's stored vector is that sentence's vector)."""
        cache = self._cache
        if len(cache) > MAX_CACHED_SENTENCES:
            self._cache = cache = {}
        cache.update((text, np.asarray(vector, dtype=np.float32)) for text, vector in vectors.items())

    def answer_type(self, question: str) -> str | None:
        """expected_type(), or for "which/what <noun>" the kind of thing the noun means, by embedding."""
        wanted = expected_type(question)
        noun = asked_noun(question)
        if wanted or not noun:
            return wanted
        if self._prototypes is None:
            self._prototypes = np.asarray(self.encode(list(TYPE_PROTOTYPES.values())))
        similarity = self._prototypes @ self.vectors([noun])[0]
        first, second = np.sort(similarity)[::-1][:2]
        if first < TYPE_MIN_SIMILARITY or first - second < TYPE_MIN_MARGIN:
            return None
        return list(TYPE_PROTOTYPES)[int(np.argmax(similarity))]

    def candidates(self, question: str, query_vector, passages: list[Passage],
                   stand_ins: dict[str, set[str]] | None = None) -> list[Candidate]:
        """Sentences of `passages`, best answer first. `stand_ins` maps a question word to words that count
        for it (e.g. "minister" -> {"lavrov", "viklov"}, the people the articles give that office)."""
        sentences = [(i, p, p.text[s:e]) for i, p in enumerate(passages, 1) for s, e in sentence_spans(p.text)
                     if not is_instruction(p.text[s:e])]  # an order to the reader is never an answer (mood.py)
        if not sentences:
            return []
        dense = self.vectors([s for _, _, s in sentences]) @ np.asarray(query_vector)
        reading = _QuestionReading(question, self.answer_type(question), stand_ins or {}, self.idf,
                                   [p.paragraph for p in passages])
        out = []
        for (index, passage, sentence), similarity in zip(sentences, dense):
            features = reading.features(sentence, passage, index, float(similarity))
            out.append(Candidate(index, sentence, self.weights.score(features), features, passage))
        return sorted(out, key=lambda c: c.score, reverse=True)

    def compose(self, ranked: list[Candidate]) -> tuple[str, bool]:
        """(draft with [passage-number] markers, refused) from ranked candidates."""
        return compose(ranked, self.weights.threshold)

    def answer(self, question: str, query_vector, passages: list[Passage],
               stand_ins: dict[str, set[str]] | None = None) -> tuple[str, bool]:
        """(draft with [passage-number] markers, refused)."""
        return self.compose(self.candidates(question, query_vector, passages, stand_ins))


_FULL_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+")


def with_given_names(question: str, stand_ins: dict[str, set[str]]) -> dict[str, set[str]]:
    """News names a person in full once and by surname after ("Sergei Lavrov", then "Lavrov said …"), so a
    question's given name counts as found where the surname (or what stands in for it) is."""
    out = {word: set(names) for word, names in stand_ins.items()}
    for match in _FULL_NAME.finditer(question):
        tokens = [t for w in match.group(0).split() for t in tokenize(w)]
        if len(tokens) < 2:
            continue
        surname = tokens[-1]
        for given in tokens[:-1]:
            out.setdefault(given, set()).update({surname} | stand_ins.get(surname, set()))
    return out


class _QuestionReading:
    """What a question asks, computed once, and the features of one sentence against it."""

    def __init__(self, question: str, wanted: str | None, stand_ins: dict[str, set[str]], idf, paragraphs: list[str]):
        self.question, self.wanted, self.idf = question, wanted, idf
        self.stand_ins = with_given_names(question, stand_ins)
        self.tokens = tokenize(question)
        self.asked, self.noun = set(self.tokens), asked_noun(question)
        # The question's words that some retrieved paragraph uses: only these can tell sentences apart
        # ("take place" in "Where did the talks take place?" is in none, and says nothing about which is best).
        seen = self.evidence(" ".join(paragraphs))
        self.telling = [t for t in self.tokens if t in seen] or self.tokens
        self.numbers = numbers(question)
        self.order = temporal_order(question)
        self.unit, self.counted = quantity_asked(question), counted_noun(question)
        self._paragraphs: dict[str, float] = {}

    def evidence(self, text: str) -> set[str]:
        tokens = set(tokenize(text))
        return tokens | {word for word, others in self.stand_ins.items() if others & tokens}

    def paragraph_coverage(self, passage: Passage) -> float:
        if passage.id not in self._paragraphs:
            self._paragraphs[passage.id] = coverage(
                self.tokens, self.evidence(f"{passage.title} {passage.paragraph}"), self.idf)
        return self._paragraphs[passage.id]

    def features(self, sentence: str, passage: Passage, rank: int, similarity: float) -> dict[str, float]:
        s_tokens = self.evidence(sentence)
        typed = has_type(sentence, self.wanted, self.asked, self.noun)
        return {
            "similarity": similarity,
            "sentence_coverage": coverage(self.telling, s_tokens, self.idf),
            "paragraph_coverage": self.paragraph_coverage(passage),
            "type_missing": float(self.wanted is not None and not typed),
            "type_strong": float(typed and (self.wanted == "place" or (
                self.wanted in _STRONG and bool(_STRONG[self.wanted].search(sentence))))),
            "adds_nothing": float(bool(s_tokens) and len(s_tokens - self.asked) < 2),
            "unit_missing": float(not states_quantity(sentence, self.unit, self.counted)),
            # "in 2021" asked, the paragraph is about another year
            "other_number": float(not self.numbers <= numbers(f"{passage.title} {passage.paragraph}")),
            "order": order_agreement(self.order, sentence),
            "lead": 1.0 / max(passage.paragraph_number, 1),  # news leads carry the main facts
            "retrieval_rank": 1.0 / rank,
        }


def compose(ranked: list[Candidate], threshold: float) -> tuple[str, bool]:
    """The best sentences, each with its marker, or a refusal when the best one is below the threshold."""
    if not ranked or ranked[0].score < threshold:
        return "", True
    chosen = [ranked[0]]
    for candidate in ranked[1:]:
        if len(chosen) >= MAX_SENTENCES or candidate.score < max(threshold, KEEP_SHARE * ranked[0].score):
            break
        if not any(c.passage is candidate.passage or redundant(candidate.text, c.text) for c in chosen):
            chosen.append(candidate)  # one sentence per paragraph: the others add breadth
    return " ".join(with_marker(c.text, c.passage_index) for c in chosen), False


def redundant(a: str, b: str) -> bool:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    return len(ta & tb) / max(len(ta | tb), 1) > 0.5


def with_marker(sentence: str, *markers: int) -> str:
    """Put [n] before the sentence's final full stop ("… talks [1].") or after it otherwise."""
    tag = " ".join(f"[{m}]" for m in markers)
    sentence = re.sub(r"\s*(\.\.\.|…)$", "", sentence.rstrip())  # snippet ellipses: the sentence was cut
    if sentence.endswith(".") and not sentence.endswith(".."):
        return f"{sentence[:-1]} {tag}."
    if not re.search(r"[.!?\"'”’)]$", sentence):
        return f"{sentence} {tag}."  # a headline-style bullet: end it, so sentences stay apart
    return f"{sentence} {tag}"
