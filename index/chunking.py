"""Articles to chunks: one chunk per paragraph; a very long paragraph is cut at sentence boundaries.

Every chunk is an exact substring of its paragraph, with character offsets, so a citation can always show
the reader the real text.
"""
from __future__ import annotations

import hashlib
import json

from .article import Article, Chunk, Paragraph
from .dates import article_date, date_fields, lead_of
from .sentences import sentence_spans

MAX_CHUNK_CHARS = 1500
CHUNKING_VERSION = "1"  # bump when chunking changes, so re-indexing rebuilds every article


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def article_hash(article: Article) -> str:
    """Changes whenever anything we store about the article changes."""
    fields = [CHUNKING_VERSION, article.title, article.source, article.published, article.url, article.byline,
              [(p.pid, p.text) for p in article.paragraphs]]
    if article.credits:  # only then: an article without credits keeps its hash, so it is not embedded again
        fields.append(article.credits)
    return content_hash(json.dumps(fields, ensure_ascii=False))


def article_metadata(article: Article) -> dict:
    """Article-level fields, with None as "" because Chroma metadata has no null, and the article's date as
    dates (index/dates.py)."""
    values = {
        "doc_id": article.doc_id, "title": article.title, "source": article.source, "published": article.published,
        "url": article.url, "byline": article.byline, "dateline_place": article.dateline_place,
        "dateline_date": article.dateline_date, "path": article.path,
    }
    lead = lead_of(article.dateline_date, [p.text for p in article.paragraphs])
    dated = date_fields(*article_date(article.published, article.dateline_date, lead))
    return {key: str(value) if value is not None else "" for key, value in values.items()} | dated


def credits_paragraph(article: Article) -> Paragraph | None:
    """The credit lines as one last paragraph (`<doc_id>#credits`), so "who wrote it?" and "which agency
    contributed?" can be answered and cited; the body paragraphs stay free of them."""
    parts = [part.strip() for line in article.credits for part in line.split(";") if part.strip()]
    lines = [part if part[-1] in ".!?" else f"{part}." for part in parts]  # one sentence per credit
    return Paragraph(f"{article.doc_id}#credits", len(article.paragraphs) + 1, " ".join(lines)) if lines else None


def chunk_article(article: Article, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    shared = article_metadata(article) | {"doc_hash": article_hash(article)}
    chunks = []
    credits = credits_paragraph(article)
    for paragraph in article.paragraphs + ([credits] if credits else []):
        pieces = _pieces(paragraph.text, max_chars)
        for index, (start, end) in enumerate(pieces, start=1):
            chunk_id = paragraph.pid if len(pieces) == 1 else f"{paragraph.pid}.{index}"
            text = paragraph.text[start:end]
            # A piece stores its own text only; its paragraph is the pieces with the same pid, placed at their
            # offsets (whole_paragraph). A copy per piece made a 200,000-character paragraph cost 30 MB.
            meta = shared | {"pid": paragraph.pid, "paragraph": paragraph.number, "start": start, "end": end,
                             "content_hash": content_hash(text), "pieces": len(pieces)}
            chunks.append(Chunk(chunk_id, text, meta))
    return chunks


def whole_paragraph(pieces: list[tuple[int, str]]) -> str:
    """A paragraph from its pieces (start offset, text); the whitespace between pieces becomes spaces."""
    text = ""
    for start, piece in sorted(pieces):
        text += " " * max(0, start - len(text)) + piece
    return text


def _pieces(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Greedy runs of whole sentences, each at most `max_chars`; a longer sentence is cut at spaces."""
    if len(text) <= max_chars:
        return [(0, len(text))]
    pieces, start, end = [], None, None
    for s, e in _capped(sentence_spans(text), text, max_chars):
        if start is not None and e - start > max_chars:
            pieces.append((start, end))
            start = None
        start = s if start is None else start
        end = e
    if start is not None:
        pieces.append((start, end))
    return pieces


def _capped(spans, text: str, max_chars: int):
    """Sentences, with any longer than `max_chars` (text without punctuation) cut at the last space before
    the cap, or at the cap when there is none, so no chunk and no quoted "answer" is a whole long text."""
    for start, end in spans:
        while end - start > max_chars:
            cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
            cut = cut if cut > start else start + max_chars
            yield start, cut
            start = cut + (text[cut:cut + 1] == " ")
        if end > start:
            yield start, end
