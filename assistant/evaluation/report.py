"""report.md: headline metrics beside the baseline and a previous run, per category, latency, misses, charts."""
from __future__ import annotations

from pathlib import Path

from . import charts

# (metric, what it measures); lower is better for the ones marked ↓.
HEADLINE = [
    ("behaviour_ok", "did what the question expects (answer / refuse / flag conflict / warn)"),
    ("hit@1", "top-ranked paragraph is gold evidence"),
    ("hit@5", "a gold paragraph among the first 5 (cited first, then retrieved)"),
    ("mrr@10", "1 / rank of the first gold paragraph within 10"),
    ("gold_recall", "share of the gold paragraphs among the candidates the answer step read"),
    ("all_gold", "every gold paragraph among those candidates (multi-article questions)"),
    ("contains_answer", "answer contains an acceptable answer (seed: or ≥50% of the reference's tokens)"),
    ("token_f1", "content-token F1 against the reference answer"),
    ("judge", "model judge says CORRECT (--judge)"),
    ("evidence_hit", "answered questions citing a gold paragraph (independent of our support check)"),
    ("citation_recall", "answer sentences supported by their cited paragraphs"),
    ("citation_precision", "citations that support their sentence (ALCE)"),
    ("invalid_citation_rate", "↓ markers that resolve to no citation (must be 0)"),
    ("refused_unanswerable", "refusal rate where the sources do not answer"),
    ("answer_in_read_passages", "tests labelled unanswerable whose read paragraphs hold the real answer's words"),
    ("refused_answer_absent", "refusal rate where no read paragraph holds the real answer's words (strict)"),
    ("over_refused", "↓ refusal rate where they do"),
    ("conflict_flagged", "conflict questions with a conflict, ≥2 sides from different articles, each cited"),
    ("conflict_mentioned", "conflict questions whose text says the sources disagree"),
    ("no_false_conflict", "consistency checks with no conflict reported"),
    ("warned_or_declined", "counterfactual sources: warned or declined"),
    ("stated_counterfactual", "↓ counterfactual sources: stated the planted answer without warning"),
    ("rewrite_f1", "follow-ups: token F1 of the searched question against the gold standalone one"),
    ("rewrite_hit@5", "follow-ups: gold evidence in the first 5 retrieved with the rewrite"),
    ("standalone_hit@5", "follow-ups: the same with the gold standalone question (the ceiling)"),
]
CATEGORY_COLUMNS = ("behaviour_ok", "contains_answer", "over_refused", "refused_unanswerable", "all_gold", "hit@5",
                    "citation_recall", "citation_precision")
LATENCY_NOTE = ("CPU time is shared with other work on this machine (2 cores), so latency is noisy: compare runs "
                "made on the same machine at the same time, and read p95 as an upper bound.")


