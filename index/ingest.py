"""Incremental, idempotent indexing: embed only what changed, remove what is gone, survive interruption.

Write order per batch of articles (why it is safe to kill at any point):
1. updated articles' records are deleted first, so their old and new chunks stop being served together;
2. their chunks are upserted (new content hash in every chunk's metadata) and stale chunk ids deleted;
3. only then are their article records written. Readers serve a chunk only when its `doc_hash` equals its
   article record's, so a killed run leaves the other articles whole, and the next run redoes this one;
4. last, the articles are copied into the backup (backup.py), from which `index --repair` rebuilds a damaged
   store. Callers hold the folder's writer lock (lock.py): this module assumes it is the only writer.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .article import Article, Skipped, Unchanged
from .backup import ArticleBackup, article_from_chunks
from .chunking import article_hash, article_metadata, chunk_article
from .dates import article_date, date_fields, lead_of
from .identity import Identities
from .readers import iter_files, read_path, still_holds

# Chunks per encode call: sentence-transformers sorts by length within a call, so bigger pads less.
EMBED_BATCH = 2048


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks_embedded: int = 0
    paragraphs_seen: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
                 f"removed {len(self.removed)}, skipped {len(self.skipped)} "
                 f"({self.paragraphs_seen} paragraphs read, {self.chunks_embedded} chunks embedded, "
                 f"{self.seconds:.1f} s)"]
        lines += [f"  skipped {s.path}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


class Indexer:
    def __init__(self, store, embeddings, progress: Callable[[int], None] | None = None,
                 batch_size: int = EMBED_BATCH, backup: ArticleBackup | None = None):
        self.store, self.embeddings, self.progress = store, embeddings, progress or (lambda n: None)
        self.batch_size, self.backup = batch_size, backup

    def restore(self, articles) -> IngestReport:
        """Index these `Article`s as they are (a repair from the backup): no files are read."""
        started, report = time.perf_counter(), IngestReport()
        known, batch = self.store.article_records(), []
        for article in articles:
            report.paragraphs_seen += len(article.paragraphs)
            batch = self._consider(article, known, report, batch)
        self._flush(batch, known, report)
        report.seconds = time.perf_counter() - started
        return report

    def back_up_missing(self, known: dict) -> int:
        """Copy articles indexed before the backup existed into it, from their stored chunks (no embedding)."""
        if self.backup is None:
            return 0
        backed = self.backup.hashes()
        missing = [d for d, r in known.items() if backed.get(d) != r.get("doc_hash")]
        for start in range(0, len(missing), 500):
            part = missing[start:start + 500]
            by_doc: dict[str, list] = {}
            for _, text, meta in self.store.chunks_of(part):
                if meta.get("doc_hash") == known[meta["doc_id"]].get("doc_hash"):
                    by_doc.setdefault(meta["doc_id"], []).append((text, meta))
            articles = [article_from_chunks(d, by_doc.get(d, []), known[d]) for d in part]
            self.backup.put(articles, {d: known[d]["doc_hash"] for d in part})
        return len(missing)

    def add_missing_dates(self, known: dict) -> int:
        """Give articles indexed before dates were stored (index/dates.py) their date fields, record and
        chunks, from what is stored: once, nothing embedded. Chunks first, so a record that has a date
        means its chunks have it too; a killed run redoes the rest."""
        missing = [d for d, r in known.items() if "date" not in r]
        for start in range(0, len(missing), 500):
            part = missing[start:start + 500]
            stored: dict[str, list] = {}
            for chunk_id, text, meta in self.store.chunks_of(part):
                stored.setdefault(meta["doc_id"], []).append((int(meta.get("paragraph", 0)), chunk_id, text, meta))
            for doc_id in part:
                record, chunks = known[doc_id], sorted(stored.get(doc_id, []), key=lambda c: c[:2])
                lead = lead_of(record.get("dateline_date"), [text for _, _, text, _ in chunks])
                fields = date_fields(*article_date(record.get("published"), record.get("dateline_date"), lead))
                if chunks:
                    self.store.chunks.update(ids=[c[1] for c in chunks], metadatas=[c[3] | fields for c in chunks])
                known[doc_id] = record | fields
            self.store.put_article_records({d: known[d] for d in part})
        return len(missing)

    def index(self, paths: list[Path], prune: bool = False) -> IngestReport:
        started, report = time.perf_counter(), IngestReport()
        known, seen, files, batch = self.store.article_records(), set(), set(), []
        self.back_up_missing(known)
        self.add_missing_dates(known)
        identities = Identities(known, still_holds)
        by_raw_hash = {r["source_hash"]: (doc_id, int(r.get("n_paragraphs", 0)), r.get("path", ""))
                       for doc_id, r in known.items() if r.get("source_hash")}
        for path in iter_files([Path(p).resolve() for p in paths]):
            files.add(str(path))
            for item in read_path(path, by_raw_hash):
                if isinstance(item, Article):
                    item = identities.assign(item)
                if isinstance(item, Skipped):
                    report.skipped.append(item)
                elif isinstance(item, Unchanged):
                    identities.keep(item.doc_id, item.path, item.source_hash)
                    seen.add(item.doc_id)
                    report.unchanged.append(item.doc_id)
                    report.paragraphs_seen += item.n_paragraphs
                    self.progress(item.n_paragraphs)
                else:
                    seen.add(item.doc_id)
                    report.paragraphs_seen += len(item.paragraphs)
                    batch = self._consider(item, known, report, batch)
        self._flush(batch, known, report)
        if prune:
            self._prune(known, seen, files, report)
        report.seconds = time.perf_counter() - started
        return report

    def _consider(self, article: Article, known: dict, report: IngestReport, batch: list) -> list:
        record = known.get(article.doc_id, {})
        if record.get("doc_hash") == article_hash(article):
            moved = {"source_hash": article.source_hash, "path": article.path or record.get("path", "")}
            if any(record.get(key) != value for key, value in moved.items()):  # new bytes, or a move: remember
                self.store.put_article_records({article.doc_id: record | moved})
                if self.backup is not None:
                    self.backup.put([article], {article.doc_id: record["doc_hash"]})
            report.unchanged.append(article.doc_id)
            self.progress(len(article.paragraphs))
            return batch
        batch.append(article)
        if sum(len(a.paragraphs) for a in batch) >= self.batch_size:
            self._flush(batch, known, report)
            return []
        return batch

    def _flush(self, batch: list[Article], known: dict, report: IngestReport) -> None:
        """Embed a batch and write it. (Writing in a thread beside the next encode was slower on 2 cores:
        bench_index --articles 100 went from 0.87 to 0.79 of the raw encode speed.)"""
        if not batch:
            return
        chunked = [(article, chunk_article(article)) for article in batch]
        chunks = [c for _, article_chunks in chunked for c in article_chunks]
        stored = self._stored_vectors([a.doc_id for a in batch if a.doc_id in known])
        todo = [c for c in chunks if c.metadata["content_hash"] not in stored]
        fresh = dict(zip((c.metadata["content_hash"] for c in todo),
                         self.embeddings.encode([c.text for c in todo]).tolist() if todo else []))
        vectors = [stored.get(c.metadata["content_hash"]) or fresh[c.metadata["content_hash"]] for c in chunks]
        self._write(chunked, vectors, known, report)
        report.chunks_embedded += len(todo)

    def _stored_vectors(self, doc_ids: list[str]) -> dict[str, list[float]]:
        """content hash -> stored vector of these articles' chunks: an edit (or new ids for the same text,
        as when paragraph ids became namespaced) embeds only text it has not embedded before."""
        if not doc_ids:
            return {}
        try:
            got = self.store.chunks.get(where={"doc_id": {"$in": doc_ids}}, include=["embeddings", "metadatas"])
        except Exception:  # unreadable vectors (a damaged store): embed again rather than fail
            return {}
        return {m.get("content_hash"): list(v) for m, v in zip(got["metadatas"], got["embeddings"])
                if m.get("content_hash") and v is not None}

    def _write(self, chunked: list, vectors: list, known: dict, report: IngestReport) -> None:
        """One call per step, in the safe order (module docstring); per-article calls cost more than the model."""
        chunks = [chunk for _, article_chunks in chunked for chunk in article_chunks]
        doc_ids = [article.doc_id for article, _ in chunked]
        updating = {doc_id for doc_id in doc_ids if doc_id in known}
        self.store.delete_article_records(sorted(updating))
        ids = [chunk.id for chunk in chunks]
        self.store.upsert_chunks(ids, [c.text for c in chunks], [c.metadata for c in chunks], vectors)
        self.store.delete_chunks(sorted(set(self.store.chunk_ids_of(doc_ids)) - set(ids)))
        self.store.put_article_records({
            article.doc_id: article_metadata(article) | {
                "doc_hash": article_hash(article), "n_chunks": len(article_chunks),
                "n_paragraphs": len(article.paragraphs), "source_hash": article.source_hash}
            for article, article_chunks in chunked})
        if self.backup is not None:
            self.backup.put([article for article, _ in chunked],
                            {article.doc_id: article_hash(article) for article, _ in chunked})
        for article, _ in chunked:
            (report.updated if article.doc_id in updating else report.added).append(article.doc_id)
            self.progress(len(article.paragraphs))

    def _prune(self, known: dict, seen: set, files: set, report: IngestReport) -> None:
        """Remove articles whose file is gone, or whose file was read and no longer holds them."""
        for doc_id, record in known.items():
            path = record.get("path", "")
            if doc_id not in seen and (path in files or (path and not Path(path).exists())):
                self.store.delete_article_records([doc_id])  # record first: chunks stop being served at once
                self.store.delete_chunks(self.store.chunk_ids_of([doc_id]))
                if self.backup is not None:
                    self.backup.delete([doc_id])
                report.removed.append(doc_id)


def remove(store, doc_ids: list[str]) -> list[str]:
    """Delete these articles (record first, so their chunks stop being served at once); returns those found."""
    known = store.article_records()
    found = [doc_id for doc_id in doc_ids if doc_id in known]
    for doc_id in found:
        store.delete_article_records([doc_id])
        store.delete_chunks(store.chunk_ids_of([doc_id]))
    return found


def verify(store) -> list[str]:
    """Problems that would make the index serve something wrong; [] when every article is whole.

    Chunks left behind by an interrupted run (no record, or another hash) are not served, so they are
    reported as leftovers to be cleaned by the next run rather than as problems.
    """
    records = store.article_records()
    counts: dict[str, int] = {}
    leftovers = 0
    for _, _, metadata in store.all_chunks():
        doc_id = metadata.get("doc_id", "")
        if records.get(doc_id, {}).get("doc_hash") == metadata.get("doc_hash"):
            counts[doc_id] = counts.get(doc_id, 0) + 1
        else:
            leftovers += 1
    problems = [f"article {doc_id} has {counts.get(doc_id, 0)} of its {record.get('n_chunks')} chunks"
                for doc_id, record in records.items() if counts.get(doc_id, 0) != record.get("n_chunks")]
    if leftovers:
        problems.append(f"note: {leftovers} unserved chunks from an interrupted run (the next index run removes them)")
    return problems
