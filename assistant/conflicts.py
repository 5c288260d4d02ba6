"""Disagreements between sources: find them, and say them with both sides cited.

What we detect among the paragraphs that answer a question (extractive, no model needed):
- name: the same role ("Russian Foreign Minister") held by differently named people in different
  articles (Lavrov / Viklov): the same person named two ways, or two claims that cannot both hold;
- title: one surname with different offices ("Foreign Minister Viklov" / "Prime Minister Viklov"),
  within one article or across articles;
- number: the same thing counted differently ("about 100,000 troops" / "tens of thousands of troops");
- quote: the same speaker quoted in different words by different articles;
- claim: near-identical sentences from different articles that differ in a name or number (a planted
  or garbled fact: "Super Bowl … in Tampa" / "… in Glendale").
Dates are compared only in like forms: "Jan 21" and "Friday" never conflict. Wording differences
("constructive and useful" / "useful") are not conflicts: only names, offices, numbers and quotes count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.dates import parse_date
from index.sentences import sentence_spans

from .answer import Citation, Conflict, ConflictSide, Passage
from .citations import best_quote, make_citation
from .mood import asks_for_subject, subject_part
from .entities import WORD, Mention, alias_map, alias_pairs, asked_words
from .text import fold, tokenize

_QUOTE = re.compile(r"[“\"]([^”\"]{12,400})[”\"]")
_COUNT = re.compile(r"\b(?:about |around |some |nearly |roughly |more than |over )?(?P<value>\d[\d,.]*|"
                    r"(?:tens|hundreds) of thousands|thousands|hundreds|dozens)(?P<joint>[ -])(?:of )?"
                    r"(?P<noun>[a-z]+)(?P<after>(?: [a-z]+){0,2})", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z’'-]+")
_NOT_ENTITIES = {"The", "A", "An", "He", "She", "It", "They", "In", "On", "At", "But", "And", "This", "That", "Last",
                 "Now", "When", "After", "Before", "If", "As", "Mr", "Ms", "Mrs", "Jan", "Feb", "Mar", "Apr", "May",
                 "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Monday", "Tuesday", "Wednesday", "Thursday",
                 "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "June", "July",
                 "August", "September", "October", "November", "December"}


# --- detection ------------------------------------------------------------------------------------------
@dataclass
class Side:
    value: str
    passages: list[Passage]


def _conflict(kind: str, description: str, sides: list[Side]) -> tuple[str, str, list[Side]]:
    return kind, description, sides


def _display_role(mention: Mention) -> str:
    nation = mention.role[: -len(mention.office)].strip()
    return f"{nation.title()} {mention.office}".strip()


def name_conflicts(question: str, mentions: list[Mention], quoted: str, wanted: str | None) -> list:
    """Relevant when the question names either person or the office, or asks "who" and the answer quotes
    either name: by surname, as news style names a person after the first mention ("Foreign Minister
    Viklov")."""
    quoted_words = asked_words(quoted)
    asked, found = asked_words(question), []
    for a, b in alias_pairs(mentions):
        office_words = set(a.office.split()) - {"of"}
        names_quoted = wanted == "name" and bool({a.surname, b.surname} & quoted_words)
        if a.surname in asked or b.surname in asked or (office_words & asked) or names_quoted:
            found.append(_conflict("name", f"The articles name the {_display_role(a)} differently",
                                   [Side(a.name, [a.passage]), Side(b.name, [b.passage])]))
    return found


def title_conflicts(question: str, mentions: list[Mention], aliases: dict[str, set[str]]) -> list:
    asked, found, seen = asked_words(question), [], set()
    for a in mentions:
        for b in mentions:
            if a.surname == b.surname and a.office != b.office and " " in a.office and " " in b.office:
                relevant = a.surname in asked or aliases.get(a.surname, set()) & asked or (
                    set(a.office.split()) & asked)
                key = (a.surname, *sorted((a.office, b.office)))
                if relevant and key not in seen:
                    seen.add(key)
                    where = "One article gives" if a.passage.doc_id == b.passage.doc_id else "The articles give"
                    found.append(_conflict("title", f"{where} {b.name.split()[-1]} different titles", [Side(f"{a.office.title()} {a.name}", [a.passage]),
                                                       Side(f"{b.office.title()} {b.name}", [b.passage])]))
    return found


def _count_value(text: str) -> str:
    return fold(text).replace(",", "")


def number_conflicts(question: str, passages: list[Passage], wanted: str | None) -> list:
    """Only for questions that ask for a number ("Which country did Russia send troops to" is not about how
    many troops), and only between like things: the same unit of the same subject ("90 tonnes of pears" and
    "a 4,711-tonne fishing quota" are two subjects), in sentences about the same entities (two towns' bridges
    are two bridges)."""
    if wanted != "number":
        return []
    asked = set(tokenize(question))
    counts: dict[tuple, dict[str, Side]] = {}  # (unit, subject) -> value -> side
    contexts: dict[int, set[str]] = {}  # id(side) -> names in its sentences
    for passage in passages:
        for s, e in sentence_spans(passage.text):
            sentence = passage.text[s:e]
            for m in _COUNT.finditer(sentence):
                noun = tokenize(m.group("noun"))
                if noun and noun[0] in asked:
                    key = (noun[0], _counted(m))
                    side = counts.setdefault(key, {}).setdefault(_count_value(m.group("value")), Side(m.group(0), []))
                    contexts.setdefault(id(side), set()).update(_names(sentence))
                    if passage not in side.passages:
                        side.passages.append(passage)
    found = []
    for (noun, _), values in counts.items():
        related = [v for v in values.values() if any(_like(v, w, contexts) for w in values.values() if w is not v)]
        if len(related) > 1:
            found.append(_conflict("number", f"The articles count the {_plural(noun)} differently", related))
    return found


def _counted(match: re.Match) -> str:
    """What is counted: "pears" in "90 tonnes of pears", "fishing quota" in "a 4,711-tonne fishing quota"."""
    after = match.group("after").split()
    if after and after[0].lower() == "of":
        return " ".join(tokenize(" ".join(after[1:2])))
    return " ".join(tokenize(" ".join(after))) if match.group("joint") == "-" else ""


def _like(a: Side, b: Side, contexts: dict[int, set[str]]) -> bool:
    """Two counts from different articles about the same entities (or where either names none)."""
    other_article = {p.doc_id for p in a.passages} != {p.doc_id for p in b.passages}
    ca, cb = contexts.get(id(a), set()), contexts.get(id(b), set())
    return other_article and (not ca or not cb or bool(ca & cb))


def _names(sentence: str) -> set[str]:
    return {w for w in _CAPITALISED.findall(sentence[1:]) if w not in _NOT_ENTITIES} | (
        {sentence.split()[0]} if sentence and sentence.split()[0] not in _NOT_ENTITIES
        and sentence.split()[0][:1].isupper() else set())


def _plural(noun: str) -> str:
    return noun if noun.endswith("s") else noun + "s"


def _speaker(sentence: str, aliases: dict[str, set[str]], mentions: list[Mention]) -> str | None:
    known = {m.surname for m in mentions} | set(aliases)
    for word in WORD.findall(sentence):
        if fold(word) in known:
            return fold(word)
    return None


def quote_conflicts(question: str, passages: list[Passage], mentions, aliases) -> list:
    if not re.search(r"\b(quote|quoted|words?|wording|say|said|call|called|describe)\b", question, re.I):
        return []
    quotes = []
    for passage in passages:
        for s, e in sentence_spans(passage.text):
            sentence = passage.text[s:e]
            speaker = _speaker(sentence, aliases, mentions)
            for q in _QUOTE.findall(sentence):
                quotes.append((speaker, q.strip(" ,.") , set(tokenize(q)), passage))
    found, seen = [], set()
    for sa, qa, ta, pa in quotes:
        for sb, qb, tb, pb in quotes:
            same_speaker = sa and sb and (sa == sb or sb in aliases.get(sa, set()))
            overlap = len(ta & tb) / max(len(ta | tb), 1)
            if pa.doc_id < pb.doc_id and same_speaker and len(ta & tb) >= 2 and overlap < 0.8 and (qa, qb) not in seen:
                seen.add((qa, qb))
                found.append(_conflict("quote", "The articles quote the same remark in different words",
                                       [Side(f"“{qa}”", [pa]), Side(f"“{qb}”", [pb])]))
    return found


def _entities(sentence: str) -> set[str]:
    """Names and numbers: the parts of a sentence a planted or garbled fact changes."""
    names = {w for w in _CAPITALISED.findall(sentence) if w not in _NOT_ENTITIES}
    return names | {n.rstrip(".,") for n in re.findall(r"\$?\d[\d,.]*", sentence)}


def claim_conflicts(question: str, candidates: list) -> list:
    """Near-identical answer sentences from different articles that differ in a name or number."""
    asked, subject_asked = asked_words(question), asks_for_subject(question)
    found, seen = [], set()
    for i, a in enumerate(candidates):
        for b in candidates[i + 1:]:
            if a.doc_id == b.doc_id:
                continue
            ta, tb = set(tokenize(a.text)), set(tokenize(b.text))
            if len(ta & tb) / max(len(ta | tb), 1) < 0.5:
                continue
            ea = {e for e in _entities(a.text) - _entities(b.text) if fold(e) not in asked}
            eb = {e for e in _entities(b.text) - _entities(a.text) if fold(e) not in asked}
            if not subject_asked and (_other_subjects(a.text, ea) or _other_subjects(b.text, eb)):
                continue  # "Ashford's mayor said …" / "Bexley's mayor said …": two subjects, not one fact
            if ea and eb and (frozenset(ea), frozenset(eb)) not in seen:
                seen |= {(frozenset(ea), frozenset(eb)), (frozenset(eb), frozenset(ea))}
                found.append(_conflict("claim", "The sources state different facts",
                                       [Side(" ".join(sorted(ea, key=a.text.find)), [a.passage]),
                                        Side(" ".join(sorted(eb, key=b.text.find)), [b.passage])]))
    return _merge_claims(found)


def _other_subjects(sentence: str, differing: set[str]) -> bool:
    """Does a name or number that differs between two near-identical sentences sit in the subject (before
    the first tensed verb)? Then they say the same of two things (two mayors, two prime ministers), unless
    the question asks for the subject ("Which city hosted …": "Beijing hosted …" / "London hosted …")."""
    subject = subject_part(sentence)
    return any(re.search(rf"(?<!\w){re.escape(e)}(?!\w)", subject) for e in differing)


def _merge_claims(found: list) -> list:
    """Many paraphrases of one planted fact make one conflict with every paragraph on each side."""
    merged: dict[frozenset, tuple] = {}
    for kind, description, sides in found:
        key = frozenset(side.value for side in sides)
        if key in merged:
            for old, new in zip(merged[key][2], sides):
                old.passages += [p for p in new.passages if p not in old.passages]
        else:
            merged[key] = (kind, description, sides)
    return list(merged.values())[:1]


def detect(question: str, citations: list[Citation], passages: list[Passage], mentions: list[Mention],
           candidates: list, wanted: str | None) -> list[tuple[str, str, list[Side]]]:
    """Raw conflicts (kind, description, sides); `describe` turns them into text and citations. `wanted`: the
    kind of answer asked for (the reader's answer_type: "Which Russian official …" asks for a name)."""
    aliases = alias_map(mentions)
    found = name_conflicts(question, mentions, " ".join(c.quote for c in citations), wanted)
    found += title_conflicts(question, mentions, aliases)
    found += number_conflicts(question, passages, wanted)
    found += quote_conflicts(question, passages, mentions, aliases)
    if not found:
        found += claim_conflicts(question, candidates)
    return found


def differences(passages: list[Passage], mentions: list[Mention], only: list[tuple[Passage, str]]) -> list:
    """Everything the articles state differently, whatever the question ("How do the two reports differ?"):
    the same office named differently, one person with two titles, the same thing counted differently, and
    what each article covers that the others do not (`only`: a sentence per article, multi.only_here)."""
    everything = " ".join({m.surname for m in mentions} | {w for m in mentions for w in m.office.split()})
    nouns = " ".join(m.group("noun") for p in passages for m in _COUNT.finditer(p.text))
    found = name_conflicts(everything, mentions, "", None)
    found += title_conflicts(everything, mentions, alias_map(mentions))
    found += number_conflicts(nouns, passages, "number")
    if len({p.doc_id for p, _ in only}) >= 2:
        found.append(_conflict("coverage", "Each report covers something the others do not",
                               [Side(sentence, [p]) for p, sentence in only]))
    return found


def provenance(passage: Passage) -> str:
    """Outlet, byline, dateline and date: what a reader needs to weigh a side."""
    credits = [c.strip() for c in passage.byline.split(";") if c.strip()]
    names = [c for c in credits if re.fullmatch(r"(By )?[A-Z][\w'’-]+( [A-Z][\w'’-]+){1,2}", c)]
    byline = re.sub(r"^(information from|reporting by|by)\s+", "", (names or credits or [""])[0], flags=re.I)
    parts = [passage.source or "outlet not stated", byline and f"byline: {byline}", passage.dateline,
             passage.published]
    return "; ".join(p for p in parts if p)


def _name_of(passage: Passage) -> str:
    if passage.source:
        return passage.source
    title = passage.title if len(passage.title) <= 60 else passage.title[:57].rstrip() + "…"
    return f"the article “{title}”"


def describe(text: str, citations: list[Citation], found: list, noted: set[str] = frozenset()
             ) -> tuple[str, list[Citation], list[Conflict]]:
    """Append one sentence per conflict, citing each side; sides' paragraphs become citations if new.
    A conflict whose description is in `noted` (reported earlier in the conversation) gets one short
    line that points back to it, still citing each side."""
    citations = list(citations)
    by_paragraph = {c.paragraph_id: c.marker for c in citations}
    conflicts, notes = [], []
    for kind, description, sides in found:
        resolved, phrases = [], []
        one_article = len({side.passages[0].doc_id for side in sides}) == 1
        days = [parse_date(side.passages[0].published) for side in sides]
        if not one_article and all(days) and len(set(days)) == len(days):
            # Each side from another day: a running story that changed, not a disagreement. Newest first.
            kind, description = "over time", OVER_TIME
            sides = [side for _, side in sorted(zip(days, sides), key=lambda pair: pair[0], reverse=True)]
        for side in sides:
            markers = []
            for passage in side.passages[:3]:
                if passage.id not in by_paragraph:
                    citations.append(make_citation(len(citations) + 1, passage, *best_quote(side.value, passage)))
                    by_paragraph[passage.id] = len(citations)
                markers.append(by_paragraph[passage.id])
            first = side.passages[0]
            resolved.append(ConflictSide(side.value, markers, first.doc_id, provenance(first)))
            tags = "".join(f"[{m}]" for m in markers)
            if kind == "over time":
                phrases.append(f"{_name_of(first)} of {parse_date(first.published)}: “{side.value.strip('“”')}” {tags}")
            else:
                phrases.append(f"“{side.value.strip('“”')}” {tags}" if one_article
                               else f"{_name_of(first)} says “{side.value.strip('“”')}” {tags}")
        conflicts.append(Conflict(kind, description, resolved))
        if description in noted:
            tags = "".join(f"[{m}]" for side in resolved for m in side.markers[:1])
            notes.append(f"As noted above, {description[0].lower()}{description[1:]} {tags}.")
        else:
            notes.append(f"{description}: " + (" and " if one_article else "; ").join(phrases) + ".")
    disagree = [c for c in conflicts if c.description not in noted and c.kind != "over time"]
    lead = NOTE_LEAD if disagree else ""
    return f"{text} {lead}{' '.join(notes)}".strip(), citations, conflicts


NOTE_LEAD = "The sources disagree. "
OVER_TIME = "Reported differently over time, newest first"


def _noted_line(conflict: Conflict) -> str:
    return f"As noted above, {conflict.description[0].lower()}{conflict.description[1:]}"


def split_note(text: str, found: list[Conflict]) -> tuple[str, str]:
    """(the answer, the disagreement note `describe` appended to it); the note is "" when there is none."""
    starts = [i for i in [text.find(NOTE_LEAD), text.find(OVER_TIME)] + [text.find(_noted_line(c)) for c in found]
              if i >= 0]
    if not found or not starts:
        return text, ""
    return text[:min(starts)].rstrip(), text[min(starts):]


def was_noted(note: str, conflict: Conflict) -> bool:
    """Whether `describe` referred back to this conflict ("As noted above, …") rather than stating it."""
    return _noted_line(conflict) in note
