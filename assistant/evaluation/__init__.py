"""Evaluation: run a test set through `Assistant.ask()` and score it."""
