"""Turn files into `Article`s: plain text, Markdown, HTML and JSONL, directories walked recursively.

Readers never raise for a bad file: they yield `Skipped` with the reason, so one broken file never stops
an indexing run. HTML extraction is trafilatura's job; we do not parse news pages with regexes.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Iterator

from .article import Article, Paragraph, Skipped, Unchanged
from .chunking import CHUNKING_VERSION
from .cleaning import clean_blocks, normalize, writer

READER_VERSION = "2"  # bump when reading or cleaning changes what an input yields (2: credits, writer)
SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}
MAX_ARTICLE_BYTES = 5_000_000  # one article file; JSONL archives are read line by line instead
_BULLET = re.compile(r"^\s*[•●▪*\-–]\s+")
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ -]+(?:, [A-Z][A-Z.']+)?)"  # GENEVA / WASHINGTON, D.C.
    r"(?:,\s*(?P<date>[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?))?"  # , Jan 21
    r"\s*\((?P<outlet>[^)]{2,40})\)\s*[–—-]"  # (Reuters) –
)


def iter_files(paths: list[Path]) -> Iterator[Path]:
    """Every file under `paths` (recursively), in a stable order; hidden files are ignored."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(p.startswith(".") for p in child.relative_to(path).parts):
                    yield child
        else:
            yield path


