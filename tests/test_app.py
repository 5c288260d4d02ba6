"""The Gradio door without a browser: HTML rendering, upload checks, the login rule, and ChatUI on the real core."""
import html
import ipaddress
import json
import os
import re
import sys
import threading
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from app import build_parser, launch_options, login_for
from assistant import Assistant, AssistantError
from assistant.answer import Answer, Citation, Conflict, ConflictSide, Passage
from assistant.cli import where_from
from assistant.filters import allowed_doc_ids, matches, needs_lead, with_dates
from index.dates import infer_year, parse_date
from assistant.ui import (
    ChatUI,
    Exchange,
    IndexLock,
    UploadRefused,
    footnoted,
    highlight,
    outside_the_articles,
    render_answer,
    render_articles,
    render_chat,
    render_question,
    render_sources,
    restored,
    safe_name,
    saved_form,
    store_upload,
    strip_datelines,
    where_for,
)

from standins import RuleChatModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))  # scripts, not a package
import load_test  # noqa: E402

PARAGRAPH = "Lavrov said <b>nothing</b> & then he wants a concrete response to security demands."
QUOTE = "he wants a concrete response to security demands"


def citation(marker=1, paragraph=PARAGRAPH, quote=QUOTE, **fields) -> Citation:
    start = paragraph.find(quote)
    values = dict(marker=marker, paragraph_id=f"doc#p{marker}", doc_id="doc", title="Talks <i>start</i>",
                  source="Reuters", published="2022-01-21", paragraph=paragraph, quote=quote,
                  quote_start=start, quote_end=start + len(quote), paragraph_number=marker)
    return Citation(**(values | fields))


def answer(text="He wants a concrete response [1]. Also <script>alert(1)</script> [2].", **fields) -> Answer:
    values = dict(question="What did <b>Lavrov</b> demand?", text=text, citations=[citation()],
                  retrieved=[Passage(id="doc#p9", doc_id="doc", text="Other <img src=x> text", source="AP",
                                     title="Other", paragraph_number=9)],
                  backend="extractive", timings={"retrieve": 120.4, "generate": 8.0})
    return Answer(**(values | fields))


def test_answer_links_cited_markers_only_and_escapes_text():
    html = render_answer(answer(), number=3)
    assert '<a class="cite" href="#cite-3-1"' in html
    assert "[2]" in html and "#cite-3-2" not in html  # no citation behind [2]: no link
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_meta_line_names_backend_and_stage_timings():
    html = render_answer(answer(), number=0)
    meta = re.search(r'<div class="meta">(.*?)</div>', html).group(1)
    assert meta == "extractive · retrieve 120 ms · generate 8 ms"
    final = answer(timings={"retrieve": 1.0, "total": 1234.5})
    assert '<div class="meta done">extractive · retrieve 1 ms · total 1,234 ms</div>' in render_answer(final, 0)


def test_refusal_is_styled_as_one_and_claims_no_source():
    refused = answer(text="The articles don't say.", citations=[], refused=True)
    html = render_answer(refused, number=0)
    assert html.startswith('<div class="refusal">') and "cite" not in html
    panel = render_sources([Exchange("q", refused)])
    assert "No source is claimed" in panel and "<mark>" not in panel and 'class="cited"' not in panel


def test_highlight_marks_the_quote_and_does_not_trust_bad_offsets():
    start = PARAGRAPH.find(QUOTE)
    good = highlight(PARAGRAPH, QUOTE, start, start + len(QUOTE))
    assert good == ("Lavrov said &lt;b&gt;nothing&lt;/b&gt; &amp; then <mark>" + QUOTE + "</mark>.")
    assert highlight(PARAGRAPH, QUOTE, 0, 5) == good  # wrong offsets: the quote is found again
    assert "<mark>" not in highlight(PARAGRAPH, "not in the paragraph", 0, 5)


