"""Export a run in the RAGAS dataset shape: one JSON line {question, answer, contexts, ground_truth}.

`contexts` are the texts of the paragraphs the answer step saw, cited ones first. RAGAS itself is not a
dependency: the file is for whoever wants to score the run with it elsewhere.
"""
from __future__ import annotations

import json
from pathlib import Path


def ragas_row(record: dict) -> dict:
    reply = record["reply"]
    return {"question": record["question"], "answer": reply["text"],
            "contexts": [p["text"] for p in reply["passages"]], "ground_truth": record["reference_answer"]}


def write_ragas(records: list[dict], path: Path) -> Path:
    with Path(path).open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(ragas_row(record), ensure_ascii=False) + "\n")
    return Path(path)
