"""Questions across articles: outlets and dates route each part to its own articles, parts are answered from
them and composed with each part cited to its own article, a missing part is named, and the seeds'
"How do the two reports differ?" lists the differences with both sides cited. Real Chroma, real embeddings."""
import json

import pytest

from assistant.routing import route
from conftest import settings_for
from standins import RuleChatModel

ARTICLES = [
    {"doc_id": "verge-24", "title": "How Google ranks local results", "source": "news/The Verge",
     "published": "2023-11-24T10:00:00+00:00",
     "paragraphs": [{"pid": "verge-24#p1", "text": "Google ranks local search results by relevance, distance and "
                                                     "prominence, the company said in a court filing."},
                    {"pid": "verge-24#p2", "text": "The filing was made in a federal court in Washington."}]},
    {"doc_id": "verge-01", "title": "Steam Deck OLED review", "source": "news/The Verge",
     "published": "2023-11-01T10:00:00+00:00",
     "paragraphs": [{"pid": "verge-01#p1", "text": "Valve launched the Steam Deck OLED with a larger battery and a "
                                                     "brighter screen."}]},
    {"doc_id": "tc-24", "title": "Publisher sues Google", "source": "news/TechCrunch",
     "published": "2023-11-24T12:00:00+00:00",
     "paragraphs": [{"pid": "tc-24#p1", "text": "A news publisher sued Google in a class action antitrust suit, "
                                                  "saying its practices harmed the revenue of publishers."}]},
    {"doc_id": "fox-health", "title": "Flu season arrives early", "source": "news/FOX News - Health",
     "published": "2023-10-02T08:00:00+00:00",
     "paragraphs": [{"pid": "fox-health#p1", "text": "Doctors expect an early flu season this autumn."}]},
]


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    from assistant import Assistant
    folder = tmp_path_factory.mktemp("multi")
    path = folder / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ARTICLES), encoding="utf-8")
    assistant = Assistant.from_settings(settings_for(folder, collection="multi", corpus=(path,)))
    assistant.add([path])
    return assistant


# --- routing ------------------------------------------------------------------------------------------------
def test_outlets_are_read_from_the_source_metadata_and_matched_fuzzily(news):
    routing = route("Did the Techcrunch article and Fox News Health agree?", news.hybrid.records)
    assert [m.doc_ids for m in routing.mentions] == [["tc-24"], ["fox-health"]]
    # a section's outlet alone names every section of it; a lower-case common word names no outlet
    assert route("What did FOX News say about the verge of a crisis?", news.hybrid.records).mentions[0].doc_ids == \
        ["fox-health"]
    assert len(route("What did FOX News say about the verge of a crisis?", news.hybrid.records).mentions) == 1


def test_a_date_beside_an_outlet_selects_that_days_article(news):
    on_24th = route("What did 'The Verge' on 2023-11-24 report?", news.hybrid.records).mentions[0]
    assert on_24th.doc_ids == ["verge-24"] and on_24th.day == "2023-11-24"
    assert route("The Verge's review published on November 1st", news.hybrid.records).mentions[0].doc_ids == \
        ["verge-01"]
    assert route("What has The Verge reported?", news.hybrid.records).mentions[0].doc_ids == ["verge-01", "verge-24"]


def test_the_other_report_is_every_article_the_named_ones_are_not(news):
    routing = route("Does The Verge say more than the other report?", news.hybrid.records)
    assert routing.mentions[1].doc_ids == ["fox-health", "tc-24"]


def test_an_outlet_the_index_does_not_hold_is_reported(news):
    routing = route("Does the Bloomberg article agree with The Verge?", news.hybrid.records)
    assert routing.unknown == ["Bloomberg"] and routing.mentions[0].label == "The Verge"


