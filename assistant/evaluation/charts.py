"""PNG charts for the report: scores per category, latency per stage, this run beside others.

matplotlib is imported inside each function with the Agg backend, so importing this module costs nothing
and no display is needed.
"""
from __future__ import annotations

from pathlib import Path

CATEGORY_SCORES = ("behaviour_ok", "contains_answer", "hit@5", "citation_recall", "citation_precision")
STAGES = ("condense", "retrieve", "generate", "attribute", "total")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def scores_by_category(summaries: dict[str, dict], path: Path) -> Path:
    """One panel per system (ours, baseline): grouped bars of CATEGORY_SCORES for each category."""
    plt = _pyplot()
    fig, axes = plt.subplots(len(summaries), 1, figsize=(10, 3.6 * len(summaries)), squeeze=False)
    for ax, (system, summary) in zip(axes[:, 0], summaries.items()):
        categories = list(summary["by_category"])
        width = 0.8 / len(CATEGORY_SCORES)
        for i, name in enumerate(CATEGORY_SCORES):
            values = [summary["by_category"][c]["metrics"].get(name) for c in categories]
            xs = [c + (i - len(CATEGORY_SCORES) / 2 + 0.5) * width for c in range(len(categories))]
            ax.bar(xs, [v or 0 for v in values], width, label=name)
            for x in (x for x, v in zip(xs, values) if v == 0):  # a real zero, unlike a score that does not apply
                ax.text(x, 0.01, "0", ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(categories)), categories, rotation=15, fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{system}: scores per category (no bar and no 0 = does not apply)")
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, fontsize=7, ncol=len(CATEGORY_SCORES), loc="upper center")
    return _save(fig, plt, path, top=1 - 0.35 / fig.get_figheight())


def latency(records: dict[str, list[dict]], path: Path) -> Path:
    """Box plots of per-question milliseconds, per stage, for each system."""
    plt = _pyplot()
    series, labels = [], []
    for system, rows in records.items():
        for stage in STAGES:
            values = [r["reply"]["timings"][stage] for r in rows if stage in r["reply"].get("timings", {})]
            if values:
                series.append(values)
                labels.append(f"{system}\n{stage}")
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(series)), 4))
    if series:
        ax.boxplot(series, showfliers=True)
        ax.set_xticks(range(1, len(series) + 1), labels, fontsize=7)
    ax.set_ylabel("ms per question")
    ax.set_title("Latency per stage (shared 2-core CPU: noisy)")
    return _save(fig, plt, path)


def comparison(columns: dict[str, dict], labels: dict[str, str], path: Path) -> Path:
    """Horizontal grouped bars: each metric in `labels` for each system (this run, baseline, previous run)."""
    plt = _pyplot()
    shown = [n for n in labels if any(c["metrics"].get(n) is not None for c in columns.values())]
    fig, ax = plt.subplots(figsize=(8, (0.18 * len(columns) + 0.15) * max(len(shown), 1) + 1.2))
    height = 0.8 / max(len(columns), 1)
    for i, (system, summary) in enumerate(columns.items()):
        ys = [y + i * height for y in range(len(shown))]
        values = [summary["metrics"].get(n) for n in shown]
        ax.barh(ys, [v or 0 for v in values], height, label=system)
        for y in (y for y, v in zip(ys, values) if v == 0):  # a real zero, unlike a metric that does not apply
            ax.text(0.005, y, "0", va="center", fontsize=7)
    ax.set_yticks([y + 0.4 - height / 2 for y in range(len(shown))], [labels[n] for n in shown], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.04), ncol=len(columns))
    ax.set_title("This run beside the others")
    return _save(fig, plt, path)


def _save(fig, plt, path: Path, top: float = 1.0) -> Path:
    fig.tight_layout(rect=(0, 0, 1, top))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
