"""The load test (benchmarks/load_test.py): its judging and figures, and a short run against `python app.py`."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))  # scripts, not a package
import load_test  # noqa: E402

ANSWER = '<div class="answer">Lavrov wants a concrete response to Russian security demands [1].</div>'
REFUSAL = "<div class=\"refusal\">The articles don't say.</div>"


def test_judge_needs_the_expected_words_or_a_refusal_where_the_articles_are_silent():
    assert load_test.judge(ANSWER, "Concrete") == ("", False)
    assert load_test.judge(ANSWER, "Belarus") == ("", True)
    assert load_test.judge(REFUSAL, None) == ("", False)
    assert load_test.judge(ANSWER, None) == ("", True)  # answering what the articles don't say is wrong
    assert load_test.judge(REFUSAL + " concrete", "concrete") == ("", True)  # a refusal is no answer
    error, wrong = load_test.judge('<div class="error">The index is empty</div>', "concrete")
    assert "The index is empty" in error and not wrong


def test_report_counts_errors_and_wrong_answers_and_takes_percentiles():
    question = load_test.QUESTIONS[0][0]
    results = [load_test.Request(0, question, 1.0), load_test.Request(1, question, 3.0, error="Timeout"),
               load_test.Request(2, question, 2.0, wrong=True), load_test.Request(3, "(connect)", 0.0, "refused")]
    figures = load_test.report(results, sessions=4, duration_s=10, elapsed_s=10)
    assert (figures["requests"], figures["errors"], figures["wrong"]) == (3, 2, 1)
    assert figures["latency_s"]["p50"] == 2.0 and figures["latency_s"]["max"] == 3.0
    assert figures["per_question_s"][question]["n"] == 3 and figures["throughput_per_s"] == 0.3


@pytest.mark.slow
def test_concurrent_sessions_get_right_answers_and_the_models_load_once(tmp_path):
    with load_test.serve_app(tmp_path / "index", tmp_path / "app.log", "extractive") as app:
        figures = load_test.run(app.url, sessions=5, duration_s=20, app=app)
    assert figures["errors"] == 0, figures["first_errors"]
    assert figures["wrong"] == 0, figures["first_wrong"]
    assert figures["requests"] >= 5  # at least a question per session, on 2 shared cores
    assert figures["model_loads_logged"] == 1
    assert figures["rss_end_mb"] - figures["rss_after_warmup_mb"] < 100  # no model loaded per request
