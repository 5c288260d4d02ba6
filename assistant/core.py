"""The `Assistant`: one core behind every door (CLI, Gradio app, scripts, evaluation).

A question flows through four steps, each a plain function over a `Turn`:
condense the follow-up -> retrieve -> generate -> attribute and verify (+ report disagreements).
`chain` composes the same steps as a LangChain runnable; `stream()` runs them and yields the answer as it
grows; `ask()` returns the final `Answer`.
"""
from __future__ import annotations

import contextlib
import re
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from langchain_core.language_models import BaseChatModel

from index.embedding import SentenceEmbeddings
from index.backup import ArticleBackup, backup_path
from index.ingest import Indexer, IngestReport, remove, verify
from index.lock import writer_lock
from index.store import ParagraphStore, open_store

from . import conflicts, confirm, entities, multi, prompts
from .answer import Answer, Passage
from .citations import attribute, split_claims
from .extractive import ExtractiveAnswerer, redundant, with_marker
from .filters import validate as validate_where
from .inputs import history_problem
from .followup import looks_like_rewrite, resolve, turns
from .llm import BackendError, LocalChatModel, backend_name, complete, make_chat_model, stream_text
from .retrieval import HybridRetriever
from .retriever import NewsRetriever, passage_of
from .settings import Settings, from_env, validate
from .text import fold
from .timeframe import TimeFrame, TimeFrameError, check_as_of
from .timeframe import resolve as resolve_time

REFUSAL = "The articles don't say. None of the indexed paragraphs answers this question"
PARTS_MISSING = "The articles don't answer all of this, so no answer is given"  # then which parts, in words
LLM_CONTEXT_PARAGRAPHS = 4  # small local models: a short prompt is a fast first token (about 50 tokens each)
LLM_PARAGRAPH_CHARS = 600
NOT_IN_SOURCES = re.compile(r"^\W*not in (the )?sources?\b", re.I)  # the model's fixed refusal (prompts/answer.txt)


class AssistantError(ValueError):
    """A problem the caller can fix; the message says how."""


@dataclass
class Turn:
    question: str
    history: list = field(default_factory=list)
    where: dict | None = None
    as_of: str = ""  # the caller's "now" (ISO day), "" for the newest article's
    frame: TimeFrame | None = None  # the question's time: as_of, relative words resolved, recency
    standalone: str = ""
    query_vector: list[float] | None = None
    passages: list[Passage] = field(default_factory=list)
    draft: str = ""
    refused: bool = False
    backend: str = "extractive"
    wanted: str | None = None  # the kind of answer asked for: name, place, date, number (answer_type)
    mentions: list = field(default_factory=list)  # role-name mentions in the articles touched
    stand_ins: dict = field(default_factory=dict)  # question word -> names that count for it
    ranked: list = field(default_factory=list)  # the extractive reading: sentences, best answer first
    context: list[int] = field(default_factory=list)  # passage numbers shown to a model, in its numbering
    notices: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    plan: multi.Plan = field(default_factory=multi.Plan)  # the parts of a question across articles
    gaps: list[str] = field(default_factory=list)  # the parts the articles do not answer, in words

    @property
    def said_before(self) -> str:
        """What the assistant already said in this conversation, folded for matching."""
        return fold(" ".join(text for role, text in turns(self.history) if role == "assistant"))

    @property
    def said_sentences(self) -> list[str]:
        """The sentences of the assistant's earlier answers in this conversation."""
        answers = [text for role, text in turns(self.history) if role == "assistant"]
        return [claim for text in answers for claim, _ in split_claims(text)]


