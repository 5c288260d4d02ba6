"""The citation resolver: markers that hold are kept, wrong ones are re-attributed, the rest dropped."""
import re

from hypothesis import given, settings, strategies as st

from assistant.answer import Passage
from assistant.citations import attribute, split_claims
from assistant.support import supports

P1 = Passage(id="d#p1", doc_id="d", text="Lavrov said Russia expects concrete answers to its proposals.",
             paragraph="Lavrov said Russia expects concrete answers to its proposals.", paragraph_number=1)
P2 = Passage(id="d#p2", doc_id="d", text="Russia has sent troops to Belarus for joint military exercises.",
             paragraph="Russia has sent troops to Belarus for joint military exercises.", paragraph_number=2)
PASSAGES = [P1, P2]


def test_supported_marker_is_kept_and_renumbered_from_one():
    text, citations = attribute("Russia sent troops to Belarus [2].", PASSAGES, lambda t: 1.0)
    assert text == "Russia sent troops to Belarus [1]."
    assert [(c.marker, c.paragraph_id) for c in citations] == [(1, "d#p2")]
    assert citations[0].quote == P2.paragraph


def test_wrong_marker_is_reattributed_to_the_supporting_paragraph():
    text, citations = attribute("Lavrov expects concrete answers [2].", PASSAGES, lambda t: 1.0)
    assert text == "Lavrov expects concrete answers [1]." and citations[0].paragraph_id == "d#p1"


def test_unsupported_sentence_and_dangling_marker_are_dropped():
    draft = "Jens Stoltenberg leads NATO [1]. Russia sent troops to Belarus [7]."
    text, citations = attribute(draft, PASSAGES, lambda t: 1.0)
    assert text == "Russia sent troops to Belarus [1]." and [c.paragraph_id for c in citations] == ["d#p2"]


def test_numbers_must_appear_in_the_paragraph():
    assert not supports("Russia sent 30,000 troops to Belarus", P2.paragraph)
    assert supports("Russia sent troops to Belarus", P2.paragraph)


def test_marker_after_the_full_stop_joins_its_sentence():
    assert split_claims("Russia sent troops to Belarus. [2] Lavrov expects answers [1].") == [
        ("Russia sent troops to Belarus.", [2]), ("Lavrov expects answers.", [1])]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc Lavrov Belarus troops concrete .[]0123456789")), max_size=200))
def test_resolver_never_emits_a_marker_that_points_nowhere(draft):
    text, citations = attribute(draft, PASSAGES, lambda t: 1.0)
    used = {int(m) for m in re.findall(r"\[(\d+)\]", text)}
    assert used == {c.marker for c in citations}
    assert [c.marker for c in citations] == list(range(1, len(citations) + 1))
    for c in citations:
        assert c.paragraph[c.quote_start:c.quote_end] == c.quote