def test_sources_panel_shows_the_selected_answers_citation_with_uncited_folded_away():
    first = answer()
    second = answer(text="Blinken met Viklov [1].", citations=[citation(paragraph="Blinken met Viklov.",
                                                                       quote="Blinken met Viklov")])
    exchanges = [Exchange("first", first), Exchange("second", second)]
    latest = render_sources(exchanges)
    assert 'data-answer="1"' in latest and "<mark>Blinken met Viklov</mark>" in latest
    older = render_sources(exchanges, number=0, marker=1)
    assert 'data-answer="0"' in older and f"<mark>{QUOTE}</mark>" in older
    assert '<li class="source selected" id="source-0-1"' in older
    assert "Reuters, “Talks &lt;i&gt;start&lt;/i&gt;”, 2022-01-21, ¶1" in older  # outlet, title, date, ¶n
    folded = re.search(r'<details class="uncited">.*</details>', older).group(0)
    assert "Other &lt;img src=x&gt; text" in folded and "<img" not in older


def test_conflict_note_shows_each_side_with_its_citations_and_provenance():
    conflict = Conflict("name", "The articles name Russia's foreign minister differently.",
                        [ConflictSide("Lavrov", [1], "a", "Reuters, Geneva, Jan 21"),
                         ConflictSide("Viklov", [2], "b", "Nick Ciolino <staff>")])
    both = answer(citations=[citation(1), citation(2)], conflicts=[conflict])
    panel = render_sources([Exchange("q", both)])
    note = re.search(r'<div class="conflict">.*?</ul></div>', panel).group(0)
    assert "<b>Lavrov</b>" in note and "#cite-0-1" in note and "Reuters, Geneva, Jan 21" in note
    assert "<b>Viklov</b>" in note and "#cite-0-2" in note and "Nick Ciolino &lt;staff&gt;" in note
    assert "conflict-flag" in render_answer(both, 0)


def test_chat_keeps_each_answers_own_number_and_escapes_questions():
    messages = render_chat([Exchange("<script>x</script>", answer()), Exchange("next", answer()),
                            Exchange("bad", error="The question is empty")])
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3
    assert messages[0]["content"] == "&lt;script&gt;x&lt;/script&gt;"
    assert "#cite-0-1" in messages[1]["content"] and "#cite-1-1" in messages[3]["content"]
    assert messages[5]["content"] == '<div class="error">The question is empty</div>'


def test_articles_table_escapes_titles():
    html = render_articles([{"doc_id": "d", "title": "<script>x</script>", "source": "AP", "n_paragraphs": 4}])
    assert "&lt;script&gt;" in html and "<script>" not in html and "<td class='count'>4</td>" in html


@pytest.mark.parametrize("name, expected", [("report.txt", "report.txt"), ("../../etc/cron.d/x.md", "x.md"),
                                            ("..\\..\\evil.html", "evil.html"), (".hidden.jsonl", "hidden.jsonl"),
                                            ("a b<c>.TXT", "a_b_c_.TXT")])
def test_safe_name_keeps_only_a_clean_base_name(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["../../etc/passwd", "run.exe", "archive.tar.gz", ".txt", "..", ""])
def test_safe_name_refuses_other_types(name):
    with pytest.raises(UploadRefused):
        safe_name(name)


def test_store_upload_copies_into_the_uploads_folder_and_caps_size(tmp_path):
    upload = tmp_path / "incoming" / "story.md"
    upload.parent.mkdir()
    upload.write_text("# Title\n\nBody.", encoding="utf-8")
    stored = store_upload(upload, tmp_path / "uploads")
    assert stored == tmp_path / "uploads" / "story.md" and stored.read_text(encoding="utf-8") == "# Title\n\nBody."
    with pytest.raises(UploadRefused, match="too large"):
        store_upload(upload, tmp_path / "uploads", max_bytes=5)


