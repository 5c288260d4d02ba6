"""Follow-up questions: resolve "he", "that", "And last year?" and "the other article" against the conversation.

The rule below rewrites the follow-up into a standalone question; with the setting `model_rewrites_follow_ups`,
the answer model does (prompts/condense.txt, few-shot) and the rule stands in where its rewrite looks wrong.
The rule, over the conversation's entities (earlier questions and the assistant's own answers):
- people are runs of two or three capitalised words that are not a known place (the gazetteer), and single
  words used elsewhere in the conversation as such a run's surname ("Musk" after "Elon Musk");
- "he/she/him/his/her" becomes the person of the latest question that names one; if the previous question
  named nobody and asked "who", the first person the previous answer names (the answer to "who"); failing
  those, a capitalised word standing alone in the latest question that has one ("What did Lavrov demand?");
- "the other article/report/piece/story" searches the articles the previous answer did not cite;
- an ellipsis ("And last year?", "How many troops?": three content words or fewer and no verb) keeps the
  previous question's frame: the previous standalone question is searched with the new words after it;
- a bare "it/that/this/they" that is left gets the previous standalone question's names appended.
It does not resolve by gender or number, and knows no organisations beyond all-caps acronyms.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .places import gazetteer
from .text import fold

_PERSONAL = re.compile(r"\b(he|she|him|his|her|hers)\b", re.I)
_VAGUE = re.compile(r"\b(it|its|that|this|they|them|their|those|these|there)\b", re.I)
_VAGUE_REFERENCE = re.compile(r"\b(it|that|this|they|them|those|these)\b(?!\s+(article|report|piece|story))",
                              re.I)
OTHER_ARTICLE = re.compile(r"\b(?:the|that) other (?:article|report|piece|story|one|source|outlet)\b", re.I)
_AUXILIARIES = {"is", "are", "was", "were", "be", "been", "did", "does", "do", "has", "have", "had", "can", "could",
                "will", "would", "should", "shall", "may", "might", "must", "isn't", "wasn't", "didn't", "doesn't"}
_WH = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.I)
_RUN = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,2}")
_NOT_NAMES = {"what", "who", "when", "where", "why", "how", "which", "did", "does", "do", "is", "are", "was",
              "were", "the", "a", "an", "i", "in", "on", "at", "and", "but", "so", "can", "could", "would",
              "will", "should", "has", "have", "had", "according", "as", "noted", "above", "one", "it", "if",
              "going", "back", "to", "about", "or", "too", "also", "then", "now"}


@dataclass
class Message:
    role: str
    text: str
    doc_ids: list[str] = field(default_factory=list)  # for an answer: the articles it cited


@dataclass
class Resolved:
    question: str  # standalone: what is searched and read
    exclude_doc_ids: list[str] = field(default_factory=list)  # "the other article": not these


def messages(history) -> list[Message]:
    """Accept [{"role", "content", "doc_ids"?}] (OpenAI/Gradio style) or [(user, assistant)] pairs."""
    out = []
    for item in history or []:
        if isinstance(item, Message):
            out.append(item)
        elif isinstance(item, dict):
            out.append(Message(str(item.get("role", "")), str(item.get("content", "")),
                               list(item.get("doc_ids") or [])))
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            out += [Message("user", str(item[0] or "")), Message("assistant", str(item[1] or ""))]
    return [m for m in out if m.text]


def turns(history) -> list[tuple[str, str]]:
    """(role, text) of each message."""
    return [(m.role, m.text) for m in messages(history)]


def names_in(text: str) -> list[str]:
    """Capitalised runs with question words and sentence openers removed, in order."""
    out = []
    for match in _RUN.finditer(text):
        words = [w.rstrip(".’'s") if w.endswith(("’s", "'s")) else w.rstrip(".") for w in match.group(0).split()]
        while words and words[0].lower() in _NOT_NAMES:
            words = words[1:]
        if words:
            out.append(" ".join(words))
    return out


def people_in(text: str, known_surnames: set[str], single: bool = False) -> list[str]:
    """Names of people: runs of two or three words, or known surnames; with `single`, any one word too."""
    places = gazetteer()
    found = []
    for name in names_in(text):
        words = name.split()
        if fold(name) in places or any(fold(w) in places for w in words) or any(w.isupper() for w in words):
            continue
        if 2 <= len(words) <= 3 or fold(words[-1]) in known_surnames or (single and len(words) == 1):
            found.append(name)
    return found


def resolve(question: str, history) -> Resolved:
    """The follow-up as a standalone question, by the rule in the module docstring."""
    said = messages(history)
    users = [i for i, m in enumerate(said) if m.role == "user"]
    if not users:
        return Resolved(question)
    last_user = users[-1]
    previous = resolve(said[last_user].text, said[:last_user]).question
    answer = next((m for m in said[last_user + 1:] if m.role == "assistant"), None)
    resolved, exclude = question, []
    if OTHER_ARTICLE.search(resolved) and answer is not None and answer.doc_ids:  # see Answer.as_message
        exclude = list(answer.doc_ids)
        rest = [s for s in re.split(r"(?<=[?.!])\s+", resolved) if not OTHER_ARTICLE.search(s)]
        resolved = " ".join(rest) if rest else previous
    resolved = _resolve_person(resolved, said, users, answer)
    if _elliptical(resolved) and not _PERSONAL.search(question) and resolved != previous:
        return Resolved(f"{previous} {resolved}", exclude)
    if _VAGUE.search(resolved) and resolved == question:
        names = [n for n in dict.fromkeys(names_in(previous)) if fold(n) not in fold(resolved)]
        if names:
            resolved = f"{resolved} ({', '.join(names)})"
    return Resolved(resolved, exclude)


def _resolve_person(question: str, said: list[Message], users: list[int], answer: Message | None) -> str:
    """Replace the first personal pronoun by the conversation's person (see the module docstring)."""
    pronoun = _PERSONAL.search(question)
    surnames = {fold(n.split()[-1]) for m in said for n in names_in(m.text) if len(n.split()) >= 2}
    if not pronoun or people_in(question, surnames):
        return question
    previous_question, person = said[users[-1]].text, None
    if not people_in(previous_question, surnames) and re.search(r"\bwho\b", previous_question, re.I) and answer:
        person = next(iter(people_in(answer.text, surnames)), None)  # the answer to "who …?"
    if person is None:  # the person of the latest question that names one
        person = next((p for i in reversed(users) for p in people_in(said[i].text, surnames)), None)
    if person is None and answer is not None:
        person = next(iter(people_in(answer.text, surnames)), None)
    if person is None and not people_in(question, surnames, single=True):  # not "What did Blinken say to him?"
        # a name given alone ("What did Lavrov demand?"): the latest question's first
        person = next((p for i in reversed(users) for p in people_in(said[i].text, surnames, single=True)), None)
    if person is None:
        return question
    surname = person.split()[-1]
    full = next((n for m in said for n in names_in(m.text) if n.endswith(surname) and len(n) > len(person)), person)
    word = pronoun.group(1).lower()
    possessive = word in ("his", "hers") or (word == "her" and _followed_by_noun(question, pronoun))
    replacement = f"{full}’s" if possessive else full
    return question[:pronoun.start()] + replacement + question[pronoun.end():]


