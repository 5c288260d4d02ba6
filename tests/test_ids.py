"""Ids that cannot collide: no article replaces another, a rename is a move, a duplicate is indexed once."""
import json
import shutil

from index.article import Article, Paragraph
from index.ingest import Indexer, verify

from conftest import REUTERS, REWRITE

REUTERS_ID, REWRITE_ID = REUTERS.stem, REWRITE.stem


def _served_texts(assistant, doc_id):
    return [text for _, text, meta in assistant.store.all_chunks() if meta["doc_id"] == doc_id
            and assistant.hybrid.served(meta)]


def _jsonl(path, *articles):
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


def test_the_same_file_name_in_two_folders_keeps_both_articles(fresh, tmp_path):
    for folder, source in (("a", REUTERS), ("b", REWRITE)):
        (tmp_path / folder).mkdir()
        shutil.copy(source, tmp_path / folder / "story.txt")
    assistant = fresh()
    assert assistant.add([tmp_path / "a"]).added == ["story"]
    second = assistant.add([tmp_path / "b"]).added
    assert len(second) == 1 and second[0].startswith("story~")
    assert set(assistant.hybrid.records) == {"story", second[0]} and verify(assistant.store) == []
    assert any("Blinken" in t for t in _served_texts(assistant, "story"))  # the first is not replaced
    assert all(p.startswith(f"{second[0]}#") for p in (m["pid"] for _, _, m in assistant.store.all_chunks()
                                                       if m["doc_id"] == second[0]))


def test_a_rename_and_a_new_file_under_the_old_name_are_two_articles(fresh, corpus_copy):
    assistant = fresh()
    assistant.add([corpus_copy])
    (corpus_copy / REUTERS.name).rename(corpus_copy / "renamed.txt")
    (corpus_copy / REUTERS.name).write_text("Bridge opens\n\nThe mayor opened a bridge on Monday.", encoding="utf-8")
    report = assistant.add([corpus_copy])
    assert not report.skipped and report.updated == [REUTERS_ID] and report.added == ["renamed"]
    assert _served_texts(assistant, REUTERS_ID) == ["The mayor opened a bridge on Monday."]
    assert any("Blinken" in t for t in _served_texts(assistant, "renamed"))  # not lost, not a "duplicate"
    assert verify(assistant.store) == []


def test_a_rename_is_a_move_and_embeds_nothing(fresh, corpus_copy):
    assistant = fresh()
    assistant.add([corpus_copy])
    (corpus_copy / REUTERS.name).rename(corpus_copy / "moved.txt")
    report = assistant.add([corpus_copy], prune=True)
    assert report.chunks_embedded == 0 and not report.removed and REUTERS_ID in report.unchanged
    assert assistant.hybrid.records[REUTERS_ID]["path"].endswith("moved.txt")
    assert verify(assistant.store) == []


def test_a_true_duplicate_is_indexed_once(fresh, corpus_copy):
    (corpus_copy / "sub").mkdir()
    shutil.copy(REUTERS, corpus_copy / "sub" / "copy-of-reuters.txt")
    report = fresh().add([corpus_copy])
    assert sorted(report.added) == sorted([REUTERS_ID, REWRITE_ID])
    assert [s.reason for s in report.skipped] == [f"the same article as {REUTERS_ID!r} (identical content); "
                                                  "indexed once"]


def test_jsonl_paragraph_ids_repeating_across_articles_do_not_collide(fresh, tmp_path):
    path = _jsonl(tmp_path / "a.jsonl",
                  {"doc_id": "one", "title": "One", "paragraphs": [{"pid": "p1", "text": "Pears cost more."}]},
                  {"doc_id": "two", "title": "Two", "paragraphs": [{"pid": "p1", "text": "Fish cost less."}]})
    assistant = fresh()
    assert sorted(assistant.add([path]).added) == ["one", "two"]
    ids = sorted(chunk_id for chunk_id, _, _ in assistant.store.all_chunks())
    assert ids == ["one#p1", "two#p1"] and verify(assistant.store) == []


def test_jsonl_doc_ids_repeating_across_files_and_runs_keep_both(fresh, tmp_path):
    first = _jsonl(tmp_path / "first.jsonl", {"doc_id": "d", "text": "The mayor of Ashford spoke."})
    second = _jsonl(tmp_path / "second.jsonl", {"doc_id": "d", "text": "The mayor of Bexley spoke."})
    assistant = fresh()
    assistant.add([first])
    assistant.add([second])
    texts = sorted(" ".join(_served_texts(assistant, d)) for d in assistant.hybrid.records)
    assert texts == ["The mayor of Ashford spoke.", "The mayor of Bexley spoke."]


def test_gold_paragraph_ids_of_eval_corpora_stay_as_they_are(fresh, tmp_path):
    path = _jsonl(tmp_path / "c.jsonl", {"doc_id": "rtqa-1", "paragraphs": [
        {"pid": "rtqa-1#p0", "text": "Purple flags warn of sharks."}, {"pid": "rtqa-1#p1", "text": "More."}]})
    assistant = fresh()
    assistant.add([path])
    assert sorted(i for i, _, _ in assistant.store.all_chunks()) == ["rtqa-1#p0", "rtqa-1#p1"]


def test_an_index_with_bare_jsonl_pids_migrates_without_re_embedding(fresh, tmp_path):
    path = _jsonl(tmp_path / "old.jsonl", {"doc_id": "old", "title": "Old", "paragraphs": [
        {"pid": "p1", "text": "Talks resumed in Geneva."}, {"pid": "p2", "text": "Nobody agreed."}]})
    assistant = fresh()
    old_style = Article("old", "Old", [Paragraph("p1", 1, "Talks resumed in Geneva."),
                                       Paragraph("p2", 2, "Nobody agreed.")], path=str(path))
    Indexer(assistant.store, assistant.embeddings).restore([old_style])  # as the indexer before ids were namespaced
    report = assistant.add([path])
    assert report.updated == ["old"] and report.chunks_embedded == 0
    assert sorted(i for i, _, _ in assistant.store.all_chunks()) == ["old#p1", "old#p2"]
    assert verify(assistant.store) == []
