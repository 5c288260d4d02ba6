"""Hybrid retrieval: dense (Chroma) and lexical (BM25) hits fused by reciprocal rank fusion.

Dense similarity finds paraphrases; BM25 finds rare names ("Whelan", "Chatham House") that the small
embedding model blurs. Only chunks of complete articles are served (see index/ingest.py).
"""
from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

from index.chunking import whole_paragraph

from .answer import Passage
from .filters import allowed_doc_ids, chroma_where, needs_lead, with_dates
from .lexical import LexicalIndex, fingerprint
from .text import tokenize

RRF_K = 60  # the constant from Cormack et al. (2009); damps the weight of the very first ranks
# Weight of the newest-first ranking fused in for time-sensitive questions (timeframe.py), relative to the
# dense and lexical rankings (1.0 each). Swept on the tuning half of RealTimeQA dev over the whole archive
# (`bench_scale.py time --recency-weights 0,0.5,1,2`, hit@5 / answer-in-top-5): 0.49 / 0.71, 0.53 / 0.75,
# 0.53 / 0.75, 0.51 / 0.71. Some recency helps, a ranking by date alone outvotes relevance.
RECENCY_WEIGHT = 1.0
# A filtered dense search that keeps at least this many chunks is run as one wide unfiltered search whose
# hits are then filtered (Chroma's own filter scans its metadata table: 0.3-1.3 s on the 180,000-paragraph
# archive, against 25-35 ms for 3,000-4,000 nearest ids). WIDE_SEARCH is the most nearest ids it asks for;
# a filter keeping so few chunks that the wide search would find too few of them goes to Chroma's filter.
WIDE_SEARCH = 4000
WIDE_SEARCH_MIN_CHUNKS = 1000
_FACT = re.compile(r"\b(?:\d[\d,.]*\d|\d|[A-Z][\w’'-]+)")


def same_report(a: str, b: str) -> bool:
    """The same paragraph reported again (a running story's background, a wire copy): the same names and
    numbers and nearly the same words. One that differs in any name or number states another fact (a new
    count, a disagreement) and is kept."""
    if set(_FACT.findall(a)) != set(_FACT.findall(b)):
        return False
    ta, tb = set(tokenize(a)), set(tokenize(b))
    return len(ta & tb) / max(len(ta | tb), 1) >= 0.8


