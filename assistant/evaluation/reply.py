"""`Reply`: what one system said to one question, in a JSON-ready shape both ours and the baseline fill.

Ours comes from an `Answer` (the same object the UI gets); the baseline builds one directly. Passages are
ranked: cited paragraphs first (in marker order), then the ones retrieved but not cited.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

_SPLIT_SUFFIX = re.compile(r"\.\d+$")  # a long paragraph's pieces are stored as "<pid>.<n>"


@dataclass
class Reply:
    text: str
    refused: bool = False
    backend: str = ""
    citations: list[dict] = field(default_factory=list)  # {marker, paragraph_id, doc_id, quote}
    passages: list[dict] = field(default_factory=list)  # ranked {id, doc_id, pids, text}
    conflicts: list[dict] = field(default_factory=list)  # Answer.conflicts as dicts
    notices: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    error: str = ""
    standalone: str = ""  # the question as searched (a follow-up rewritten), "" if not rewritten
    answered_from: list[str] = field(default_factory=list)  # doc_ids the answer (not its conflict note) cites

    def to_dict(self) -> dict:
        return asdict(self)

    def marker_articles(self) -> dict[int, str]:
        """Marker number -> what was read of its article (outlet, title, retrieved paragraphs), as the answer
        path's support check sees it (citations.article_texts)."""
        texts: dict[str, list[str]] = {}
        for p in self.passages:
            texts.setdefault(p["doc_id"], [p.get("source", ""), p.get("title", "")]).append(p["text"])
        return {c["marker"]: "\n".join(texts.get(c["doc_id"], [])) for c in self.citations}

    def marker_paragraphs(self) -> dict[int, str]:
        """Marker number -> the text of the paragraph it cites."""
        texts = {p["id"]: p["text"] for p in self.passages}
        return {c["marker"]: texts.get(c["paragraph_id"], "") for c in self.citations}


def paragraph_id(chunk_id: str) -> str:
    return _SPLIT_SUFFIX.sub("", chunk_id)


def from_answer(answer) -> Reply:
    """The Reply for an `assistant.Answer`."""
    ranked = [(c.paragraph_id, c.doc_id, c.paragraph, c.title, c.source) for c in answer.citations]
    ranked += [(p.id, p.doc_id, p.paragraph or p.text, p.title, p.source) for p in answer.retrieved]
    passages = [{"id": pid, "doc_id": doc, "pids": [paragraph_id(pid)], "text": text, "title": title or "",
                 "source": source or ""} for pid, doc, text, title, source in ranked]
    citations = [{"marker": c.marker, "paragraph_id": c.paragraph_id, "doc_id": c.doc_id, "quote": c.quote}
                 for c in answer.citations]
    return Reply(text=answer.text, refused=answer.refused, backend=answer.backend, citations=citations,
                 passages=_unique(passages), conflicts=[asdict(c) for c in answer.conflicts],
                 notices=list(answer.notices), timings=dict(answer.timings),
                 standalone=answer.standalone_question, answered_from=list(answer.answered_from))


def _unique(passages: list[dict]) -> list[dict]:
    seen, out = set(), []
    for p in passages:
        if p["id"] not in seen:
            seen.add(p["id"])
            out.append(p)
    return out