def fmt(value, n=None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" + (f" ({n})" if n is not None else "")


def headline_table(columns: dict[str, dict]) -> list[str]:
    lines = ["| metric | " + " | ".join(columns) + " | what it measures |",
             "|---|" + "---:|" * len(columns) + "---|"]
    for name, text in HEADLINE:
        if all(c["metrics"].get(name) is None for c in columns.values()):
            continue
        cells = [fmt(c["metrics"].get(name), c["counts"].get(name)) for c in columns.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {text} |")
    return lines + ["", "Each cell: mean over the questions the metric applies to (that count in brackets; "
                        "for invalid_citation_rate, the number of markers)."]


def halves_table(metrics: dict) -> list[str]:
    """The headline per fixed half (evaluation/halves.py): the report half is the figure to quote, the
    tuning half (what anything fitted has seen) beside it so the gap shows."""
    columns = {f"{system}, {half} half": part for system in ("ours", "baseline") if metrics.get(system)
               for half, part in metrics[system].get("by_half", {}).items()}
    return headline_table(columns) if columns else ["No halves recorded (an older run)."]


def category_table(summary: dict) -> list[str]:
    lines = ["| category | n | " + " | ".join(CATEGORY_COLUMNS) + " |", "|---|---:|" + "---:|" * len(CATEGORY_COLUMNS)]
    for category, part in summary["by_category"].items():
        cells = [fmt(part["metrics"].get(name)) for name in CATEGORY_COLUMNS]
        lines.append(f"| {category} | {part['n']} | " + " | ".join(cells) + " |")
    return lines


def latency_table(columns: dict[str, dict]) -> list[str]:
    lines = ["| stage | " + " | ".join(f"{s} p50 | {s} p95" for s in columns) + " |",
             "|---|" + "---:|---:|" * len(columns)]
    for stage in charts.STAGES:
        if not any(stage in c["latency_ms"] for c in columns.values()):
            continue
        cells = [f"{_ms(c['latency_ms'].get(stage, {}).get('p50'))} | {_ms(c['latency_ms'].get(stage, {}).get('p95'))}"
                 for c in columns.values()]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    return lines


def _ms(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def misses(records: list[dict], limit: int = 40) -> list[str]:
    """Questions where something failed, with what failed and the start of the answer."""
    lines = ["| id | category | failed | answer |", "|---|---|---|---|"]
    shown = 0
    for r in records:
        failed = failures(r["scores"])
        if failed and shown < limit:
            shown += 1
            answer = r["reply"]["text"].replace("|", "\\|").replace("\n", " ")[:140]
            lines.append(f"| {r['id']} | {r['category']} | {', '.join(failed)} | {answer} |")
    return lines if shown else ["None."]


def failures(scores: dict) -> list[str]:
    failed = [n for n in ("behaviour_ok", "contains_answer", "hit@5") if scores.get(n) == 0]
    failed += [n for n in ("citation_recall", "citation_precision") if scores.get(n) is not None and scores[n] < 1]
    failed += ["stated_counterfactual"] if scores.get("stated_counterfactual") else []
    return failed + (["invalid_markers"] if scores.get("invalid_markers") else [])


def write_report(out: Path, metrics: dict, records: dict[str, list[dict]]) -> Path:
    """report.md and its PNGs in `out`; `records` maps system name (ours, baseline) to its results."""
    run = metrics["run"]
    columns = {"ours": metrics["ours"]}
    if metrics.get("baseline"):
        columns["baseline"] = metrics["baseline"]
    if metrics.get("compare"):
        columns["previous"] = metrics["compare"]["ours"]
    labels = {n: n + (" (lower is better)" if text.startswith("↓") else "") for n, text in HEADLINE}
    charts.comparison(columns, labels, out / "comparison.png")
    charts.scores_by_category({k: v for k, v in columns.items() if k != "previous"}, out / "scores_by_category.png")
    charts.latency(records, out / "latency.png")
    lines = [f"# Evaluation: {Path(run['testset']).name}, {metrics['ours']['n']} questions, --llm {run['llm']}", "",
             f"- command: `{run['command']}`", f"- corpus: {', '.join(run['corpus'])}",
             f"- answered by: {', '.join(run['backends'])}; started {run['started']}, finished {run['finished']}"]
    if metrics.get("compare"):
        lines.append(f"- previous run: {metrics['compare']['run_dir']} ({metrics['compare']['llm']})")
    lines += ["", "## Report half and tuning half", "", *halves_table(metrics), "",
              "## Headline (all questions)", "", *headline_table(columns), "",
              "![this run beside the others](comparison.png)",
              "", "## By category (ours)", "", *category_table(metrics["ours"])]
    if metrics.get("baseline"):
        lines += ["", "## By category (baseline)", "", *category_table(metrics["baseline"])]
    lines += ["", "![scores per category](scores_by_category.png)", "", "## Latency (ms per question)", "",
              *latency_table({k: v for k, v in columns.items() if k != "previous"}), "", LATENCY_NOTE, "",
              "![latency per stage](latency.png)", "", "## Questions to look at (ours)", "", *misses(records["ours"])]
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

