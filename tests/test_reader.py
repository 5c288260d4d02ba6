"""The extractive reader's general mechanisms, on text that is not from the seed articles."""
import numpy as np

from assistant.answer import Passage
from assistant.extractive import ExtractiveAnswerer, order_agreement, temporal_order, with_given_names


def test_temporal_order_words_agree_and_clash():
    asked = temporal_order("What did the mayor say after the vote?")
    assert asked == {"after"}
    assert order_agreement(asked, "The mayor later called the vote a mistake.") == 1.0
    assert order_agreement(asked, "Before the vote began, the mayor shook hands with rivals.") == -1.0
    assert order_agreement(asked, "The mayor opposes the plan.") == 0.0
    assert order_agreement(set(), "The mayor later called the vote a mistake.") == 0.0


def test_a_given_name_counts_where_the_surname_is_found():
    stand_ins = with_given_names("What did Maria Okafor say about the bridge?", {"okafor": {"mayor"}})
    assert stand_ins["maria"] == {"okafor", "mayor"}  # "Okafor said …" names her without "Maria"
    assert stand_ins["okafor"] == {"mayor"}  # the surname's own stand-ins are kept, not widened
    assert "what" not in stand_ins and "bridg" not in stand_ins


def word_count_encode(texts):
    """A deterministic embedding: every text the same direction, so only the lexical features decide."""
    return np.ones((len(texts), 4)) / 2.0


def test_the_remark_made_after_the_event_ranks_above_one_made_before():
    paragraph = ("Before the vote began, Mayor Maria Okafor greeted council members. "
                 "Okafor later called the vote a victory for the harbour district.")
    passage = Passage(id="d#p2", doc_id="d", text=paragraph, paragraph=paragraph, title="Council vote",
                      source="Harbour Post", published="", paragraph_number=2)
    reader = ExtractiveAnswerer(word_count_encode, idf=lambda t: 1.0)
    ranked = reader.candidates("What did Maria Okafor say after the vote?", np.ones(4) / 2.0, [passage])
    assert ranked[0].text.startswith("Okafor later called")
    assert ranked[0].features["order"] == 1.0 and ranked[1].features["order"] == -1.0


def test_a_quantity_question_wants_its_measure_not_any_number():
    from assistant.extractive import counted_noun, quantity_asked, states_quantity
    assert quantity_asked("How much does the new ferry weigh?") == "weight"
    assert quantity_asked("How much did the city pay for the ferry?") == "money"
    assert quantity_asked("How far can the ferry sail without refuelling?") == "distance"
    assert quantity_asked("How many ferries does the city own?") is None
    assert counted_noun("How many ferries does the city own?") == "ferries"
    assert not states_quantity("The ferry, launched on May 27, sails at 15 knots.", "weight", None)
    assert states_quantity("The ferry weighs 1,200 tonnes.", "weight", None)
    assert not states_quantity("The storm killed 12 people and damaged ferries.", None, "ferries")
    assert states_quantity("The city owns three ferries.", None, "ferries")


def test_a_month_is_not_a_name():
    from assistant.extractive import has_type
    from assistant.text import tokenize
    asked = set(tokenize("Who was killed off Harpswell?"))
    assert not has_type("A swimmer was killed in July off Harpswell.", "name", asked, None)
    assert has_type("Jane Doe was killed in July off Harpswell.", "name", asked, None)
