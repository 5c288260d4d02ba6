"""Time: article dates as dates, `as_of`, relative time words, recency, and one story reported many weeks."""
from __future__ import annotations

import json
from datetime import date

import pytest

from assistant import AssistantError
from assistant.retrieval import same_report
from assistant.timeframe import TimeFrameError, check_as_of, resolve
from index.dates import article_date, day_number, parse_date

from conftest import settings_for

BACKGROUND = ("The city council has debated the harbour bridge for three years, and residents have filed "
              "hundreds of objections to its route across the old docks.")
WEEKS = [  # one running story, reported three weeks over, each with the same background paragraph
    ("2022-03-04", "The harbour bridge repair will cost 40 million euros, the city council said on Friday."),
    ("2022-03-11", "The harbour bridge repair will cost 55 million euros, the city council said on Friday."),
    ("2022-03-18", "The harbour bridge repair will cost 70 million euros, the city council said on Friday."),
]


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """Three dated weekly reports of one story plus an undated article, indexed once."""
    from assistant import Assistant

    folder = tmp_path_factory.mktemp("story")
    lines = [{"doc_id": f"week-{n}", "source": "Harbour Gazette", "title": f"Bridge costs, week {n}",
              "published": day.replace("-", "/"), "paragraphs": [{"pid": f"week-{n}#p1", "text": cost},
                                                                 {"pid": f"week-{n}#p2", "text": BACKGROUND}]}
             for n, (day, cost) in enumerate(WEEKS, start=1)]
    lines.append({"doc_id": "undated", "source": "Harbour Gazette", "title": "Ferry timetable",
                  "paragraphs": [{"pid": "undated#p1", "text": "The harbour ferry now runs every twenty minutes "
                                                               "on weekdays, the operator said."}]})
    corpus = folder / "story.jsonl"
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assistant = Assistant.from_settings(settings_for(folder, collection="story", corpus=(corpus,)))
    assistant.add([corpus])
    return assistant


def test_written_dates_become_iso_days_and_a_missing_part_is_no_date():
    assert [parse_date(t) for t in ("2022/11/01", "2022-11-01T17:01:22+00:00", "Nov 1, 2022", "1 November 2022",
                                    "Tue, 01 Nov 2022 09:00:00 +0000")] == ["2022-11-01"] * 5
    assert [parse_date(t) for t in ("Nov 1", "November 2022", "2022", "14,000 troops", "", None)] == [""] * 6
    assert day_number("1970-01-02") == 1 and day_number("2022-11-01") - day_number("2022-10-31") == 1
    assert article_date(None, "Jan 21", "GENEVA, Jan 21 (Reuters) - They met on Friday.")[1] is True


def test_every_chunk_and_record_carries_its_date_and_an_undated_article_has_no_day(story):
    records = story.hybrid.records
    assert records["week-2"]["date"] == "2022-03-11" and records["week-2"]["day"] == day_number("2022-03-11")
    assert records["undated"]["date"] == "" and "day" not in records["undated"]
    chunk = story.store.get_chunks(["week-3#p1"])[0]
    assert chunk.metadata["day"] == day_number("2022-03-18")


def test_as_of_searches_only_what_was_published_by_then_and_says_so(story):
    answer = story.ask("How much will the harbour bridge repair cost?", as_of="2022-03-12")
    assert answer.text.startswith("As of 2022-03-12: ")
    assert "55 million" in answer.text and "70 million" not in answer.text
    assert {c.doc_id for c in answer.citations} <= {"week-1", "week-2"}
    assert all(p.doc_id in ("week-1", "week-2") for p in answer.retrieved)


def test_latest_without_as_of_reads_now_as_the_newest_article_and_prefers_it(story):
    answer = story.ask("What is the latest cost estimate for the harbour bridge repair?")
    assert answer.text.startswith("As of 2022-03-18 (the newest article in the index): ")
    assert answer.citations[0].doc_id == "week-3" and "70 million" in answer.text


def test_relative_words_are_resolved_against_as_of():
    frame = resolve("What did the council say last week?", "2022-03-18", given=True)
    assert (frame.first, frame.last, frame.expression) == ("2022-03-05", "2022-03-11", "last week")
    assert resolve("Who won in March?", "2022-02-10", given=False).first == "2021-03-01"  # the last March
    assert resolve("What happened yesterday?", "2022-03-18", given=True).first == "2022-03-17"
    assert resolve("Is the bridge still closed?", "2022-03-18", given=False).recent
    assert not resolve("Who built the bridge?", "2022-03-18", given=False).recent
    assert resolve("Who built the bridge?", "2022-03-18", given=True).where() == {"date": {"$lte": "2022-03-18"}}


def test_a_relative_range_filters_and_an_empty_one_refuses_naming_the_range(story):
    answer = story.ask("What did the council say about the bridge cost last week?", as_of="2022-03-19")
    assert not answer.refused and "week-1" not in {c.doc_id for c in answer.citations}  # published before it
    assert {c.doc_id for c in answer.citations} <= {"week-2", "week-3"}  # reported in that week or after
    empty = story.ask("What did the council say about the bridge cost this week?", as_of="2022-04-30")
    assert empty.refused and any("2022-04-24 to 2022-04-30" in n for n in empty.notices)