class Assistant:
    def __init__(self, settings: Settings, store: ParagraphStore, embeddings: SentenceEmbeddings,
                 llm: BaseChatModel | None = None):
        self.settings, self.store, self.embeddings = settings, store, embeddings
        self.hybrid = HybridRetriever(store, Path(settings.index_dir) / "lexical", settings.candidates)
        self.retriever = NewsRetriever(hybrid=self.hybrid, embed_query=embeddings.embed_query, k=settings.top_k)
        self.extractive = ExtractiveAnswerer(embeddings.encode, self.hybrid.lexical.idf)
        self._chat_model, self._chat_model_loaded = llm, llm is not None

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides) -> "Assistant":
        """Build from `settings` (or the environment) with keyword overrides such as index_dir, llm (a backend
        name, or any LangChain chat model)."""
        model = overrides.pop("llm") if not isinstance(overrides.get("llm", ""), str) else None
        if model is not None and not isinstance(model, BaseChatModel):
            raise AssistantError(f"llm must be a backend name (extractive, local, openai) or a LangChain chat model, "
                                 f"not {type(model).__name__}.")
        try:
            settings = validate(Settings(**{**settings.__dict__, **overrides})) if settings else from_env(**overrides)
        except TypeError as err:
            raise AssistantError(f"Unknown setting: {err}. See assistant/settings.py for the names.") from err
        embeddings = SentenceEmbeddings(settings.embedding_model)
        store = open_store(settings.index_dir, settings.chroma_host or None, settings.chroma_port,
                           settings.collection, embeddings, settings.embedding_model)
        return cls(settings, store, embeddings, model)

    # --- indexing ----------------------------------------------------------------------------------
    def add(self, paths, prune: bool = False, progress=None, wait: bool = False, on_wait=None) -> IngestReport:
        """Index files or folders; unchanged articles are not embedded again. Holds the folder's writer lock:
        another writer makes this raise IndexLocked at once, or wait when `wait` (index/lock.py)."""
        paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
        with writer_lock(self.settings.index_dir, wait, on_wait):
            report = self._indexer(progress).index(paths, prune=prune)
        self.refresh()
        return report

    def remove(self, doc_ids: list[str]) -> list[str]:
        """Delete articles from the store, the records and the backup, then rebuild the lexical index; returns
        those found. An article read from a file comes back if that file is indexed again."""
        with writer_lock(self.settings.index_dir):
            removed = remove(self.store, list(doc_ids))
            self.backup.delete(removed)  # or a repair would bring them back
        self.refresh()
        return removed

    def restore(self, progress=None) -> IngestReport:
        """Re-index every article of the backup into this (fresh) store: `index --repair`."""
        with writer_lock(self.settings.index_dir):
            report = self._indexer(progress).restore(self.backup.articles())
        self.refresh()
        return report

    @property
    def backup(self) -> ArticleBackup:
        return ArticleBackup(backup_path(self.settings.index_dir, self.settings.collection))

    def _indexer(self, progress) -> Indexer:
        return Indexer(self.store, self.embeddings, progress, self.settings.embed_batch, self.backup)

    def refresh(self) -> None:
        self.hybrid.refresh()
        self.extractive.idf = self.hybrid.lexical.idf

    def check(self) -> list[str]:
        """Problems between the vector store, the lexical index and the article records ([] = consistent)."""
        problems = verify(self.store)
        served = sum(int(r.get("n_chunks", 0)) for r in self.hybrid.records.values())
        if len(self.hybrid.lexical) != served:
            problems.append(f"lexical index has {len(self.hybrid.lexical)} chunks, the store serves {served}")
        backed, records = self.backup.hashes(), self.hybrid.records
        lost = sorted(set(backed) - set(records))
        if lost:
            problems.append(f"the store lacks {len(lost)} backed-up article(s) (e.g. {lost[0]})")
        if any(backed.get(d) != r.get("doc_hash") for d, r in records.items()):
            problems.append("note: some articles are not in the backup yet (the next index run copies them)")
        return problems

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for: the embedding model and, by one search,
        the vector index (Chroma reads it from disk on first use). The answer model loads via `chat_model`."""
        self.store.dense_search(self.embeddings.embed_query("warm-up"), 1)

    def prime_model(self) -> threading.Thread:
        """Start the answer model reading the fixed openings of the answer and confirm prompts (their
        instructions and examples, about 480 and 340 tokens) into its prompt cache, on a daemon thread (11 s on
        2 cores): without it the first question waits for them too (its first token 9.6 s after it, against
        3.4 s). For a door that waits for a person: a question typed meanwhile finds the openings read, or
        waits for them (the model reads one prompt at a time). A model that cannot load is left to the
        answer, which says why. Only the local model keeps a prompt cache: an endpoint or a caller's model is
        not sent a blank question, and `extractive` has nothing to read."""
        def read_opening() -> None:
            with contextlib.suppress(BackendError):
                model = self.chat_model
                if isinstance(model, LocalChatModel):
                    complete(model, prompts.render("answer", context="", question=""), 1)
                    confirm.read_opening(model)

        thread = threading.Thread(target=read_opening, name="prime-model", daemon=True)
        thread.start()
        return thread

    def articles(self) -> list[dict]:
        return sorted(({"doc_id": d} | r for d, r in self.hybrid.records.items()), key=lambda r: r["doc_id"])

    # --- the answer model ----------------------------------------------------------------------------
    @property
    def chat_model(self) -> BaseChatModel | None:
        """Loaded on first use, once; None for `extractive`."""
        if not self._chat_model_loaded:
            self._chat_model = make_chat_model(self.settings)
            self._chat_model_loaded = True
        return self._chat_model

    # --- the steps -----------------------------------------------------------------------------------
    def _validate(self, turn: Turn) -> Turn:
        question = turn.question if isinstance(turn.question, str) else ""
        question = "".join(ch for ch in question if ch.isprintable() or ch in "\n\t")
        question = _MARKUP.sub(" ", question).strip()  # pasted from a web page: the tags are not the question
        if not question:
            raise AssistantError("The question is empty: type a question about the articles.")
        if len(question) > self.settings.max_question_chars:
            raise AssistantError(f"The question is {len(question):,} characters long; keep it under "
                                 f"{self.settings.max_question_chars:,} (ask about one thing at a time).")
        if not self.hybrid.records:
            raise AssistantError("The index is empty: run `python -m assistant index` (or Assistant.add(paths)) "
                                 "to index the articles first.")
        turn.question = question
        return turn

    def _condense(self, turn: Turn) -> Turn:
        """The follow-up as a standalone question: the rule's (followup.py), or, with
        `model_rewrites_follow_ups`, the model's when it looks like one; "the other article" also narrows
        `where`."""
        started = time.perf_counter()
        turn.standalone = turn.question
        if turn.history:
            resolved = resolve(turn.question, turn.history)
            turn.standalone = resolved.question
            other = {"doc_id": {"$nin": resolved.exclude_doc_ids}}
            narrowed = {"$and": [turn.where, other]} if turn.where else other
            if resolved.exclude_doc_ids and self.hybrid.allowed(narrowed):
                turn.where = narrowed  # "the other article", when there is one
            model = self._model_or_none(turn) if self.settings.model_rewrites_follow_ups else None
            if model is not None:
                history = "\n".join(f"{role}: {text[:300]}" for role, text in turns(turn.history)[-4:])
                try:
                    rewrite = complete(model, prompts.render("condense", history=history, question=turn.question), 40)
                    if looks_like_rewrite(rewrite, turn.question):
                        turn.standalone = rewrite.strip()
                except BackendError as err:
                    turn.notices.append(f"Follow-up rewrite skipped: {err}")
        turn.timings["condense"] = _ms(started)
        return turn

    def _retrieve(self, turn: Turn) -> Turn:
        started = time.perf_counter()
        turn.query_vector = self.embeddings.embed_query(turn.standalone)
        turn.frame = frame = resolve_time(turn.standalone, turn.as_of or self.hybrid.newest, bool(turn.as_of))
        dated = frame.where()
        if dated:
            turn.where = {"$and": [turn.where, dated]} if turn.where else dated
        try:
            self._route(turn)
            found = self.retriever.invoke(turn.standalone, {"run_name": "search"}, k=self.settings.top_k,
                                          where=turn.where, query_vector=turn.query_vector,
                                          newest_first=frame.recent)
            turn.passages = [passage_of(d) for d in found]
            turn.wanted = self.extractive.answer_type(turn.standalone)
            turn.passages, turn.mentions = entities.add_alias_passages(turn, self.hybrid)
            self._read_parts(turn)
            stored = self.store.vectors_of([p.id for p in turn.passages])
            self.extractive.remember({p.text: stored[p.id] for p in turn.passages if p.id in stored})
        except Exception as err:  # a server's client raises its own types (httpx, chromadb)
            if isinstance(err, ValueError):  # AssistantError, FilterError: the caller's to fix, already worded
                raise
            raise AssistantError(self._store_failure(err)) from err
        turn.stand_ins = entities.role_stand_ins(turn.standalone, turn.mentions)
        turn.timings["retrieve"] = _ms(started)
        return turn

    def _route(self, turn: Turn) -> None:
        """The outlets and dates the question names (multi.py, routing.py): each makes a part, searched in its
        own articles (_read_parts); one named outlet also narrows the whole question to its articles."""
        turn.plan = multi.plan(turn.standalone, self.hybrid.records)
        turn.plan.scope = turn.where
        if len(turn.plan.parts) == 1 and not turn.plan.unknown:
            own = {"doc_id": {"$in": turn.plan.parts[0].doc_ids}}
            turn.where = {"$and": [turn.where, own]} if turn.where else own

    def _read_parts(self, turn: Turn) -> None:
        """Each part's own best paragraphs join the question's ("which report …?": each article retrieved is a
        part); a question about how the reports differ reads the whole of two articles: each named part's
        best, or the first two retrieved."""
        if turn.plan.which_article:
            turn.plan.parts = multi.article_parts(turn.standalone, turn.passages)
        if turn.plan.parts:
            if not turn.plan.differences:
                self._decompose_with_model(turn)
            def search(query: str, k: int, where: dict) -> list:
                return self.hybrid.search(query, self.embeddings.embed_query(query), k, where)
            multi.retrieve(turn.plan.parts, search, turn.where)
            extra = multi.clause_passages(turn.standalone, search, turn.plan.scope)
            turn.passages = multi.merged(turn.plan.parts, turn.passages + extra)
        if turn.plan.differences:
            named = [part.passages[0].doc_id for part in turn.plan.parts if part.passages]
            doc_ids = list(dict.fromkeys(named or [p.doc_id for p in turn.passages]))[:2]
            turn.passages = self.hybrid.articles_passages(doc_ids)
            turn.mentions = entities.role_mentions(turn.passages)

    def _decompose_with_model(self, turn: Turn) -> None:
        """With a model, the model writes each part's sub-question (prompts/decompose.txt); the rule's words
        stay for any part it leaves out or when it fails."""
        # one part is the question itself; an outlet that is not indexed is a refusal whatever the parts say
        model = self._model_or_none(turn) if len(turn.plan.parts) > 1 and not turn.plan.unknown else None
        if model is None:
            return
        outlets = ", ".join(dict.fromkeys(p.label for p in turn.plan.parts))
        try:
            reply = complete(model, prompts.render("decompose", outlets=outlets, question=turn.standalone), 80)
            multi.from_model_lines(reply, turn.plan.parts)
        except BackendError as err:
            turn.notices.append(f"Splitting the question by article skipped: {err}")

    def _store_failure(self, err: Exception) -> str:
        if self.settings.chroma_host:
            return (f"The Chroma server at {self.settings.chroma_host}:{self.settings.chroma_port} did not answer "
                    f"({type(err).__name__}). Start it again (`chroma run …`); the next question reconnects.")
        return (f"The index at {self.settings.index_dir} could not be read ({type(err).__name__}: {str(err)[:120]}). "
                "See what is damaged with `python -m assistant index --check`; `--repair` rebuilds it.")

    def _model_or_none(self, turn: Turn) -> BaseChatModel | None:
        try:
            return self.chat_model
        except BackendError as err:
            turn.notices.append(f"The {self.settings.llm} backend is unavailable ({err}); answered extractively.")
            self._chat_model_loaded = True
            return None

    def _generate(self, turn: Turn) -> Iterator[str]:
        """Yield the draft as it grows; fills turn.draft, turn.refused and turn.backend.

        With a model, the model reads the best paragraphs and decides whether they answer (its refusal is
        the fixed reply NOT IN SOURCES); verification in _finish is the guard against answers from memory.
        Without one, the fitted extractive reader quotes the best sentences or refuses.
        """
        started = time.perf_counter()
        turn.ranked = self.extractive.candidates(turn.standalone, turn.query_vector, turn.passages, turn.stand_ins)
        model = None if turn.plan.unknown or turn.plan.differences else self._model_or_none(turn)
        if model is None and turn.plan.multi:
            yield from self._generate_parts(turn)
            turn.timings["generate"] = _ms(started)
            return
        if model is not None:
            try:
                turn.backend = backend_name(model)
                yield from self._generate_with_model(turn, model)
            except BackendError as err:
                hint = " Check that the endpoint runs and OPENAI_BASE_URL is right." if turn.backend == "openai" else ""
                turn.notices.append(f"The {turn.backend} backend failed ({err}); answered extractively instead.{hint}")
                turn.backend = "extractive"
        if turn.backend == "extractive":
            # A follow-up's answer moves on: sentences earlier answers quoted are left out, unless nothing
            # else answers (a repeated question gets its answer again).
            said = turn.said_before
            fresh = [c for c in turn.ranked if fold(c.text) not in said]
            turn.draft, turn.refused = self.extractive.compose(fresh)
            if turn.refused and len(fresh) < len(turn.ranked):
                turn.draft, turn.refused = self.extractive.compose(turn.ranked)
            yield turn.draft
        turn.timings["generate"] = _ms(started)

    def _generate_parts(self, turn: Turn) -> Iterator[str]:
        """Without a model (or where a part's outlet is not indexed): each part answered from its own
        articles, then composed (multi.py); a part the articles do not answer leaves no verdict, only gaps.
        A question about how the reports differ is answered in _finish, from the conflicts."""
        if turn.plan.differences:
            turn.draft, turn.refused = "", False
            return
        def read(question: str, passages: list) -> list:
            return self.extractive.candidates(question, self.embeddings.embed_query(question), passages)
        # "Which report …?" asks each article the whole question: the reader's own threshold applies
        threshold = self.extractive.weights.threshold
        if not turn.plan.each_article:
            threshold = multi.part_threshold(threshold)
        multi.answer_parts(turn.plan.parts, read, threshold)
        turn.gaps = multi.gaps(turn.plan)
        turn.refused = bool(turn.gaps) or not turn.plan.parts
        turn.draft = "" if turn.refused else multi.compose(turn.standalone, turn.plan, turn.passages,
                                                            self.extractive.idf)
        yield turn.draft

    def _generate_with_model(self, turn: Turn, model: BaseChatModel) -> Iterator[str]:
        # The paragraphs in the reader's order (its best sentence first); none is vetoed, the model decides.
        # A question across articles shows each part's best paragraph first, so every article is read.
        by_reader = [c.passage_index for c in turn.ranked] + list(range(1, len(turn.passages) + 1))
        index = {p.id: n for n, p in enumerate(turn.passages, 1)}
        by_part = [index[part.passages[0].id] for part in turn.plan.parts if part.passages]
        chosen = turn.context = list(dict.fromkeys(by_part + by_reader))[:max(LLM_CONTEXT_PARAGRAPHS, len(by_part))]
        context = "\n\n".join(f"[{n}] {_excerpt(turn.passages[i - 1].text)}" for n, i in enumerate(chosen, 1))
        messages = prompts.render("answer", context=context, question=turn.standalone)
        draft = ""
        for piece in stream_text(model, messages, self.settings.max_answer_tokens):
            draft += piece
            if not NOT_IN_SOURCES.match(draft.strip()):
                yield draft
        # The model numbered the paragraphs 1..n as shown; map back to the passage list.
        turn.refused = not draft.strip() or bool(NOT_IN_SOURCES.match(draft.strip()))
        turn.draft = "" if turn.refused else without_repeats(_renumber(draft, chosen), turn.said_sentences)

    def _finish(self, turn: Turn) -> Answer:
        started = time.perf_counter()
        if turn.plan.differences:
            text, citations, found = self._differences(turn)
            turn.timings["attribute"] = _ms(started)
            return self._answer_of(turn, text, citations, found, refused=not citations)
        text, citations = ("", []) if turn.refused else attribute(turn.draft, turn.passages, self.extractive.idf,
                                                                      turn.standalone, not turn.plan.multi,
                                                                      self._confirmer(turn))
        if not turn.refused and not citations and turn.backend != "extractive":
            turn.notices.append(f"Nothing the {turn.backend} model wrote is stated in the articles, so it is "
                                "not shown.")
        refused = turn.refused or not citations
        found = [] if refused else self._conflicts(turn, citations)
        if refused and turn.backend != "extractive" and not turn.plan.multi:
            text, citations, found = self._disagreement_instead(turn)
            refused = not citations
        if found:  # a disagreement this conversation already reported is referred to in one line
            said = turn.said_before
            noted = {description for _, description, _ in found if fold(description) in said}
            text, citations, found = conflicts.describe(text, citations, found, noted)
        if turn.frame and (turn.frame.recent or turn.frame.expression):
            if refused:
                turn.notices.append(f"Searched: {turn.frame.note()}.")  # the same words an answer starts with
            else:
                text = f"{turn.frame.note()}: {text}"
        turn.timings["attribute"] = _ms(started)
        if refused:  # the parts the articles do not answer, when a question across articles has any
            text = f"{PARTS_MISSING}: {'; '.join(turn.gaps)}." if turn.gaps else REFUSAL + "."
        return self._answer_of(turn, text, citations, found, refused)

    def _confirmer(self, turn: Turn):
        """The model's second reading of each sentence it wrote (confirm.py), timed as "confirm"; None for the
        extractive reader and for a question across articles, whose sentences each answer only a part."""
        if turn.backend == "extractive" or turn.plan.multi:
            return None
        check = confirm.confirmer(self.chat_model, turn.standalone)
        if check is None:
            return None

        def timed(claim: str, sentence: str) -> bool:
            started = time.perf_counter()
            try:
                return check(claim, sentence)
            finally:
                turn.timings["confirm"] = turn.timings.get("confirm", 0.0) + _ms(started)
        return timed

    def _disagreement_instead(self, turn: Turn):
        """(text, citations, conflicts) when the model found no answer but the articles state the asked fact
        differently: "the articles don't say" would hide that they say two things, so the reader's sentences
        are quoted with both sides cited. ("", [], []) when the reader refuses too or nothing conflicts."""
        draft, refused = self.extractive.compose(turn.ranked)
        if refused:
            return "", [], []
        text, citations = attribute(draft, turn.passages, self.extractive.idf, turn.standalone)
        found = self._conflicts(turn, citations) if citations else []
        if not found:
            return "", [], []
        turn.notices.append(f"The {turn.backend} model found no answer, but the articles disagree on it: "
                            "their sentences are quoted.")
        return text, citations, found

    def _answer_of(self, turn: Turn, text: str, citations, found, refused: bool) -> Answer:
        cited = {c.paragraph_id for c in citations}
        answered_from = [] if refused else list(dict.fromkeys(c.doc_id for c in citations))
        return Answer(question=turn.question, text=text or REFUSAL + ".",
                      citations=[] if refused else citations,
                      retrieved=[p for p in turn.passages if p.id not in cited or refused], refused=refused,
                      conflicts=[] if refused else found, backend=turn.backend, timings=dict(turn.timings),
                      notices=turn.notices, standalone_question=turn.standalone, answered_from=answered_from)

    def _differences(self, turn: Turn):
        """(text, citations, conflicts): what the articles state differently and what only one covers,
        each side cited (conflicts.differences, written by conflicts.describe)."""
        found = conflicts.differences(turn.passages, turn.mentions, multi.only_here(turn.passages))
        if not found:
            return "", [], []
        return conflicts.describe("", [], found)

    def _conflicts(self, turn: Turn, citations) -> list:
        ranked = turn.ranked
        # Sentences the reader would answer with, or nearly as good as its best: where two articles state
        # the asked fact differently, both sides are among these.
        bar = min(self.extractive.weights.threshold, 0.7 * ranked[0].score) if ranked else 1.0
        relevant = [c for c in ranked[:12] if c.score >= bar]
        # A near-twin of such a sentence in another article states the same claim, whatever its own score
        # (a retrieval rank apart): "… post $1.30 billion in revenue" and "… post $6.3 billion in revenue".
        relevant += [c for c in ranked[:12]
                     if c not in relevant and any(redundant(c.text, r.text) for r in relevant)]
        return conflicts.detect(turn.standalone, citations, turn.passages, turn.mentions, relevant, turn.wanted)

    # --- the doors -----------------------------------------------------------------------------------
    def stream(self, question: str, history=None, where: dict | None = None, as_of=None) -> Iterator[Answer]:
        """Yield partial answers (text so far, verified) and finally the complete `Answer`: the chain, streamed.
        `as_of` (a date or "YYYY-MM-DD"): search only articles published on or before it, and read "now",
        "this week", "latest" against it (timeframe.py); default: the newest article's day."""
        started = time.perf_counter()
        answer = None
        for answer in self.chain.stream({"question": question, "history": history, "where": where, "as_of": as_of}):
            if answer.timings:  # the complete answer
                answer.timings["total"] = _ms(started)
            yield answer

    def ask(self, question: str, history=None, where: dict | None = None, as_of=None) -> Answer:
        answer = None
        for answer in self.stream(question, history, where, as_of):
            pass
        return answer

    @cached_property
    def chain(self):
        """The answering path as one LangChain runnable, in named steps (validate, condense, retrieve, with
        the retriever's own "search" run inside, then answer: read, verify and attribute, conflicts).
        invoke({"question", "history"?, "where"?, "as_of"?}) -> Answer; stream() yields the partial answers too."""
        from langchain_core.runnables import RunnableGenerator, RunnableLambda

        def start(inputs: dict) -> Turn:
            """The caller's values, checked before any work (history and `where` shapes)."""
            history, where = inputs.get("history"), inputs.get("where")
            problem = history_problem(history)
            if problem:
                raise AssistantError(problem)
            if where is not None:
                validate_where(where)  # FilterError: one line naming the bad part and the shape to use
            try:
                as_of = check_as_of(inputs.get("as_of"))
            except TimeFrameError as err:
                raise AssistantError(str(err)) from None
            return Turn(inputs["question"], list(history or []), where, as_of)

        return (RunnableLambda(start, name="start") | RunnableLambda(self._validate, name="validate")
                | RunnableLambda(self._condense, name="condense") | RunnableLambda(self._retrieve, name="retrieve")
                | RunnableGenerator(self._answer, name="answer"))

    def _answer(self, turns: Iterator[Turn]) -> Iterator[Answer]:
        """Partial answers as the model writes (each verified so far), then the complete one."""
        for turn in turns:
            shown = 0
            for draft in self._generate(turn):
                complete = draft[: max(draft.rfind(". "), draft.rfind(".\n")) + 1]
                if turn.backend != "extractive" and len(complete) > shown:
                    shown = len(complete)
                    text, citations = attribute(_renumber(complete, turn.context), turn.passages,
                                                self.extractive.idf, turn.standalone, not turn.plan.multi)
                    yield Answer(question=turn.question, text=text, citations=citations, backend=turn.backend)
            yield self._finish(turn)


_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|</?[a-zA-Z][^<>]{0,300}>", re.I | re.S)
AS_OF = re.compile(r"^As of \d{4}-\d{2}-\d{2}[^:]{0,120}: ")  # the time note before an answer (timeframe.py)


def _excerpt(text: str) -> str:
    """At most LLM_PARAGRAPH_CHARS, cut after a whole sentence where one ends in the last third."""
    if len(text) <= LLM_PARAGRAPH_CHARS:
        return text
    cut = text[:LLM_PARAGRAPH_CHARS]
    stop = cut.rfind(". ")
    return cut[: stop + 1] if stop > LLM_PARAGRAPH_CHARS * 2 // 3 else cut + "…"


def without_repeats(draft: str, said: list[str]) -> str:
    """A follow-up's answer moves on: the model's sentences that restate an earlier answer's are left out,
    unless that would leave nothing (a repeated question gets its answer again)."""
    claims = split_claims(draft)
    fresh = [(claim, markers) for claim, markers in claims if not any(redundant(claim, s) for s in said)]
    if not fresh or len(fresh) == len(claims):
        return draft
    return " ".join(with_marker(claim, *markers) for claim, markers in fresh)


def _renumber(draft: str, chosen: list[int]) -> str:
    """Markers [n] the model used (1..len(chosen)) become passage numbers; others become [0], which
    attribution treats as pointing nowhere (the sentence is re-attributed or dropped)."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{chosen[int(m.group(1)) - 1]}]"
                  if 1 <= int(m.group(1)) <= len(chosen) else "[0]", draft)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
