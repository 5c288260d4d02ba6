"""Answer latency on the seed index: extractive (cold and warm), local model, and the LangChain tutorial baseline.

What it measures, in one process:
  1. extractive: `assistant.ask(q)` over every question of data/seed_dev.jsonl, a cold first pass and a warm
     second pass; p50/p95 of the wall time per question and of each step (target warm p50 < 100 ms);
  2. local (Qwen2.5-Coder-1.5B GGUF via llama-cpp-python), for --local-questions questions:
     - first token: the answer model is wrapped so the time of its first streamed piece is recorded, measured
       from the start of `assistant.ask` (retrieval and prompt processing included; target 3 s);
     - first partial Answer from `assistant.stream` (the first complete sentence, verified);
     - whole answer: `ask` wall time (target 8 s);
     first, one question just after loading (its first token waits for the prompt's fixed opening too) and
     the same question after `prime_model()` (what the app and `chat` start at once), then the timed ones;
  3. the vanilla LangChain tutorial pipeline (assistant/evaluation/baseline.py: RecursiveCharacterTextSplitter
     1000/200, the same SentenceEmbeddings, langchain_chroma.Chroma in a temp dir, k=4, the tutorial "stuff"
     prompt) with the same loaded model, on the same questions, timed the same way.
Prompt sizes are counted with the model's tokenizer (message contents only, no chat template).

Run:  .venv/bin/python benchmarks/bench_ask.py [--local-questions 4] [--skip-local]
Results: tables on stdout and benchmarks/results/bench_ask-<date>.json.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from dataclasses import replace

from langchain_core.callbacks import BaseCallbackHandler

from _common import (SEED_DIR, SEED_QUESTIONS, peak_rss_mb, print_table, read_jsonl, set_torch_threads, summary,
                     write_results)


class Timing(BaseCallbackHandler):
    """A LangChain callback on the local model: when the first token of each reply arrives, and the prompt's
    size in the model's own tokens."""

    def __init__(self, model):
        self.model, self.first_piece_at, self.prompt_tokens = model, None, 0

    def on_chat_model_start(self, serialized, messages, **kwargs):
        self.first_piece_at = None
        text = "\n".join(m.text for m in messages[0])
        self.prompt_tokens = len(self.model._file.llm.tokenize(text.encode("utf-8"), add_bos=False))

    def on_llm_new_token(self, token, **kwargs):
        if self.first_piece_at is None:
            self.first_piece_at = time.perf_counter()


def extractive_passes(assistant, questions: list[str]) -> dict:
    passes = {}
    for name in ("cold", "warm"):
        walls, steps = [], {}
        for question in questions:
            started = time.perf_counter()
            answer = assistant.ask(question)
            walls.append((time.perf_counter() - started) * 1000)
            for step, ms in answer.timings.items():
                steps.setdefault(step, []).append(ms)
        passes[name] = {"wall_ms": summary(walls), "steps_ms": {s: summary(v) for s, v in steps.items()},
                        "per_question_ms": walls}
    return passes


def local_runs(assistant, timed: Timing, questions: list[str]) -> list[dict]:
    runs = []
    for question in questions:
        started = time.perf_counter()
        first_partial, answer = None, None
        for answer in assistant.stream(question):
            if first_partial is None:
                first_partial = time.perf_counter()
        ended = time.perf_counter()
        runs.append({"question": question, "first_token_s": _since(started, timed.first_piece_at),
                     "first_partial_s": _since(started, first_partial), "total_s": ended - started,
                     "prompt_tokens": timed.prompt_tokens, "backend": answer.backend, "text": answer.text,
                     "citations": [c.paragraph_id for c in answer.citations], "timings_ms": answer.timings})
        print(f"  ours  {runs[-1]['first_token_s']:.1f} s first token, {runs[-1]['total_s']:.1f} s total: {question}")
    return runs


def baseline_runs(baseline, timed: Timing, questions: list[str]) -> list[dict]:
    from assistant.evaluation.testsets import TestCase

    runs = []
    for n, question in enumerate(questions):
        started = time.perf_counter()
        reply = baseline.answer(TestCase(id=f"q{n}", question=question, reference_answer="", expected="answer"))
        ended = time.perf_counter()
        runs.append({"question": question, "first_token_s": _since(started, timed.first_piece_at),
                     "total_s": ended - started, "prompt_tokens": timed.prompt_tokens, "text": reply.text,
                     "timings_ms": reply.timings})
        print(f"  tutorial  {runs[-1]['first_token_s']:.1f} s first token, {runs[-1]['total_s']:.1f} s total")
    return runs


def _since(started: float, moment: float | None) -> float | None:
    return None if moment is None else moment - started


