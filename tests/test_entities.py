"""People and offices on text that is not the seeds: one office, two countries or two years, is two people."""
from assistant.answer import Passage
from assistant.entities import alias_map, role_mentions


def passage(doc_id, text, published=""):
    return Passage(id=f"{doc_id}#p1", doc_id=doc_id, text=text, paragraph=text, published=published)


def test_prime_ministers_of_two_countries_or_of_none_are_not_one_person():
    mentions = role_mentions([
        passage("a", "British Prime Minister Boris Johnson spoke to reporters in London."),
        passage("b", "Indian Prime Minister Narendra Modi visited Delhi."),
        passage("c", "Prime Minister Boris Johnson said the plan would work."),
        passage("d", "Prime Minister Narendra Modi said the plan would work."),
    ])
    assert alias_map(mentions) == {}


def test_one_office_in_different_years_is_not_one_person():
    mentions = role_mentions([
        passage("a", "US Secretary of State Mike Pompeo flew to Riyadh.", published="2019-05-02"),
        passage("b", "US Secretary of State Antony Blinken flew to Riyadh.", published="2022-01-20"),
        passage("c", "Secretary of State Mike Pompeo met the king."),
    ])
    assert alias_map(mentions) == {}


def test_one_office_in_one_week_named_two_ways_is_linked_even_with_symbols_in_the_name():
    mentions = role_mentions([
        passage("a", "Chilean Foreign Minister Ana Ríos arrived on Monday.", published="2023-03-01"),
        passage("b", "Chilean Foreign Minister Añ≠a Rozas arrived on Monday.", published="2023-03-02"),
    ])
    assert alias_map(mentions) == {"rios": {"rozas"}, "rozas": {"rios"}}  # surnames are folded
