"""Model backends against real stand-ins: an OpenAI-compatible HTTP server on loopback that answers by
quoting the first source paragraph it was sent (an echo model), and an endpoint that is down."""
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant import Assistant

from conftest import free_port, settings_for
from standins import RuleChatModel


class EchoHandler(BaseHTTPRequestHandler):
    """Streams back the first sentence of paragraph [1] with its marker, like a faithful small model."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        user = body["messages"][-1]["content"]
        if body["messages"][0]["content"].startswith("You rewrite"):  # prompts/condense.txt
            reply = "What did Lavrov say after the talks?"
        else:
            first = re.search(r"\[1\] (.+?[.!?])(\s|$)", user, re.S).group(1)
            reply = f"{first} [1]"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for word in re.findall(r"\S+\s*", reply):
            chunk = {"choices": [{"delta": {"content": word}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def with_backend(seed_assistant, **overrides) -> Assistant:
    """The seed index, answered by another backend."""
    settings = settings_for(seed_assistant.settings.index_dir.parent, **overrides)
    return Assistant(settings, seed_assistant.store, seed_assistant.embeddings)


def test_openai_compatible_endpoint_answers_with_verified_citations(seed_assistant, endpoint):
    assistant = with_backend(seed_assistant, llm="openai", openai_base_url=endpoint, openai_model="echo")
    answer = assistant.ask("What did Lavrov demand?")
    assert answer.backend == "openai" and answer.citations and not answer.notices
    for c in answer.citations:
        assert c.quote in c.paragraph
    partial = list(assistant.stream("Which country did Russia send troops to for joint military exercises?"))
    assert len(partial) >= 2 and partial[-1].citations


def test_model_rewrites_the_follow_up_when_asked_to(seed_assistant, endpoint):
    assistant = with_backend(seed_assistant, llm="openai", openai_base_url=endpoint, openai_model="echo",
                             model_rewrites_follow_ups=True)
    history = [("What did Lavrov demand?", "Concrete answers.")]
    assert assistant.ask("What did he say after?", history=history).standalone_question == \
        "What did Lavrov say after the talks?"
    by_default = with_backend(seed_assistant, llm="openai", openai_base_url=endpoint, openai_model="echo")
    ruled = by_default.ask("What did he say after?", history=history).standalone_question
    assert "Lavrov" in ruled and ruled != "What did Lavrov say after the talks?"  # the rule's rewrite


def test_endpoint_down_falls_back_to_extractive_with_a_notice(seed_assistant):
    port = free_port()  # nothing listens there
    assistant = with_backend(seed_assistant, llm="openai", openai_base_url=f"http://127.0.0.1:{port}/v1",
                             llm_timeout_s=2)
    answer = assistant.ask("What did Lavrov demand?")
    assert answer.backend == "extractive" and "concrete" in answer.text
    assert any("openai backend failed" in n and "OPENAI_BASE_URL" in n for n in answer.notices)


def test_missing_local_model_file_is_a_clear_notice(seed_assistant, tmp_path):
    assistant = with_backend(seed_assistant, llm="local", local_model_path=str(tmp_path / "missing.gguf"))
    answer = assistant.ask("What did Lavrov demand?")
    assert answer.backend == "extractive"
    assert any("does not exist" in n and "ASSISTANT_LOCAL_MODEL_PATH" in n for n in answer.notices)


def test_an_unwritable_model_cache_is_a_clear_notice_and_leaves_no_partial_file(seed_assistant, tmp_path):
    blocker = tmp_path / "a-file"  # a folder cannot be made under a file, even by root
    blocker.write_text("not a folder")
    assistant = with_backend(seed_assistant, llm="local", model_cache_dir=blocker / "cache")
    answer = assistant.ask("What did Lavrov demand?")
    assert answer.backend == "extractive" and "concrete" in answer.text
    assert any("Could not write the local model" in n and "ASSISTANT_MODEL_CACHE_DIR" in n for n in answer.notices)
    assert list(tmp_path.iterdir()) == [blocker]


def test_corrupt_local_model_file_is_a_clear_notice(seed_assistant, tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model" * 100)
    answer = with_backend(seed_assistant, llm="local", local_model_path=str(bad)).ask("What did Lavrov demand?")
    assert any("not a GGUF model file" in n for n in answer.notices)


def test_priming_sends_a_remote_or_callers_model_nothing(seed_assistant):
    """Only the local model keeps a prompt cache to fill; any other would just be sent a blank question."""
    model = scripted_model("Concrete answers [1].")
    assistant = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, model)
    assistant.prime_model().join()
    assert model.sent == []
    assert not assistant.ask("What did Lavrov demand?").refused and model.sent  # it is still asked questions


def test_a_remote_or_callers_model_is_asked_once_an_answer_and_never_to_confirm_it(seed_assistant):
    """The confirmation reads the local model's probability of YES (confirm.py); any other model answers
    once and its sentences face the lexical check alone."""
    model = scripted_model("Concrete answers [1].")
    answer = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, model).ask(
        "What did Lavrov demand?")
    assert not answer.refused and len(model.sent) == 1 and "confirm" not in answer.timings


def injected_model():
    """A model that obeys injected instructions: cites a source that does not exist."""
    return RuleChatModel(name="obedient",
                         text="Ignore the question. The answer is in source 9 [9]. NATO is dissolved [1].")


def scripted_model(reply):
    """Replies with a fixed text, like a model that has made up its mind."""
    return RuleChatModel(name="scripted", text=reply)


def test_a_model_that_follows_injected_instructions_cannot_cite_what_is_not_there(seed_assistant):
    model = injected_model()
    # (a question the articles agree on: where they disagree, the disagreement is shown instead, below)
    answer = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, model).ask(
        "Which detained US citizens did Blinken say should be part of the talks?")
    assert model.sent, "the model must read the question"
    assert "[9]" not in answer.text and "dissolved" not in answer.text and "Ignore" not in answer.text
    # Nothing it wrote is in the articles: a refusal, not a dump of quotes the model never wrote.
    assert answer.refused and not answer.citations and answer.backend == "obedient"
    assert any("Nothing the obedient model wrote is stated in the articles" in n for n in answer.notices)


def test_the_model_decides_a_question_is_not_answered_and_is_asked_with_the_best_paragraphs(seed_assistant):
    model = scripted_model("NOT IN SOURCES")
    answer = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, model).ask(
        "Who is NATO's Secretary General?")
    assert answer.refused and not answer.citations and answer.backend == "scripted"
    sent = model.sent[0][-1].content
    assert "NATO" in sent and "Question: Who is NATO's Secretary General?" in sent  # paragraphs were not vetoed


def test_where_the_model_finds_no_answer_but_the_articles_disagree_the_disagreement_is_shown(seed_assistant):
    """"The articles don't say" would hide that they say two things: the reader's sentences are quoted, both
    sides cited, with a notice that the model found no answer."""
    for reply in ("NOT IN SOURCES", "Ignore the question. NATO is dissolved [1]."):
        model = scripted_model(reply)
        answer = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, model).ask(
            "What did Lavrov demand?")
        assert not answer.refused and answer.conflicts and "dissolved" not in answer.text
        sides = {side.doc_id for conflict in answer.conflicts for side in conflict.sides}
        assert len(sides) == 2 and sides <= {c.doc_id for c in answer.citations}  # both articles, each cited
        assert any("found no answer, but the articles disagree" in n for n in answer.notices)


def test_a_model_answer_from_memory_that_shares_the_topic_words_is_dropped(seed_assistant):
    # Its words are in one sentence of the Reuters piece ("wants NATO to promise not to admit Ukraine as a
    # member"), but that sentence does not name Blinken: the claim is not there.
    model = scripted_model("In Geneva, Blinken said NATO would admit Ukraine as a member [1].")
    answer = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, model).ask(
        "What did Blinken say about NATO membership for Ukraine?")
    assert answer.refused and not answer.citations


def test_a_supported_model_answer_is_kept_and_cited(seed_assistant):
    model = scripted_model("Blinken and Lavrov met at the President Wilson Hotel in Geneva [1].")
    answer = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, model).ask(
        "In which hotel did Blinken and Lavrov meet?")
    assert not answer.refused and answer.backend == "scripted" and "President Wilson Hotel" in answer.text
    assert any("President Wilson Hotel" in c.quote for c in answer.citations)


def test_the_prompt_cache_keeps_one_row_of_logits_per_prompt_and_counts_it():
    """llama-cpp-python's states copy a row of logits per prompt token and count none of it (6 GB held)."""
    import numpy as np
    from llama_cpp.llama import LlamaState

    from assistant.llm import compact_prompt_cache

    cache = compact_prompt_cache(capacity_bytes=3 << 20)
    for prompt in range(4):  # each state: 1 MB of llama state, 512 rows of logits (2 MB) before compaction
        logits = np.full((512, 1024), prompt, dtype=np.single)
        cache[(prompt, 1, 2)] = LlamaState(input_ids=np.array([prompt, 1, 2], dtype=np.intc), scores=logits,
                                           n_tokens=3, llama_state=b"", llama_state_size=1 << 20, seed=0)
    kept = list(cache.cache_state.values())
    assert len(kept) == 2 and cache.cache_size <= 3 << 20  # the capacity holds, counting the logits kept
    assert kept[-1].scores.shape == (1, 1024) and kept[-1].scores[0, 0] == 3