def raw_hash(raw: str | bytes) -> str:
    """Hash of the input as read, salted with the reader's and chunker's versions."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return hashlib.sha256(f"{READER_VERSION}/{CHUNKING_VERSION}/".encode() + data).hexdigest()[:16]


def read_path(path: Path, known: dict[str, tuple[str, int]] | None = None) -> Iterator[Article | Unchanged | Skipped]:
    """Yield the articles in one file, or a `Skipped` saying why it (or a line of it) was not read.

    `known` maps raw hashes already indexed to (doc_id, paragraph count): such input is not parsed again.
    """
    known = known or {}
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield Skipped(str(path), f"unsupported file type {suffix or '(none)'}; use .txt, .md, .html or .jsonl")
        return
    if suffix == ".jsonl":
        yield from read_jsonl(path, known)
        return
    text = _read_text(path)
    if isinstance(text, Skipped):
        yield text
        return
    if raw_hash(text) in known:
        yield Unchanged(*known[raw_hash(text)])
        return
    reader = {".md": parse_markdown, ".markdown": parse_markdown, ".html": parse_html, ".htm": parse_html}
    article = reader.get(suffix, parse_plain_text)(text, doc_id=path.stem)
    if article is None or not article.paragraphs:
        yield Skipped(str(path), "no article text found")
        return
    article.path, article.source_hash = str(path), raw_hash(text)
    yield article


def _read_text(path: Path) -> str | Skipped:
    if not path.exists():
        return Skipped(str(path), "file not found")
    size = path.stat().st_size
    if size == 0:
        return Skipped(str(path), "empty file")
    if size > MAX_ARTICLE_BYTES:
        return Skipped(str(path), f"file too large ({size:,} bytes > {MAX_ARTICLE_BYTES:,}); split it or use JSONL")
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        return Skipped(str(path), "binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return Skipped(str(path), f"not UTF-8 text ({err.reason} at byte {err.start}); re-save it as UTF-8")
    return text if text.strip() else Skipped(str(path), "empty file")


def _blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]


def parse_plain_text(text: str, doc_id: str) -> Article | None:
    """Headline on the first line, blank-line-separated paragraphs, optional bullets, credits at the end."""
    blocks = _blocks(text)
    if not blocks:
        return None
    title = normalize(blocks[0].split("\n")[0])
    rest = ["\n".join(blocks[0].split("\n")[1:])] + blocks[1:]
    return _build_article(doc_id, title, [b for b in rest if b.strip()])


def parse_markdown(text: str, doc_id: str) -> Article | None:
    """A `# Title` (or first line) and paragraphs; sub-headings are dropped, inline markup is removed."""
    blocks = _blocks(text)
    if not blocks:
        return None
    title = re.sub(r"^#+\s*", "", blocks[0].split("\n")[0]).strip()
    body = []
    for block in ["\n".join(blocks[0].split("\n")[1:])] + blocks[1:]:
        if not block.strip() or re.match(r"^#{1,6}\s", block):
            continue
        block = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", block)  # images
        block = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", block)  # links keep their text
        block = re.sub(r"(\*\*|__|`)", "", block)
        body.append(block)
    return _build_article(doc_id, normalize(title), body)


def parse_html(text: str, doc_id: str) -> Article | None:
    """The article body and metadata of a news page, as trafilatura extracts them."""
    import trafilatura

    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, favor_precision=True)
    if doc is None or not (doc.text or "").strip():
        return None
    article = _build_article(doc_id, normalize(doc.title or doc_id), doc.text.split("\n"))
    article.source = article.source or doc.sitename
    article.published, article.url = doc.date, doc.url
    article.byline = article.byline or doc.author
    return article


def _build_article(doc_id: str, title: str, blocks: list[str]) -> Article:
    body, credits, dropped = clean_blocks(blocks)
    paragraphs = []
    for block in body:
        if all(_BULLET.match(line) for line in block.split("\n") if line.strip()):
            block = "\n".join(_BULLET.sub("", line) for line in block.split("\n") if line.strip())
        paragraphs.append(Paragraph(f"{doc_id}#p{len(paragraphs) + 1}", len(paragraphs) + 1, block))
    article = Article(doc_id=doc_id, title=title, paragraphs=paragraphs, dropped_lines=dropped)
    article.credits, article.byline = credits, writer(credits)
    _read_dateline(article)
    return article


def _read_dateline(article: Article) -> None:
    for paragraph in article.paragraphs[:3]:
        match = _DATELINE.match(paragraph.text)
        if match:
            article.dateline_place = match.group("place").strip().title()
            article.dateline_date = match.group("date")
            article.source = article.source or match.group("outlet").strip()
            return


def read_jsonl(path: Path, known: dict[str, tuple[str, int]] | None = None) -> Iterator[Article | Unchanged | Skipped]:
    """One article a line: {doc_id, title, source, published, url, paragraphs: [{pid, text}] | text}."""
    known = known or {}
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                line_hash = raw_hash(line.strip())
                if line_hash in known:
                    yield Unchanged(*known[line_hash])
                    continue
                article = _jsonl_article(line, f"{path}:{number}", path)
                if isinstance(article, Article):
                    article.source_hash = line_hash
                yield article
    except UnicodeDecodeError as err:
        yield Skipped(str(path), f"not UTF-8 text ({err.reason}); re-save it as UTF-8")


def _jsonl_article(line: str, where: str, path: Path) -> Article | Skipped:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return Skipped(where, f"invalid JSON ({err.msg} at column {err.colno})")
    if not isinstance(record, dict) or not str(record.get("doc_id") or "").strip():
        return Skipped(where, "a JSONL article needs a non-empty doc_id")
    doc_id = str(record["doc_id"]).strip()
    if isinstance(record.get("paragraphs"), list):
        pairs = [(p.get("pid"), p.get("text")) for p in record["paragraphs"] if isinstance(p, dict)]
    elif isinstance(record.get("text"), str):
        pairs = [(None, block) for block in _blocks(record["text"])]
    else:
        return Skipped(where, f"article {doc_id} has neither `paragraphs` nor `text`")
    paragraphs = []
    for pid, text in pairs:
        body, _, dropped = clean_blocks([text]) if isinstance(text, str) else ([], [], [])
        if body:
            number = len(paragraphs) + 1
            paragraphs.append(Paragraph(str(pid or f"{doc_id}#p{number}"), number, "\n".join(body)))
    if not paragraphs:
        return Skipped(where, f"article {doc_id} has no text")
    article = Article(doc_id=doc_id, title=normalize(str(record.get("title") or doc_id)), paragraphs=paragraphs)
    article.source, article.published, article.url = record.get("source"), record.get("published"), record.get("url")
    article.path = str(path)
    _read_dateline(article)
    return article