def test_login_is_needed_for_anything_but_loopback():
    assert login_for("127.0.0.1", expose=False, environ={}) is None
    assert login_for("::1", expose=False, environ={}) is None
    with pytest.raises(ValueError, match="--expose"):
        login_for("example.org", expose=False, environ={})
    with pytest.raises(ValueError, match="--expose"):
        login_for("0.0.0.0", expose=False, environ={"ASSISTANT_UI_USER": "u", "ASSISTANT_UI_PASSWORD": "p"})
    with pytest.raises(ValueError, match="ASSISTANT_UI_PASSWORD"):
        login_for("0.0.0.0", expose=True, environ={"ASSISTANT_UI_USER": "u"})
    login = {"ASSISTANT_UI_USER": "u", "ASSISTANT_UI_PASSWORD": "p"}
    assert login_for("0.0.0.0", expose=True, environ=login) == ("u", "p")


def test_chat_ui_uploads_refuses_bad_files_and_answers_with_sources(fresh, tmp_path):
    ui = ChatUI(fresh(), uploads_dir=tmp_path / "uploads")
    *_, (_, _, _, panel) = ui.respond("What did Lavrov demand?", [])
    assert "Sources of the answer appear here" in panel  # empty index: no answer, so no sources
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "geneva.txt").write_text("Talks in Geneva\n\nLavrov demanded written security guarantees from "
                                       "Washington before the talks.\n\nBlinken said the talks were useful.",
                                       encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "tool.exe").write_bytes(b"MZ")
    report, table = ui.upload([str(folder / n) for n in ("geneva.txt", "empty.txt", "tool.exe")])
    assert "Added 1" in report and "empty.txt: empty file" in report and "tool.exe: unsupported" in report
    assert "Talks in Geneva" in table and sorted(p.name for p in (tmp_path / "uploads").iterdir()) == [
        "empty.txt", "geneva.txt"]
    report, _ = ui.upload([str(folder / "tool.exe")])
    assert "Nothing was indexed." in report and "tool.exe: unsupported" in report
    *_, (_, messages, state, panel) = ui.respond("What did Lavrov demand?", [])
    assert "#cite-0-1" in messages[-1]["content"] and state[0].answer.citations
    assert "<mark>" in panel and "guarantees" in panel


class QuotingModel(RuleChatModel):
    """A stand-in model that streams, word by word, the first line of sources [1] and [2], each with its marker."""

    name: str = "quoting"

    def reply(self, messages) -> str:
        sources = re.findall(r"^\[(\d)\] ([^\n]+)", messages[-1].content, re.M)[:2]
        return " ".join(f"{line.rstrip('.')} [{n}]." for n, line in sources)


def test_answers_stream_into_the_chat(seed_assistant):
    streaming = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, QuotingModel())
    steps = list(ChatUI(streaming).respond("What did Lavrov demand?", []))
    replies = [messages[-1]["content"] for _, messages, _, _ in steps]
    assert "Searching the articles" in replies[0] and len(replies) >= 3  # pending, partial, final
    assert "#cite-0-1" in replies[1] and "meta done" not in replies[1]
    assert "meta done" in replies[-1] and "quoting" in replies[-1]


# --- answers at once, uploads alone ---------------------------------------------------------------------------
def enter_in_thread(context, entered: list, name: str) -> threading.Thread:
    """Enter `context` on a thread, note `name`, leave: the thread stays alive while it waits to enter."""
    def work():
        with context:
            entered.append(name)
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_index_lock_lets_answers_overlap_and_gives_an_upload_the_index_alone():
    lock, entered = IndexLock(), []
    answer = lock.answering()
    answer.__enter__()  # an answer being written
    enter_in_thread(lock.answering(), entered, "second answer").join(5)
    assert entered == ["second answer"]  # answers overlap
    upload = enter_in_thread(lock.indexing(), entered, "upload")
    upload.join(0.5)
    assert upload.is_alive() and entered == ["second answer"]  # the upload waits for the answer under way
    late = enter_in_thread(lock.answering(), entered, "late answer")
    late.join(0.5)
    assert late.is_alive()  # and a waiting upload goes before answers asked after it
    answer.__exit__(None, None, None)
    upload.join(5)
    late.join(5)
    assert entered == ["second answer", "upload", "late answer"]


