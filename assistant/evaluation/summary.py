"""Aggregate per-question results into a run's metrics: overall, per category, latency per stage."""
from __future__ import annotations

from .metrics import mean, percentile

# Per-question scores averaged over the questions they apply to (None = does not apply).
MEAN_SCORES = ("hit@1", "hit@5", "mrr@10", "gold_recall", "all_gold", "contains_answer", "token_f1", "judge",
               "evidence_hit", "citation_recall",
               "citation_precision", "refused_unanswerable", "answer_in_read_passages",
               "refused_answer_absent", "over_refused", "conflict_flagged",
               "conflict_mentioned", "no_false_conflict", "warned_or_declined", "stated_counterfactual",
               "behaviour_ok", "rewrite_f1", "rewrite_hit@5", "standalone_hit@5")
STAGES = ("condense", "retrieve", "generate", "attribute", "total")


def summarize(records: list[dict]) -> dict:
    """{n, errors, metrics, counts, by_category, by_half, latency_ms} for a list of results.jsonl records.
    by_half splits by the fixed tuning / report halves (evaluation/halves.py)."""
    categories = sorted({r["category"] for r in records})
    halves = sorted({r["half"] for r in records if r.get("half")})
    return {"n": len(records), "errors": sum(bool(r["reply"].get("error")) for r in records),
            **aggregate(records), "latency_ms": latency(records),
            "by_category": {c: {"n": sum(r["category"] == c for r in records),
                                **aggregate([r for r in records if r["category"] == c])} for c in categories},
            "by_half": {h: {"n": sum(r.get("half") == h for r in records),
                            **aggregate([r for r in records if r.get("half") == h])} for h in halves}}


def aggregate(records: list[dict]) -> dict:
    metrics, counts = {}, {}
    for name in MEAN_SCORES:
        values = [r["scores"].get(name) for r in records if r["scores"].get(name) is not None]
        metrics[name], counts[name] = mean(values), len(values)
    markers = sum(r["scores"].get("markers", 0) for r in records)
    invalid = sum(r["scores"].get("invalid_markers", 0) for r in records)
    metrics["invalid_citation_rate"] = invalid / markers if markers else None
    counts["invalid_citation_rate"] = markers
    return {"metrics": metrics, "counts": counts}


def latency(records: list[dict]) -> dict:
    """p50 / p95 / mean milliseconds per pipeline stage."""
    out = {}
    for stage in STAGES:
        values = [r["reply"]["timings"][stage] for r in records if stage in r["reply"].get("timings", {})]
        if values:
            out[stage] = {"p50": percentile(values, 50), "p95": percentile(values, 95), "mean": mean(values)}
    return out
