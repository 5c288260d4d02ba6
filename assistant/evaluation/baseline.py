"""The vanilla LangChain tutorial pipeline, answered beside ours (`--baseline`).

RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) over each article's raw text, the same
SentenceEmbeddings, its own Chroma collection in a temporary folder (Chroma's default distance, as in the
tutorial; our vectors are normalised so it ranks like cosine), k=4 similarity search, and the tutorial's
"stuff" prompt sent to the same model. With no model (`--llm extractive`) the project's ExtractiveAnswerer
reads the 4 chunks instead (uniform IDF: the tutorial has no lexical index), so the comparison isolates
retrieval and chunking. Nothing verifies its [n] markers; they are scored as written.
"""
from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from index.readers import SUPPORTED_SUFFIXES, iter_files, read_path

from ..answer import Passage
from ..extractive import ExtractiveAnswerer
from ..llm import BackendError, backend_name, complete
from ..text import fold
from .reply import Reply
from .testsets import TestCase

PROMPT = ("You are an assistant for question-answering tasks. Use the following pieces of retrieved context to "
          "answer the question. If you don't know the answer, just say that you don't know. Use three sentences "
          "maximum and keep the answer concise.\nQuestion: {question}\nContext: {context}\nAnswer:")
# LangChain's history-aware retriever recipe: this system prompt, the chat history, then the question.
CONTEXTUALIZE = ("Given a chat history and the latest user question which might reference context in the chat "
                 "history, formulate a standalone question which can be understood without the chat history. Do "
                 "NOT answer the question, just reformulate it if needed and otherwise return it as is.")
CHUNK_SIZE, CHUNK_OVERLAP, K = 1000, 200, 4
DONT_KNOW = "I don't know."
BATCH = 5000  # Chroma refuses larger adds
NOT_STATED = re.compile(r"\b(i (don't|do not) know|(does|do) not (say|state|mention|contain|provide|specify)|"
                        r"(doesn't|don't) (say|state|mention|contain|provide|specify)|not (stated|mentioned|"
                        r"provided|specified) in|no information|can ?not (answer|determine)|can't (answer|"
                        r"determine)|not enough information)\b")


def says_not_stated(text: str) -> bool:
    """The tutorial's refusal is free text ("I don't know"): recognise the usual phrasings."""
    return not text.strip() or bool(NOT_STATED.search(fold(text)))


@dataclass
class RawArticle:
    doc_id: str
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (pid, start, end) in text


def raw_articles(paths) -> list[RawArticle]:
    """Each article's text as the tutorial's loaders would give it: the file as is; JSONL paragraphs joined."""
    out = []
    for path in iter_files([Path(p) for p in paths]):
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            out += [a for line in path.read_text(encoding="utf-8-sig").splitlines() if (a := _jsonl(line))]
        elif suffix in (".txt", ".md", ".markdown"):
            out.append(RawArticle(path.stem, path.read_text(encoding="utf-8-sig", errors="replace")))
        elif suffix in SUPPORTED_SUFFIXES:  # HTML: the tutorial parses pages too; use our extraction
            out += [RawArticle(a.doc_id, "\n\n".join(p.text for p in a.paragraphs))
                    for a in read_path(path) if hasattr(a, "paragraphs")]
    return out


def _jsonl(line: str) -> RawArticle | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None  # the indexer reports bad lines; the baseline just skips them
    if not isinstance(record, dict) or not record.get("doc_id"):
        return None
    doc_id, text, spans = str(record["doc_id"]), "", []
    for number, p in enumerate(record.get("paragraphs") or [], start=1):
        if isinstance(p, dict) and isinstance(p.get("text"), str):
            start = len(text) + (2 if text else 0)
            text = f"{text}\n\n{p['text']}" if text else p["text"]
            spans.append((str(p.get("pid") or f"{doc_id}#p{number}"), start, len(text)))
    return RawArticle(doc_id, text or str(record.get("text") or ""), spans)