def test_an_answer_left_half_way_frees_the_index_for_uploads(seed_assistant):
    ui, entered = ChatUI(seed_assistant), []
    steps = ui.respond("What did Lavrov demand?", [])
    next(steps)  # "Searching the articles…"
    next(steps)  # the answer is shown: its generator holds the index
    upload = enter_in_thread(ui.index_lock.indexing(), entered, "upload")
    upload.join(0.5)
    assert upload.is_alive()
    steps.close()  # what Gradio does when the user leaves
    upload.join(5)
    assert entered == ["upload"]


# --- the filter row -------------------------------------------------------------------------------------------
def test_filter_row_builds_the_clis_where_and_refuses_what_is_not_a_real_date():
    assert where_for() is None and where_for([], " ", "") is None
    assert where_for(["Reuters"]) == {"source": {"$in": ["Reuters"]}}
    assert where_for(["AP", "Reuters"], "2022-01", " 2024-02 ") == {"$and": [
        {"source": {"$in": ["AP", "Reuters"]}}, {"date": {"$gte": "2022-01-01"}},
        {"date": {"$lte": "2024-02-29"}}]}  # a month ends on its last day (a leap year here)
    assert where_for(["AP"]) == where_from(SimpleNamespace(source=["AP"], doc=None, since=None, until=None))
    for date in ("last week", "21/01/2022", "2022-1-5", "2022-13-45", "2022-02-30"):
        with pytest.raises(AssistantError, match="not a real date: write YYYY-MM-DD"):
            where_for(until=date)
    with pytest.raises(AssistantError, match="after 'until'.*swap them"):
        where_for(since="2022-03-01", until="2022-02")


def test_article_dates_are_read_in_common_forms_and_a_missing_year_comes_from_the_weekday():
    assert [parse_date(t) for t in ("2022-01-21T10:00:00Z", "Jan 21, 2022", "21 January 2022",
                                    "Fri, 21 Jan 2022 10:00:00 +0000", "Jan 21", "")] == [
        "2022-01-21"] * 4 + ["", ""]
    lead = "GENEVA, Jan 21 (Reuters) – Diplomats met in talks on Friday."
    assert infer_year("Jan 21", lead, today=date(2026, 12, 2)) == "2022-01-21"  # the latest Friday Jan 21
    assert infer_year("Jan 21", lead, today=date(2021, 12, 2)) == "2011-01-21"  # none later than today
    assert infer_year("Jan 21", "Diplomats met.") == ""  # no weekday: no guess
    records = {"a": {"published": "2022-03-10"}, "b": {"dateline_date": "Jan 21"}, "c": {}}
    assert [needs_lead(r) for r in records.values()] == [False, True, False]
    records = with_dates(records, {"b": lead})
    assert [(r["date"], r["date_inferred"]) for r in records.values()] == [
        ("2022-03-10", False), (records["b"]["date"], True), ("", False)]
    undated = {"doc_id": "c", "date": ""}  # matches no date range, whichever end is given
    assert not matches(where_for(since="2022"), undated) and not matches(where_for(until="2021"), undated)


def test_published_since_keeps_the_reuters_seed_of_jan_21_2022_and_until_2021_drops_it(seed_assistant):
    records = seed_assistant.hybrid.records
    reuters = records["004_c0aea9c0c9b54dfe"]
    assert (reuters["date"], reuters["date_inferred"]) == ("2022-01-21", True)
    assert "004_c0aea9c0c9b54dfe" in allowed_doc_ids(where_for(since="2022-01-01"), records)
    assert "004_c0aea9c0c9b54dfe" not in allowed_doc_ids(where_for(until="2021-12-31"), records)
    table = render_articles(seed_assistant.articles())
    assert "21 Jan 2022 (year inferred from the weekday)" in table and "Reuters" in table
    assert "unknown outlet" in table and "undated" in table  # the rewrite names no outlet and no date


