"""A copy of every indexed article (record and paragraphs) outside Chroma, so a damaged store can be rebuilt.

Chroma keeps the article records and the paragraph text in the same SQLite file as the vectors; when that
file is truncated or the vector index is garbage, nothing in the store can be trusted. This file is a plain
SQLite table (Python's own sqlite3), written after each batch of articles is stored, from which
`index --repair` rebuilds the store without the original files. It holds text, not vectors (re-embedding is
the price of a repair). It does not guard against losing the whole index folder: that is what backups are for.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

from .article import Article, Paragraph

_FIELDS = ("doc_id", "title", "source", "published", "url", "dateline_place", "dateline_date", "byline",
           "credits", "path", "source_hash")


def backup_path(index_dir: Path | str, collection: str) -> Path:
    return Path(index_dir) / "backup" / f"{collection}.sqlite"


class ArticleBackup:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS articles (doc_id TEXT PRIMARY KEY, doc_hash TEXT, body TEXT)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def put(self, articles: list[Article], hashes: dict[str, str]) -> None:
        """Store these articles (one transaction), each with the content hash its chunks carry."""
        rows = [(a.doc_id, hashes[a.doc_id], json.dumps(_as_dict(a), ensure_ascii=False)) for a in articles]
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?)", rows)

    def delete(self, doc_ids: list[str]) -> None:
        with self._connect() as db:
            db.executemany("DELETE FROM articles WHERE doc_id = ?", [(d,) for d in doc_ids])

    def hashes(self) -> dict[str, str]:
        """doc_id -> doc_hash of every article backed up."""
        with self._connect() as db:
            return dict(db.execute("SELECT doc_id, doc_hash FROM articles"))

    def articles(self) -> Iterator[Article]:
        with self._connect() as db:
            for (body,) in db.execute("SELECT body FROM articles ORDER BY doc_id"):
                yield _from_dict(json.loads(body))


def _as_dict(article: Article) -> dict:
    values = {name: getattr(article, name) for name in _FIELDS}
    return values | {"paragraphs": [asdict(p) for p in article.paragraphs]}


def _from_dict(values: dict) -> Article:
    paragraphs = [Paragraph(**p) for p in values.pop("paragraphs")]
    return Article(paragraphs=paragraphs, **values)


def article_from_chunks(doc_id: str, chunks: list[tuple[str, dict]], record: dict) -> Article:
    """An article rebuilt from its stored chunks (text, metadata): how an index made before the backup
    existed is backed up without its files."""
    pieces: dict[str, list[tuple[int, str, dict]]] = {}
    for text, meta in chunks:
        pieces.setdefault(meta["pid"], []).append((int(meta.get("start", 0)), text, meta))
    paragraphs, credits = [], []
    for pid, parts in sorted(pieces.items(), key=lambda item: int(item[1][0][2].get("paragraph", 0))):
        parts.sort(key=lambda part: part[0])
        text = parts[0][2].get("paragraph_text") or _joined([(start, t) for start, t, _ in parts])
        if pid.endswith("#credits"):
            credits.append(text)
        else:
            paragraphs.append(Paragraph(pid, int(parts[0][2].get("paragraph", 0)), text))
    fields = {name: record.get(name) or None for name in _FIELDS if name not in ("doc_id", "credits")}
    return Article(doc_id=doc_id, paragraphs=paragraphs, credits=credits,
                   **(fields | {"title": record.get("title") or doc_id, "source_hash": ""}))


def _joined(pieces: list[tuple[int, str]]) -> str:
    """Pieces placed at their offsets; the whitespace between them becomes spaces."""
    text = ""
    for start, piece in sorted(pieces):
        text += " " * max(0, start - len(text)) + piece
    return text
