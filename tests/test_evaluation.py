"""`python -m assistant eval`: metric functions on hand-made cases, test-set validation, and real runs over
the seed index (extractive backend, a few questions) writing results, metrics, report, charts and RAGAS rows."""
import json
from pathlib import Path

import pytest

from assistant.cli import main as cli_main
from assistant.evaluation.baseline import TutorialBaseline, says_not_stated
from assistant.evaluation.metrics import (citation_quality, contains_any, hit_at_k, invalid_markers, mrr_at_k,
                                          percentile, token_f1)
from assistant.evaluation.reply import Reply
from assistant.evaluation.judge import ModelJudge, verdict
from assistant.evaluation.scoring import answer_part, conflict_flagged, is_gold, score
from assistant.evaluation.testsets import TestCase, TestSetError, load_testset

from conftest import REPO, SEEDS
from standins import RuleChatModel

SEED_TESTS = REPO / "data" / "seed_dev.jsonl"
GENEVA = "Blinken met Lavrov in Geneva on Friday."
TROOPS = "Russia has 100,000 troops near Ukraine."


# --- metric functions ---------------------------------------------------------------------------------
def test_hit_at_k_and_mrr_on_a_ranked_list():
    flags = [False, False, True, False]
    assert (hit_at_k(flags, 1), hit_at_k(flags, 3), hit_at_k(flags, 5)) == (0.0, 1.0, 1.0)
    assert mrr_at_k(flags) == pytest.approx(1 / 3)
    assert mrr_at_k([False] * 10 + [True]) == 0.0  # gold at rank 11 is beyond @10
    assert hit_at_k([], 5) == 0.0 and mrr_at_k([]) == 0.0


def test_token_f1_counts_content_tokens():
    assert token_f1("Blinken met Lavrov [1].", "Lavrov met Blinken in Geneva") == pytest.approx(2 * 0.75 / 1.75)
    assert token_f1("The President Wilson Hotel.", "the president wilson hotel") == 1.0
    assert token_f1("Belarus", "Ukraine") == 0.0


def test_contains_any_normalises_quotes_case_and_matches_from_a_word_start():
    assert contains_any("He called it a “Minor Incursion” [1].", ['"minor incursion"'])
    assert contains_any("Officials issued clarifications [1].", ["clarif"])  # a stem, from a word's start
    assert not contains_any("He declared it [1].", ["clarif"]) and not contains_any("Not now.", ["no"])
    assert contains_any("No, it did not.", ["no"]) and not contains_any("unclarified", ["clarif"])
    assert not contains_any("They met in Tampa.", ["Tampa, Florida"])
    assert not contains_any("La Stampa", ["Tampa"])


def test_citation_recall_and_precision_alce_style():
    paragraphs = {1: GENEVA, 2: TROOPS}
    text = "Blinken met Lavrov in Geneva [1]. Russia has 100,000 troops [1]. It rained in Paris [2]."
    scores = citation_quality(text, paragraphs)
    assert scores["citation_recall"] == pytest.approx(1 / 3) and scores["citation_precision"] == pytest.approx(1 / 3)
    # A redundant second citation: the sentence holds, but [2] adds nothing, so it is not precise.
    redundant = citation_quality("Blinken met Lavrov in Geneva [1][2].", paragraphs)
    assert redundant["citation_recall"] == 1.0 and redundant["citation_precision"] == 0.5
    # Two paragraphs needed together: both are precise.
    joint = citation_quality("Blinken met Lavrov and Russia has 100,000 troops [1][2].", paragraphs)
    assert joint["citation_recall"] == 1.0 and joint["citation_precision"] == 1.0
    ellipsis = citation_quality("Blinken met Lavrov in Geneva on Friday ... [1].", {1: GENEVA[:-1] + " ..."})
    assert ellipsis["sentences"] == 1 and ellipsis["citation_recall"] == 1.0  # the lone "." is no claim
    uncited = citation_quality("Blinken met Lavrov in Geneva.", paragraphs)
    assert uncited["citation_recall"] == 0.0 and uncited["citation_precision"] is None