def two_outlets(folder: Path) -> Path:
    """Two articles in which Lavrov demands different things: Reuters in January, AP in March 2022."""
    rows = [{"doc_id": "geneva", "title": "Talks in Geneva", "source": "Reuters", "published": "2022-01-21",
             "text": "Lavrov demanded written security guarantees from Washington at the talks in Geneva.\n\n"
                     "Blinken said the talks were useful."},
            {"doc_id": "antalya", "title": "Talks in Antalya", "source": "AP", "published": "2022-03-10",
             "text": "Lavrov demanded an end to Western sanctions at the talks in Antalya.\n\n"
                     "Kuleba said no progress was made."}]
    path = folder / "two.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    return path


def final_answer(ui: ChatUI, *filters):
    """(question box, the last exchange) once the answer to "What did Lavrov demand?" is complete."""
    *_, (box, _, state, _) = ui.respond("What did Lavrov demand?", [], *filters)
    return box, state[-1]


def test_filter_row_limits_answers_to_the_chosen_outlets_and_dates(fresh, tmp_path):
    assistant = fresh()
    assistant.add([two_outlets(tmp_path)])
    ui = ChatUI(assistant, uploads_dir=tmp_path / "uploads")
    assert ui.outlets() == ["AP", "Reuters"]

    _, ap = final_answer(ui, ["AP"])
    assert "sanctions" in ap.answer.text and {c.source for c in ap.answer.citations} == {"AP"}
    _, january = final_answer(ui, [], "2022-01-01", "2022-01")
    assert "guarantees" in january.answer.text and {c.doc_id for c in january.answer.citations} == {"geneva"}

    box, none_left = final_answer(ui, ["AP"], "", "2022-02-28")
    assert "No indexed article matches the filters" in none_left.error and box == "What did Lavrov demand?"
    _, bad_date = final_answer(ui, None, "yesterday")
    assert "'since' date 'yesterday' is not a real date" in bad_date.error and bad_date.answer is None


# --- disagreements, copy, regenerate, whole articles ----------------------------------------------------------
LAVROV = "What did Lavrov demand?"


def test_a_disagreement_is_one_line_in_the_answer_with_the_full_note_among_the_sources(seed_assistant):
    ui = ChatUI(seed_assistant)
    *_, (_, messages, state, panel) = ui.respond(LAVROV, [])
    answer = state[0].answer
    assert answer.conflicts and "The sources disagree." in answer.text  # the core's text keeps the note (CLI)
    reply = messages[-1]["content"]
    shown = re.search(r'<div class="answer">(.*?)</div>', reply).group(1)
    assert "disagree" not in shown and answer.conflicts[0].description not in shown
    flag = re.search(r'<div class="conflict-flag">(.*?)</div>', reply).group(1)
    assert flag.startswith("⚠ The sources disagree: the articles name") and "#cite-0-" in flag
    assert "beside the chat" not in reply
    assert '<div class="conflict">' in panel and "Lavrov" in panel and "Viklov" in panel  # the full note
    drawer = re.search(r'<details class="drawer">.*?</details>', reply, re.S).group(0)  # beside it on a phone
    assert '<div class="conflict">' in drawer and "<mark>" in drawer

    *_, (_, messages, state, _) = ui.respond("And what did he say after the talks?", state)
    later = messages[-1]["content"]
    if state[1].answer.conflicts:  # shown once already: referred to, not repeated
        assert "As noted above, the articles name" in later and "The sources disagree" not in later


def test_answers_are_shown_without_datelines_and_long_questions_are_cut():
    assert strip_datelines("PORT HALDEN, March 3 (Coastal Ledger) – The port reopened [1].") == \
        "The port reopened [1]."
    assert strip_datelines("Talks ended [1]. GENEVA (Reuters) - Diplomats left [2].") == \
        "Talks ended [1]. Diplomats left [2]."
    unchanged = "NATO – the alliance – met [1]."  # a capitalised word and a dash, but no date and no outlet
    assert strip_datelines(unchanged) == unchanged
    shown = render_question("x" * 3000)
    assert len(shown) < 400 and "3,000 characters" in shown


