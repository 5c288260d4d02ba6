"""Evaluation: run a test set through `Assistant.ask()` and score it (`python -m assistant eval`).

In the order data flows: testsets.py reads and validates the JSONL formats into `TestCase`s; runner.py asks
each question (resuming a stopped run) and stores a `Reply` (reply.py) per question; baseline.py answers the
same cases with the LangChain tutorial pipeline; scoring.py scores a reply with the functions in metrics.py
(and judge.py, optionally); summary.py aggregates a run; report.py and charts.py write report.md and its
PNGs; ragas.py exports the RAGAS dataset shape; cli.py wires it together.
"""
