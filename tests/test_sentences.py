from index.chunking import chunk_article
from index.article import Article, Paragraph
from index.sentences import sentence_spans, split_sentences


def test_sentences_respect_abbreviations_quotes_and_lines():
    text = ("“(Our) proposals are extremely concrete,” Lavrov said. The U.S. envoy met Mr. Smith on Jan. 21. "
            "He left!\nBullet two")
    assert split_sentences(text) == ["“(Our) proposals are extremely concrete,” Lavrov said.",
                                      "The U.S. envoy met Mr. Smith on Jan. 21.", "He left!", "Bullet two"]
    for start, end in sentence_spans(text):
        assert text[start:end] == text[start:end].strip()


def test_long_paragraph_is_split_at_sentences_into_exact_substrings():
    sentence = "The delegations exchanged long written proposals about security in Europe. "
    paragraph = Paragraph("d#p1", 1, (sentence * 40).strip())
    chunks = chunk_article(Article("d", "T", [paragraph]), max_chars=500)
    assert len(chunks) > 1
    assert [c.id for c in chunks][:2] == ["d#p1.1", "d#p1.2"]
    for chunk in chunks:
        meta = chunk.metadata
        assert len(chunk.text) <= 500
        assert paragraph.text[meta["start"]:meta["end"]] == chunk.text
        assert meta["paragraph_text"] == paragraph.text and meta["pid"] == "d#p1"
