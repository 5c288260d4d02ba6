"""Questions across articles: decompose, answer each part from its own articles, compose.

"Does 'The Verge' say A, while the TechCrunch article says B?" has two parts, each with its own articles
(routing.py: the outlets and dates it names). Each part is searched in its own articles only, so each named
article contributes its own best paragraphs, and is answered from them: by the extractive reader's best
sentence for that part (a model, when one is configured, reads the parts' paragraphs together instead: see
core.py). The answers are composed into one, each part cited to its own article:
"Yes — The Verge: … [1]. TechCrunch: … [2]." A yes/no question gets its yes or no first; a "which company"
question the name its parts' sentences share. Where a part is not in the articles (its outlet is not indexed,
or nothing in its articles answers it), the answer says which part and gives no verdict: the comparison is
not guessed.

"How do the two reports differ?" over two articles lists what they state differently (names, titles,
counts: conflicts.py) and what each covers that the other does not, each side cited.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .answer import Passage
from .citations import article_texts
from .conflicts import claim_conflicts, number_conflicts
from .extractive import Candidate, with_marker
from .routing import DATE, Mention, route
from .support import given_words, supports
from .text import tokenize

PART_PARAGRAPHS = 3  # each part's own best paragraphs, beside the question's usual ones
MIN_CLAUSE_WORDS = 3  # content words a clause needs to be searched on its own
_CLAUSE = re.compile(r",\s+(?:and\s+|while\s+|but\s+|whereas\s+)?|;\s+|\s+but also\s+|\s+(?:and|but)\s+(?=(?:is|are|"
                     r"was|were|has|have|had|also|then|later|\w+ed|\w+s)\b)", re.I)
NAME_SENTENCES = 3  # a part's best sentences that may give the name a "which company" question asks for
# The reader's score a part's best sentence needs, fitted on tuning halves (evaluation/fit_parts.py): parts
# are clauses, not questions, and score lower than whole questions do.
THRESHOLD_FILE = Path(__file__).with_name("part_threshold.json")


def part_threshold(default: float) -> float:
    """The fitted threshold for parts; the reader's own when none has been fitted."""
    if not THRESHOLD_FILE.is_file():
        return default
    return float(json.loads(THRESHOLD_FILE.read_text(encoding="utf-8"))["threshold"])
# A yes/no question: its main clause opens with an auxiliary, at the start or after a leading clause
# ("Between the report of X and the report of Y, was there a change …?").
_POLAR = re.compile(r"(?:^\W*|[,;:]\s+)(does|did|do|is|was|are|were|has|have|had|can|could|would|will|should)\s",
                    re.I)
_WH_OPENING = re.compile(r"\W*(who|whom|whose|what|which|where|when|why|how)\b", re.I)
_ASKS_DIFFERENCE = re.compile(r"\b(disagree\w*|differ\w*|inconsisten\w*|discrepan\w*|contradict\w*|chang\w*|"
                              r"shift\w*|diverg\w*)\b", re.I)
_ASKS_AGREEMENT = re.compile(r"\b(agree\w*|consisten\w*|same|identical\w*|similar\w*|align\w*|match\w*|"
                             r"concur\w*)\b", re.I)
_DIFFERENCES = re.compile(r"\bhow (do|does|did) .*\b(differ|compare)\b|\b(differences?|compare|contrast)\b.*\b("
                          r"reports?|articles?|pieces?|stories|outlets|sources)\b", re.I)
# "Does the Reuters piece say anything the other report doesn't?": what one covers and the other does not
_ONLY_ONE = re.compile(r"\b(anything|what)\b[^?]*\b(doesn['’]t|does not|didn['’]t|did not|don['’]t|do not)\b",
                       re.I)
# "Which report gives a troop number?": every article retrieved is a part, answered on its own
_WHICH_ARTICLE = re.compile(r"\bwhich (?:of the )?(?:two |three )?(reports?|articles?|pieces?|outlets?|sources?|"
                            r"stories)\b", re.I)
_NAME_RUN = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")


