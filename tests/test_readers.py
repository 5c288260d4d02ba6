import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from index.article import Article, Skipped
from index.readers import parse_plain_text, read_path

from conftest import REUTERS, REWRITE


def only(path: Path):
    items = list(read_path(path))
    assert len(items) == 1, items
    return items[0]


def test_reuters_seed_is_parsed_with_metadata_and_without_boilerplate():
    article = only(REUTERS)
    assert article.doc_id == "004_c0aea9c0c9b54dfe"
    assert article.title == "U.S. and Russia expect no breakthrough as Ukraine talks start"
    assert article.source == "Reuters"
    assert (article.dateline_place, article.dateline_date) == ("Geneva", "Jan 21")
    assert article.byline == "Paul Carrel"  # "Written by Paul Carrel", not the first name of "Information from"
    assert article.credits[0].startswith("Information from Simon Lewis")
    texts = [p.text for p in article.paragraphs]
    assert len(texts) == 20  # bullet summary + 19 body paragraphs
    assert texts[0].startswith("Blinken and Lavrov say they don’t expect any breakthrough\nLavrov wants")
    assert texts[1].startswith("GENEVA, Jan 21 (Reuters) – Top Russian")
    joined = "\n".join(texts)
    for junk in ("Sign up now", "read more", "Leave a Comment", "Trust Principles", "Information from"):
        assert junk not in joined
    assert texts[7].endswith("Moscow would pay for it. very expensive.")
    assert len(article.dropped_lines) == 6
    assert [p.pid for p in article.paragraphs[:2]] == ["004_c0aea9c0c9b54dfe#p1", "004_c0aea9c0c9b54dfe#p2"]


def test_rewrite_seed_keeps_its_garbled_name_and_moves_credits_out_of_the_body():
    article = only(REWRITE)
    assert article.title.startswith("There is no breakthrough in negotiations")
    assert article.source is None  # the text never says which outlet published it
    assert len(article.paragraphs) == 18
    assert "Sergeń≠ Viklov" in article.paragraphs[0].text
    assert article.byline == "Nick Ciolino"
    assert article.credits == ["The Associated Press contributed to this report.", "Nick Ciolino",
                               "Nick Ciolino covers the White House."]