def test_invalid_marker_rate_and_percentiles():
    assert invalid_markers("A [1]. B [3]. C [1].", {1}) == (1, 3)
    assert invalid_markers("No markers.", set()) == (0, 0)
    assert percentile([4, 1, 3, 2], 50) == 2.5 and percentile([10], 95) == 10 and percentile([], 50) is None


def test_citation_quality_skips_the_conflict_note():
    note = "The articles name the minister differently: Reuters says “Lavrov” [1]; the other says “Viklov” [2]."
    for lead_in in ("The sources disagree.", "Note, the sources disagree."):
        reply = Reply(f"Blinken met Lavrov in Geneva [1]. {lead_in} {note}",
                      conflicts=[{"description": "The articles name the minister differently", "sides": []}])
        assert answer_part(reply) == "Blinken met Lavrov in Geneva [1]."
    assert answer_part(Reply("No conflict here [1].")) == "No conflict here [1]."


def test_citation_quality_skips_the_as_of_preamble(seed_assistant):
    """"As of <date>" is the assistant's own words; scored as a claim, its date is in no paragraph."""
    answer = seed_assistant.ask("How many troops does Russia currently have near the Ukrainian border?")
    assert answer.text.startswith("As of ")
    reply = Reply(answer.text)
    assert not answer_part(reply).startswith("As of") and answer_part(reply) in answer.text
    assert answer_part(Reply("As of the talks, Blinken met Lavrov [1].")) == "As of the talks, Blinken met Lavrov [1]."


def test_conflict_counts_only_with_two_cited_sides_from_different_articles():
    citations = [{"marker": 1, "paragraph_id": "a#p1", "doc_id": "a", "quote": ""},
                 {"marker": 2, "paragraph_id": "b#p4", "doc_id": "b", "quote": ""}]
    side = lambda doc, markers: {"value": doc, "markers": markers, "doc_id": doc, "provenance": ""}  # noqa: E731
    good = Reply("x", citations=citations, conflicts=[{"kind": "name", "description": "", "sides": [
        side("a", [1]), side("b", [2])]}])
    assert conflict_flagged(good)
    wrong_doc = Reply("x", citations=citations, conflicts=[{"kind": "name", "description": "", "sides": [
        side("a", [1]), side("b", [1])]}])
    one_article = Reply("x", citations=citations, conflicts=[{"kind": "title", "description": "", "sides": [
        side("a", [1]), side("a", [1])]}])
    assert not conflict_flagged(wrong_doc) and not conflict_flagged(one_article) and not conflict_flagged(Reply("x"))


def test_an_unanswerable_test_whose_paragraph_holds_the_answer_leaves_the_strict_refusal_score():
    case = TestCase(id="t", question="Where was the 2031 final played?", reference_answer="Lisbon, Portugal",
                    expected="refuse_or_say_not_stated", format="context")
    passage = lambda text: {"id": "d#p0", "doc_id": "d", "pids": ["d#p0"], "text": text}  # noqa: E731
    holds = [passage("The 2031 final will be played in Lisbon's Estadio da Luz, Portugal's largest ground.")]
    answered = score(case, Reply("Estadio da Luz [1].", passages=holds))
    assert answered["answer_in_read_passages"] == 1.0 and answered["refused_answer_absent"] is None
    assert answered["refused_unanswerable"] == 0.0  # the label's own score is unchanged
    # the words spread over two paragraphs do not count: one paragraph must hold them all
    apart = [passage("Lisbon hosted the 2030 final."), passage("Portugal's coach praised the pitch.")]
    refused = score(case, Reply("The articles don't say.", refused=True, passages=apart))
    assert refused["answer_in_read_passages"] == 0.0 and refused["refused_answer_absent"] == 1.0
    wrongly = score(case, Reply("Lisbon [1].", passages=[passage("Portugal won the 2031 final in Madrid.")]))
    assert wrongly["refused_answer_absent"] == 0.0