@dataclass
class Part:
    label: str  # the outlet as the question names it
    question: str  # the part's own words: its claim or sub-question
    doc_ids: list[str]
    passages: list[Passage] = field(default_factory=list)
    best: Candidate | None = None  # its answer, when its articles hold one
    runners_up: list[str] = field(default_factory=list)  # its next best sentences: more places a name is given


@dataclass
class Plan:
    parts: list[Part] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # outlets named that no indexed article is from
    differences: bool = False  # "How do the two reports differ?": list what the articles state differently
    which_article: bool = False  # "Which report gives …?": each retrieved article is a part
    scope: dict | None = None  # the caller's own filter, before a named outlet narrowed the question

    @property
    def multi(self) -> bool:
        return bool(self.parts or self.unknown or self.differences)

    @property
    def each_article(self) -> bool:
        """The question asks which articles hold something: each answers on its own, none is required."""
        return self.which_article


# --- decompose --------------------------------------------------------------------------------------------
def plan(question: str, records: dict[str, dict]) -> Plan:
    """The parts of a question that names outlets (rule: one per outlet mention, with its own words)."""
    routing = route(question, records)
    parts: list[Part] = []
    for mention, words in routing.parts(question):
        part = Part(_label(mention), _sub_question(words), mention.doc_ids)
        if not any(p.doc_ids == part.doc_ids and p.question == part.question for p in parts):
            parts.append(part)
    differences = bool(_ONLY_ONE.search(question) or (_DIFFERENCES.search(question) and not is_polar(question)))
    which = bool(_WHICH_ARTICLE.search(question)) and not parts and not differences
    return Plan(parts, routing.unknown, differences, which)


def article_parts(question: str, passages: list[Passage], most: int = 3) -> list[Part]:
    """"Which report …?": one part per article retrieved (the first `most`), the question its words."""
    words = " ".join(_WHICH_ARTICLE.sub(" ", question).split())
    doc_ids = list(dict.fromkeys(p.doc_id for p in passages))[:most]
    first = {d: next(p for p in passages if p.doc_id == d) for d in doc_ids}
    return [Part(first[d].source or first[d].title, words, [d]) for d in doc_ids]


def from_model_lines(reply: str, parts: list[Part]) -> list[Part]:
    """A model's decomposition ("<outlet>: <sub-question>" a line) replaces the rule's sub-questions of the
    parts it names, in order (an outlet named twice takes two lines); parts it leaves out keep theirs."""
    waiting = list(parts)
    for line in reply.splitlines():
        label, _, sub = line.partition(":")
        part = next((p for p in waiting if p.label.lower() == label.strip(" -*'\"").lower()), None)
        if part is not None and len(tokenize(sub)) >= 2:
            part.question = sub.strip()
            waiting.remove(part)
    return parts


def _label(mention: Mention) -> str:
    """The outlet as the question names it, capitalised: it opens a sentence of the answer."""
    label = re.sub(r"['’]s$", "", mention.label.strip(" '\"‘’“”"))
    return label[:1].upper() + label[1:]


def _sub_question(words: str) -> str:
    """The part's words, without the quotes and joining words at its ends ("' article claim that …, while the")."""
    text = re.sub(r"[‘’“”\"']", " ", DATE.sub(" ", words))
    text = re.sub(r"\b(published|dated|released)\s+(on|in)\W*", " ", text, flags=re.I)
    text = re.sub(r"^\W*(article|report|piece|story|review|coverage)s?\b", " ", text.strip(), flags=re.I)
    text = re.sub(r"\b(while|whereas|and|but|between|from|by|in|the|an?|as reported by|according to)\W*$", " ",
                  text.strip(), flags=re.I)
    return " ".join(text.split()).strip(" ,;")


# --- retrieve ---------------------------------------------------------------------------------------------
def retrieve(parts: list[Part], search, where: dict | None) -> None:
    """Each part's own best paragraphs, searched with its own words in its own articles only.
    `search(query, k, where) -> passages` is the hybrid retriever."""
    for part in parts:
        own = {"doc_id": {"$in": part.doc_ids}}
        within = {"$and": [where, own]} if where else own
        part.passages = search(part.question, PART_PARAGRAPHS, within)
        for clause in clauses(part.question):  # a part that states several facts: each one's best paragraph
            part.passages += [p for p in search(clause, 1, within) if p.id not in {q.id for q in part.passages}]


