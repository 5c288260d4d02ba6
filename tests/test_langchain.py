"""The answering path's parts as LangChain components a LangChain user can take apart and recompose."""
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnablePassthrough
from langchain_core.tracers.context import collect_runs

from assistant import Assistant

from conftest import REUTERS
from standins import RuleChatModel


def test_the_retriever_returns_documents_that_carry_what_a_citation_needs(seed_assistant):
    assert isinstance(seed_assistant.retriever, BaseRetriever)
    docs = seed_assistant.retriever.invoke("What did Lavrov demand?")
    assert docs and all(isinstance(d, Document) for d in docs)
    meta = docs[0].metadata
    assert meta["paragraph_id"] == docs[0].id and meta["paragraph_id"].startswith(meta["doc_id"] + "#")
    assert {"title", "source", "published", "paragraph_number", "start", "end", "url"} <= set(meta)
    assert meta["paragraph"][meta["start"]:meta["end"]] == docs[0].page_content  # offsets in the whole paragraph


def test_k_and_where_narrow_a_search(seed_assistant):
    docs = seed_assistant.retriever.invoke("Lavrov", k=2, where={"doc_id": REUTERS.stem})
    assert 1 <= len(docs) <= 2 and {d.metadata["doc_id"] for d in docs} == {REUTERS.stem}
    narrowed = seed_assistant.retriever.model_copy(update={"k": 1})
    assert len(narrowed.invoke("Lavrov")) == 1


def test_the_retriever_drops_into_a_users_own_chain_with_their_prompt_and_model(seed_assistant):
    seen = []

    def format_docs(docs):
        seen.extend(docs)
        return "\n\n".join(d.page_content for d in docs)

    prompt = ChatPromptTemplate.from_messages([("system", "Answer from these paragraphs:\n{context}"),
                                               ("human", "{question}")])
    model = GenericFakeChatModel(messages=iter(["Concrete answers to its proposals."]))
    chain = ({"context": seed_assistant.retriever | format_docs, "question": RunnablePassthrough()}
             | prompt | model | StrOutputParser())
    assert chain.invoke("What did Lavrov demand?") == "Concrete answers to its proposals."
    assert any("Lavrov" in d.page_content for d in seen)


def _flat(runs):
    for run in runs:
        yield run
        yield from _flat(run.child_runs)


def test_any_langchain_chat_model_answers_through_the_assistant_and_callbacks_see_the_steps(seed_assistant):
    reply = "Lavrov wants a concrete response to Russian security demands [1]."
    model = GenericFakeChatModel(messages=iter([reply]))
    assistant = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, model)
    with collect_runs() as runs:
        answer = assistant.ask("What did Lavrov demand?")
    assert answer.citations and "concrete response" in answer.text and not answer.notices
    assert answer.backend == "generic-fake-chat-model"  # the model's own _llm_type
    traced = [(run.name, run.run_type) for run in _flat(runs.traced_runs)]
    assert ("search", "retriever") in traced  # the assistant's own search went through the retriever
    steps = [name for name, kind in traced if kind == "chain"]
    assert {"validate", "condense", "retrieve", "answer"} <= set(steps)
    assert [name for name, kind in traced if kind == "llm"] == ["GenericFakeChatModel"]


def test_the_chain_streams_growing_verified_answers(seed_assistant):
    reply = ("Lavrov wants a concrete response to Russian security demands [1]. "
             "Blinken and Lavrov say they don’t expect any breakthrough [1].")
    model = RuleChatModel(name="scripted", text=reply)
    assistant = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings, model)
    answers = list(assistant.chain.stream({"question": "What did Lavrov demand?"}))
    assert len(answers) >= 2 and answers[-1].timings  # partial answers, then the complete one
    lengths = [len(a.text) for a in answers[:-1]]
    assert lengths == sorted(lengths) and all(a.citations for a in answers)
    for answer in answers:
        for c in answer.citations:
            assert c.paragraph[c.quote_start:c.quote_end] == c.quote
    assert assistant.chain.invoke({"question": "What did Lavrov demand?"}).text == answers[-1].text


class KeywordRetriever(BaseRetriever):
    """Another retriever: the seed paragraphs that hold the query's longest word, as plain Documents."""

    paragraphs: list

    def _get_relevant_documents(self, query, *, run_manager):
        word = max(query.strip("?").split(), key=len).lower()
        return [Document(id=pid, page_content=text, metadata={"doc_id": pid.split("#")[0]})
                for pid, text in self.paragraphs if word in text.lower()][:4]


def test_another_retriever_swapped_into_the_assistant_gets_verified_citations(seed_assistant):
    chunks = seed_assistant.store.chunks.get(include=["documents"])
    assistant = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings)
    assistant.retriever = KeywordRetriever(paragraphs=list(zip(chunks["ids"], chunks["documents"])))
    answer = assistant.ask("What did the Chatham House analyst say about the Geneva meeting?")
    assert answer.citations and not answer.refused
    assert "Chatham House" in answer.citations[0].paragraph  # from what that retriever found
    for c in answer.citations:
        assert c.paragraph[c.quote_start:c.quote_end] == c.quote