def test_baseline_refusal_phrasings():
    assert says_not_stated("I don't know.") and says_not_stated("The context does not mention the year.")
    assert says_not_stated("") and not says_not_stated("They met at the President Wilson Hotel.")


class EchoJudge(RuleChatModel):
    """Says CORRECT when the answer line holds the reference's last word, as a strict grader would."""

    name: str = "echo-judge"

    def reply(self, messages) -> str:
        user = messages[-1].content
        reference = user.split("Reference answer: ")[1].split("\n")[0]
        answer = user.split("Answer to grade: ")[1].split("\n")[0]
        return "CORRECT" if reference.split()[-1].lower() in answer.lower() else "INCORRECT"


def test_model_judge_fills_its_prompt_and_reads_the_verdict():
    case = TestCase("j", "Where did they meet?", "Geneva", "answer")
    judge = ModelJudge(EchoJudge())
    assert judge(case, Reply("They met in Geneva [1].")) == {"judge": 1.0}
    assert judge(case, Reply("They met in Paris [1].")) == {"judge": 0.0}
    assert judge(case, Reply("The articles don't say.", refused=True)) == {"judge": 0.0}
    assert judge(TestCase("k", "q", "r", "refuse_or_say_not_stated"), Reply("x")) == {"judge": None}
    assert (verdict("Incorrect."), verdict("CORRECT"), verdict("maybe")) == (0.0, 1.0, None)


# --- test sets -----------------------------------------------------------------------------------------
def test_the_three_formats_load(tmp_path):
    seeds = load_testset(SEED_TESTS)
    assert len(seeds) == 25 and {c.format for c in seeds} == {"seed"}
    conflict = next(c for c in seeds if c.id == "seed-28")
    assert conflict.expected == "answer_and_flag_conflict" and "Lavrov" in conflict.acceptable_answers
    assert next(c for c in seeds if c.id == "seed-34").gold_phrases == []  # a near miss is not gold
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"qid": "r1", "question": "Who?", "reference_answer": "Tampa", "kind": "counterfactual",
                                "counterfactual_answer": "Glendale", "context_doc_ids": ["d1"]}) + "\n"
                    + json.dumps({"qid": "q1", "question": "What?", "reference_answer": "Twitter",
                                  "alt_answers": ["X"], "gold_pids_lenient": ["d2#p3"]}) + "\n")
    rgb, rtqa = load_testset(path)
    assert (rgb.expected, rgb.where, rgb.format) == ("warn_or_decline", {"doc_id": {"$in": ["d1"]}}, "context")
    assert (rtqa.expected, rtqa.acceptable_answers, rtqa.gold_pids) == ("answer", ["Twitter", "X"], ["d2#p3"])


def test_bad_lines_are_all_reported_with_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = ['{"id": "a", "question": "Q?", "reference_answer": "A"}', '{"id": "b", "question": ',
             '{"id": "a", "question": "Q?", "reference_answer": "A"}', '{"id": "c", "reference_answer": "A"}',
             '{"id": "d", "question": "Q?", "reference_answer": "A", "expected_behavior": "guess"}',
             '{"id": "e", "question": "Q?", "reference_answer": "A", "gold_evidence": [{"file": "x.txt"}]}',
             '{"id": "f", "question": "Q?", "reference_answer": "A", "kind": "counterfactual", "context_doc_ids": []}',
             '["not", "an", "object"]']
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TestSetError) as err:
        load_testset(path)
    message = str(err.value)
    for expected in (f"{path}:2: not valid JSON", f"{path}:3: duplicate id 'a' (first on line 1)",
                     f"{path}:4: `question` must be a non-empty string", f"{path}:5: `expected_behavior` 'guess'",
                     f"{path}:6: `gold_evidence[0]` needs a non-empty `support`",
                     f"{path}:7: a counterfactual test needs `counterfactual_answer`",
                     f"{path}:7: `context_doc_ids` must be a non-empty list", f"{path}:8: expected a JSON object"):
        assert expected in message, message
    with pytest.raises(TestSetError, match="no such test set file"):
        load_testset(tmp_path / "missing.jsonl")