def clauses(text: str) -> list[str]:
    """The clauses of a part that joins several facts ("… provide incentives to attract users but also
    modify their betting options …"), each with enough words of its own to be searched; [] for one."""
    pieces = [c for c in _CLAUSE.split(text) if len(tokenize(c)) >= MIN_CLAUSE_WORDS]
    return pieces if len(pieces) > 1 else []


def clause_passages(question: str, search, where: dict | None) -> list[Passage]:
    """Each clause of the whole question's best paragraph in any article: a clause that names no outlet
    ("founded in late 2015") may be another article's fact. Candidates for reading and citing, not a part."""
    found: list[Passage] = []
    for clause in clauses(question):
        found += [p for p in search(clause, 1, where) if p.id not in {q.id for q in found}]
    return found


def merged(parts: list[Part], passages: list[Passage]) -> list[Passage]:
    """The parts' paragraphs first (a marker per paragraph), then the question's own, each once."""
    out, seen = [], set()
    for passage in [p for part in parts for p in part.passages] + passages:
        if passage.id not in seen:
            seen.add(passage.id)
            out.append(passage)
    return out


# --- answer and compose (extractive) ----------------------------------------------------------------------
def answer_parts(parts: list[Part], read, threshold: float) -> None:
    """Each part's best sentence from its own paragraphs, when the reader would answer with it.
    `read(question, passages) -> ranked candidates` is the extractive reader."""
    for part in parts:
        ranked = read(part.question, part.passages) if part.passages else []
        part.best = ranked[0] if ranked and ranked[0].score >= threshold else None
        part.runners_up = [c.text for c in ranked[1:NAME_SENTENCES]]


def gaps(plan: Plan) -> list[str]:
    """What the articles do not hold, part by part, in words ("which report …?" needs only one part)."""
    if plan.each_article:
        return [] if any(p.best for p in plan.parts) else ["no article answers it"]
    out = [f"no indexed article is from {name}" for name in plan.unknown]
    out += [f"nothing in the articles from {p.label} answers “{p.question}”" for p in plan.parts if p.best is None]
    return out


def compose(question: str, plan: Plan, passages: list[Passage], idf) -> str:
    """The draft: each part's sentence with its label and marker, led by the verdict (yes/no, or the name
    the parts share). Markers number `passages`. A label or lead the support check would not accept (its words
    are not the question's) is left out, so nothing unverifiable is claimed."""
    answered = [p for p in plan.parts if p.best is not None]
    lead = "" if plan.each_article else verdict(question, answered)
    if lead and not is_polar(question):  # a name: the sentence that holds it goes first
        answered.sort(key=lambda p: lead not in p.best.text)
    given = {d: given_words(question, t) for d, t in article_texts(passages).items()}
    marker = {p.id: n for n, p in enumerate(passages, 1)}
    sentences, said = [], set()
    for n, part in enumerate(answered):
        best = part.best
        if best.text in said:  # two parts answered by one sentence: it is said once
            continue
        said.add(best.text)
        options = [f"{lead} — {part.label}: {best.text}", f"{lead} — {best.text}"] if n == 0 and lead else []
        options += [f"{part.label}: {best.text}", best.text]
        chosen = next(o for o in options if o == best.text or supports(
            o, best.passage.paragraph, idf, given.get(best.passage.doc_id, frozenset())))
        sentences.append(with_marker(chosen, marker[best.passage.id]))
    return " ".join(sentences)