def test_a_wide_search_filtered_afterwards_finds_what_chromas_filter_finds(story, monkeypatch):
    """On a large archive a filter keeping many chunks is one unfiltered nearest-neighbour search whose hits
    are then filtered (retrieval.WIDE_SEARCH_MIN_CHUNKS); here forced on the small index, it must keep to the
    filter and rank as Chroma's own filter does."""
    import assistant.retrieval as retrieval

    question = "How much will the harbour bridge repair cost?"
    vector = story.embeddings.embed_query(question)
    where = {"date": {"$lte": "2022-03-12"}}
    by_chroma = [p.id for p in story.hybrid.search(question, vector, 4, where)]
    monkeypatch.setattr(retrieval, "WIDE_SEARCH_MIN_CHUNKS", 0)
    assert [p.id for p in story.hybrid.search(question, vector, 4, where)] == by_chroma
    monkeypatch.setattr(story.hybrid, "candidates", 2)  # fewer than the chunks: the cut comes after the filter
    nearest = [d.id for d, _ in story.hybrid._dense(vector, where, story.hybrid.allowed(where))]
    assert len(nearest) == 2 and {i.split("#")[0] for i in nearest} <= {"week-1", "week-2"}


def test_undated_articles_stay_in_unfiltered_questions(story):
    answer = story.ask("How often does the harbour ferry run?")
    assert not answer.refused and answer.citations[0].doc_id == "undated"


def test_a_paragraph_reported_again_is_one_candidate_and_a_changed_figure_is_not(story):
    passages = story.hybrid.search("harbour bridge objections residents council", story.embeddings.embed_query(
        "harbour bridge objections residents council"), k=6)
    assert sum(p.text == BACKGROUND for p in passages) == 1  # three copies, one kept
    assert same_report(BACKGROUND, BACKGROUND.replace("has debated", "had debated"))
    assert not same_report(WEEKS[0][1], WEEKS[1][1])  # 40 vs 55 million: another fact


@pytest.mark.parametrize("bad", ["2022-13-01", "last week", "03/12/2022", 20220312])
def test_a_bad_as_of_is_a_clear_error(story, bad):
    with pytest.raises(AssistantError, match="not a date: write YYYY-MM-DD"):
        story.ask("How much will the bridge cost?", as_of=bad)
    assert check_as_of(date(2022, 3, 12)) == "2022-03-12"
    with pytest.raises(TimeFrameError):
        check_as_of("2022-02-30")


def test_the_cli_takes_as_of(story, capsys):
    from assistant.cli import main

    settings = story.settings
    code = main(["ask", "How much will the harbour bridge repair cost?", "--as-of", "2022-03-05",
                 "--index-dir", str(settings.index_dir), "--collection", settings.collection])
    out = capsys.readouterr().out
    assert code == 0 and "40 million" in out and "As of 2022-03-05" in out
    assert main(["ask", "x", "--as-of", "soon", "--index-dir", str(settings.index_dir),
                 "--collection", settings.collection]) == 2
    assert "not a date" in capsys.readouterr().err


def test_figures_that_changed_week_to_week_are_reported_over_time_not_as_a_disagreement(story):
    answer = story.ask("How much will the harbour bridge repair cost?")
    changes = [c for c in answer.conflicts if c.kind == "over time"]
    assert changes and "The sources disagree" not in answer.text
    assert "Reported differently over time, newest first" in answer.text
    dates = [story.hybrid.records[side.doc_id]["date"] for side in changes[0].sides]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 2
    assert all(side.markers for side in changes[0].sides)


def test_an_index_written_before_dates_were_stored_gets_them_on_its_next_run_without_embedding(tmp_path):
    from assistant import Assistant

    corpus = tmp_path / "one.jsonl"
    corpus.write_text(json.dumps({"doc_id": "old", "source": "Gazette", "published": "2022/03/04",
                                  "paragraphs": [{"pid": "old#p1", "text": WEEKS[0][1]}]}) + "\n", encoding="utf-8")
    assistant = Assistant.from_settings(settings_for(tmp_path, collection="old", corpus=(corpus,)))
    assistant.add([corpus])
    store = assistant.store  # make it look like an index from before: no date fields anywhere
    stale = {"date", "date_inferred", "day"}
    got = store.chunks.get(include=["metadatas", "documents", "embeddings"])
    store.chunks_collection.delete(ids=got["ids"])  # delete and add: an update would merge the old keys in
    store.chunks_collection.add(ids=got["ids"], documents=got["documents"], embeddings=got["embeddings"],
                                metadatas=[{k: v for k, v in m.items() if k not in stale} for m in got["metadatas"]])
    record = {k: v for k, v in store.article_records()["old"].items() if k not in stale}
    store.articles_collection.delete(ids=["old"])
    store.put_article_records({"old": record})
    assistant.refresh()  # reading an old index: dates worked out on the fly; Chroma's day filter not used
    assert assistant.hybrid.records["old"]["date"] == "2022-03-04" and not assistant.hybrid.dated
    assert not assistant.ask("How much will the bridge repair cost?", as_of="2022-03-01").citations
    report = assistant.add([corpus])  # the next run stores them
    assert report.chunks_embedded == 0 and report.unchanged == ["old"]
    assert store.article_records()["old"]["day"] == day_number("2022-03-04") and assistant.hybrid.dated
    assert store.chunks.get(ids=["old#p1"], include=["metadatas"])["metadatas"][0]["date"] == "2022-03-04"
    assert "40 million" in assistant.ask("How much will the bridge repair cost?", as_of="2022-03-05").text
