"""Hostile content: huge paragraphs, text without punctuation, fields of the wrong type, injected orders."""
import json

from conftest import settings_for  # noqa: F401  (the shared fixtures live there)


def test_a_jsonl_field_of_the_wrong_type_is_refused_with_the_fix(fresh, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps({"doc_id": "bad", "source": ["a", "b"], "text": "Some text."}) + "\n"
                    + json.dumps({"doc_id": "good", "source": "Reuters", "text": "Other text."}) + "\n",
                    encoding="utf-8")
    assistant = fresh()
    report = assistant.add([path])
    assert report.added == ["good"]
    assert [s.reason for s in report.skipped] == ['article bad: `source` must be text, not list '
                                                  '(e.g. "source": "Reuters")']
    assert assistant.retriever.records["good"]["source"] == "Reuters"


def test_a_long_paragraph_is_stored_once_and_cited_whole(fresh, tmp_path):
    sentence = "Delegates in Geneva debated the grain corridor for hours without a result. "
    paragraph = (sentence * 300).strip() + " The pear harvest reached 90 tonnes."
    (tmp_path / "long.txt").write_text(f"Long read\n\n{paragraph}\n\nA short closing paragraph.", encoding="utf-8")
    assistant = fresh()
    assistant.add([tmp_path / "long.txt"])
    stored = [(text, meta) for _, text, meta in assistant.store.all_chunks() if meta["paragraph"] == 1]
    assert len(stored) > 10 and sum(len(t) for t, _ in stored) <= len(paragraph)  # no piece holds a copy
    answer = assistant.ask("How large was the pear harvest?")
    cited = [c for c in answer.citations if "90 tonnes" in c.quote]
    assert cited and cited[0].paragraph == paragraph  # the whole paragraph, rebuilt from its pieces
