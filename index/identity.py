"""Which doc_id an article read from a file gets, so that two articles never share one.

A file's doc_id is its name without the suffix (the seed articles' ids, which citations and gold labels use),
and a JSONL article's is its own `doc_id`. That name is only a claim: the article keeps the id of the record
indexed from the same place; a file whose exact bytes were indexed from a path that is gone is a move and keeps
that id (nothing re-embedded); the same bytes indexed from a live path are a duplicate, indexed once; any other
article whose claimed id is taken gets `<id>~<8 hex of its path>` (or of its content, inside one JSONL file).
Paragraph ids follow their doc_id (`<doc_id>#…`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .article import Article, Skipped


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass
class Identities:
    """What this run knows: the records indexed before, and what it has assigned so far."""

    known: dict[str, dict]
    still_holds: Callable[[str, str], bool] = lambda path, raw: True  # does the file at path still read as raw?
    taken: dict[str, str] = field(default_factory=dict)  # doc_id -> path it was given to in this run
    raw_seen: dict[str, str] = field(default_factory=dict)  # source hash -> doc_id, this run

    def __post_init__(self):
        self.by_place = {(r.get("path", ""), _claim(d)): d for d, r in self.known.items()}
        self.by_raw = {r["source_hash"]: d for d, r in self.known.items() if r.get("source_hash")}

    def keep(self, doc_id: str, path: str, raw: str) -> None:
        """An unchanged input keeps its id; nothing else may take it in this run."""
        self.taken[doc_id], self.raw_seen[raw] = path, doc_id

    def assign(self, article: Article) -> Article | Skipped:
        """The article under its final doc_id, or Skipped when it is a duplicate of one already indexed."""
        path, raw = article.path or "", article.source_hash
        duplicate = self._duplicate_of(raw, path)
        if duplicate:
            return Skipped(path, f"the same article as {duplicate!r} (identical content); indexed once")
        doc_id = self._settled(article.doc_id, path, raw) or self._fresh(article.doc_id, path, raw)
        self.taken[doc_id], self.raw_seen[raw] = path, doc_id
        return rename(article, doc_id)

    def _duplicate_of(self, raw: str, path: str) -> str | None:
        if raw in self.raw_seen:
            return self.raw_seen[raw]
        owner = self.by_raw.get(raw)
        if owner and owner not in self.taken:
            old_path = self.known[owner].get("path", "")
            if old_path != path and _alive(old_path) and self.still_holds(old_path, raw):
                return owner
        return None

    def _settled(self, claim: str, path: str, raw: str) -> str | None:
        """The id this article already has: indexed from this place, or moved here from a path now gone."""
        here = self.by_place.get((path, claim))
        if here and here not in self.taken:
            return here
        moved = self.by_raw.get(raw)
        if moved and moved not in self.taken and not _alive(self.known[moved].get("path", "")):
            return moved
        same_id = self.known.get(claim)
        if same_id is not None and claim not in self.taken and not _alive(same_id.get("path", "")) \
                and _is_jsonl(path) and _is_jsonl(same_id.get("path", "")):
            return claim  # a JSONL archive renamed or moved: its articles keep their ids
        return None

    def _fresh(self, claim: str, path: str, raw: str) -> str:
        if claim not in self.known and claim not in self.taken:
            return claim
        same_file = self.taken.get(claim) == path  # a repeated doc_id inside one JSONL file
        candidate = f"{claim}~{short_hash(raw if same_file else path)}"
        return candidate if candidate not in self.taken else f"{claim}~{short_hash(path + raw)}"


def rename(article: Article, doc_id: str) -> Article:
    """The article under `doc_id`, its paragraph ids moved along (`<old>#p1` -> `<new>#p1`)."""
    if doc_id == article.doc_id:
        return article
    old = f"{article.doc_id}#"
    for paragraph in article.paragraphs:
        if paragraph.pid.startswith(old):
            paragraph.pid = f"{doc_id}#{paragraph.pid[len(old):]}"
    article.doc_id = doc_id
    return article


def namespaced(pid: str, doc_id: str) -> str:
    """A JSONL paragraph id made unique across articles: `p1` in article `a` is `a#p1`; `a#p1` stays."""
    return pid if pid.startswith(f"{doc_id}#") else f"{doc_id}#{pid}"


def _claim(doc_id: str) -> str:
    return doc_id.split("~", 1)[0]


def _alive(path: str) -> bool:
    return bool(path) and Path(path).exists()


def _is_jsonl(path: str) -> bool:
    return path.lower().endswith(".jsonl")
