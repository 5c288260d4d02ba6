import pytest

from assistant import prompts


def test_each_prompt_takes_exactly_its_variables():
    assert prompts.variables("answer") == {"context", "question"}
    assert prompts.variables("condense") == {"history", "question"}
    assert prompts.variables("judge") == {"question", "reference", "answer"}
    assert prompts.variables("decompose") == {"question", "outlets"}
    assert prompts.variables("confirm") == {"question", "answer", "sentence"}


def test_every_prompt_file_is_a_chat_prompt_template():
    from langchain_core.prompts import ChatPromptTemplate
    names = sorted(p.stem for p in prompts.PROMPTS_DIR.glob("*.txt"))
    # a new file needs its variables pinned above
    assert names == ["answer", "condense", "confirm", "decompose", "judge"]
    for name in names:
        assert isinstance(prompts.template(name), ChatPromptTemplate)


def test_rendering_is_strict_and_inserts_article_text_verbatim():
    messages = prompts.render("answer", context="[1] braces {question} stay {x}", question="Q?")
    roles = [m.type for m in messages]
    assert roles[0] == "system" and roles[-1] == "human"  # few-shot exchanges in between
    assert roles[1:-1] == ["human", "ai"] * ((len(roles) - 2) // 2)
    assert "[1] braces {question} stay {x}" in messages[-1].content and "Question: Q?" in messages[-1].content
    assert "NOT IN SOURCES" in [m.content for m in messages if m.type == "ai"]  # refusal is shown
    with pytest.raises(prompts.PromptError, match="takes"):
        prompts.render("answer", question="Q?")