def _followed_by_noun(question: str, pronoun: re.Match) -> bool:
    """"her" as a possessive ("her deputy") rather than an object ("met her")."""
    rest = question[pronoun.end():].split()
    return bool(rest) and rest[0].strip("?.,!").isalpha() and rest[0].lower() not in _NOT_NAMES


def _elliptical(question: str) -> bool:
    """A fragment: three content words or fewer and no verb of its own ("How many troops?", "And last
    year?", "Why so late?"); "Who is NATO's Secretary General?" is a question of its own."""
    words = re.findall(r"[\w’'-]+", question)
    has_verb = any(w.lower() in _AUXILIARIES or w.lower().endswith("ed") for w in words)
    return len(_content(question)) <= 3 and not has_verb


def _content(question: str) -> list[str]:
    return [w for w in re.findall(r"[\w’'-]+", question) if w.lower() not in _NOT_NAMES and not _WH.fullmatch(w)]


def looks_like_rewrite(rewrite: str, question: str) -> bool:
    """Reject model rewrites that are empty, rambling, answers rather than questions ("And the other article
    calls him Sergei Lavrov."), or that still hold the pronoun or vague "it"/"that" they were asked to
    resolve ("Why was it a problem for Washington?"): the rule does better with those."""
    rewrite = rewrite.strip()
    if not 3 <= len(rewrite) <= max(300, 3 * len(question)) or "\n" in rewrite or not rewrite.endswith("?"):
        return False
    unresolved = (_PERSONAL, _VAGUE_REFERENCE)
    return not any(pattern.search(question) and pattern.search(rewrite) for pattern in unresolved)
