"""The hybrid retriever as a LangChain `BaseRetriever`: `invoke(query)` returns `Document`s.

`Assistant.retriever` is one of these over the assistant's own index, so it drops into any LangChain chain
(`{"context": assistant.retriever | format_docs, "question": RunnablePassthrough()} | prompt | model`). Each
Document is a paragraph (or a piece of a long one); its metadata carries what a citation needs: the paragraph
id, doc id, title, outlet, date, url, paragraph number and the piece's offsets in the whole paragraph.
`k` and a Chroma-style `where` filter are fields (`retriever.model_copy(update={"k": 3})`), and can be given
per call: `invoke(query, k=3, where={"source": "Reuters"}, newest_first=True)`. The hybrid search itself (dense + BM25 + fusion)
is retrieval.HybridRetriever; the assistant's own answering calls this retriever too, so callbacks see it.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any, Callable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .answer import Passage


def document_of(passage: Passage) -> Document:
    metadata = {k: v for k, v in asdict(passage).items() if k not in ("id", "text")}
    metadata["paragraph_id"] = passage.id
    metadata["end"] = passage.start + len(passage.text)
    return Document(id=passage.id, page_content=passage.text, metadata=metadata)


def passage_of(document: Document) -> Passage:
    """A Document from any retriever as a citable passage: our metadata where it is there; otherwise the
    Document's id (or its text's position) names the paragraph and its `source` the article."""
    meta = document.metadata
    fields = {k: v for k, v in meta.items() if k in Passage.__dataclass_fields__}
    doc_id = str(meta.get("doc_id") or meta.get("source") or "document")
    paragraph_id = meta.get("paragraph_id") or document.id or f"{doc_id}#{abs(hash(document.page_content))}"
    fields.setdefault("paragraph", document.page_content)
    return Passage(**{**fields, "id": str(paragraph_id), "doc_id": doc_id, "text": document.page_content})


class NewsRetriever(BaseRetriever):
    """Dense + BM25 search over the indexed paragraphs, fused by reciprocal rank."""

    hybrid: Any  # retrieval.HybridRetriever
    embed_query: Callable[[str], list[float]]
    k: int = 6
    where: dict | None = None
    model_config = ConfigDict(arbitrary_types_allowed=True)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, where: dict | None = None,
                                query_vector: list[float] | None = None, newest_first: bool = False) -> list[Document]:
        """`query_vector`: the query's embedding when the caller has it already (the assistant's reader
        uses it too); `newest_first`: rank newer articles higher (a time-sensitive question)."""
        vector = self.embed_query(query) if query_vector is None else query_vector
        passages = self.hybrid.search(query, vector, k or self.k, where if where is not None else self.where,
                                      newest_first)
        return [document_of(p) for p in passages]
