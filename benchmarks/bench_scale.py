"""The 180,000-paragraph archive: ingest, re-index, query latency, memory and retrieval quality at scale.

The archive is ../shared/corpora/realtimeqa/corpus.jsonl (4,973 articles, 179,342 paragraphs) with the
103 questions of dev-tests.jsonl; both are read at run time, and every index lives outside the repository.
Subcommands (each writes benchmarks/results/bench_scale-<sub>-<date>.json and prints a table):

  ingest       `python -m assistant index corpus.jsonl` under `nice -n 10 /usr/bin/time -v`: paragraphs/s,
               wall, CPU, peak RSS, size on disk. `--from-log LOG` reads a run started earlier by hand
               (nohup … > LOG), including one stopped early, then counting what it stored.
  stub-ingest  the same Indexer, in process, over the whole archive, but with a hashed bag-of-words embedder
               (384-d, no model) instead of MiniLM: measures everything except the model (chunking, Chroma
               writes, HNSW, article records, BM25 build) at full scale, and yields a full-size index for
               latency tests when the real embedding of 180k paragraphs does not fit in the time at hand.
  reindex      the CLI again over the unchanged archive (paragraphs/s, target >= 5000/s; nothing embedded).
  query        (b) time from process start to the first answer (`python -m assistant ask` in a fresh process,
               and `python app.py` started, then asked through its API; target <= 15 s) and peak RSS (target
               <= 2.5 GB); then in process, after a warm-up, over all
               dev questions: hybrid retrieval (embed + search, k=5) p50/p95 (targets 100/250 ms), extractive
               `ask` p50 (target 200 ms), and hit@5 (gold_pids_lenient) / answer-in-top-5 for hybrid, dense and
               BM25 alone. On a stub index, dense and hybrid quality are meaningless (vectors are not
               semantic): only latency, memory and BM25 quality count there.
  quality      (c) on a subset that holds every gold article plus --distractors random others (seed 0): our
               index with the real model vs the vanilla tutorial pipeline (baseline.py: 1000/200 chunks, same
               embeddings, Chroma) at k=4 and k=5, hit@k, answer-in-top-k and the amount of text returned;
               and ours again given as many characters as the tutorial returned for each question
               (`ours_hybrid_same_text`: our ranking read until that budget is used).
  time         the dev questions asked without and with their question_date as `as_of` (only articles
               published by then; a newest-first ranking fused in, assistant/timeframe.py), by half
               (tune / report, assistant/evaluation/halves.py): hybrid hit@5 and answer-in-top-5, warm
               retrieval (embed + search) p50/p95. `--recency-weights 0,0.5,1,2` also sweeps the weight of
               the newest-first ranking (retrieval.RECENCY_WEIGHT) on the tuning half: how it was chosen.
               Contains-answer comes from the evaluation command (README, Evaluation).
  server       (e) the same retrieval against a Chroma server (`chroma run` on 127.0.0.1, CHROMA_HOST) vs
               the embedded client, on the same subset, both with stub vectors: store overhead only.

Run, e.g.:
  .venv/bin/python benchmarks/bench_scale.py stub-ingest --index-dir INDEX_DIR
  .venv/bin/python benchmarks/bench_scale.py reindex --index-dir INDEX_DIR
  .venv/bin/python benchmarks/bench_scale.py query --index-dir INDEX_DIR --stub
  .venv/bin/python benchmarks/bench_scale.py time --index-dir INDEX_DIR --recency-weights 0,0.5,1,2
  .venv/bin/python benchmarks/bench_scale.py quality --distractors 60
  .venv/bin/python benchmarks/bench_scale.py server --distractors 60
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from _common import (CORPUS_DIR, REPO, dir_size_mb, peak_rss_mb, print_table, read_jsonl, reset_peak_rss,
                     set_torch_threads, summary, write_results)

PY = str(REPO / ".venv" / "bin" / "python")
CORPUS = CORPUS_DIR / "corpus.jsonl"
TESTS = CORPUS_DIR / "dev-tests.jsonl"
COLLECTION = "realtimeqa"


# --- helpers ---------------------------------------------------------------------------------------------
class HashedEmbeddings:
    """A model-free stand-in: signed feature hashing of lower-cased words into 384 dims, L2-normalised."""

    model_name = "all-MiniLM-L6-v2"  # so the index opens with the real model for querying
    dim = 384

    def encode(self, texts):
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = zlib.crc32(word.encode())
                out[row, h % self.dim] += 1.0 if h & 0x80000000 else -1.0
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out

    def embed_query(self, text):
        return self.encode([text])[0].tolist()


def pid_of(chunk_id: str) -> str:
    """Chunk ids are the paragraph's pid, or pid.N when a long paragraph was split."""
    return re.sub(r"(#p\d+)\.\d+$", r"\1", chunk_id)