def test_every_seed_gold_phrase_is_found_in_an_indexed_paragraph(seed_assistant):
    paragraphs = [meta.get("paragraph_text") or text for _, text, meta in seed_assistant.store.all_chunks()]
    for case in load_testset(SEED_TESTS):
        for phrase in case.gold_phrases:
            probe = TestCase("x", "q", "", "answer", gold_phrases=[phrase])
            assert any(is_gold(probe, {"text": p}) for p in paragraphs), phrase


# --- real runs -----------------------------------------------------------------------------------------
def run_eval(seed_assistant, out: Path, *extra) -> int:
    """The eval command over the shared seed index (already built: nothing is embedded again)."""
    return cli_main(["eval", str(SEED_TESTS), "--out", str(out), "--index-dir", str(seed_assistant.settings.index_dir),
                     "--collection", seed_assistant.settings.collection, *extra])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_eval_writes_results_metrics_report_and_ragas(seed_assistant, tmp_path):
    out = tmp_path / "run"
    assert run_eval(seed_assistant, out, "--limit", "3") == 0
    results = read_jsonl(out / "results.jsonl")
    assert [r["id"] for r in results] == ["seed-01", "seed-02", "seed-04"]
    first = results[0]
    assert first["reply"]["text"] == seed_assistant.ask(first["question"]).text  # the same door as the UI
    assert set(first["reply"]["timings"]) >= {"retrieve", "generate", "attribute", "total"}
    assert first["scores"]["invalid_markers"] == 0 and first["scores"]["hit@5"] is not None
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["ours"]["n"] == 3 and metrics["ours"]["metrics"]["invalid_citation_rate"] == 0
    assert set(metrics["ours"]["latency_ms"]["total"]) == {"p50", "p95", "mean"}
    report = (out / "report.md").read_text()
    assert "## Headline" in report and "| contains_answer |" in report
    for chart in ("comparison.png", "scores_by_category.png", "latency.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"]({chart})" in report
    rows = read_jsonl(out / "ragas.jsonl")
    assert len(rows) == 3 and set(rows[0]) == {"question", "answer", "contexts", "ground_truth"}
    assert rows[0]["contexts"] and rows[0]["ground_truth"] == "The President Wilson Hotel."


def test_an_interrupted_run_resumes_without_duplicates(seed_assistant, tmp_path):
    out = tmp_path / "run"
    assert run_eval(seed_assistant, out, "--limit", "1") == 0
    before = (out / "results.jsonl").read_text()
    with (out / "results.jsonl").open("a") as handle:
        handle.write('{"id": "seed-02", "category": "sing')  # killed mid-write
    assert run_eval(seed_assistant, out, "--limit", "3", "--compare", str(out)) == 0
    after = (out / "results.jsonl").read_text()
    assert after.startswith(before)  # the first was not asked again
    assert [r["id"] for r in read_jsonl(out / "results.jsonl")] == ["seed-01", "seed-02", "seed-04"]
    assert "| metric | ours | previous |" in (out / "report.md").read_text()
    records = read_jsonl(out / "results.jsonl")
    records[0]["scores"]["hit@1"] = 0.5  # as if scored by an older metric
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert run_eval(seed_assistant, out, "--limit", "3", "--rescore") == 0
    assert read_jsonl(out / "results.jsonl")[0]["scores"]["hit@1"] in (0.0, 1.0)
    other = tmp_path / "other.jsonl"
    other.write_text(SEED_TESTS.read_text().splitlines()[0] + "\n")
    assert cli_main(["eval", str(other), "--out", str(out), "--index-dir", str(seed_assistant.settings.index_dir),
                     "--collection", seed_assistant.settings.collection]) == 2  # another test set: not resumed


