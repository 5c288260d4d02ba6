"""Does a paragraph support a claim? The one check used to verify citations and to score them in evaluation.

Lexical entailment, deliberately: the claim's content words (IDF-weighted) must be found together in one
place of the paragraph (a sentence, or two adjacent sentences), with every number and every name the claim
gives (a capitalised word after its first), its titles ("president", "analyst"), and its quantifiers and
negations ("most", "only", "not"); a claim that drops a negation of its source ("did not expect") fails.
Words scattered over a paragraph do not make its claim: "The United States won the most medals" is not
supported by a sentence about United States medals that says nothing of "most". Words the question gave
count as found when the sentence holds what the claim adds (see support_score). No NLI model ships
offline (see ../shared/docs/offline-stack.md); a sentence copied from a paragraph always passes. It cannot
tell "Information from X" from "Written by X": a name in the right sentence with the wrong role can pass.
"""
from __future__ import annotations

import re
from typing import Callable

from index.sentences import sentence_spans

from .text import tokenize, words

# Stopwords for search, but they change what a sentence claims: "won the most medals" is not "won medals",
# "has not rejected" is not "has rejected". A claim that uses one needs it in the supporting sentence, and a
# negation in that sentence must be in the claim.
CLAIM_WORDS = frozenset({"most", "least", "only", "all", "no", "not", "never", "nor"})
NEGATIONS = frozenset({"no", "not", "never", "nor"})
# Titles say who someone is; a model that gives a name the wrong role ("Ukraine's president said …" for an
# analyst's words) writes a title the supporting sentence does not have, so a title must be there too.
TITLES = frozenset(tokenize("president minister secretary chancellor premier ambassador spokesman spokeswoman "
                            "spokesperson envoy analyst governor mayor senator representative chairman chairwoman "
                            "commissioner director executive ceo chief king queen prince pope general officer"))

# A negation reaches the next few content words of its clause (NegEx-style scope): a claim that uses one of
# them without the negation contradicts its source; a claim about the rest of the sentence does not.
NEGATION_REACH = 4
_STRETCH = re.compile(r"[,.;:!?()“”\"]")
_CONTRACTED_NOT = re.compile(r"n[’']t\b")
# "at least 40" and "at most 40" are bounds the figure itself satisfies, and "would at least ease tensions"
# hedges: neither is the superlative "the least", so neither makes "least" or "most" a word the source must use.
_BOUND = re.compile(r"\bat (?:least|most)\b", re.I)

SUPPORT_THRESHOLD = 0.6
# A claim whose names and numbers (two or more) all stand in the sentence may reword the rest more freely
# ("The handshake took place at the President Wilson Hotel in Geneva" / "shook hands at the President Wilson
# Hotel in … Geneva"): names and numbers are what a model invents, and they are checked exactly.
ANCHORED_THRESHOLD = 0.5
_NUMBER = re.compile(r"\d[\d,.]*")
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*")  # names, roughly; a claim's first word is skipped
_ANSWER_PARTICLE = re.compile(r"^\s*(yes|no)\b[,.;:!]*\s*", re.I)  # "Yes, …": the rest is the claim
# A number and the words that follow it in its stretch of text: what it counts ("306 people, …").
_COUNTED = re.compile(r"(?<![\w.,])(\d[\d,.]*\d|\d)(?:\s+(?:hundred|thousand|million|billion|trillion))?"
                      r"\s+([^\d,.;:!?()\[\]“”\"]+)", re.I)
COUNT_REACH = 3  # words after a number that may name what it counts ("100,000 Russian troops")
_YEAR = re.compile(r"(1[89]|20)\d\d")  # "in 2014 Russia took …": a year counts nothing
_AFTER_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$", re.I)
# English makes a place's adjective with one of these endings ("Crimea" / "Crimean", "Bavaria" / "Bavarian",
# "Kashmir" / "Kashmiri"); countries are mapped whole by text.py's demonym table. Matched on stems, so a stem
# the stemmer cuts differently is missed ("pari" / "parisian").
_PLACE_ADJECTIVE = re.compile(r"(?:n|an|ian|ese|i|ish)")


def numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def coverage(claim_tokens: list[str], evidence_tokens: set[str], idf: Callable[[str], float]) -> float:
    """IDF-weighted share of the claim's tokens found in the evidence."""
    weights = {t: idf(t) for t in set(claim_tokens)}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in evidence_tokens) / total if total else 0.0


