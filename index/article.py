"""The values that flow through indexing: an article, its paragraphs, and the chunks we store."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Paragraph:
    """A body paragraph: the citation unit. `pid` is stable (`<doc_id>#p<n>` or the JSONL pid)."""

    pid: str
    number: int
    text: str


@dataclass
class Article:
    doc_id: str
    title: str
    paragraphs: list[Paragraph]
    source: str | None = None  # the outlet, e.g. "Reuters"
    published: str | None = None
    url: str | None = None
    dateline_place: str | None = None
    dateline_date: str | None = None
    byline: str | None = None  # the writer, when the credits name one
    credits: list[str] = field(default_factory=list)  # "Written by …", "The Associated Press contributed …"
    path: str | None = None
    dropped_lines: list[str] = field(default_factory=list)
    source_hash: str = ""  # of the raw input (file or JSONL line): unchanged input is not parsed again


@dataclass
class Chunk:
    """What goes into the store: a paragraph, or a sentence-aligned piece of a very long one."""

    id: str
    text: str
    metadata: dict


@dataclass
class Unchanged:
    """Input whose raw hash matches what was indexed: not parsed, not embedded."""

    doc_id: str
    n_paragraphs: int
    path: str = ""
    source_hash: str = ""


@dataclass
class Skipped:
    """A file or line that could not be read, and why."""

    path: str
    reason: str
