"""What every door gets back: an `Answer` with resolved `Citation`s, related `Passage`s and `Conflict`s."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Passage:
    """A retrieved chunk: a paragraph (or a sentence-aligned piece of a long one) and where it came from."""

    id: str
    doc_id: str
    text: str
    title: str = ""
    source: str = ""
    published: str = ""
    url: str = ""
    paragraph_number: int = 0
    start: int = 0  # offsets of `text` inside the whole paragraph
    paragraph: str = ""  # the whole paragraph text
    byline: str = ""
    dateline: str = ""
    score: float = 0.0

    @property
    def label(self) -> str:
        """How the UI and CLI name a source: outlet, title, date, paragraph."""
        parts = [self.source or "unknown outlet", f"“{self.title}”" if self.title else self.doc_id]
        if self.published or self.dateline:
            parts.append(self.published or self.dateline)
        return ", ".join(parts) + f", ¶{self.paragraph_number}"


@dataclass
class Citation:
    """Marker [n] in the answer text, resolved to the paragraph and the exact quote that supports it."""

    marker: int
    paragraph_id: str
    doc_id: str
    title: str
    source: str
    published: str
    paragraph: str
    quote: str
    quote_start: int  # offsets of `quote` inside `paragraph`
    quote_end: int
    paragraph_number: int = 0
    url: str = ""
    label: str = ""


@dataclass
class ConflictSide:
    value: str
    markers: list[int]
    doc_id: str
    provenance: str  # outlet, byline, dateline, published: so the reader can weigh the side


@dataclass
class Conflict:
    kind: str  # name | title | number | quote | claim | coverage (what only one article reports)
    description: str
    sides: list[ConflictSide]


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Passage] = field(default_factory=list)  # retrieved but not cited
    refused: bool = False
    conflicts: list[Conflict] = field(default_factory=list)
    backend: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # per stage, ms
    notices: list[str] = field(default_factory=list)  # e.g. "the endpoint failed; answered extractively"
    standalone_question: str = ""  # the follow-up as rewritten for retrieval
    answered_from: list[str] = field(default_factory=list)  # doc_ids the answer cites (not its disagreement note)

    def __add__(self, later: "Answer") -> "Answer":
        """Streamed answers are snapshots (each holds the whole text so far), so the later one is the sum:
        what LangChain's `invoke` of a streaming chain needs to fold the stream into one answer."""
        return later

    def to_dict(self) -> dict:
        return asdict(self)

    def as_message(self) -> dict:
        """This answer as a history message for the next question: its text and the articles it cited
        (so "the other article" can be resolved)."""
        return {"role": "assistant", "content": self.text, "doc_ids": list(self.answered_from)}

    def format_sources(self) -> str:
        """Numbered sources for terminals: outlet, title, ¶n and the quote."""
        lines = [f"[{c.marker}] {c.label}\n    “{c.quote}”" for c in self.citations]
        return "\n".join(lines)
