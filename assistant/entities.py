"""People and their offices across articles: who holds "Russian Foreign Minister" in each article.

Used twice: to widen retrieval (a question about "Lavrov" also reads the article that calls the same
Russian foreign minister "Viklov") and to let "the Russian minister" in a question match sentences that
name him. Offices are recognised by a pattern ("<Nation> <Office> <Name>"); people mentioned without an
office are not linked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .answer import Passage
from .text import fold, tokenize

_OFFICE = (r"(?:(?:Deputy |Vice |Prime |Foreign |Defen[cs]e |Finance |Interior |Economy |Justice |Health )?"
           r"(?:Minister|Secretary|President|Chancellor|Premier|Ambassador|Spokesman|Spokeswoman|Envoy))"
           r"(?: of State| of Defense)?")
# A question that asks for a person ("who", or a turn's wanted "name": "which official"), or names an office,
# may need everyone the articles give an office to.
_ABOUT_PEOPLE = re.compile(r"\b(who|whose|minister|secretary|president|chancellor|premier|ambassador|"
                           r"spokes(man|woman|person)|envoy)", re.I)
# A word runs up to a space or punctuation, whatever it holds (names arrive with mojibake and symbols).
_WORD_CHAR = r"[^\s,.;:!?()\[\]“”\"]"
WORD = re.compile(rf"{_WORD_CHAR}+")
_NAME_WORD = rf"[A-Z]{_WORD_CHAR}*"
_ROLE_NAME = re.compile(rf"(?P<nation>\b[A-Z][a-z]+n |\bU\.S\. |\bUS )?(?P<office>{_OFFICE}) "
                        rf"(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,2}})")

@dataclass
class Mention:
    role: str  # "russian foreign minister"
    name: str  # "Sergei Lavrov"
    surname: str
    office: str
    passage: Passage


def role_mentions(passages: list[Passage]) -> list[Mention]:
    found = []
    for passage in passages:
        for m in _ROLE_NAME.finditer(passage.text):
            name = m.group("name").strip()
            nation = fold((m.group("nation") or "").strip()).replace("u.s.", "us")
            office = fold(m.group("office"))
            found.append(Mention(f"{nation} {office}".strip(), name, fold(name.split()[-1]), office, passage))
    return found


def _same_role(a: Mention, b: Mention) -> bool:
    """Same office of more than one word ("foreign minister", not a bare "president") of the same, stated
    nation. An unstated nation links nothing: "Prime Minister Johnson" and "Prime Minister Modi" are two
    countries' prime ministers, and "Secretary of State Pompeo" and "US Secretary of State Blinken" two
    holders of one office in different years (articles over 60 days apart are not linked either)."""
    if a.office != b.office or " " not in a.office:
        return False
    nation_a, nation_b = a.role[: -len(a.office)].strip(), b.role[: -len(b.office)].strip()
    return bool(nation_a) and nation_a == nation_b and _close_in_time(a.passage, b.passage)


def _close_in_time(a: Passage, b: Passage, days: int = 60) -> bool:
    """True unless both articles carry dates further apart than `days` (an office changes hands)."""
    try:
        first, second = date.fromisoformat(a.published[:10]), date.fromisoformat(b.published[:10])
    except ValueError:
        return True
    return abs((first - second).days) <= days


def doc_mentions(retriever, doc_ids: list[str]) -> list[Mention]:
    """Role-name mentions in every paragraph of these articles (a handful: the ones a question touched)."""
    return role_mentions(retriever.articles_passages(doc_ids))


def alias_pairs(mentions: list[Mention]) -> list[tuple[Mention, Mention]]:
    """Pairs naming the same role differently in different articles (each pair once)."""
    pairs, seen = [], set()
    for a in mentions:
        for b in mentions:
            key = tuple(sorted((a.surname, b.surname))) + (a.office,)
            if a.surname != b.surname and a.passage.doc_id != b.passage.doc_id and _same_role(a, b) and key not in seen:
                seen.add(key)
                pairs.append((a, b))
    return pairs


def alias_map(mentions: list[Mention]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a, b in alias_pairs(mentions):
        out.setdefault(a.surname, set()).add(b.surname)
        out.setdefault(b.surname, set()).add(a.surname)
    return out


def asked_words(question: str) -> set[str]:
    return {fold(w) for w in WORD.findall(question)}


def add_alias_passages(turn, retriever, per_alias: int = 2) -> tuple[list[Passage], list[Mention]]:
    """(passages, mentions): if the question names someone another retrieved article names differently, that
    article's paragraphs about them are added (the question "What did Lavrov demand?" also reads the "Viklov"
    article); the mentions are the role-name mentions of the articles read, for stand-ins and conflicts."""
    passages, asked = list(turn.passages), asked_words(turn.standalone)
    retrieved_mentions = role_mentions(passages)
    named = [m for m in retrieved_mentions if m.surname in asked]
    if not named and turn.wanted != "name" and not _ABOUT_PEOPLE.search(turn.standalone):
        # Nobody to link: aliases, role stand-ins and name conflicts all need a person or an office asked.
        return passages, retrieved_mentions
    doc_ids = list(dict.fromkeys(p.doc_id for p in passages))[:6]
    for mention in named[:2]:
        # Articles that name the same office may name its holder differently.
        hits = retriever.search(mention.role, turn.query_vector, 6, turn.where)
        doc_ids += [h.doc_id for h in hits if h.doc_id not in doc_ids][:3]
    mentions = doc_mentions(retriever, doc_ids)
    seen = {p.id for p in passages}
    for surname, others in alias_map(mentions).items():
        if surname not in asked:
            continue
        for other in sorted(others):
            query = re.sub(re.escape(surname), other, fold(turn.standalone), flags=re.I)
            for hit in retriever.search(query, turn.query_vector, per_alias, turn.where):
                if hit.id not in seen and fold(other) in fold(hit.text):
                    passages.append(hit)
                    seen.add(hit.id)
    return passages, mentions


def role_stand_ins(question: str, mentions: list[Mention]) -> dict[str, set[str]]:
    """"the Russian minister" in a question also matches sentences naming whoever the articles give that
    office (Lavrov, Viklov); "Lavrov" matches "Russia" (whose foreign minister he is) and the other name
    another article gives the same office ("Viklov")."""
    asked, out = asked_words(question), {}
    nations_asked = {m.role[: -len(m.office)].strip() for m in mentions} & asked
    for m in mentions:
        office_words = set(m.office.split()) - {"of"}
        nation = m.role[: -len(m.office)].strip()
        if office_words & asked and (nation in asked if nations_asked else True):
            for word in (office_words | {nation}) & asked:
                out.setdefault(word, set()).add(m.surname)
        if m.surname in asked and nation:
            out.setdefault(m.surname, set()).update(tokenize(nation.title()))  # a minister speaks for his country
    for surname, others in alias_map(mentions).items():
        if surname in asked:
            out.setdefault(surname, set()).update(others)
    return {tokenize(word)[0]: names for word, names in out.items() if tokenize(word)}
