"""BM25 over the stored paragraphs (bm25s: sparse matrices, no Python scan per query).

Built from the store's own documents, so it works the same against a local store or a Chroma server, and
cached on disk under a fingerprint of the article records: it is rebuilt only when the articles change.
"""
from __future__ import annotations

import hashlib
import json
import math
import shutil
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from .text import TOKENIZER_VERSION, tokenize


def fingerprint(records: dict[str, dict]) -> str:
    items = sorted((doc_id, r.get("doc_hash", "")) for doc_id, r in records.items())
    return hashlib.sha256(json.dumps([TOKENIZER_VERSION, items]).encode()).hexdigest()[:16]


class LexicalIndex:
    def __init__(self, ids: list[str], doc_ids: list[str], bm25, doc_freq: dict[str, int]):
        self.ids, self.doc_ids, self.bm25, self.doc_freq = ids, doc_ids, bm25, doc_freq
        self._rows_of_doc: dict[str, list[int]] | None = None
        self._doc_of_row: tuple[dict[str, int], np.ndarray] | None = None
        self._row_of_id: dict[str, int] | None = None

    @classmethod
    def build(cls, chunks) -> "LexicalIndex":
        """`chunks`: iterable of (id, text, metadata) that are being served."""
        import bm25s

        ids, doc_ids, corpus, doc_freq = [], [], [], Counter()
        for chunk_id, text, metadata in chunks:
            # Interned: the whole corpus is held as tokens until bm25s indexes it, and news repeats its
            # words; one shared string per word cut the build's peak memory by a third at 40k chunks.
            tokens = [sys.intern(t) for t in tokenize(f"{metadata.get('title', '')} {text}")] or ["∅"]
            ids.append(chunk_id)
            doc_ids.append(metadata.get("doc_id", ""))
            corpus.append(tokens)
            doc_freq.update(set(tokens))
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        return cls(ids, doc_ids, bm25, dict(doc_freq))

    def __len__(self) -> int:
        return len(self.ids)

    def chunk_ids_of(self, doc_ids: list[str]) -> list[str]:
        """Ids of the indexed chunks of these articles: a primary-key fetch beats a metadata scan in Chroma."""
        return [self.ids[row] for doc_id in dict.fromkeys(doc_ids) for row in self.rows_of_doc.get(doc_id, [])]

    @property
    def rows_of_doc(self) -> dict[str, list[int]]:
        """doc_id -> its rows, built once (a filtered search then touches only the allowed articles' rows)."""
        if self._rows_of_doc is None:
            rows: dict[str, list[int]] = {}
            for row, doc_id in enumerate(self.doc_ids):
                rows.setdefault(doc_id, []).append(row)
            self._rows_of_doc = rows
        return self._rows_of_doc

    def doc_id_of(self, chunk_id: str) -> str:
        if self._row_of_id is None:
            self._row_of_id = {chunk_id: row for row, chunk_id in enumerate(self.ids)}
        row = self._row_of_id.get(chunk_id)
        return self.doc_ids[row] if row is not None else ""

    def mask(self, allowed_doc_ids: set[str]) -> np.ndarray:
        """1.0 on the rows of these articles: one vectorised lookup, so a filter that keeps most of a
        180,000-paragraph archive (a date range) costs a millisecond, not a Python loop over its rows."""
        if self._doc_of_row is None:
            numbers: dict[str, int] = {}
            rows = np.fromiter((numbers.setdefault(d, len(numbers)) for d in self.doc_ids), dtype=np.int32,
                               count=len(self.doc_ids))
            self._doc_of_row = numbers, rows
        numbers, rows = self._doc_of_row
        flags = np.zeros(len(numbers) + 1, dtype=np.float32)
        flags[[numbers[d] for d in allowed_doc_ids if d in numbers]] = 1.0
        return flags[rows]

    def idf(self, token: str) -> float:
        n = max(len(self.ids), 1)
        return math.log(1 + (n - self.doc_freq.get(token, 0) + 0.5) / (self.doc_freq.get(token, 0) + 0.5))

    def search(self, query: str, k: int, allowed_doc_ids: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; tokens the corpus never saw are ignored."""
        tokens = [t for t in tokenize(query) if t in self.doc_freq]
        if not tokens or not self.ids:
            return []
        # bm25s's own retrieve() runs a thread pool and a progress bar around its scoring: 30 ms of the
        # 33 ms it takes on the 180,000-paragraph archive. Scoring and a partial sort here take 3 ms.
        scores = self.bm25.get_scores(tokens)
        if allowed_doc_ids is not None:
            scores = scores * self.mask(allowed_doc_ids)
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]  # best first; ties in index order
        return [(self.ids[row], float(scores[row])) for row in top if scores[row] > 0]

    # --- persistence -----------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write to a temporary folder, then rename: a killed save never leaves a half index."""
        temporary = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        if self.ids:
            self.bm25.save(str(temporary / "bm25"))
        (temporary / "rows.json").write_text(json.dumps({"ids": self.ids, "doc_ids": self.doc_ids,
                                                         "doc_freq": self.doc_freq}))
        shutil.rmtree(folder, ignore_errors=True)
        temporary.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex | None":
        import bm25s

        try:
            rows = json.loads((folder / "rows.json").read_text())
            bm25 = bm25s.BM25.load(str(folder / "bm25")) if rows["ids"] else bm25s.BM25()
        except (OSError, ValueError, KeyError):
            return None  # missing or damaged cache: the caller rebuilds
        return cls(rows["ids"], rows["doc_ids"], bm25, rows["doc_freq"])
