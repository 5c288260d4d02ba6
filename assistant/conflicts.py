"""Disagreements between sources (filled in by the disagreements issue)."""
from __future__ import annotations


def add_alias_passages(turn, retriever):
    return turn.passages


def detect(question, citations, passages):
    return []


def describe(text, citations, found, passages):
    return text, citations
