"""Disagreements between the seeds are reported with both sides cited; agreement in other words is not."""
import pytest


def sides_text(answer):
    return [[s.value for s in c.sides] for c in answer.conflicts]


def test_naming_conflict_is_reported_with_both_sides_cited(seed_assistant):
    answer = seed_assistant.ask("What is the name of the Russian foreign minister Blinken met?")
    names = [c for c in answer.conflicts if c.kind == "name"]
    assert names, answer.text
    values = " ".join(s.value for s in names[0].sides)
    assert "Lavrov" in values and "Viklov" in values
    docs = {s.doc_id for s in names[0].sides}
    assert docs == {"000_e0b7f1f50563dd90", "004_c0aea9c0c9b54dfe"}
    cited = {c.marker: c for c in answer.citations}
    for side in names[0].sides:
        assert side.markers and all(cited[m].doc_id == side.doc_id for m in side.markers)
        assert f"[{side.markers[0]}]" in answer.text
    assert "Reuters" in names[0].sides[0].provenance + names[0].sides[1].provenance


def test_question_about_lavrov_also_reads_the_viklov_article(seed_assistant):
    answer = seed_assistant.ask("What did Lavrov demand?")
    docs = {c.doc_id for c in answer.citations} | {p.doc_id for p in answer.retrieved}
    assert "000_e0b7f1f50563dd90" in docs
    assert any(c.kind == "name" for c in answer.conflicts)


def test_the_rewrite_contradicts_itself_on_the_title(seed_assistant):
    answer = seed_assistant.ask("What did Viklov say at the meeting?")
    titles = [c for c in answer.conflicts if c.kind == "title"]
    assert titles and {s.doc_id for s in titles[0].sides} == {"000_e0b7f1f50563dd90"}


def test_how_many_troops_reports_the_differing_numbers(seed_assistant):
    answer = seed_assistant.ask("How many troops has Russia gathered near the Ukrainian border?")
    numbers = [c for c in answer.conflicts if c.kind == "number"]
    assert numbers and {s.doc_id for s in numbers[0].sides} == {"000_e0b7f1f50563dd90", "004_c0aea9c0c9b54dfe"}


def test_same_remark_in_other_words_is_not_a_quote_conflict(seed_assistant):
    # "constructive and useful" (the minister) and "candid" and "useful" (Blinken) are different remarks.
    answer = seed_assistant.ask("How did the Russian minister describe the talks afterwards?")
    assert not [c for c in answer.conflicts if c.kind in ("quote", "claim", "number")]


@pytest.mark.parametrize("question", [
    "On what day and date were the Geneva talks held?",
    "Where did the talks take place?",
    "Which country did Russia send troops to for joint military exercises?",
])
def test_no_false_alarm_when_sources_agree(seed_assistant, question):
    assert seed_assistant.ask(question).conflicts == []