def support_score(claim: str, paragraph: str, idf: Callable[[str], float] = lambda t: 1.0,
                  given: frozenset[str] | set[str] = frozenset()) -> float:
    """The best coverage of the claim by one sentence, or two adjacent ones, of the paragraph.

    `given`: the question's words that the paragraph's article uses (given_words). An answer restates its
    question ("Paul Carrel wrote the Reuters report [2]" cites the credit line "Written by Paul Carrel"), so
    those count as found, on one condition: the sentence itself holds what the claim adds to the question
    (a word of it), or half the claim. CLAIM_WORDS and numbers are never given. A "Yes, …"/"No, …" is given
    only the names it repeats (an outlet it attributes to): its answer is whether the restated question
    holds, so the sentence must state that in its own words."""
    plain = _strip_markers(claim)
    if _ANSWER_PARTICLE.match(plain):
        given = set(given) & set(name_tokens(plain))
    text = _ANSWER_PARTICLE.sub("", plain)
    claim_tokens, claimed_numbers = claim_tokenize(text), numbers(text)  # a marker "[2]" is no number
    if not claim_tokens or not claimed_numbers <= numbers(paragraph):
        return 0.0
    given = set(given) - CLAIM_WORDS
    added = set(claim_tokens) - given
    names, qualifiers = set(name_tokens(text)), set(claim_tokens) & (CLAIM_WORDS | TITLES)
    required = ANCHORED_THRESHOLD if len(names) + len(claimed_numbers) >= 2 else SUPPORT_THRESHOLD
    claimed_counts = counted(text)
    best = 0.0
    for window, negated_elsewhere in windows(paragraph):
        own = set(claim_tokenize(window))
        own |= derived_names(names - own, own)
        found = own | given
        dropped = set() if qualifiers & NEGATIONS else negated_words(window)
        if not claimed_numbers <= numbers(window) or not names <= found or not qualifiers <= own or (
                set(claim_tokens) & (dropped | negated_elsewhere)) or counts_differ(claimed_counts, window):
            continue  # a number, name, title or "most" it lacks, a negation the claim drops ("don't expect"),
            # or a number it counts something else with ("306 homes" from "killing 306 people")
        alone = coverage(claim_tokens, own, idf)
        value = coverage(claim_tokens, found, idf) if (added & own or alone >= 0.5) else alone
        best = max(best, min(1.0, value * SUPPORT_THRESHOLD / required))  # scaled: SUPPORT_THRESHOLD is the bar
    return best


def derived_names(names: set[str], tokens: set[str]) -> set[str]:
    """The names a window writes as their adjective: {"crimea"} for "Crimean Peninsula" (tokens are stems,
    so "ukrain" meets "ukrainian"). Either way round: a claim's "Crimean" is found in "annexed Crimea"."""
    def related(a: str, b: str) -> bool:
        short, long_ = sorted((a, b), key=len)
        return len(short) >= 4 and long_.startswith(short) and bool(_PLACE_ADJECTIVE.fullmatch(long_[len(short):]))
    return {name for name in names if any(related(name, token) for token in tokens)}


def counted(text: str) -> dict[str, set[str]]:
    """Each number (not a year or a day of a month) -> the content words right after it, up to a stopword,
    punctuation or COUNT_REACH words: "306 people, damaging roads" -> {"306": {"peopl"}}."""
    out: dict[str, set[str]] = {}
    for m in _COUNTED.finditer(text):
        number = m.group(1).replace(",", "")
        if _YEAR.fullmatch(number) or _AFTER_MONTH.search(text[:m.start()]):
            continue
        nouns = set(_leading_content(m.group(2)))
        if nouns:
            out.setdefault(number, set()).update(nouns)
    return out


def _leading_content(stretch: str) -> list[str]:
    """The content tokens that open a stretch, up to its first stopword: "Russian troops near …" -> russian,
    troop; "in funding" -> none ("$15 million in funding" says what the money was, not what it counts)."""
    found: list[str] = []
    for word in stretch.split()[:COUNT_REACH]:
        tokens = tokenize(word)
        if not tokens:
            break
        found += tokens
    return found


