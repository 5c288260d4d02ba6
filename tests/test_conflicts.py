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


# Unlike things that once read as disagreements (issue 16), each beside a like pair that still does.
UNLIKE = {
    "pears": "Orchard report\n\nFarmers in Kent picked 90 tonnes of pears this autumn, growers said.",
    "pears-again": "Harvest figures\n\nFarmers in Kent picked 120 tonnes of pears this autumn, the ministry said.",
    "quota": "Fishing talks\n\nMinisters agreed a 4,711-tonne fishing quota and 300 tonnes of cod for Norway.",
    "ashford": "Ashford bridge\n\nAshford Mayor Jane Hill said the new bridge will cost $3 million to build.",
    "ashford-again": "Bridge costs\n\nAshford Mayor Jane Hill said the new bridge will cost $4 million to build.",
    "bexley": "Bexley bridge\n\nBexley Mayor Tom Reed said the new bridge will cost $5 million to build.",
    "johnson": "Trade deal\n\nPrime Minister Boris Johnson said the trade deal was a great success for farmers.",
    "modi": "Trade deal\n\nPrime Minister Narendra Modi said the trade deal was a great success for farmers.",
    # One minister, named two ways; the first article later names her by surname alone, as news style does.
    "olsen": "Budget talks\n\nNorwegian Finance Minister Kari Olsen met union leaders in Oslo on Monday.\n\n"
             "Finance Minister Olsen told reporters the budget would be balanced next year.",
    "nilsen": "Wage round\n\nNorwegian Finance Minister Kari Nilsen met union leaders in Oslo on Monday to "
              "discuss wages.",
}


@pytest.fixture(scope="module")
def unlike(tmp_path_factory):
    from assistant import Assistant

    from conftest import settings_for

    root = tmp_path_factory.mktemp("unlike")
    (root / "articles").mkdir()
    for name, text in UNLIKE.items():
        (root / "articles" / f"{name}.txt").write_text(text, encoding="utf-8")
    assistant = Assistant.from_settings(settings_for(root))
    assistant.add([root / "articles"])
    return assistant


def _conflicts(assistant, question, doc_ids):
    return [c.kind for c in assistant.ask(question, where={"doc_id": {"$in": doc_ids}}).conflicts]


def test_tonnes_of_pears_and_a_fishing_quota_are_not_a_disagreement(unlike):
    assert _conflicts(unlike, "How many tonnes of pears were picked?", ["pears", "quota"]) == []
    assert _conflicts(unlike, "How many tonnes of pears were picked?", ["pears", "pears-again"]) == ["number"]


def test_two_towns_mayors_are_not_a_disagreement(unlike):
    assert _conflicts(unlike, "What will the new bridge cost?", ["ashford", "bexley"]) == []
    assert _conflicts(unlike, "What will the new bridge cost?", ["ashford", "ashford-again"]) == ["claim"]


def test_two_countries_prime_ministers_are_not_a_disagreement(unlike):
    assert _conflicts(unlike, "What did the prime minister say about the trade deal?", ["johnson", "modi"]) == []


@pytest.mark.parametrize("question", ["Who told reporters the budget would be balanced?",
                                      "Which official told reporters the budget would be balanced?"])
def test_an_answer_naming_a_disputed_person_by_surname_flags_the_naming(unlike, question):
    answer = unlike.ask(question, where={"doc_id": {"$in": ["olsen", "nilsen"]}})
    assert "Olsen" in answer.text
    names = [c for c in answer.conflicts if c.kind == "name"]
    assert names and {s.value for s in names[0].sides} == {"Kari Olsen", "Kari Nilsen"}, answer.text


def test_a_question_that_asks_for_the_subject_keeps_subject_conflicts():
    from assistant.mood import asks_for_subject

    # "Which city hosted …": "Beijing hosted …" / "London hosted …" is the disagreement itself (RGB).
    assert [asks_for_subject(q) for q in ("Which city hosted the 2008 Olympics?", "Who won the 2019 US Open?",
                                          "What movie won the Oscar?")] == [True, True, True]
    assert [asks_for_subject(q) for q in ("What will the new bridge cost?", "What did Lavrov demand?",
                                          "How many troops were there?")] == [False, False, False]