def timed_cli(args: list[str], log: Path | None = None) -> dict:
    """Run `nice -n 10 /usr/bin/time -v python -m assistant …`; wall, CPU and peak RSS from time -v."""
    command = ["nice", "-n", "10", "/usr/bin/time", "-v", PY, "-m", "assistant", *args]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - started
    output = done.stdout + done.stderr
    if log:
        log.write_text(" ".join(command) + "\n" + output)
    return {"command": " ".join(command), "returncode": done.returncode, "wall_s": wall, **parse_time_v(output),
            "stdout": done.stdout[-2000:]}


def parse_time_v(text: str) -> dict:
    fields = {"user_s": r"User time \(seconds\): ([\d.]+)", "sys_s": r"System time \(seconds\): ([\d.]+)",
              "max_rss_kb": r"Maximum resident set size \(kbytes\): (\d+)", "cpu_percent": r"Percent of CPU.*: (\d+)%",
              "elapsed": r"Elapsed \(wall clock\) time.*: ([\d:.]+)"}
    out = {k: (m.group(1) if (m := re.search(p, text)) else None) for k, p in fields.items()}
    for key in ("user_s", "sys_s"):
        out[key] = float(out[key]) if out[key] else None
    out["max_rss_mb"] = int(out.pop("max_rss_kb")) / 1024 if out.get("max_rss_kb") else None
    if out["elapsed"]:
        parts = [float(x) for x in out["elapsed"].split(":")]
        out["elapsed_s"] = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    summary_line = re.search(r"added (\d+), updated (\d+), unchanged (\d+).*?\((\d+) paragraphs read, (\d+) chunks "
                             r"embedded, ([\d.]+) s\)", text)
    if summary_line:
        out.update(dict(zip(("added", "updated", "unchanged", "paragraphs", "chunks_embedded", "indexer_s"),
                            map(float, summary_line.groups()))))
    return out


