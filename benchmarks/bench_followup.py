"""Follow-up latency with the local model: how long the rewrite ("condense") and the whole answer take on
follow-up turns, with the rule's rewrite (the default) and with the model's (`model_rewrites_follow_ups`),
with and without the RAM cache of evaluated prompt prefixes (llm.PROMPT_CACHE_BYTES).

    python benchmarks/bench_followup.py [--turns 5]

Indexes the seed articles into a temporary folder, answers one warm-up question (the model loads), then asks
each follow-up after the same first exchange, so every turn alternates the condense and answer prompts.
Results: a table on stdout and benchmarks/results/bench_followup-<date>.json.
"""
from __future__ import annotations

import argparse
import tempfile

from _common import SEED_DIR, print_table, summary, write_results

FIRST = [{"role": "user", "content": "What did Lavrov demand?"},
         {"role": "assistant", "content": "Lavrov wants a concrete response to Russian security demands [1]."}]
FOLLOW_UPS = ["And what did he say after the talks?", "Where did he meet Blinken?", "What did his deputy say?",
              "Who did he shake hands with?", "Did he expect a breakthrough?", "And the other article?"]


def run(index_dir: str, model_rewrites: bool, prompt_cache: bool, turns: int) -> dict:
    from assistant import Assistant

    assistant = Assistant.from_settings(index_dir=index_dir, llm="local", model_rewrites_follow_ups=model_rewrites)
    if not prompt_cache:
        assistant.chat_model._file.llm.set_cache(None)
    assistant.ask(FIRST[0]["content"])  # loads the model and evaluates the answer prompt once
    condense, total = [], []
    for question in FOLLOW_UPS[:turns]:
        answer = assistant.ask(question, history=FIRST)
        condense.append(answer.timings["condense"])
        total.append(answer.timings["total"])
    return {"condense_ms": summary(condense), "total_ms": summary(total)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=5, help="follow-up questions per run (at most 6)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        from assistant import Assistant

        Assistant.from_settings(index_dir=folder).add([SEED_DIR])
        runs = (("rule's rewrite (default)", False, True), ("model's rewrite, prompt cache", True, True),
                ("model's rewrite, no prompt cache", True, False))  # the last drops the shared model's cache
        results = {name: run(folder, rewrites, cache, args.turns) for name, rewrites, cache in runs}
    rows = []
    for name, r in results.items():
        rows += [(f"rewrite p50 / p95, {name} (s)", f"{r['condense_ms']['p50'] / 1000:.2f} / "
                  f"{r['condense_ms']['p95'] / 1000:.2f}", "p50 ≤ 1.5"),
                 (f"answer p50 / p95, {name} (s)", f"{r['total_ms']['p50'] / 1000:.2f} / "
                  f"{r['total_ms']['p95'] / 1000:.2f}", "")]
    print_table("Follow-up turns with the local model", rows)
    write_results("bench_followup", results)


if __name__ == "__main__":
    main()