def counts_differ(claimed: dict[str, set[str]], source: str) -> bool:
    """Does the claim (its `counted()`) count something else with a number the source uses? "306 homes were
    destroyed" from "killing at least 306 people, … destroying homes"; "1,500 pages" from "1,500 documents". A
    number the source follows with no words ("the toll rose to 306.") counts anything the claim says."""
    in_source = counted(source)
    return any(number in in_source and not nouns & in_source[number] for number, nouns in claimed.items())


def negated_words(text: str) -> set[str]:
    """The content tokens a negation is said of: up to NEGATION_REACH after "not", "no", "never" or "nor",
    within its stretch of text between punctuation. "We are not afraid of anyone," negates "afraid" and
    "anyone", not the "CBS News" that asked the question in the same sentence."""
    negated: set[str] = set()
    for stretch in _STRETCH.split(spell_out_not(text)):
        found = words(stretch)
        for n, word in enumerate(found):
            if word in NEGATIONS:
                negated.update(tokenize(" ".join(found[n + 1:]))[:NEGATION_REACH])
    return negated


def adds_to(claim: str, question: str) -> bool:
    """Does the claim say something the question did not? "The analyst hoped Blinken could clear up the
    confusion" answers nothing when the question was "The analyst hoped Blinken could clear up the confusion.
    What caveat was attached?". A yes or no before the claim is its addition to a yes/no question."""
    if _ANSWER_PARTICLE.match(claim):
        return True
    return bool(set(claim_tokenize(_strip_markers(claim))) - set(claim_tokenize(question)))


def spell_out_not(text: str) -> str:
    """"didn't" -> "did not", so the negation is a word of its own."""
    return _CONTRACTED_NOT.sub(" not", text)


def given_words(question: str, article_text: str) -> frozenset[str]:
    """The question's words that the article's text uses: see support_score."""
    return frozenset(claim_tokenize(question)) & frozenset(claim_tokenize(article_text)) if question else frozenset()


def name_tokens(text: str) -> list[str]:
    """Tokens of the capitalised words after the first (names, roughly; one-letter pieces of "U.S." dropped)."""
    return [t for t in tokenize(" ".join(_CAPITALISED.findall(_strip_markers(text))[1:])) if len(t) > 1]


def claim_tokenize(text: str) -> list[str]:
    """Content tokens plus the CLAIM_WORDS the text uses ("didn't" counts as "not"; "at least" is no "least")."""
    text = _BOUND.sub(" ", spell_out_not(text))
    return tokenize(text) + [w for w in words(text) if w in CLAIM_WORDS]


# Where a sentence joins two clauses, each can be a claim on its own ("… concrete answers," Lavrov said, despite
# telling Blinken that he did not expect a breakthrough): the second clause's negation is not the first one's.
_CLAUSE_BREAK = re.compile(r"[,;]\s+(?=(?:despite|but|although|though|while|whereas|yet|even though)\b)|;\s+")


def windows(paragraph: str) -> list[tuple[str, set[str]]]:
    """Each sentence, each pair of adjacent sentences, and each clause of a sentence that joins several, with
    the words of its negated sibling clauses (a claim that needs one of those is not supported by the clause:
    "Lavrov expected a breakthrough" is no claim of the first clause above)."""
    spans = sentence_spans(paragraph) or [(0, len(paragraph))]
    pairs = [(spans[i][0], spans[i + 1][1]) for i in range(len(spans) - 1)]
    out = [(paragraph[s:e], set()) for s, e in spans + pairs]
    for s, e in spans:
        clauses = _CLAUSE_BREAK.split(paragraph[s:e])
        if len(clauses) < 2:
            continue
        tokens = [set(claim_tokenize(c)) for c in clauses]  # each clause tokenised once
        negated = [t for t in tokens if t & NEGATIONS]
        for clause, own in zip(clauses, tokens):
            out.append((clause, set().union(*[n for n in negated if n is not own]) - own))
    return out


def supports(claim: str, paragraph: str, idf: Callable[[str], float] = lambda t: 1.0,
             given: frozenset[str] | set[str] = frozenset()) -> bool:
    return support_score(claim, paragraph, idf, given) >= SUPPORT_THRESHOLD


def _strip_markers(text: str) -> str:
    return re.sub(r"\[\d+\]", "", text)