def test_baseline_runs_beside_ours(seed_assistant, tmp_path):
    out = tmp_path / "run"
    assert run_eval(seed_assistant, out, "--limit", "2", "--baseline") == 0
    baseline = read_jsonl(out / "baseline" / "results.jsonl")
    assert len(baseline) == 2 and baseline[0]["reply"]["backend"] == "baseline-extractive"
    assert all(len(r["reply"]["passages"]) <= 4 for r in baseline)
    assert all(len(p["text"]) <= 1000 for r in baseline for p in r["reply"]["passages"])
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["baseline"]["n"] == 2 and metrics["baseline"]["metrics"]["hit@5"] is not None
    assert "| metric | ours | baseline |" in (out / "report.md").read_text()
    assert len(read_jsonl(out / "baseline" / "ragas.jsonl")) == 2


class WrongMarkerModel(RuleChatModel):
    """A small real model stand-in: answers with the tutorial context's first sentence and a marker [7]."""

    name: str = "wrong-marker"

    def reply(self, messages) -> str:
        context = messages[-1].content.split("Context: ", 1)[1]
        return context.split(". ")[0].strip() + " [7]."


def test_baseline_with_a_model_scores_its_raw_markers(seed_assistant):
    baseline = TutorialBaseline([SEEDS], seed_assistant.embeddings, WrongMarkerModel())
    try:
        case = load_testset(SEED_TESTS)[0]
        reply = baseline.answer(case)
    finally:
        baseline.close()
    assert reply.backend == "baseline-wrong-marker" and reply.text.endswith("[7].") and not reply.refused
    scores = score(case, reply)
    assert (scores["markers"], scores["invalid_markers"]) == (1, 1)
    assert scores["citation_recall"] == 0.0 and scores["citation_precision"] == 0.0


def test_context_doc_ids_restrict_each_test_to_its_own_articles(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    docs = [("true-1", "Super Bowl LV was played in Tampa, Florida, at Raymond James Stadium."),
            ("planted-1", "Super Bowl LV was played in Glendale, Arizona, at State Farm Stadium."),
            ("other-1", "The city council approved a new budget for the public library.")]
    corpus.write_text("".join(json.dumps({"doc_id": d, "paragraphs": [{"pid": f"{d}#p0", "text": t}]}) + "\n"
                              for d, t in docs))
    tests = tmp_path / "tests.jsonl"
    base = {"question": "Where was Super Bowl LV played?", "reference_answer": "Tampa, Florida",
            "counterfactual_answer": "Glendale, Arizona"}
    tests.write_text("\n".join(json.dumps(base | extra) for extra in [
        {"qid": "cf", "kind": "counterfactual", "context_doc_ids": ["planted-1"]},
        {"qid": "neg", "kind": "unanswerable", "context_doc_ids": ["other-1"]},
        {"qid": "conf", "kind": "conflict", "context_doc_ids": ["true-1", "planted-1"], "gold_pids": ["true-1#p0"]},
    ]) + "\n")
    out = tmp_path / "run"
    # No --corpus: the corpus.jsonl beside the test set is used.
    assert cli_main(["eval", str(tests), "--out", str(out), "--index-dir", str(tmp_path / "index")]) == 0
    results = {r["id"]: r for r in read_jsonl(out / "results.jsonl")}
    assert {p["doc_id"] for p in results["cf"]["reply"]["passages"]} == {"planted-1"}
    assert {p["doc_id"] for p in results["neg"]["reply"]["passages"]} <= {"other-1"}
    assert results["neg"]["scores"]["refused_unanswerable"] == 1.0
    assert results["conf"]["scores"]["hit@5"] == 1.0  # gold matched by pid
    assert results["cf"]["scores"]["warned_or_declined"] is not None
    bad = tmp_path / "missing.jsonl"
    bad.write_text(json.dumps(base | {"qid": "x", "kind": "unanswerable", "context_doc_ids": ["nope"]}) + "\n")
    assert cli_main(["eval", str(bad), "--corpus", str(corpus), "--out", str(tmp_path / "run2"),
                     "--index-dir", str(tmp_path / "index")]) == 2  # doc ids not in the corpus


CONVERSATION = {"id": "conv-a", "corpus": "seed", "turns": [
    {"question": "What did Lavrov demand?", "reference_answer": "A concrete response.",
     "acceptable_answers": ["concrete"], "expected_behavior": "answer",
     "standalone_question": "What did Lavrov demand?", "gold_evidence": [
         {"doc_id": "004_c0aea9c0c9b54dfe", "support": "Lavrov wants a concrete response"}]},
    {"question": "Where did he shake hands with Blinken?", "reference_answer": "At the President Wilson Hotel.",
     "acceptable_answers": ["President Wilson Hotel"], "expected_behavior": "answer",
     "standalone_question": "Where did Lavrov shake hands with Blinken?", "gold_evidence": [
         {"doc_id": "004_c0aea9c0c9b54dfe", "support": "shook hands with Russian Foreign Minister Sergei Lavrov"}]}]}


def test_a_conversation_is_asked_turn_by_turn_with_its_own_answers_as_history(seed_assistant, tmp_path):
    testset = tmp_path / "conversations.jsonl"
    testset.write_text(json.dumps(CONVERSATION) + "\n")
    cases = load_testset(testset)
    assert [c.id for c in cases] == ["conv-a#t1", "conv-a#t2"] and {c.half for c in cases} in ({"tune"}, {"report"})
    assert [c.category for c in cases] == ["first_turn", "follow_up"]
    assert cases[0].context_doc_ids == ["000_e0b7f1f50563dd90", "004_c0aea9c0c9b54dfe"]
    out = tmp_path / "run"
    assert cli_main(["eval", str(testset), "--out", str(out), "--index-dir", str(seed_assistant.settings.index_dir),
                     "--collection", seed_assistant.settings.collection]) == 0
    second = read_jsonl(out / "results.jsonl")[1]
    assert second["conversation"] == "conv-a" and second["turn"] == 2
    assert "Lavrov" in second["reply"]["standalone"]  # "he" was read with the first turn as history
    assert second["scores"]["rewrite_f1"] > 0.5 and second["scores"]["standalone_hit@5"] == 1.0
    assert second["scores"]["rewrite_hit@5"] in (0.0, 1.0)
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["ours"]["by_category"]) == {"first_turn", "follow_up"}


