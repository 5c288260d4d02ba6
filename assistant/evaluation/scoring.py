"""Score one `Reply` against its `TestCase`; a score that does not apply to the case is None.

Which scores apply follows the expected behaviour: correctness for questions that should be answered,
refusal for those that should not, conflict flags for conflict questions, warnings for counterfactual ones.
"""
from __future__ import annotations

import re

from ..core import AS_OF
from .metrics import (Idf, citation_quality, contains_any, contains_phrase, hit_at_k, invalid_markers, mrr_at_k,
                      strip_markers, token_f1, token_recall)
from ..support import given_words
from ..text import tokenize
from .reply import Reply, paragraph_id
from .testsets import ANSWERING, TestCase

REFERENCE_RECALL_MIN = 0.5  # seed questions with no acceptable_answers: share of reference tokens needed
DISAGREEMENT = re.compile(r"disagree|conflicting|contradict|inconsisten|differently|discrepanc", re.I)
# Bare "conflict" is left out: news text says "the conflict in Ukraine".
WARNING = re.compile(r"\b(may|might|could) be (wrong|incorrect|inaccurate|false|mistaken)|contradict|disagree|"
                     r"conflicting|inconsisten|unreliable|not reliable|disputed|discrepanc", re.I)


def score(case: TestCase, reply: Reply, idf: Idf = lambda t: 1.0, search=None) -> dict:
    """All per-question scores, flat, JSON-ready. `search(query, where) -> ranked passage dicts` (the
    assistant's retriever) scores a follow-up's rewrite by what it retrieves."""
    return {**retrieval(case, reply.passages), **gold_coverage(case, reply.passages), **correctness(case, reply),
            **citations(reply, idf, case.question),
            "evidence_hit": evidence_hit(case, reply), **behaviour(case, reply), **rewrite(case, reply, search)}


def rewrite(case: TestCase, reply: Reply, search=None) -> dict:
    """Follow-up turns: the rewrite's token F1 against the gold standalone question, and whether the
    retriever's first 5 paragraphs hold gold evidence when searching with the rewrite and with the gold one."""
    out = {"rewrite_f1": None, "rewrite_hit@5": None, "standalone_hit@5": None}
    if case.turn < 2 or not case.standalone:
        return out
    searched = reply.standalone or case.question
    out["rewrite_f1"] = token_f1(searched, case.standalone)
    if search is not None and case.has_gold:
        for name, query in (("rewrite_hit@5", searched), ("standalone_hit@5", case.standalone)):
            out[name] = hit_at_k([is_gold(case, p) for p in search(query, case.where)], 5)
    return out


def is_gold(case: TestCase, passage: dict) -> bool:
    """Gold by paragraph id, or by holding a support phrase (a substring: seed phrases may end mid-word)."""
    return bool(set(passage.get("pids", [])) & set(case.gold_pids)) or any(
        contains_phrase(passage["text"], phrase, whole_words=False) for phrase in case.gold_phrases)


def retrieval(case: TestCase, passages: list[dict]) -> dict:
    if not case.has_gold:
        return {"hit@1": None, "hit@5": None, "mrr@10": None}
    flags = [is_gold(case, p) for p in passages]
    return {"hit@1": hit_at_k(flags, 1), "hit@5": hit_at_k(flags, 5), "mrr@10": mrr_at_k(flags, 10)}


def gold_coverage(case: TestCase, passages: list[dict]) -> dict:
    """Questions that need several paragraphs (gold pids): the share of them among the candidates the answer
    step read (cited and retrieved), and whether all of them were there."""
    gold = {paragraph_id(pid) for pid in case.gold_pids}
    if not gold:
        return {"gold_recall": None, "all_gold": None}
    found = gold & {pid for p in passages for pid in p.get("pids", [])}
    return {"gold_recall": len(found) / len(gold), "all_gold": float(found == gold)}


def evidence_hit(case: TestCase, reply: Reply) -> float | None:
    """On answered questions with gold evidence: 1 if a cited paragraph holds a gold support phrase or is a
    gold paragraph. Independent of our support check, so it cannot grade our own citations kindly."""
    if reply.refused or not case.has_gold or case.expected not in ANSWERING:
        return None
    cited = {c["paragraph_id"] for c in reply.citations}
    return float(any(is_gold(case, p) for p in reply.passages if p["id"] in cited))


def correctness(case: TestCase, reply: Reply) -> dict:
    # answer_with_caveat is left to a reader (or --judge): its acceptable answer describes the caveat.
    if case.expected not in ANSWERING or case.expected == "answer_with_caveat":
        return {"contains_answer": None, "token_f1": None}
    text = "" if reply.refused else reply.text
    polar = case.reference_answer.strip(" .").lower()
    if polar in ("yes", "no"):  # a yes/no question: the answer must open with it ("no" occurs in any text)
        found = opening_word(AS_OF.sub("", text)) == polar
    elif case.acceptable_answers:
        found = contains_any(text, case.acceptable_answers)
    else:  # parentheses in a reference hold asides ("(the Reuters piece adds: …)"), not the answer
        key = re.sub(r"\([^)]*\)", " ", case.reference_answer)
        found = token_recall(text, key) >= REFERENCE_RECALL_MIN
    return {"contains_answer": float(found), "token_f1": token_f1(text, case.reference_answer)}