def test_markdown_article(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Talks in Geneva\n\nThe **talks** began [on Friday](http://x).\n\n## Background\n\n"
                    "NATO rejected the demands.\n", encoding="utf-8")
    article = only(path)
    assert article.title == "Talks in Geneva"
    assert [p.text for p in article.paragraphs] == ["The talks began on Friday.", "NATO rejected the demands."]


def test_html_article_body_and_metadata(tmp_path):
    filler = " ".join(["The delegations met for ninety minutes and exchanged written proposals."] * 3)
    html = f"""<html><head><title>Talks end | Example News</title>
    <meta property="og:site_name" content="Example News"><meta name="author" content="Jane Roe">
    <meta property="article:published_time" content="2022-01-21"></head><body>
    <nav>Home | World | Sign in</nav><article><h1>Talks end without breakthrough</h1>
    <p>GENEVA (Example) - Russian and US diplomats met on Friday. {filler}</p>
    <p>Both sides agreed to keep talking next week. {filler}</p></article>
    <footer>Copyright 2022 Example News. All rights reserved.</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    article = only(path)
    texts = " ".join(p.text for p in article.paragraphs)
    assert "Both sides agreed to keep talking" in texts
    assert "Sign in" not in texts and "All rights reserved" not in texts
    assert article.published == "2022-01-21"


def test_jsonl_with_paragraphs_and_with_text(tmp_path):
    path = tmp_path / "archive.jsonl"
    rows = [{"doc_id": "a1", "title": "One", "source": "CNN", "published": "2022-01-02", "url": "http://a",
             "paragraphs": [{"pid": "a1#p0", "text": "First paragraph."}, {"pid": "a1#p1", "text": "Second."}]},
            {"doc_id": "b2", "title": "Two", "text": "Para one.\n\nRead more\n\nPara two."}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken json\n", encoding="utf-8")
    items = list(read_path(path))
    a1, b2, broken = items
    assert [p.pid for p in a1.paragraphs] == ["a1#p0", "a1#p1"]  # given pids are kept
    assert (a1.source, a1.published, a1.url) == ("CNN", "2022-01-02", "http://a")
    assert [p.text for p in b2.paragraphs] == ["Para one.", "Para two."]
    assert [p.pid for p in b2.paragraphs] == ["b2#p1", "b2#p2"]
    assert isinstance(broken, Skipped) and broken.path.endswith(":3") and "invalid JSON" in broken.reason


def test_bad_files_are_skipped_with_a_reason(tmp_path):
    cases = {"empty.txt": b"", "blank.txt": b"  \n\n ", "binary.txt": b"\x00\x01\x02GGUF",
             "latin1.txt": "Café crème".encode("latin-1"), "picture.png": b"\x89PNG"}
    reasons = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        item = only(tmp_path / name)
        assert isinstance(item, Skipped)
        reasons[name] = item.reason
    assert reasons["empty.txt"] == reasons["blank.txt"] == "empty file"
    assert reasons["binary.txt"] == "binary file, not text"
    assert "not UTF-8" in reasons["latin1.txt"]
    assert "unsupported file type .png" in reasons["picture.png"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_plain_text_reader_never_crashes_and_paragraphs_are_real_text(text):
    article = parse_plain_text(text, doc_id="x")
    if article is not None:
        assert isinstance(article, Article)
        for number, paragraph in enumerate(article.paragraphs, 1):
            assert paragraph.text.strip() and paragraph.pid == f"x#p{number}"


def test_input_already_indexed_is_recognised_by_its_raw_hash_without_parsing(tmp_path):
    from index.article import Unchanged
    from index.readers import raw_hash

    text = REUTERS.read_text(encoding="utf-8")
    (tmp_path / "a.jsonl").write_text(json.dumps({"doc_id": "j1", "text": "One.\n\nTwo."}) + "\n", encoding="utf-8")
    line = (tmp_path / "a.jsonl").read_text(encoding="utf-8").strip()
    known = {raw_hash(text): ("004_c0aea9c0c9b54dfe", 20, str(REUTERS)),
             raw_hash(line): ("j1", 2, str(tmp_path / "a.jsonl"))}
    assert list(read_path(REUTERS, known)) == [Unchanged("004_c0aea9c0c9b54dfe", 20, str(REUTERS), raw_hash(text))]
    assert list(read_path(tmp_path / "a.jsonl", known)) == [Unchanged("j1", 2, str(tmp_path / "a.jsonl"),
                                                                       raw_hash(line))]
    fresh = only(REUTERS)
    assert fresh.source_hash == raw_hash(text)
    (tmp_path / "copy.txt").write_text(text, encoding="utf-8")  # the same bytes elsewhere: a move or a duplicate,
    assert [a.doc_id for a in read_path(tmp_path / "copy.txt", known)] == ["copy"]  # read for the indexer to decide


def test_ascii_text_skips_repair_but_entities_and_controls_still_go_through_it():
    from index.cleaning import normalize

    assert normalize("Plain text, 100% ASCII.") == "Plain text, 100% ASCII."
    assert normalize("Fish &amp; chips") == "Fish & chips"


def test_a_50_mb_article_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(50):
            handle.write("Headline\n\n" + "A sentence about talks. " * 43_690 + "\n")
    item = only(path)
    assert isinstance(item, Skipped) and "too large" in item.reason and "JSONL" in item.reason


@pytest.mark.parametrize("credits, expected", [
    (["Reporting by Tom Smith in Paris; Writing by Ana Ruiz; Editing by Jo Bell"], "Ana Ruiz"),
    (["Information from Lena Park; Additional reporting by Sam Ito"], None),  # contributors, no writer
    (["By Maria Gomez"], "Maria Gomez"),
    (["Kwame Mensah is a correspondent for the paper."], "Kwame Mensah"),
])
def test_the_writer_is_taken_from_the_credits_not_the_first_name_in_them(credits, expected):
    from index.cleaning import writer

    assert writer(credits) == expected
