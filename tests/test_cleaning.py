import pytest

from index.cleaning import clean_blocks, is_boilerplate, is_credit, normalize


@pytest.mark.parametrize("line", [
    "Sign up now for FREE unlimited access to Reuters.com",
    "Register now for FREE unlimited access to Reuters.com",
    "read more",
    "Leave a Comment",
    "Our standards: the Thomson Reuters Trust Principles.",
    "Advertisement",
    "Story continues below advertisement",
    "Follow us on Twitter",
    "All rights reserved.",
    "© 2022 Cable News Network",
])
def test_boilerplate_lines_are_recognised(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "Blinken said talks should include the status of US citizens Paul Whelan and Trevor Reed.",
    "Readers of the report said it was useful.",
    "NATO has rejected the demands.",
])
def test_reporting_is_kept(line):
    assert not is_boilerplate(line)


def test_trailing_read_more_is_cut_and_counted():
    body, credits, dropped = clean_blocks(["Moscow would pay for it. very expensive. read more"])
    assert body == ["Moscow would pay for it. very expensive."]
    assert dropped == ["read more"]


def test_credits_only_come_from_the_end():
    blocks = ["Reporting by the press was thin, officials said.", "Body text here.",
              "The Associated Press contributed to this report.", "Nick Ciolino", "Nick Ciolino covers the White House."]
    body, credits, _ = clean_blocks(blocks)
    assert body == blocks[:2]
    assert credits == blocks[2:]
    assert is_credit("Information from Simon Lewis; Written by Paul Carrel; Edited by Michael Shields")


def test_normalize_repairs_mojibake_and_keeps_curly_quotes():
    assert normalize("Russiaâ€™s   move") == "Russia’s move"
    assert normalize("“candid”  and\t“useful.”") == "“candid” and “useful.”"
    assert normalize("e\u0301") == "é"  # NFC
    assert "Sergeń≠ Viklov" in normalize("Foreign Minister Sergeń≠ Viklov")  # not repairable: kept verbatim


def test_sentences_that_look_like_bylines_in_lowercase_are_kept():
    body, credits, _ = clean_blocks(["Pretty Woman is a 1990 American romantic comedy film directed by Garry Marshall."])
    assert credits == [] and len(body) == 1