def opening_word(text: str) -> str:
    words = re.findall(r"[a-z]+", strip_markers(text).lower())
    return words[0] if words else ""


def citations(reply: Reply, idf: Idf, question: str = "") -> dict:
    paragraphs = reply.marker_paragraphs()
    invalid, total = invalid_markers(reply.text, set(paragraphs))
    quality = {"citation_recall": None, "citation_precision": None}
    if not reply.refused:
        given = {m: given_words(question, text) for m, text in reply.marker_articles().items()}
        quality = citation_quality(answer_part(reply), paragraphs, idf, given)
    return {"citation_recall": quality["citation_recall"], "citation_precision": quality["citation_precision"],
            "markers": total, "invalid_markers": invalid}


def answer_part(reply: Reply) -> str:
    """The text after the "As of" preamble and before the conflict note that conflicts.describe() appends.
    The note's sentences are about the sources, not claims from them (its sides are checked by
    conflict_flagged), so citation quality is scored without them. The note opens with each conflict's
    description, after a lead-in sentence."""
    text = AS_OF.sub("", reply.text)  # "As of <date>: " is ours, not the sources' (its date is in no paragraph)
    starts = [text.lower().find(c["description"].lower()) for c in reply.conflicts if c.get("description")]
    starts = [i for i in starts if i >= 0]
    if not starts:
        return text
    head = text[: min(starts)].rstrip()
    lead_in = re.search(r"[^.!?\]]*[.!?]?\s*$", head)  # the last sentence, after the last stop or marker
    pointer = DISAGREEMENT.search(lead_in.group()) or re.search(r"as noted above", lead_in.group(), re.I)
    return head[: lead_in.start()].rstrip() if pointer else head


def behaviour(case: TestCase, reply: Reply) -> dict:
    """Refusal, over-refusal, conflict and counterfactual scores, and whether the expected behaviour held."""
    out = dict.fromkeys(("refused_unanswerable", "answer_in_read_passages", "refused_answer_absent", "over_refused",
                         "conflict_flagged", "conflict_mentioned", "no_false_conflict", "warned_or_declined",
                         "stated_counterfactual", "behaviour_ok"))
    declined, expected = reply.refused, case.expected
    if expected == "refuse_or_say_not_stated":
        out["refused_unanswerable"] = out["behaviour_ok"] = float(declined)
        if case.format == "context":  # its reference is the real answer (a seed one explains what is missing)
            present = answer_in_passages(case, reply.passages)
            out["answer_in_read_passages"] = float(present)
            out["refused_answer_absent"] = None if present else float(declined)
    if expected in ("answer", "answer_and_flag_conflict"):
        out["over_refused"] = float(declined)
        out["behaviour_ok"] = float(not declined)
    if expected == "answer_and_flag_conflict":
        out["conflict_flagged"] = float(conflict_flagged(reply))
        out["conflict_mentioned"] = float(bool(DISAGREEMENT.search(reply.text)))
        out["behaviour_ok"] = float(not declined and conflict_flagged(reply))
    if case.category == "consistency_check":
        out["no_false_conflict"] = float(not reply.conflicts and not DISAGREEMENT.search(reply.text))
        out["behaviour_ok"] = float(not declined and out["no_false_conflict"])
    if expected == "warn_or_decline":
        warned = declined or bool(reply.conflicts) or any(WARNING.search(t) for t in [reply.text, *reply.notices])
        out["warned_or_declined"] = out["behaviour_ok"] = float(warned)
        out["stated_counterfactual"] = float(not warned and contains_phrase(reply.text, case.counterfactual_answer))
    return out


def answer_in_passages(case: TestCase, passages: list[dict]) -> bool:
    """Does one paragraph the assistant read hold every content word of the case's real answer (its
    reference)? Then a test labelled unanswerable may not be: RGB's negatives were checked for the answer's
    exact string only, and "Tampa Bay, Florida" holds "Tampa, Florida". Word order is ignored ("Liu Yifei" /
    "Yifei Liu"); holding the words does not prove the paragraph answers, so this can only take a test out of
    the strict refusal score (refused_answer_absent), never count an answer as right."""
    answer = set(tokenize(case.reference_answer))
    return bool(answer) and any(answer <= set(tokenize(p["text"])) for p in passages)


def conflict_flagged(reply: Reply) -> bool:
    """A reported conflict with at least two sides from different articles, each side's markers citing it."""
    cited_doc = {c["marker"]: c["doc_id"] for c in reply.citations}
    for conflict in reply.conflicts:
        sides = [s for s in conflict["sides"]
                 if s["markers"] and all(cited_doc.get(m) == s["doc_id"] for m in s["markers"])]
        if len({s["doc_id"] for s in sides}) >= 2:
            return True
    return False