def split_articles(articles: list[RawArticle]) -> list:
    """Tutorial chunks as Documents; metadata holds the pids each chunk overlaps (for gold-pid scoring)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                              add_start_index=True)
    docs = []
    for article in articles:
        for doc in splitter.create_documents([article.text], metadatas=[{"doc_id": article.doc_id}]):
            start = doc.metadata["start_index"]  # -1 when the splitter could not locate the chunk
            end = start + len(doc.page_content)
            doc.metadata["pids"] = ",".join(pid for pid, s, e in article.spans if s < end and e > start >= 0)
            doc.metadata["chunk_id"] = f"chunk-{len(docs)}"
            docs.append(doc)
    return docs


class TutorialBaseline:
    """Index the corpus the tutorial's way once, then answer test cases with `answer(case) -> Reply`."""

    def __init__(self, corpus, embeddings, chat_model=None, max_tokens: int = 200):
        from langchain_chroma import Chroma

        self.embeddings, self.chat_model, self.max_tokens = embeddings, chat_model, max_tokens
        self._folder = tempfile.TemporaryDirectory(prefix="eval-baseline-")
        self.store = Chroma(collection_name="tutorial", embedding_function=embeddings,
                            persist_directory=self._folder.name)
        docs = split_articles(raw_articles(corpus))
        for start in range(0, len(docs), BATCH):
            batch = docs[start:start + BATCH]
            self.store.add_documents(batch, ids=[d.metadata["chunk_id"] for d in batch])
        self.chunks = len(docs)
        self.extractive = ExtractiveAnswerer(encode=embeddings.encode, idf=lambda t: 1.0)

    def answer(self, case: TestCase, history: list | None = None) -> Reply:
        started = time.perf_counter()
        question = self.contextualize(case.question, history or [])
        vector = self.embeddings.embed_query(question)
        docs = self.store.similarity_search_by_vector(vector, k=K, filter=case.where)
        retrieved = time.perf_counter()
        text, refused, notices = self._generate(question, vector, docs)
        timings = {"retrieve": _ms(retrieved - started), "generate": _ms(time.perf_counter() - retrieved),
                   "total": _ms(time.perf_counter() - started)}
        citations = _markers(text, docs)
        # Ranked like ours: cited chunks first, in marker order, then the rest in similarity order.
        cited = [c["paragraph_id"] for c in citations]
        docs = sorted(docs, key=lambda d: cited.index(d.metadata["chunk_id"]) if d.metadata["chunk_id"] in cited
                      else len(cited))
        return Reply(text=text, refused=refused, backend=f"baseline-{self.backend}", citations=citations,
                     passages=[_passage(d) for d in docs], notices=notices, timings=timings,
                     standalone=question if history else "")

    def contextualize(self, question: str, history: list) -> str:
        """The follow-up rewritten from the history by the model (the recipe); as asked without a model."""
        if not history or self.chat_model is None:
            return question
        messages = [{"role": "system", "content": CONTEXTUALIZE}]
        messages += [{"role": m["role"], "content": m["content"]} for m in history]
        try:
            rewrite = complete(self.chat_model, messages + [{"role": "user", "content": question}], 60).strip()
        except BackendError:
            return question
        return rewrite or question

    @property
    def backend(self) -> str:
        return backend_name(self.chat_model) if self.chat_model is not None else "extractive"

    def _generate(self, question: str, vector, docs) -> tuple[str, bool, list[str]]:
        if self.chat_model is None:
            passages = [Passage(id=d.metadata["chunk_id"], doc_id=d.metadata["doc_id"], text=d.page_content,
                                paragraph=d.page_content) for d in docs]
            draft, refused = self.extractive.answer(question, vector, passages)
            return (DONT_KNOW if refused else draft), refused, []
        prompt = PROMPT.format(question=question, context="\n\n".join(d.page_content for d in docs))
        try:
            text = complete(self.chat_model, [{"role": "user", "content": prompt}], self.max_tokens).strip()
        except BackendError as err:
            return "", True, [f"The baseline's model failed: {err}"]
        return text, says_not_stated(text), []

    def close(self) -> None:
        self._folder.cleanup()


def _passage(doc) -> dict:
    pids = [p for p in doc.metadata.get("pids", "").split(",") if p]
    return {"id": doc.metadata["chunk_id"], "doc_id": doc.metadata["doc_id"], "pids": pids, "text": doc.page_content}


def _markers(text: str, docs) -> list[dict]:
    """The raw [n] markers that point at one of the k chunks; any other marker stays unresolved (invalid)."""
    numbers = dict.fromkeys(int(m) for m in re.findall(r"\[(\d+)\]", text))
    return [{"marker": n, "paragraph_id": docs[n - 1].metadata["chunk_id"], "doc_id": docs[n - 1].metadata["doc_id"],
             "quote": ""} for n in numbers if 1 <= n <= len(docs)]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