def test_each_part_gets_its_own_words():
    records = {a["doc_id"]: {"source": a["source"], "date": a["published"][:10]} for a in ARTICLES}
    question = "Does The Verge say that Google ranks results, while TechCrunch reports Google lost an appeal?"
    parts = route(question, records).parts(question)
    assert [words.strip(" ,") for _, words in parts] == ["say that Google ranks results, while",
                                                          "reports Google lost an appeal?"]
    # a part with nothing of its own but its date shares the next part's words
    question = "Between The Verge on November 1 and TechCrunch on November 24, which covered Google's lawsuit?"
    parts = route(question, records).parts(question)
    assert all(words.endswith("which covered Google's lawsuit?") for _, words in parts)
    assert [m.doc_ids for m, _ in parts] == [["verge-01"], ["tc-24"]]
    question = ("Which company ranks local results according to The Verge and was sued in an antitrust case as "
                "reported by TechCrunch?")
    parts = route(question, records).parts(question)
    assert "ranks local results" in parts[0][1] and "was sued" in parts[1][1]


# --- decompose, answer, compose -----------------------------------------------------------------------------
def test_a_yes_no_comparison_says_yes_first_and_cites_each_part_to_its_own_article(news):
    answer = news.ask("Does The Verge report that Google ranks local search results by relevance, while "
                      "TechCrunch reports that a publisher sued Google in a class action antitrust suit?")
    assert not answer.refused and answer.text.startswith("Yes — The Verge:")
    assert "TechCrunch:" in answer.text
    by_marker = {c.marker: c.doc_id for c in answer.citations}
    assert set(by_marker.values()) == {"verge-24", "tc-24"}
    verge_sentence, techcrunch_sentence = answer.text.split("TechCrunch:")
    assert all(by_marker[int(m)] == "verge-24" for m in __import__("re").findall(r"\[(\d+)\]", verge_sentence))
    assert all(by_marker[int(m)] == "tc-24" for m in __import__("re").findall(r"\[(\d+)\]", techcrunch_sentence))


def test_a_question_asking_which_one_leads_with_the_name_the_parts_share(news):
    answer = news.ask("Which company ranks local search results by relevance according to The Verge, and was "
                      "sued in a class action antitrust suit by a publisher as reported by TechCrunch?")
    assert answer.text.startswith("Google — ") and len({c.doc_id for c in answer.citations}) == 2


def test_a_part_the_articles_do_not_hold_is_named_and_no_verdict_is_guessed(news):
    answer = news.ask("Does The Verge report that Google ranks local search results, while the Bloomberg "
                      "article says Google lost the case?")
    assert answer.refused and not answer.citations
    assert "Bloomberg" in answer.text and not answer.text.startswith(("Yes", "No"))


def test_with_a_model_each_part_s_best_paragraph_is_in_the_prompt(tmp_path):
    from assistant import Assistant
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ARTICLES), encoding="utf-8")
    model = RuleChatModel(text="NOT IN SOURCES")
    assistant = Assistant.from_settings(settings_for(tmp_path, collection="multi", corpus=(path,)), llm=model)
    assistant.add([path])
    answer = assistant.ask("Does The Verge say Valve launched a Steam Deck, while Fox News Health expects an "
                           "early flu season?")
    prompt = " ".join(m.content for m in model.sent[-1])
    assert "Steam Deck OLED" in prompt and "early flu season" in prompt and answer.refused


# --- the seeds: how do the two reports differ? -------------------------------------------------------------
def test_how_the_two_seed_reports_differ_lists_each_difference_with_both_sides_cited(seed_assistant):
    answer = seed_assistant.ask("How do the two reports differ?")
    assert not answer.refused
    kinds = {c.kind: c for c in answer.conflicts}
    assert {"name", "title", "number", "coverage"} <= set(kinds)
    assert {s.value for s in kinds["name"].sides} == {"Sergei Lavrov", "Sergeń≠ Viklov"}
    assert any("100,000" in s.value for s in kinds["number"].sides)
    cited_doc = {c.marker: c.doc_id for c in answer.citations}
    for kind in ("name", "number", "coverage"):  # each side from its own article, its markers citing it
        sides = kinds[kind].sides
        assert len({s.doc_id for s in sides}) == 2
        assert all(s.markers and all(cited_doc[m] == s.doc_id for m in s.markers) for s in sides)
        assert all(f"[{m}]" in answer.text for s in sides for m in s.markers)
    for citation in answer.citations:  # every quote is the cited paragraph's own words
        assert citation.quote and citation.quote in citation.paragraph


