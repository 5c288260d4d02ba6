"""The paragraph store: Chroma (through langchain-chroma), embedded on disk or a server over HTTP.

Two collections: `<name>` holds one record per chunk (text, vector, metadata); `<name>__articles` is the
record of indexed articles, one entry per article whose chunks are all in. An article is served only when
its chunks carry the content hash its article record names, so an interrupted run never serves a
half-written article (see ingest.py for the write order).
"""
from __future__ import annotations

from pathlib import Path

from langchain_core.documents import Document

MAX_CHROMA_BATCH = 5000  # Chroma refuses one upsert of more than ~5,461 records
_GET_PAGE = 20000
OPEN_LOCK_NAME = "open.lock"


class StoreError(RuntimeError):
    pass


class EmbeddingModelMismatch(StoreError):
    pass


def make_client(index_dir: Path | str, host: str | None = None, port: int = 8000):
    """A persistent local client, or an HTTP client when `host` is given (CHROMA_HOST)."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if host:
        try:
            return chromadb.HttpClient(host=host, port=int(port), settings=settings)
        except Exception as err:
            raise StoreError(f"Cannot reach the Chroma server at {host}:{port} ({err}). Start it with "
                             f"`chroma run --path DIR --host {host} --port {port}` or unset CHROMA_HOST.") from err
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(Path(index_dir) / "chroma"), settings=settings)


def open_store(index_dir: Path | str, host: str | None, port: int, collection: str, embeddings,
               model_name: str) -> "ParagraphStore":
    """The store of these settings. Two processes creating one new local store at once race inside Chroma's
    own set-up ("table collections already exists", seen when two `index` runs start on an empty folder), so
    a local store is opened under a short per-folder file lock; the writer lock (lock.py) then orders writes."""
    if host:
        return ParagraphStore(make_client(index_dir, host, port), collection, embeddings, model_name)
    from filelock import FileLock

    Path(index_dir).mkdir(parents=True, exist_ok=True)
    with FileLock(str(Path(index_dir) / OPEN_LOCK_NAME)):
        return ParagraphStore(make_client(index_dir), collection, embeddings, model_name)


class ParagraphStore:
    def __init__(self, client, collection: str, embeddings, model_name: str):
        from langchain_chroma import Chroma

        self.client, self.name, self.model_name = client, collection, model_name
        try:
            self.vectors = Chroma(client=client, collection_name=collection, embedding_function=embeddings,
                                  collection_metadata={"embedding_model": model_name, "hnsw:space": "cosine"})
            # Raw reads, counts and deletes go through chromadb's public collection handle (langchain-chroma's
            # Chroma exposes only its private `_collection`); adds and vector searches go through Chroma.
            self.chunks_collection = client.get_collection(collection, embedding_function=None)
            self.articles_collection = client.get_or_create_collection(
                f"{collection}__articles", metadata={"kind": "article records"}, embedding_function=None)
        except Exception as err:  # a damaged sqlite file raises Chroma's own types: name the way out
            raise StoreError(f"The collection {collection!r} cannot be opened ({type(err).__name__}: "
                             f"{str(err)[:160]}). See what is wrong with `python -m assistant index --check`; "
                             "`--repair` rebuilds the store from the article backup.") from err
        self._check_model()

    @property
    def chunks(self):
        return self.chunks_collection

    def _check_model(self) -> None:
        built_with = (self.chunks.metadata or {}).get("embedding_model")
        if built_with and built_with != self.model_name:
            raise EmbeddingModelMismatch(
                f"Collection {self.name!r} was built with embedding model {built_with!r}, not {self.model_name!r}. "
                f"Set ASSISTANT_EMBEDDING_MODEL={built_with} (or --embedding-model) to use it, or rebuild it with "
                f"`python -m assistant index --reset`, or pick another collection.")

    # --- article records -------------------------------------------------------------------------
    def article_records(self) -> dict[str, dict]:
        """doc_id -> metadata (doc_hash, n_chunks, title, source, published, path, …) of complete articles."""
        records = {}
        for page in _pages(self.articles_collection, include=["metadatas"]):
            records.update(zip(page["ids"], page["metadatas"]))
        return records

    def put_article_records(self, records: dict[str, dict]) -> None:
        """doc_id -> metadata; one upsert per Chroma-sized slice."""
        ids = list(records)
        for start in range(0, len(ids), MAX_CHROMA_BATCH):
            part = ids[start:start + MAX_CHROMA_BATCH]
            self.articles_collection.upsert(ids=part, metadatas=[records[i] for i in part],
                                            embeddings=[[1.0]] * len(part))

    def delete_article_records(self, doc_ids: list[str]) -> None:
        if doc_ids:
            self.articles_collection.delete(ids=list(doc_ids))

    # --- chunks ------------------------------------------------------------------------------------
    def upsert_chunks(self, ids: list[str], texts: list[str], metadatas: list[dict], vectors) -> None:
        for start in range(0, len(ids), MAX_CHROMA_BATCH):
            end = start + MAX_CHROMA_BATCH
            self.chunks.upsert(ids=ids[start:end], documents=texts[start:end], metadatas=metadatas[start:end],
                               embeddings=vectors[start:end])

    def chunk_ids_of(self, doc_ids: list[str]) -> list[str]:
        """Ids of every stored chunk of these articles, served or left over."""
        if not doc_ids:
            return []
        return self.chunks.get(where={"doc_id": {"$in": list(doc_ids)}}, include=[])["ids"]

    def chunks_of(self, doc_ids: list[str]):
        """(id, text, metadata) of every stored chunk of these articles."""
        got = self.chunks.get(where={"doc_id": {"$in": list(doc_ids)}}, include=["documents", "metadatas"])
        return list(zip(got["ids"], got["documents"], got["metadatas"]))

    def pieces_of(self, pids: list[str]) -> dict[str, list[tuple[int, str, str]]]:
        """pid -> (start, text, doc_hash) of each stored piece of these long paragraphs."""
        got = self.chunks.get(where={"pid": {"$in": list(pids)}}, include=["documents", "metadatas"])
        pieces: dict[str, list] = {}
        for text, meta in zip(got["documents"], got["metadatas"]):
            pieces.setdefault(meta["pid"], []).append((int(meta.get("start", 0)), text, meta.get("doc_hash")))
        return pieces

    def delete_chunks(self, ids: list[str]) -> None:
        for start in range(0, len(ids), MAX_CHROMA_BATCH):
            self.chunks.delete(ids=ids[start:start + MAX_CHROMA_BATCH])

    def count(self) -> int:
        return self.chunks.count()

    def all_chunks(self):
        """Yield (id, text, metadata) for every stored chunk, page by page (for the lexical index)."""
        for page in _pages(self.chunks, include=["documents", "metadatas"]):
            yield from zip(page["ids"], page["documents"], page["metadatas"])

    def get_chunks(self, ids: list[str]) -> list[Document]:
        """These chunks, in the order asked (missing ids are left out)."""
        if not ids:
            return []
        unique = list(dict.fromkeys(ids))  # Chroma refuses repeated ids
        by_id = {d.id: d for d in _documents(self.chunks.get(ids=unique, include=["documents", "metadatas"]))}
        return [by_id[i] for i in ids if i in by_id]

    def vectors_of(self, ids: list[str]) -> dict[str, list[float]]:
        """Stored vectors of these chunks, by id (reused instead of encoding the same text again)."""
        if not ids:
            return {}
        got = self.chunks.get(ids=list(dict.fromkeys(ids)), include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))

    def dense_search(self, vector: list[float], k: int, where: dict | None = None) -> list[tuple[Document, float]]:
        """(document, cosine similarity) pairs, best first (none from an empty collection)."""
        hits = self.vectors.similarity_search_by_vector_with_relevance_scores(vector, k=k, filter=where)
        return [(doc, 1.0 - distance) for doc, distance in hits]

    def nearest_ids(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks, unfiltered and without their text: a wide
        search that the caller filters costs milliseconds where Chroma's own metadata filter over a large
        archive costs hundreds. k must not exceed the number of stored chunks."""
        if k <= 0:
            return []
        got = self.chunks.query(query_embeddings=[vector], n_results=k, include=["distances"])
        return [(i, 1.0 - distance) for i, distance in zip(got["ids"][0], got["distances"][0])]

    def reset(self) -> None:
        for name in (self.name, f"{self.name}__articles"):
            try:
                self.client.delete_collection(name)
            except Exception:  # already gone
                pass


def _documents(got: dict) -> list[Document]:
    return [Document(page_content=t, metadata=m, id=i) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])]


def _pages(collection, include: list[str]):
    offset = 0
    while True:
        page = collection.get(include=include, limit=_GET_PAGE, offset=offset)
        if not page["ids"]:
            return
        yield page
        offset += len(page["ids"])