def test_copy_gives_the_answer_with_its_sources_as_footnotes():
    cited = answer(text="PARIS, May 2 (AP) – He wants a concrete response [1].",
                   citations=[citation(url="https://example.org/a")])
    text = footnoted(cited)
    assert text.startswith("He wants a concrete response [1].\n\n[1] Reuters, “Talks <i>start</i>”")
    assert f"“{QUOTE}” https://example.org/a" in text
    assert 'class="copy-text">He wants' in render_answer(cited, 0)  # carried, escaped, for the Copy link


def test_regenerate_replaces_the_last_answer_and_a_cited_article_opens_whole(seed_assistant):
    ui = ChatUI(seed_assistant)
    *_, (_, _, state, _) = ui.respond(LAVROV, [])
    *_, (typed, messages, again, _) = ui.regenerate(state, ["Reuters"], typed="Who did")
    assert typed == "Who did"  # a question being typed is left alone
    assert len(again) == 1 and again[0].question == LAVROV and again[0].filters == "outlets: Reuters"
    assert {c.source for c in again[0].answer.citations} == {"Reuters"}
    assert "Filters: outlets: Reuters" in messages[-1]["content"]  # under the answer it shaped
    cited = again[0].answer.citations[0]
    view = ui.select(again, 0, cited.marker, "article")
    assert view.count('class="paragraph') >= 10 and "Chatham House" in view  # the whole article
    selected = re.search(r'<p class="paragraph cited selected">(.*?)</p>', view, re.S).group(1)
    assert f"<mark>{html.escape(cited.quote, quote=True)}</mark>" in selected
    assert "#cite-0-" in view and "Reuters, 21 Jan 2022" in view  # the way back; outlet and date


def test_stop_marks_the_answer_being_written_and_leaves_finished_ones_alone(seed_assistant):
    ui = ChatUI(seed_assistant)
    steps = ui.respond(LAVROV, [])
    _, _, state, _ = next(steps)  # "Searching the articles…": Stop pressed now
    steps.close()  # what Gradio's cancel does to the stream
    messages, stopped, _ = ui.stop(state)
    assert stopped[0].stopped and messages[-1]["content"] == '<div class="error">Stopped.</div>'
    *_, (_, _, done, _) = ui.respond(LAVROV, [])
    assert not ui.stop(done)[1][0].stopped  # a finished answer is not marked


def test_small_talk_gets_what_the_assistant_does_and_questions_from_the_headlines(fresh, tmp_path):
    assistant = fresh()
    assistant.add([two_outlets(tmp_path)])
    ui = ChatUI(assistant, uploads_dir=tmp_path / "uploads")
    vocabulary = ui.vocabulary()
    assert outside_the_articles("hi", vocabulary) and outside_the_articles("write me a poem", vocabulary)
    assert not outside_the_articles("What did Lavrov demand in Geneva?", vocabulary)
    for question in ("hi", "write me a poem"):
        *_, (_, messages, state, _) = ui.respond(question, [])
        reply = messages[-1]["content"]
        assert reply.startswith('<div class="small-talk">I answer questions about the indexed news articles')
        assert "“Talks in Geneva”" in reply and "“Talks in Antalya”" in reply  # not the seeds' fixed questions
        assert "don&#x27;t say" not in reply and state[-1].answer is None


def test_removing_an_article_takes_it_out_of_store_lexical_index_and_records(fresh, tmp_path):
    assistant = fresh()
    assistant.add([two_outlets(tmp_path)])
    ui = ChatUI(assistant, uploads_dir=tmp_path / "uploads")
    report, table = ui.remove(["geneva"])
    assert "Removed 1 article: geneva" in report and "Talks in Geneva" not in table and "Talks in Antalya" in table
    assert assistant.check() == [] and set(assistant.hybrid.records) == {"antalya"}
    assert assistant.store.chunk_ids_of(["geneva"]) == [] and assistant.hybrid.lexical.chunk_ids_of(["geneva"]) == []
    assert {c.doc_id for c in assistant.ask("What did Lavrov demand in Geneva?").citations} <= {"antalya"}
    assert "Choose an article" in ui.remove([])[0]


