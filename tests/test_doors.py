"""Every door validates: a bad `where`, `history` or port is one line that says what to pass."""
import socket

import pytest

import app
from assistant import AssistantError
from assistant.filters import FilterError

QUESTION = "What did Lavrov demand?"


@pytest.mark.parametrize("where, says", [
    ({"$and": {"source": "Reuters"}}, "must be a non-empty list of filters"),
    ({"published": {"$gte": 2022}}, "dates are compared as text: write '2022-01-01'"),
    ({"source": {"$in": "Reuters"}}, "must be a list of text values"),
    ({"source": {"$like": "Reu"}}, "Unknown filter operator '$like'"),
    ({"$not": {"source": "Reuters"}}, "use $and or $or"),
    ({"source": ["Reuters"]}, "must be text"),
    ("source=Reuters", "must be a dict"),
])
def test_bad_where_shapes_and_operands_are_one_line_with_the_fix(seed_assistant, where, says):
    with pytest.raises(FilterError, match="where") as raised:
        seed_assistant.ask(QUESTION, where=where)
    assert says in str(raised.value) and "\n" not in str(raised.value)


def test_good_where_shapes_still_answer(seed_assistant):
    where = {"$and": [{"source": {"$in": ["Reuters"]}}, {"published": {"$gte": "2000-01-01"}}]}
    assert not seed_assistant.ask(QUESTION, where={"source": "Reuters"}).refused
    seed_assistant.ask(QUESTION, where=where)  # no error: a valid shape


@pytest.mark.parametrize("history, says", [
    (5, "history must be a list"),
    ("hello", "history must be a list"),
    ([5], "history[0] is int"),
    ([{"role": "bot", "content": "hi"}], "history[0] has role 'bot'"),
    ([{"role": "user", "content": ["hi"]}], "content of type list"),
])
def test_bad_history_shapes_are_one_line_with_the_fix(seed_assistant, history, says):
    with pytest.raises(AssistantError, match="role") as raised:
        seed_assistant.ask(QUESTION, history=history)
    assert says in str(raised.value) and "\n" not in str(raised.value)


def test_good_history_shapes_still_answer(seed_assistant):
    for history in ([], [("Who is Lavrov?", "Russia's foreign minister.")],
                    [{"role": "user", "content": "Who is Lavrov?"}, {"role": "assistant", "content": "A minister."}]):
        assert seed_assistant.ask(QUESTION, history=history).text


def test_a_busy_port_is_one_line_naming_another_port(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert app.main(["--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in err and "--port" in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_port_out_of_range_is_refused(capsys):
    assert app.main(["--port", "70000"]) == 2
    assert "from 1 to 65535" in capsys.readouterr().err