def test_a_model_writes_the_sub_questions_and_the_rule_keeps_the_parts_it_leaves_out(tmp_path):
    from assistant import Assistant
    from assistant.multi import Part, from_model_lines

    parts = [Part("The Verge", "rule words one", ["a"]), Part("TechCrunch", "rule words two", ["b"]),
             Part("The Verge", "rule words three", ["c"])]
    from_model_lines("The Verge: Does Google rank results?\nnoise\nThe Verge: Was a filing made?", parts)
    assert [p.question for p in parts] == ["Does Google rank results?", "rule words two", "Was a filing made?"]

    class Splitter(RuleChatModel):
        def reply(self, messages):
            text = messages[-1].content
            if text.startswith("Outlets:"):
                return "The Verge: Did Valve launch a Steam Deck?\nFox News Health: Is the flu season early?"
            return "NOT IN SOURCES"

    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ARTICLES), encoding="utf-8")
    model = Splitter()
    assistant = Assistant.from_settings(settings_for(tmp_path, collection="multi", corpus=(path,)), llm=model)
    assistant.add([path])
    assistant.ask("Does The Verge cover handheld consoles, while Fox News Health covers seasonal illness?")
    decompose, answer = model.sent[0], model.sent[-1]
    assert decompose[-1].content.startswith("Outlets: The Verge, Fox News Health")
    prompt = " ".join(m.content for m in answer)
    assert "Steam Deck OLED" in prompt and "early flu season" in prompt


def test_the_verdict_reads_the_main_clause_and_the_alternatives_offered():
    from assistant.multi import _alternatives, clauses, is_polar, shared_name
    assert is_polar("Between the report of May 1 and the one of June 2, was there a change in tone?")
    assert not is_polar("Which company, recently scrutinized by regulators, is facing charges?")
    assert _alternatives("Did the review agree or disagree with the preview?") == ("agree", "disagree")
    assert clauses("provide incentives to attract new users but also modify their betting odds for awards") == \
        ["provide incentives to attract new users", "modify their betting odds for awards"]
    # the name two parts share, in the longest form their paragraphs give it
    assert shared_name("Who ran the exchange?", [["Bankman-Fried testified on Friday."],
                                                  ["Prosecutors said Bankman-Fried lied."]],
                       ["Sam Bankman-Fried founded the exchange."]) == "Sam Bankman-Fried"
    assert shared_name("Who ran the exchange?", [["Bankman-Fried testified."], ["The jury met on Monday."]]) == ""


def test_one_named_outlet_answers_from_its_own_articles_only(news):
    answer = news.ask("What did TechCrunch report about Google?")
    assert not answer.refused and answer.text.startswith("TechCrunch:")
    assert {c.doc_id for c in answer.citations} == {"tc-24"}
    assert all(p.doc_id == "tc-24" for p in answer.retrieved)


def test_which_report_answers_from_each_article_that_holds_it(seed_assistant):
    answer = seed_assistant.ask("Which report gives a troop number?")
    assert not answer.refused and "100,000 troops" in answer.text
    assert all(c.doc_id and c.quote in c.paragraph for c in answer.citations)


def test_what_one_report_says_that_the_other_does_not_lists_the_differences(seed_assistant):
    answer = seed_assistant.ask("Does the Reuters piece say anything the other report doesn't?")
    coverage = next(c for c in answer.conflicts if c.kind == "coverage")
    assert len({s.doc_id for s in coverage.sides}) == 2 and "Reuters says" in answer.text