def test_the_as_of_field_reaches_the_core_and_a_bad_day_is_said_in_the_chat(seed_assistant):
    ui = ChatUI(seed_assistant)
    *_, (_, messages, state, _) = ui.respond("How many troops does Russia currently have near the border?", [],
                                             None, "", "", "2022-01-25")
    assert state[0].answer.text.startswith("As of 2022-01-25: ") and "as of 2022-01-25" in state[0].filters
    *_, (box, _, state, _) = ui.respond("How many troops?", [], None, "", "", "next Friday")
    assert box == "How many troops?" and "not a date: write YYYY-MM-DD" in state[0].error


def test_a_saved_conversation_and_its_filters_come_back_after_a_reload(seed_assistant):
    ui = ChatUI(seed_assistant)
    *_, (_, messages, state, _) = ui.respond(LAVROV, [], ["Reuters"], "2022")
    saved = json.loads(json.dumps(ui.save(state, ["Reuters"], "2022", "", "2022-02-01")))  # localStorage's copy
    exchanges, chat, panel, outlets, since, until, as_of = ui.restore(saved)
    assert chat == messages and (outlets, since, until, as_of) == (["Reuters"], "2022", "", "2022-02-01")
    assert exchanges[0].answer.citations == state[0].answer.citations and "<mark>" in panel
    assert restored([{"bad": 1}, "junk"]) == [] and ui.restore(None)[0] == []
    assert ui.restore({}, ["Reuters"], "2021")[3:] == (["Reuters"], "2021", "", "")  # nothing kept: filters stay
    assert saved_form(ui.clear()[0]) == [] and ui.clear()[4:] == ([], "", "", "")  # New chat clears filters too
    assert len(saved_form(state * 60)) == 50  # a long conversation keeps its latest exchanges


# --- no share link, no telemetry, no outside connection ------------------------------------------------------
def test_app_builds_with_no_share_link_and_no_analytics(fresh):
    import gradio.analytics

    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"  # importing assistant set it (index/offline.py)
    ui = ChatUI(fresh())
    assert ui.build().analytics_enabled is False and gradio.analytics.analytics_enabled() is False
    options = ui.launch_options(**launch_options(build_parser().parse_args([]), None))
    assert options["share"] is False and options["server_name"] == "127.0.0.1" and options["auth"] is None
    assert ui.launch_options(share=True)["share"] is False  # no caller can turn a share link on


def peers_of(pid: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The remote address of every TCP socket process `pid` holds, listening ones aside (/proc/net/tcp*)."""
    fds = Path(f"/proc/{pid}/fd")
    inodes = {os.readlink(fd)[8:-1] for fd in fds.iterdir() if os.readlink(fd).startswith("socket:[")}
    peers = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            _, _, remote, state, *rest = line.split()
            if rest[5] in inodes and state != "0A":  # 0A: LISTEN
                raw = bytes.fromhex(remote.split(":")[0])  # the kernel writes each 32-bit word little-endian
                peers.append(ipaddress.ip_address(b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))))
    return peers


def loopback(address) -> bool:
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback  # ::ffff:127.0.0.1 too


def is_local(address) -> bool:
    """Loopback, or no peer at all (0.0.0.0 / ::, a socket not connected)."""
    return loopback(address) or (getattr(address, "ipv4_mapped", None) or address).is_unspecified


@pytest.mark.slow
def test_the_running_app_connects_to_nothing_outside_the_machine(tmp_path):
    with load_test.serve_app(tmp_path / "index", tmp_path / "app.log", "extractive") as app:
        client = load_test.connect(app.url)
        try:
            _, chat, _ = client.predict("What did Lavrov demand?", api_name="/respond")
            assert "concrete" in load_test.reply_of(chat)
            peers = peers_of(app.process.pid)  # while our client is still connected
        finally:
            client.close()
    assert any(loopback(peer) for peer in peers)  # the connection of our own client: the reading works
    assert [peer for peer in peers if not is_local(peer)] == []
