"""Follow-up questions: resolve "he", "she", "that meeting" against the conversation before retrieval.

Without a model, an entity-carrying rule: pronouns are replaced by the most recent name the conversation
mentioned, and a vague reference ("that meeting", "the talks") gets the previous question's topic
appended. With a model, the model rewrites the question (prompts/condense.txt) and the rule is the
fallback when the rewrite looks wrong.
"""
from __future__ import annotations

import re

_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_VAGUE = re.compile(r"\b(that|this|the|those|these) (meeting|talks?|event|summit|visit|article|remark|"
                    r"comments?|statement|decision|move)\b|\b(it|that)\b", re.I)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z’'-]+(?:\s+[A-Z][a-zA-Z’'-]+)*)")
_NOT_NAMES = {"What", "Who", "When", "Where", "Why", "How", "Which", "Did", "Does", "Is", "Are", "The", "A", "I",
              "In", "On", "At", "According", "And", "But", "Was", "Were", "Can", "Could", "Would", "Will", "Should"}


def turns(history) -> list[tuple[str, str]]:
    """Accept [{"role", "content"}] (OpenAI/Gradio style) or [(user, assistant)] pairs."""
    out = []
    for item in history or []:
        if isinstance(item, dict):
            out.append((str(item.get("role", "")), str(item.get("content", ""))))
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            out += [("user", str(item[0] or "")), ("assistant", str(item[1] or ""))]
    return [(role, text) for role, text in out if text]


def names_in(text: str) -> list[str]:
    names = []
    for match in _NAME.finditer(text):
        words = [w for w in match.group(1).split() if w not in _NOT_NAMES]
        if words:
            names.append(" ".join(words))
    return names


def condense_by_rule(question: str, history) -> str:
    user_turns = [text for role, text in turns(history) if role == "user"]
    if not user_turns:
        return question
    previous = user_turns[-1]
    names = names_in(previous) or [n for text in reversed(user_turns[:-1]) for n in names_in(text)][:1]
    rewritten = question
    if names and _PRONOUN.search(question) and not names_in(question):
        person = names[-1]
        rewritten = _PRONOUN.sub(lambda m: _possessive(person, m.group(1)), question, count=1)
    if _VAGUE.search(question) and rewritten == question:
        rewritten = f"{question} (context: {previous})"
    return rewritten


def _possessive(name: str, pronoun: str) -> str:
    return f"{name}’s" if pronoun.lower() in {"his", "her", "hers", "their"} else name


def looks_like_rewrite(rewrite: str, question: str) -> bool:
    """Reject model rewrites that are empty, rambling, or answers rather than questions."""
    rewrite = rewrite.strip()
    return 3 <= len(rewrite) <= max(300, 3 * len(question)) and "\n" not in rewrite
