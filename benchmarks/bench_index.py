"""Indexing throughput: raw SentenceTransformer.encode vs `Assistant.add`, then re-indexing unchanged files.

What it measures, in one process, on one set of paragraphs (the seed articles plus the first N articles of
the RealTimeQA corpus, read at run time from ../shared/corpora/realtimeqa/corpus.jsonl):
  1. raw encode: `SentenceTransformer.encode` (batch 64, normalised, one call) over exactly the chunk texts
     the indexer will embed (paragraphs/s; the model is loaded and warmed up first);
  2. ingest: `assistant.add(paths)` into a fresh temporary index (paragraphs/s, wall, index size on disk,
     peak RSS of the phase); `add` includes building the BM25 index; ratio ingest/raw (target >= 0.9);
  3. re-index: `assistant.add(paths)` again with nothing changed (paragraphs/s, target >= 5000/s;
     chunks_embedded must be 0), in a fresh Assistant as a new CLI process would do.

Run:  .venv/bin/python benchmarks/bench_index.py [--articles 300] [--keep DIR]
The N articles are written to a temporary JSONL file outside the repository and deleted afterwards.
Results: a table on stdout and benchmarks/results/bench_index-<date>.json.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from _common import (CORPUS_DIR, SEED_DIR, dir_size_mb, peak_rss_mb, print_table, reset_peak_rss, rss_mb,
                     write_results)


def chunk_texts(paths: list[Path]) -> tuple[list[str], int]:
    """The exact texts the indexer embeds, and the number of paragraphs they come from."""
    from index.article import Skipped
    from index.chunking import chunk_article
    from index.readers import iter_files, read_path

    texts, paragraphs = [], 0
    for path in iter_files(paths):
        for article in read_path(path):
            if not isinstance(article, Skipped):
                paragraphs += len(article.paragraphs)
                texts += [c.text for c in chunk_article(article)]
    return texts, paragraphs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="first N articles of corpus.jsonl (0 = none)")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR / "corpus.jsonl")
    parser.add_argument("--no-seed", action="store_true", help="leave out the seed articles")
    parser.add_argument("--keep", type=Path, help="build the index here and keep it (default: a temp dir)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    paths = [] if args.no_seed else [SEED_DIR]
    if args.articles:
        subset = work / "articles.jsonl"
        with args.corpus.open(encoding="utf-8") as source, subset.open("w", encoding="utf-8") as out:
            for n, line in zip(range(args.articles), source):
                out.write(line)
        paths.append(subset)
    index_dir = args.keep or work / "index"
    try:
        texts, n_paragraphs = chunk_texts(paths)
        print(f"{n_paragraphs} paragraphs -> {len(texts)} chunks ({sum(map(len, texts)) / 1e6:.1f} MB of text)")

        # 1. raw encode, model loaded and warmed first (the ingest below reuses the same loaded model)
        from index.embedding import DEFAULT_EMBEDDING_MODEL, load_sentence_transformer

        started = time.perf_counter()
        model = load_sentence_transformer(DEFAULT_EMBEDDING_MODEL)
        model.encode(texts[:64], batch_size=64, normalize_embeddings=True)
        load_s = time.perf_counter() - started
        reset_peak_rss()
        started, cpu = time.perf_counter(), time.process_time()
        model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        raw_s, raw_cpu = time.perf_counter() - started, time.process_time() - cpu
        raw = {"seconds": raw_s, "cpu_seconds": raw_cpu, "chunks_per_s": len(texts) / raw_s,
               "paragraphs_per_s": n_paragraphs / raw_s, "paragraphs_per_cpu_s": n_paragraphs / raw_cpu,
               "peak_rss_mb": peak_rss_mb(), "load_avg_after": os.getloadavg()}
        print(f"raw encode: {raw_s:.1f} s, {raw['paragraphs_per_s']:.1f} paragraphs/s")

        # 2. ingest into a fresh index
        from assistant import Assistant

        reset_peak_rss()
        rss_before = rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        assistant = Assistant.from_settings(index_dir=index_dir, collection="bench")
        report = assistant.add(paths)
        ingest_s, ingest_cpu = time.perf_counter() - started, time.process_time() - cpu
        ingest = {"seconds": ingest_s, "cpu_seconds": ingest_cpu,
                  "paragraphs_per_cpu_s": report.paragraphs_seen / ingest_cpu, "load_avg_after": os.getloadavg(),
                  "indexer_seconds": report.seconds, "paragraphs": report.paragraphs_seen,
                  "chunks_embedded": report.chunks_embedded, "articles": len(report.added),
                  "skipped": len(report.skipped), "paragraphs_per_s": report.paragraphs_seen / ingest_s,
                  "index_mb": dir_size_mb(index_dir), "peak_rss_mb": peak_rss_mb(), "rss_before_mb": rss_before}
        print(f"ingest: {ingest_s:.1f} s, {ingest['paragraphs_per_s']:.1f} paragraphs/s")
        del assistant

        # 3. re-index unchanged, in a fresh Assistant (what a second `python -m assistant index` does)
        reset_peak_rss()
        started = time.perf_counter()
        assistant = Assistant.from_settings(index_dir=index_dir, collection="bench")
        open_s = time.perf_counter() - started
        report2 = assistant.add(paths)
        reindex_s = time.perf_counter() - started
        reindex = {"seconds": reindex_s, "open_seconds": open_s, "indexer_seconds": report2.seconds,
                   "paragraphs": report2.paragraphs_seen, "chunks_embedded": report2.chunks_embedded,
                   "unchanged": len(report2.unchanged), "paragraphs_per_s": report2.paragraphs_seen / reindex_s,
                   "peak_rss_mb": peak_rss_mb()}
        ratio = ingest["paragraphs_per_s"] / raw["paragraphs_per_s"]
        cpu_ratio = ingest["paragraphs_per_cpu_s"] / raw["paragraphs_per_cpu_s"]

        print_table(f"Indexing {n_paragraphs:,} paragraphs ({len(texts):,} chunks)", [
            ("model load + warm-up (s)", load_s, ""),
            ("raw encode (paragraphs/s)", raw["paragraphs_per_s"], ""),
            ("raw encode wall (s)", raw_s, ""),
            ("ingest `add` (paragraphs/s)", ingest["paragraphs_per_s"], ""),
            ("ingest wall (s)", ingest_s, ""),
            ("  of which indexer (s)", report.seconds, ""),
            ("  of which BM25 build/refresh (s)", ingest_s - report.seconds, ""),
            ("ratio ingest / raw (wall)", ratio, ">= 0.9"),
            ("raw encode (paragraphs per CPU-second)", raw["paragraphs_per_cpu_s"], ""),
            ("ingest (paragraphs per CPU-second)", ingest["paragraphs_per_cpu_s"], ""),
            ("ratio ingest / raw (CPU time, robust to load)", cpu_ratio, ">= 0.9"),
            ("load average after raw / after ingest", f"{raw['load_avg_after'][0]:.1f} / "
                                                      f"{ingest['load_avg_after'][0]:.1f}", ""),
            ("index size on disk (MB)", ingest["index_mb"], ""),
            ("peak RSS during ingest (MB)", ingest["peak_rss_mb"], ""),
            ("re-index unchanged (paragraphs/s)", reindex["paragraphs_per_s"], ">= 5000"),
            ("re-index wall incl. opening the index (s)", reindex_s, ""),
            ("re-index chunks embedded", report2.chunks_embedded, "0"),
        ])
        write_results("bench_index", {"paragraphs": n_paragraphs, "chunks": len(texts), "articles_from_corpus":
                                      args.articles, "seed": not args.no_seed, "model_load_s": load_s, "raw": raw,
                                      "ingest": ingest, "ratio_ingest_raw": ratio,
                                      "ratio_ingest_raw_cpu": cpu_ratio, "reindex": reindex,
                                      "targets_met": {"ratio>=0.9": ratio >= 0.9,
                                                      "reindex>=5000/s": reindex["paragraphs_per_s"] >= 5000,
                                                      "reindex_embeds_nothing": report2.chunks_embedded == 0}})
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