def stored_counts(index_dir: Path) -> dict:
    """Rows per collection, read from Chroma's SQLite file read-only (works on a stopped run)."""
    import sqlite3

    db = sqlite3.connect(f"file:{index_dir / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True)
    rows = db.execute("select c.name, count(*) from embeddings e join segments s on e.segment_id = s.id "
                      "join collections c on s.collection = c.id group by c.name").fetchall()
    return dict(rows)


def corpus_paragraphs() -> int:
    return sum(len(json.loads(line)["paragraphs"]) for line in CORPUS.open(encoding="utf-8") if line.strip())


def questions() -> list[dict]:
    return read_jsonl(TESTS)


def write_subset(distractors: int, seed: int, folder: Path) -> tuple[Path, set[str]]:
    """A JSONL (in a temp folder) of every gold article plus `distractors` random other articles."""
    gold = {d for q in questions() for d in q["gold_doc_ids"]}
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    others = [n for n, line in enumerate(lines) if json.loads(line)["doc_id"] not in gold]
    keep = set(random.Random(seed).sample(others, min(distractors, len(others))))
    path, ids = folder / "subset.jsonl", set()
    with path.open("w", encoding="utf-8") as out:
        for n, line in enumerate(lines):
            doc_id = json.loads(line)["doc_id"]
            if doc_id in gold or n in keep:
                out.write(line + "\n")
                ids.add(doc_id)
    return path, ids


def score(hits: list[tuple[list[str], list[str]]], cases: list[dict]) -> dict:
    """hits[i] = (pids of the top-k, texts of the top-k) for cases[i]: hit@k and answer-in-top-k."""
    with_gold = [(h, c) for h, c in zip(hits, cases) if c["gold_pids_lenient"]]
    hit = sum(bool(set(h[0]) & set(c["gold_pids_lenient"])) for h, c in with_gold)
    answer = sum(any(c["reference_answer"].casefold() in t.casefold() for t in h[1]) for h, c in zip(hits, cases))
    return {"hit_at_k": hit / max(len(with_gold), 1), "n_with_gold": len(with_gold),
            "answer_in_top_k": answer / max(len(cases), 1), "n": len(cases),
            "mean_chars_returned": sum(sum(map(len, h[1])) for h in hits) / max(len(hits), 1)}


def within_budget(hits: list[tuple[list[str], list[str]]], budgets: list[int]) -> list[tuple[list[str], list[str]]]:
    """Each ranking cut to its first results whose text fits in that question's character budget (the text
    the tutorial returned for the same question), so both are compared on the same amount of reading."""
    out = []
    for (pids, texts), budget in zip(hits, budgets):
        n, used = 0, 0
        while n < len(texts) and used + len(texts[n]) <= budget:
            used, n = used + len(texts[n]), n + 1
        out.append((pids[:n], texts[:n]))
    return out


def our_rankings(assistant, cases: list[dict], k: int, where=None) -> dict:
    """Top-k of hybrid, dense alone and BM25 alone, with per-question latency of embed + hybrid search."""
    retriever, store = assistant.hybrid, assistant.store
    out = {"hybrid": [], "dense": [], "bm25": []}
    embed_ms, search_ms = [], []
    for case in cases:
        started = time.perf_counter()
        vector = assistant.embeddings.embed_query(case["question"])
        embedded = time.perf_counter()
        passages = retriever.search(case["question"], vector, k, where)
        searched = time.perf_counter()
        embed_ms.append((embedded - started) * 1000)
        search_ms.append((searched - embedded) * 1000)
        out["hybrid"].append(([pid_of(p.id) for p in passages], [p.paragraph or p.text for p in passages]))
        dense = [d for d, _ in store.dense_search(vector, k, where) if retriever.served(d.metadata)]
        out["dense"].append(([pid_of(d.id) for d in dense], [d.metadata.get("paragraph_text") or d.page_content
                                                             for d in dense]))
        lexical = [i for i, _ in retriever.lexical.search(case["question"], k)]
        docs = {d.id: d for d in store.get_chunks(lexical)}
        out["bm25"].append(([pid_of(i) for i in lexical], [docs[i].page_content for i in lexical if i in docs]))
    return {"rankings": out, "embed_ms": embed_ms, "search_ms": search_ms,
            "retrieve_ms": [a + b for a, b in zip(embed_ms, search_ms)]}


# --- subcommands -------------------------------------------------------------------------------------------
def cmd_ingest(args) -> dict:
    if args.from_log:
        text = Path(args.from_log).read_text()
        result = {"from_log": str(args.from_log), **parse_time_v(text)}
    else:
        result = timed_cli(["index", str(CORPUS), "--index-dir", str(args.index_dir), "--collection", COLLECTION],
                           Path(tempfile.gettempdir()) / "bench-scale-ingest.log")
    counts = stored_counts(args.index_dir)
    total = corpus_paragraphs()
    wall = result.get("elapsed_s") or result.get("wall_s")
    chunks = counts.get(COLLECTION, 0)
    complete = result.get("paragraphs") is not None
    rate = (result["paragraphs"] if complete else chunks) / wall
    cpu = (result.get("user_s") or 0) + (result.get("sys_s") or 0)
    result |= {"stored_chunks": chunks, "stored_articles": counts.get(f"{COLLECTION}__articles", 0),
               "complete": complete, "paragraphs_per_s": rate, "cpu_s": cpu,
               "paragraphs_per_cpu_s": (result.get("paragraphs") or chunks) / cpu if cpu else None,
               "archive_paragraphs": total, "projected_hours_at_this_rate": total / rate / 3600,
               "index_mb": dir_size_mb(args.index_dir)}
    print_table("Full-archive ingest with the CLI (real model)" + ("" if complete else ", STOPPED EARLY"), [
        ("paragraphs (chunks) stored", chunks, f"of {total:,}"),
        ("wall (s)", wall, ""), ("paragraphs/s", rate, ""),
        ("paragraphs per CPU-second", result["paragraphs_per_cpu_s"] or float("nan"), ""),
        ("CPU share the run got (%)", result.get("cpu_percent") or "", ""),
        ("peak RSS (MB)", result.get("max_rss_mb") or float("nan"), ""),
        ("index size on disk (MB)", result["index_mb"], ""),
        ("projected hours for the archive at this rate", result["projected_hours_at_this_rate"], "~1 h"),
    ])
    return result


def cmd_stub_ingest(args) -> dict:
    from assistant import Assistant
    from index.ingest import Indexer

    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    assistant = Assistant.from_settings(index_dir=args.index_dir, collection=COLLECTION)
    if assistant.store.count():
        raise SystemExit(f"{args.index_dir} already holds an index; give an empty --index-dir")
    stub = HashedEmbeddings()
    embed_s = 0.0

    def encode(texts):
        nonlocal embed_s
        t = time.perf_counter()
        vectors = stub.encode(texts)
        embed_s += time.perf_counter() - t
        return vectors

    stub_encoder = type("Stub", (), {"encode": staticmethod(encode)})()
    report = Indexer(assistant.store, stub_encoder).index([CORPUS])
    indexed = time.perf_counter()
    assistant.refresh()  # builds and saves the BM25 index, as `add` does
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    result = {"paragraphs": report.paragraphs_seen, "chunks": report.chunks_embedded, "articles": len(report.added),
              "skipped": len(report.skipped), "wall_s": wall, "cpu_s": cpu, "indexer_s": report.seconds,
              "stub_embedding_s": embed_s, "bm25_build_s": time.perf_counter() - indexed,
              "store_and_rest_s": report.seconds - embed_s, "paragraphs_per_s_without_model": report.paragraphs_seen / wall,
              "peak_rss_mb": peak_rss_mb(), "index_mb": dir_size_mb(args.index_dir),
              "lexical_mb": dir_size_mb(Path(args.index_dir) / "lexical")}
    print_table("Full-archive ingest WITHOUT the model (hashed stub vectors; everything else real)", [
        ("paragraphs / chunks", f"{report.paragraphs_seen:,} / {report.chunks_embedded:,}", ""),
        ("wall (s)", wall, ""), ("  stub embedding (s)", embed_s, ""),
        ("  chunking + Chroma + records (s)", result["store_and_rest_s"], ""),
        ("  BM25 build + save (s)", result["bm25_build_s"], ""),
        ("paragraphs/s without the model", result["paragraphs_per_s_without_model"], ""),
        ("peak RSS (MB)", result["peak_rss_mb"], ""),
        ("index size on disk (MB)", result["index_mb"], ""), ("  of which BM25 (MB)", result["lexical_mb"], ""),
    ])
    return result


def cmd_reindex(args) -> dict:
    result = timed_cli(["index", str(CORPUS), "--index-dir", str(args.index_dir), "--collection", COLLECTION],
                       Path(tempfile.gettempdir()) / "bench-scale-reindex.log")
    result["paragraphs_per_s"] = (result.get("paragraphs") or 0) / result["wall_s"]
    result["paragraphs_per_s_indexer_only"] = (result.get("paragraphs") or 0) / (result.get("indexer_s") or 1)
    print_table("Re-index of the unchanged archive (CLI, fresh process)", [
        ("paragraphs read", int(result.get("paragraphs") or 0), ""),
        ("chunks embedded", int(result.get("chunks_embedded", -1)), "0"),
        ("wall incl. imports (s)", result["wall_s"], ""),
        ("paragraphs/s (whole process)", result["paragraphs_per_s"], ">= 5000"),
        ("paragraphs/s (indexer only, as reported)", result["paragraphs_per_s_indexer_only"], ">= 5000"),
        ("peak RSS (MB)", result.get("max_rss_mb") or float("nan"), ""),
    ])
    return result


def app_first_answer(index_dir: Path, question: str) -> dict:
    """Start `python app.py` over the index, wait until it serves, ask one question through its API:
    seconds from the start to the page and to the answer, and the app's resident memory then."""
    from load_test import connect, reply_of, rss_mb, serve_app

    started = time.perf_counter()
    with serve_app(index_dir, Path(tempfile.gettempdir()) / "bench-scale-app.log", collection=COLLECTION) as app:
        serving_s = time.perf_counter() - started
        _, chat, _ = connect(app.url).predict(question, api_name="/respond")
        return {"serving_s": serving_s, "first_answer_s": time.perf_counter() - started,
                "rss_mb": rss_mb(app.process.pid), "reply": reply_of(chat)[:300]}


def cmd_query(args) -> dict:
    cases = questions()
    first = [timed_cli(["ask", cases[0]["question"], "--index-dir", str(args.index_dir), "--collection", COLLECTION])
             for _ in range(args.cold_runs)]
    app = [app_first_answer(args.index_dir, cases[0]["question"]) for _ in range(args.cold_runs)]
    from assistant import Assistant

    threads = set_torch_threads(args.torch_threads)
    reset_peak_rss()
    started = time.perf_counter()
    assistant = Assistant.from_settings(index_dir=args.index_dir, collection=COLLECTION, llm="extractive")
    open_s = time.perf_counter() - started
    for case in cases[:args.warmup]:
        assistant.ask(case["question"])
    ranked = our_rankings(assistant, cases, 5)
    ask_ms, steps = [], {}
    for case in cases:
        t = time.perf_counter()
        answer = assistant.ask(case["question"])
        ask_ms.append((time.perf_counter() - t) * 1000)
        for step, ms in answer.timings.items():
            steps.setdefault(step, []).append(ms)
    quality = {name: score(hits, cases) for name, hits in ranked["rankings"].items()}
    result = {"stub_index": args.stub, "torch_threads": threads, "chunks": assistant.store.count(), "first_answer_cli": first,
              "first_answer_app": app,
              "open_s": open_s, "embed_ms": summary(ranked["embed_ms"]), "search_ms": summary(ranked["search_ms"]),
              "retrieve_ms": summary(ranked["retrieve_ms"]), "ask_ms": summary(ask_ms),
              "ask_steps_ms": {s: summary(v) for s, v in steps.items()}, "quality_at_5": quality,
              "peak_rss_mb_in_process": peak_rss_mb()}
    note = " (STUB vectors: dense/hybrid quality not meaningful)" if args.stub else ""
    rows = [("chunks in the index", result["chunks"], ""),
            *[(f"process start -> first answer, CLI run {n + 1} (s)", r["wall_s"], "<= 15") for n, r in enumerate(first)],
            *[(f"peak RSS of that process, run {n + 1} (MB)", r["max_rss_mb"] or float("nan"), "<= 2,500")
              for n, r in enumerate(first)],
            *[(f"app.py start -> page served / first answer, run {n + 1} (s)",
               f"{r['serving_s']:.1f} / {r['first_answer_s']:.1f}", "answer <= 15") for n, r in enumerate(app)],
            *[(f"app RSS after the first answer, run {n + 1} (MB)", r["rss_mb"], "<= 2,500") for n, r in enumerate(app)],
            ("open the index in process (s)", open_s, ""),
            ("query embedding p50 (ms)", result["embed_ms"]["p50"], ""),
            ("hybrid search p50 / p95 (ms)", f"{result['search_ms']['p50']:.0f} / {result['search_ms']['p95']:.0f}", ""),
            ("hybrid retrieval (embed+search) p50 (ms)", result["retrieve_ms"]["p50"], "<= 100"),
            ("hybrid retrieval (embed+search) p95 (ms)", result["retrieve_ms"]["p95"], "<= 250"),
            ("extractive ask p50 / p95 (ms)", f"{result['ask_ms']['p50']:.0f} / {result['ask_ms']['p95']:.0f}", "p50 <= 200"),
            *[(f"  ask step p50: {s} (ms)", v["p50"], "") for s, v in result["ask_steps_ms"].items()],
            ("peak RSS in process (MB)", result["peak_rss_mb_in_process"], "<= 2,500"),
            *[(f"{name} hit@5 / answer-in-top-5{note if name != 'bm25' else ''}",
               f"{q['hit_at_k']:.2f} / {q['answer_in_top_k']:.2f}", "") for name, q in quality.items()]]
    print_table(f"Query at scale, {len(cases)} questions, warm, torch threads {threads} in process", rows)
    return result


def cmd_quality(args) -> dict:
    from assistant import Assistant
    from assistant.evaluation.baseline import TutorialBaseline

    threads = set_torch_threads(args.torch_threads)
    cases = questions()
    work = Path(tempfile.mkdtemp(prefix="bench-scale-quality-"))
    subset, ids = write_subset(args.distractors, args.seed, work)
    started = time.perf_counter()
    assistant = Assistant.from_settings(index_dir=work / "ours", collection="subset", llm="extractive")
    report = assistant.add([subset])
    ours_ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    baseline = TutorialBaseline([subset], assistant.embeddings)
    baseline_ingest_s = time.perf_counter() - started
    result = {"articles": len(ids), "gold_articles": len({d for q in cases for d in q["gold_doc_ids"]}),
              "distractors": args.distractors, "seed": args.seed, "our_paragraphs": report.paragraphs_seen,
              "our_ingest_s": ours_ingest_s, "torch_threads": threads, "baseline_chunks": baseline.chunks, "baseline_ingest_s": baseline_ingest_s}
    wide = our_rankings(assistant, cases, 40)["rankings"]["hybrid"]  # cut to the tutorial's text below
    for k in (4, 5):
        ranked = our_rankings(assistant, cases, k)
        tutorial, tutorial_ms = [], []
        for case in cases:
            t = time.perf_counter()
            docs = baseline.store.similarity_search_by_vector(assistant.embeddings.embed_query(case["question"]), k=k)
            tutorial_ms.append((time.perf_counter() - t) * 1000)
            pids = [p for d in docs for p in d.metadata.get("pids", "").split(",") if p]
            tutorial.append((pids, [d.page_content for d in docs]))
        same_text = within_budget(wide, [sum(map(len, texts)) for _, texts in tutorial])
        result[f"k={k}"] = {**{f"ours_{n}": score(h, cases) for n, h in ranked["rankings"].items()},
                            "ours_hybrid_same_text": score(same_text, cases),
                            "mean_paragraphs_same_text": sum(len(p) for p, _ in same_text) / len(same_text),
                            "tutorial": score(tutorial, cases), "ours_retrieve_ms": summary(ranked["retrieve_ms"]),
                            "tutorial_retrieve_ms": summary(tutorial_ms)}
    baseline.close()
    shutil.rmtree(work, ignore_errors=True)
    rows = [("articles (gold + distractors)", f"{len(ids)} ({result['gold_articles']} + {args.distractors})", ""),
            ("ours: paragraphs / ingest (s)", f"{report.paragraphs_seen:,} / {ours_ingest_s:.0f}", ""),
            ("tutorial: 1000/200 chunks / ingest (s)", f"{baseline.chunks:,} / {baseline_ingest_s:.0f}", "")]
    for k in (4, 5):
        r = result[f"k={k}"]
        for name in ("ours_hybrid", "ours_dense", "ours_bm25", "ours_hybrid_same_text", "tutorial"):
            rows.append((f"k={k} {name}: hit@k / answer-in-top-k / chars returned",
                         f"{r[name]['hit_at_k']:.2f} / {r[name]['answer_in_top_k']:.2f} / "
                         f"{r[name]['mean_chars_returned']:,.0f}", ""))
        rows.append((f"k={k} retrieval p50 ours / tutorial (ms)",
                     f"{r['ours_retrieve_ms']['p50']:.0f} / {r['tutorial_retrieve_ms']['p50']:.0f}", ""))
    print_table(f"Retrieval quality on a subset, {len(cases)} questions "
                f"({result['k=4']['tutorial']['n_with_gold']} with lenient gold pids)", rows)
    return result


def cmd_server(args) -> dict:
    from assistant import Assistant
    from index.ingest import Indexer

    threads = set_torch_threads(args.torch_threads)
    cases = questions()
    work = Path(tempfile.mkdtemp(prefix="bench-scale-server-"))
    subset, ids = write_subset(args.distractors, args.seed, work)
    from load_test import free_port

    port = free_port()
    server = subprocess.Popen([str(REPO / ".venv" / "bin" / "chroma"), "run", "--path", str(work / "server"),
                               "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=os.environ | {"ANONYMIZED_TELEMETRY": "False"})
    result = {"articles": len(ids), "port": port, "torch_threads": threads}
    try:
        import chromadb

        for _ in range(120):
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                break
            except Exception:
                time.sleep(0.5)
        for name, overrides in (("embedded", {}), ("server", {"chroma_host": "127.0.0.1", "chroma_port": port})):
            t = time.perf_counter()
            assistant = Assistant.from_settings(index_dir=work / name, collection="subset", **overrides)
            report = Indexer(assistant.store, HashedEmbeddings()).index([subset])
            assistant.refresh()
            ingest_s = time.perf_counter() - t
            for case in cases[:5]:
                assistant.ask(case["question"])
            ranked = our_rankings(assistant, cases, 5)
            result[name] = {"paragraphs": report.paragraphs_seen, "ingest_s_stub": ingest_s,
                            "search_ms": summary(ranked["search_ms"]), "retrieve_ms": summary(ranked["retrieve_ms"])}
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print_table(f"Embedded Chroma vs Chroma server, {len(ids)} articles, stub vectors, {len(cases)} questions", [
        *[(f"{n}: ingest without model (s)", result[n]["ingest_s_stub"], "") for n in ("embedded", "server")],
        *[(f"{n}: hybrid search p50 / p95 (ms)",
           f"{result[n]['search_ms']['p50']:.0f} / {result[n]['search_ms']['p95']:.0f}", "") for n in ("embedded", "server")],
    ])
    return result


def timed_retrieval(assistant, cases: list[dict], use_as_of: bool) -> dict:
    """Hybrid top 5 per question, as `ask` would search it (its time frame: as_of filter and recency), and
    the warm latency of embed + search."""
    from assistant.timeframe import resolve
    from index.dates import parse_date

    hits, ms = [], []
    for case in cases:
        started = time.perf_counter()
        as_of = parse_date(case.get("question_date", "")) if use_as_of else ""
        frame = resolve(case["question"], as_of or assistant.hybrid.newest, bool(as_of))
        vector = assistant.embeddings.embed_query(case["question"])
        passages = assistant.hybrid.search(case["question"], vector, 5, frame.where(), frame.recent)
        ms.append((time.perf_counter() - started) * 1000)
        hits.append(([pid_of(p.id) for p in passages], [p.paragraph or p.text for p in passages]))
    return {"hits": hits, "ms": ms}


def by_half(cases: list[dict], hits: list) -> dict:
    from assistant.evaluation.halves import assign
    from assistant.evaluation.testsets import to_case

    halves = assign([to_case(c) for c in cases])
    return {half: score([h for h, c in zip(hits, cases) if halves[c["qid"]] == half],
                        [c for c in cases if halves[c["qid"]] == half]) for half in ("tune", "report")}


def cmd_time(args) -> dict:
    import assistant.retrieval as retrieval
    from assistant import Assistant

    cases = questions()
    assistant = Assistant.from_settings(index_dir=args.index_dir, collection=COLLECTION, llm="extractive")
    for case in cases[:5]:  # warm-up: models, Chroma's index files, the lexical index's lookups
        assistant.ask(case["question"], as_of=case["question_date"].replace("/", "-"))
    result, rows = {"sweep": {}}, []
    for mode, use_as_of in (("without as_of", False), ("with as_of", True)):
        run = timed_retrieval(assistant, cases, use_as_of)
        quality, latency = by_half(cases, run["hits"]), summary(run["ms"])
        result[mode] = {"quality_at_5": quality, "retrieve_ms": latency}
        rows += [(f"{mode}: hit@5 / answer-in-top-5, report half (tuning half)",
                  f"{quality['report']['hit_at_k']:.2f} / {quality['report']['answer_in_top_k']:.2f} "
                  f"({quality['tune']['hit_at_k']:.2f} / {quality['tune']['answer_in_top_k']:.2f})", ""),
                 (f"{mode}: retrieval (embed + search) p50 / p95 (ms)", f"{latency['p50']:.0f} / {latency['p95']:.0f}",
                  "<= 60 / 120 with as_of")]
    for weight in [float(w) for w in args.recency_weights.split(",") if w.strip()]:
        retrieval.RECENCY_WEIGHT = weight
        tuning = by_half(cases, timed_retrieval(assistant, cases, True)["hits"])["tune"]
        result["sweep"][str(weight)] = tuning
        rows.append((f"tuning half, as_of, recency weight {weight}: hit@5 / answer-in-top-5",
                     f"{tuning['hit_at_k']:.2f} / {tuning['answer_in_top_k']:.2f}", ""))
    print_table(f"Time at scale: {len(cases)} dev questions, without and with as_of", rows)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("ingest", "stub-ingest", "reindex", "query", "time"):
        p = sub.add_parser(name)
        p.add_argument("--index-dir", type=Path, default=Path("/tmp/scale-index"))
        if name == "ingest":
            p.add_argument("--from-log", type=Path, help="parse a run started by hand instead of starting one")
        if name == "query":
            p.add_argument("--stub", action="store_true", help="the index was built by stub-ingest")
            p.add_argument("--warmup", type=int, default=5)
            p.add_argument("--cold-runs", type=int, default=2)
            p.add_argument("--torch-threads", type=int, help="torch threads in this process (default: torch's)")
        if name == "time":
            p.add_argument("--recency-weights", default="", help="comma-separated weights to sweep on the tuning half")
    for name in ("quality", "server"):
        p = sub.add_parser(name)
        p.add_argument("--distractors", type=int, default=60)
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--torch-threads", type=int, help="torch threads in this process (default: torch's)")
    args = parser.parse_args()
    run = {"ingest": cmd_ingest, "stub-ingest": cmd_stub_ingest, "reindex": cmd_reindex, "query": cmd_query,
           "quality": cmd_quality, "server": cmd_server, "time": cmd_time}[args.command]
    result = run(args)
    write_results(f"bench_scale-{args.command}", {"load_avg_at_end": os.getloadavg(), **result})


if __name__ == "__main__":
    sys.exit(main())