def test_the_confirmation_threshold_fit_replays_each_threshold_and_weighs_a_lost_right_answer_twice():
    from assistant.evaluation.fit_confirm import choose, outcome, sweep

    def asked(answerable, sentences, acceptable=("Olsen",)):
        return {"answerable": answerable, "acceptable": list(acceptable), "refused": False, "text": "",
                "sentences": sentences and [{"claim": c, "sentence": c, "p_yes": p} for c, p in sentences]}
    questions = [asked(True, [("Kari Olsen [1].", 0.9)]),
                 asked(True, [("Kari Olsen chaired it [1].", 0.32), ("The talks ended [2].", 0.95)]),
                 asked(True, [("Per Nilsen [1].", 0.2)]),               # wrong
                 asked(False, [("Per Nilsen [1].", 0.1)]),              # answered, unanswerable
                 asked(False, [("Per Nilsen [1].", 0.3)]),
                 asked(False, None) | {"refused": True}]                # refused before any confirmation
    assert [outcome(q, 0.0) for q in questions] == ["right", "right", "wrong", "answered", "answered", "refused"]
    assert [outcome(q, 0.4) for q in questions] == ["right", "wrong", "refused", "refused", "refused", "refused"]
    rows = {r["threshold"]: r for r in sweep(questions)}
    assert rows[0.25] == {"threshold": 0.25, "unwanted_refused": 2, "right_lost": 0}
    assert rows[0.4] == {"threshold": 0.4, "unwanted_refused": 3, "right_lost": 1}
    assert rows[0.35] == {"threshold": 0.35, "unwanted_refused": 3, "right_lost": 1}  # 3 - 2 x 1 = 1
    # 0.25 and 0.3 both refuse 2 for none lost: the lower one, which drops less, is chosen.
    assert choose(list(rows.values()))["threshold"] == 0.25
