"""Follow-up questions without a model: the rule resolves people, ellipsis and "the other article" from the
conversation (on conversations that are not about the seeds), and answers move on."""
from assistant.followup import resolve


def exchange(question, answer, doc_ids=()):
    return [{"role": "user", "content": question},
            {"role": "assistant", "content": answer, "doc_ids": list(doc_ids)}]


def test_a_pronoun_is_the_person_asked_about_not_the_last_capitalised_word():
    history = exchange("Why did the North Carolina Courage fire Paul Riley?",
                       "The club fired Paul Riley after players accused him of misconduct [1].")
    history += exchange("What happened to the league's commissioner?",
                        "Commissioner Lisa Baird was ousted by the NWSL board [2].")
    assert resolve("Has he responded to the allegations?", history).question == \
        "Has Paul Riley responded to the allegations?"


def test_after_a_who_question_the_pronoun_is_the_answer():
    history = exchange("Who is taking over as Disney's CEO?", "Bob Iger returns as Disney's chief executive [1].")
    assert resolve("How long has he agreed to stay?", history).question == "How long has Bob Iger agreed to stay?"


def test_a_surname_alone_is_a_person_when_the_conversation_gave_the_full_name():
    history = exchange("How much did Musk pay for Twitter?", "Elon Musk paid $44 billion for Twitter [1].")
    assert resolve("Who did he fire right away?", history).question == "Who did Elon Musk fire right away?"


def test_a_question_that_names_its_person_is_left_alone():
    history = exchange("What did Lavrov demand from NATO?", "Lavrov wants guarantees [1].")
    assert resolve("What did Blinken say to him?", history).question == "What did Blinken say to him?"


def test_an_ellipsis_keeps_the_previous_question_frame():
    history = exchange("When does the IRS begin accepting 2021 tax returns?", "On Jan. 24 [1].")
    resolved = resolve("And last year?", history).question
    assert resolved.startswith("When does the IRS begin accepting 2021 tax returns?") and "last year" in resolved


def test_the_other_article_excludes_what_the_last_answer_cited():
    history = exchange("In the Reuters report, who did Blinken meet?", "Lavrov [1].", doc_ids=["reuters-1"])
    resolved = resolve("And the other article?", history)
    assert resolved.exclude_doc_ids == ["reuters-1"]
    assert resolved.question == "In the Reuters report, who did Blinken meet?"


def test_a_vague_it_gets_the_previous_questions_names():
    history = exchange("What did Biden say about Russia at his news conference?", "Russia would intervene [1].")
    resolved = resolve("Why was that a problem for Washington?", history).question
    assert resolved.startswith("Why was that a problem for Washington?") and "Biden" in resolved


def test_a_follow_up_answer_moves_on_and_refers_back_to_a_reported_disagreement(seed_assistant):
    first = seed_assistant.ask("What did Lavrov demand?")
    second = seed_assistant.ask("And what did he say after the talks?",
                                history=[{"role": "user", "content": "What did Lavrov demand?"}, first.as_message()])
    assert "Lavrov" in second.standalone_question
    first_body = first.text.split(" The sources disagree.")[0]
    assert first_body.split(" [")[0] not in second.text  # the first answer's sentence is not repeated
    if second.conflicts:
        assert "As noted above" in second.text and "The sources disagree" not in second.text


def test_a_short_question_with_its_own_verb_is_not_an_ellipsis():
    history = exchange("What did Lavrov demand?", "Lavrov wants a concrete response [1].")
    assert resolve("Who is NATO's Secretary General?", history).question == "Who is NATO's Secretary General?"
    assert resolve("How many troops?", history).question == "What did Lavrov demand? How many troops?"


def test_a_model_rewrite_that_answers_or_keeps_the_pronoun_is_not_used():
    from assistant.followup import looks_like_rewrite

    assert looks_like_rewrite("What did Lavrov say after the talks?", "What did he say after the talks?")
    assert not looks_like_rewrite("And the other article calls him Sergei Lavrov.", "And the other article?")
    assert not looks_like_rewrite("Had he already met the Americans before?", "Had he already met the Americans?")
    assert not looks_like_rewrite("Why was it a problem for the mayor?", "Why was that a problem for her?")
    assert looks_like_rewrite("Why was the ferry strike a problem?", "Why was that a problem?")


def test_a_model_answer_leaves_out_what_an_earlier_answer_said():
    from assistant.core import without_repeats
    said = ["The club fired Paul Riley after players accused him of misconduct."]
    draft = "The club fired Paul Riley after players accused him of misconduct [1]. Riley denied the claims [2]."
    assert without_repeats(draft, said) == "Riley denied the claims [2]."
    assert without_repeats("The club fired Paul Riley after players accused him [1].", said) == \
        "The club fired Paul Riley after players accused him [1]."  # nothing new: the answer stays


def test_a_pronoun_after_a_name_given_alone_becomes_that_name():
    history = exchange("What did Modi promise the farmers?", "To repeal the laws [1].")
    assert resolve("When did he say it?", history).question.startswith("When did Modi say it?")
    assert resolve("What did Tikait tell him?", history).question == "What did Tikait tell him?"  # names its own