def verdict(question: str, answered: list[Part]) -> str:
    """Yes or no for a yes/no question; for a question asking which one, the name the parts' sentences share.
    Whether the sources disagree is what conflicts.claim_conflicts finds between the parts' sentences."""
    if is_polar(question):
        best = [p.best for p in answered]
        disagree = bool(claim_conflicts(question, best) or number_conflicts(
            question, [c.passage for c in best], "number"))  # counts of a thing the question names
        choice = _alternatives(question)
        if choice:  # "did B agree or disagree with A?": the alternative that holds
            return choice[1 if disagree else 0].capitalize()
        if _ASKS_DIFFERENCE.search(question):
            return "Yes" if disagree else "No"
        if _ASKS_AGREEMENT.search(question):
            return "No" if disagree else "Yes"
        return "Yes"  # each part is stated in its own article
    paragraphs = [p.paragraph or p.text for part in answered for p in part.passages]
    groups = [[p.best.text, *p.runners_up] for p in answered]
    if len(groups) == 1:  # one outlet: its best sentences are the places the name must recur
        groups = [[sentence] for sentence in groups[0]]
    return shared_name(question, groups, paragraphs)


def is_polar(question: str) -> bool:
    """A yes/no question; one that opens with a wh-word asks for a thing, whatever clauses follow
    ("Which company, recently scrutinized …, is facing …?")."""
    return not _WH_OPENING.match(question) and bool(_POLAR.search(question))


def _alternatives(question: str) -> tuple[str, str] | None:
    """(the word for agreeing, the word for differing) when the question offers both: "agree or disagree"."""
    for a, b in re.findall(r"\b(\w+) or (\w+)\b", question):
        if _ASKS_AGREEMENT.fullmatch(a) and _ASKS_DIFFERENCE.fullmatch(b):
            return a, b
        if _ASKS_DIFFERENCE.fullmatch(a) and _ASKS_AGREEMENT.fullmatch(b):
            return b, a
    return None


def shared_name(question: str, groups: list[list[str]], paragraphs: list[str] = ()) -> str:
    """The name (a capitalised run, not one of the question's words) that the best sentences of the most
    parts hold (a group of sentences a part), in the longest form the parts' paragraphs give it
    ("Bankman-Fried" is "Sam Bankman-Fried"); "" unless two parts hold it."""
    sentences = [s for group in groups for s in group]
    asked, everything = set(tokenize(question)), " ".join([*sentences, *paragraphs])
    counts: dict[str, set[int]] = {}
    for i, sentence in ((i, s) for i, group in enumerate(groups) for s in group):
        for run in _names_in(sentence):
            tokens = tokenize(run)
            # A capitalised first word is a name only if it is capitalised inside a sentence somewhere too.
            opener = sentence.startswith(run) and not re.search(rf"[\w,;] {re.escape(run)}\b", everything)
            if tokens and not set(tokens) <= asked and not opener:
                counts.setdefault(tokens[-1], set()).add(i)
    best = max(counts, key=lambda k: len(counts[k]), default="")
    if not best or len(counts[best]) < 2:
        return ""
    forms = [run for text in [*sentences, *paragraphs] for run in _names_in(text) if tokenize(run)[-1:] == [best]]
    return max(forms, key=len)


def _names_in(text: str) -> list[str]:
    return [re.sub(r"['’]s$", "", run) for run in _NAME_RUN.findall(text)]


# --- differences between two articles -----------------------------------------------------------------------
def only_here(passages: list[Passage]) -> list[tuple[Passage, str]]:
    """For each article, its sentence with the most names and numbers the other articles never use: what
    only that report covers. Credit lines are left out (they are about the report, not the news)."""
    from index.sentences import sentence_spans

    words_of: dict[str, set[str]] = {}
    for p in passages:
        words_of.setdefault(p.doc_id, set()).update(tokenize(p.paragraph or p.text))
    best: dict[str, tuple[int, Passage, str]] = {}
    for p in passages:
        if p.id.endswith("#credits"):
            continue
        # the outlet's own name ("GENEVA, Jan 21 (Reuters)") says who reported, not what
        elsewhere = set().union(*(w for d, w in words_of.items() if d != p.doc_id)) | set(tokenize(p.source))
        for s, e in sentence_spans(p.text):
            sentence = p.text[s:e]
            names = {t for run in _NAME_RUN.findall(sentence[1:]) for t in tokenize(run)} | set(
                re.findall(r"\d[\d,.]*\d|\d", sentence))
            new = len(names - elsewhere)
            if new > best.get(p.doc_id, (0,))[0]:
                best[p.doc_id] = (new, p, sentence)
    return [(p, sentence) for _, p, sentence in best.values()]