def _p50(runs: list[dict], key: str) -> float:
    values = [r[key] for r in runs if r.get(key) is not None]
    return summary(values)["p50"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--local-questions", type=int, default=4, help="questions for the local model (3-5)")
    parser.add_argument("--skip-local", action="store_true", help="extractive only")
    parser.add_argument("--torch-threads", type=int, help="torch threads for embeddings (default: torch's)")
    parser.add_argument("--llm-threads", type=int, help="llama.cpp threads (default: the setting, 2)")
    parser.add_argument("--repeat-extractive", type=int, default=1, help="warm passes (reports the last)")
    args = parser.parse_args()

    from assistant import Assistant
    from assistant.llm import make_chat_model

    questions = [row["question"] for row in read_jsonl(SEED_QUESTIONS)]
    work = tempfile.mkdtemp(prefix="bench-ask-")
    results: dict = {"questions": len(questions), "load_avg_at_start": os.getloadavg(),
                     "torch_threads": set_torch_threads(args.torch_threads)}
    try:
        assistant = Assistant.from_settings(index_dir=work, collection="seed", llm="extractive")
        report = assistant.add([SEED_DIR])
        results["index"] = {"paragraphs": report.paragraphs_seen, "chunks": report.chunks_embedded}

        results["extractive"] = ext = extractive_passes(assistant, questions)
        rows = []
        for name in ("cold", "warm"):
            wall = ext[name]["wall_ms"]
            rows += [(f"extractive {name} p50 (ms)", wall["p50"], "< 100" if name == "warm" else ""),
                     (f"extractive {name} p95 (ms)", wall["p95"], "")]
        rows += [(f"  warm step p50: {s} (ms)", v["p50"], "") for s, v in ext["warm"]["steps_ms"].items()]
        print_table(f"Extractive answers, seed index, {len(questions)} questions, "
                    f"torch threads {results['torch_threads']}", rows)

        if not args.skip_local:
            started = time.perf_counter()
            settings = replace(assistant.settings, llm="local",
                               llm_threads=args.llm_threads or assistant.settings.llm_threads)
            results["llm_threads"] = settings.llm_threads
            import llama_cpp  # the build: "AVX512 = 1" with -DGGML_NATIVE=ON on such a CPU (README)

            results["llama_cpu"] = llama_cpp.llama_print_system_info().decode().strip()
            model = make_chat_model(settings)
            timed = Timing(model)
            model.callbacks = [timed]
            load_s = time.perf_counter() - started
            local = Assistant(settings, assistant.store, assistant.embeddings, model)
            chosen = questions[:args.local_questions]
            warm_up = questions[args.local_questions % len(questions)]
            print(f"local model loaded in {load_s:.1f} s; first question, as just after loading: {warm_up}")
            results["local_warmup"] = cold = local_runs(local, timed, [warm_up])
            llm = model._file.llm
            llm.reset()  # as just after loading again: nothing read, nothing cached
            llm.cache.cache_state.clear()
            started = time.perf_counter()
            local.prime_model().join()  # what the app and `chat` start while the first question is typed
            results["prime_s"] = prime_s = time.perf_counter() - started
            print(f"prime_model: {prime_s:.1f} s; the same first question after it:")
            results["local_first_primed"] = primed = local_runs(local, timed, [warm_up])
            results["local"] = ours = local_runs(local, timed, chosen)

            from assistant.evaluation.baseline import TutorialBaseline

            started = time.perf_counter()
            baseline = TutorialBaseline([SEED_DIR], assistant.embeddings, chat_model=model)
            results["baseline_index_s"], results["baseline_chunks"] = time.perf_counter() - started, baseline.chunks
            results["baseline_warmup"] = baseline_runs(baseline, timed, [warm_up])
            results["baseline"] = tutorial = baseline_runs(baseline, timed, chosen)
            baseline.close()
            results["local_model_load_s"] = load_s

            print_table(f"Local model (Qwen2.5-Coder-1.5B Q4_K_M, {settings.llm_threads} threads), {len(chosen)} questions, p50", [
                ("ours: first token (s)", _p50(ours, "first_token_s"), "3"),
                ("ours: first question just after loading: first token (s)", cold[0]["first_token_s"], ""),
                ("ours: the same after prime_model: first token (s)", primed[0]["first_token_s"], "3"),
                ("prime_model, once after loading (s)", prime_s, ""),
                ("ours: first verified sentence (s)", _p50(ours, "first_partial_s"), ""),
                ("ours: whole answer (s)", _p50(ours, "total_s"), "8"),
                ("ours: prompt tokens", _p50(ours, "prompt_tokens"), ""),
                ("tutorial: first token (s)", _p50(tutorial, "first_token_s"), ""),
                ("tutorial: whole answer (s)", _p50(tutorial, "total_s"), ""),
                ("tutorial: prompt tokens", _p50(tutorial, "prompt_tokens"), ""),
                ("model load (s)", load_s, ""),
            ])
            print("\n| question | ours first token (s) | ours total (s) | tutorial first token (s) | tutorial total (s) |")
            print("|---|---|---|---|---|")
            for o, t in zip(ours, tutorial):
                print(f"| {o['question'][:60]} | {o['first_token_s'] or float('nan'):.1f} | {o['total_s']:.1f} | "
                      f"{t['first_token_s'] or float('nan'):.1f} | {t['total_s']:.1f} |")
        results["peak_rss_mb"] = peak_rss_mb()
        results["load_avg_at_end"] = os.getloadavg()
        write_results("bench_ask", results)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