def rrf(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return scores


def to_passage(doc, score: float = 0.0) -> Passage:
    m = doc.metadata
    paragraph = m.get("paragraph_text") or doc.page_content
    dateline = ", ".join(x for x in (m.get("dateline_place"), m.get("dateline_date")) if x)
    return Passage(id=doc.id, doc_id=m.get("doc_id", ""), text=doc.page_content, title=m.get("title", ""),
                   source=m.get("source", ""), published=m.get("published", ""), url=m.get("url", ""),
                   paragraph_number=int(m.get("paragraph", 0)), start=int(m.get("start", 0)),
                   paragraph=paragraph, byline=m.get("byline", ""), dateline=dateline, score=score)


class HybridRetriever:
    def __init__(self, store, lexical_dir: Path, candidates: int = 30):
        self.store, self.lexical_dir, self.candidates = store, Path(lexical_dir), candidates
        self.records: dict[str, dict] = {}
        self.lexical = LexicalIndex([], [], None, {})
        self.refresh()

    def refresh(self) -> None:
        """Re-read the article records and load (or rebuild) the lexical index that matches them."""
        self.records = self.store.article_records()
        folder = self.lexical_dir / f"{self.store.name}-{fingerprint(self.records)}"
        lexical = LexicalIndex.load(folder) if folder.exists() else None
        if lexical is None:
            lexical = LexicalIndex.build(c for c in self.store.all_chunks() if self.served(c[2]))
            for old in self.lexical_dir.glob(f"{self.store.name}-*"):
                if old != folder:
                    _remove(old)
            try:
                lexical.save(folder)
            except OSError:  # a full disk or a read-only folder: serve from memory, rebuild next start
                _remove(folder.with_name(folder.name + ".tmp"))
        self.lexical = lexical
        self.dated = all("date" in record for record in self.records.values())  # chunks carry "day" too
        self.records = with_dates(self.records, self.dateline_paragraphs())
        self.newest = max((r["date"] for r in self.records.values() if r["date"]), default="")
        self._allowed: dict[str, set[str] | None] = {}

    def allowed(self, where: dict | None) -> set[str] | None:
        """The articles a filter keeps (None: all). Remembered per filter until the next refresh: a chat asks
        question after question under the same outlets and "as of" date, and evaluating a filter on every
        record of a 5,000-article archive costs 30 ms."""
        key = json.dumps(where, sort_keys=True, default=repr)  # a malformed filter reaches validate()
        if key not in self._allowed:
            if len(self._allowed) >= 64:
                self._allowed.clear()
            self._allowed[key] = allowed_doc_ids(where, self.records)
        return self._allowed[key]

    def dateline_paragraphs(self) -> dict[str, str]:
        """doc_id -> the paragraph among its first three that carries its dateline ("GENEVA, Jan 21 …"), for
        the articles whose year must be read from it; one store call for all of them."""
        wanted = {d: r["dateline_date"] for d, r in self.records.items() if needs_lead(r)}
        chunks = self.store.get_chunks([f"{d}#p{n}" for d in wanted for n in (1, 2, 3)])
        leads: dict[str, str] = {}
        for chunk in chunks:
            doc_id = chunk.metadata.get("doc_id", "")
            if doc_id not in leads and wanted.get(doc_id, "\0") in chunk.page_content[:80]:
                leads[doc_id] = chunk.page_content
        return leads

    def served(self, metadata: dict) -> bool:
        record = self.records.get(metadata.get("doc_id", ""))
        return record is not None and record.get("doc_hash") == metadata.get("doc_hash")

    def articles_passages(self, doc_ids: list[str]) -> list[Passage]:
        """Every served paragraph of these articles (a handful of articles: the ones a question touched)."""
        if not doc_ids:
            return []
        chunks = self.store.get_chunks(self.lexical.chunk_ids_of(doc_ids))
        return [to_passage(d) for d in self._with_paragraphs([d for d in chunks if self.served(d.metadata)])]

    def search(self, query: str, query_vector: list[float], k: int, where: dict | None = None,
               newest_first: bool = False) -> list[Passage]:
        """The k best paragraphs, one of each re-reported paragraph; `newest_first` fuses a ranking by
        publication day in (a time-sensitive question)."""
        allowed = self.allowed(where)
        if allowed is not None and not allowed:
            return []
        dense = [(d, s) for d, s in self._dense(query_vector, where, allowed) if self.served(d.metadata)]
        lexical = self.lexical.search(query, self.candidates, allowed)
        fused = rrf([[d.id for d, _ in dense], [i for i, _ in lexical]])
        if newest_first:
            self._add_recency(fused)
        best = sorted(fused, key=fused.get, reverse=True)[: 2 * k]  # room for the re-reports left out
        docs = {d.id: d for d, _ in dense}
        missing = [i for i in best if i not in docs]
        docs.update({d.id: d for d in self.store.get_chunks(missing) if self.served(d.metadata)})
        kept = _distinct([docs[i] for i in best if i in docs], k)
        self._with_paragraphs(kept)
        return [to_passage(d, fused[d.id]) for d in kept]

    def _dense(self, vector: list[float], where: dict | None, allowed: set[str] | None) -> list:
        """(document, similarity) of the nearest chunks of the allowed articles, best first."""
        if allowed is None:
            return self.store.dense_search(vector, self.candidates)
        rows = self.lexical.rows_of_doc
        kept_chunks = sum(len(rows.get(doc_id, ())) for doc_id in allowed)
        if kept_chunks < WIDE_SEARCH_MIN_CHUNKS:
            return self.store.dense_search(vector, self.candidates, self.dense_where(where, allowed))
        # Enough nearest ids that, at the filter's share of the archive, about twice the candidates are
        # allowed; a narrow filter (one week) may yield fewer: the nearest of its chunks, not all of them.
        share = kept_chunks / max(len(self.lexical), 1)
        wide = min(WIDE_SEARCH, len(self.lexical), math.ceil(2 * self.candidates / share))
        hits = [(i, s) for i, s in self.store.nearest_ids(vector, wide)
                if self.lexical.doc_id_of(i) in allowed][: self.candidates]
        docs = {d.id: d for d in self.store.get_chunks([i for i, _ in hits])}
        return [(docs[i], s) for i, s in hits if i in docs]

    def _add_recency(self, fused: dict[str, float]) -> None:
        """Fuse a ranking of the candidates by publication day, newest first (undated last)."""
        def day(chunk_id: str) -> str:
            return self.records.get(self.lexical.doc_id_of(chunk_id), {}).get("date", "")

        for rank, chunk_id in enumerate(sorted(fused, key=day, reverse=True)):
            fused[chunk_id] += RECENCY_WEIGHT / (RRF_K + rank + 1)

    def dense_where(self, where: dict | None, allowed: set[str] | None) -> dict | None:
        """Chroma's filter for the same articles: the filter itself on chunk metadata where it translates
        (a date range over the whole archive is not a list of thousands of ids), else the doc ids."""
        if allowed is None:
            return None
        translated = chroma_where(where) if self.dated else None
        return translated or {"doc_id": {"$in": sorted(allowed)}}

    def _with_paragraphs(self, docs: list) -> list:
        """Pieces of long paragraphs get their whole paragraph (from the sibling pieces) for display."""
        split = [d for d in docs if int(d.metadata.get("pieces", 1)) > 1 and not d.metadata.get("paragraph_text")]
        if split:
            pieces = self.store.pieces_of(sorted({d.metadata["pid"] for d in split}))
            for doc in split:
                same = [(start, text) for start, text, doc_hash in pieces.get(doc.metadata["pid"], [])
                        if doc_hash == doc.metadata.get("doc_hash")]
                doc.metadata["paragraph_text"] = whole_paragraph(same)
        return docs


def _distinct(docs: list, k: int) -> list:
    """The first k documents, leaving out re-reports (same_report) of a better-ranked one in another article."""
    kept: list = []
    for doc in docs:
        if not any(doc.metadata.get("doc_id") != other.metadata.get("doc_id")
                   and same_report(doc.page_content, other.page_content) for other in kept):
            kept.append(doc)
        if len(kept) == k:
            break
    return kept


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
