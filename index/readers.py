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
from .identity import namespaced

READER_VERSION = "3"  # bump when reading or cleaning changes what an input yields (2: credits, writer;
# 3: JSONL paragraph ids namespaced by doc_id: old indexes are re-read, their vectors reused, not re-embedded)
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

    `known` maps raw hashes already indexed to (doc_id, paragraph count, path): such input read from the
    same path is not parsed again.
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
    unchanged = _unchanged(known, raw_hash(text), path)
    if unchanged:
        yield unchanged
        return
    reader = {".md": parse_markdown, ".markdown": parse_markdown, ".html": parse_html, ".htm": parse_html}
    article = reader.get(suffix, parse_plain_text)(text, doc_id=path.stem)
    if article is None or not article.paragraphs:
        yield Skipped(str(path), "no article text found")
        return
    article.path, article.source_hash = str(path), raw_hash(text)
    yield article


def still_holds(path: str, source_hash: str) -> bool:
    """Does the article file at `path` still read as `source_hash`? (JSONL files: assumed, not re-read.)"""
    if path.lower().endswith(".jsonl"):
        return True
    text = _read_text(Path(path))
    return isinstance(text, str) and raw_hash(text) == source_hash


def _unchanged(known: dict, source_hash: str, path: Path) -> Unchanged | None:
    """The same input from the same place is unchanged; the same bytes elsewhere are a move or a duplicate,
    which the indexer decides (identity.py), so they are read."""
    hit = known.get(source_hash)
    if hit and hit[2] == str(path):
        return Unchanged(hit[0], hit[1], str(path), source_hash)
    return None


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
                unchanged = _unchanged(known, line_hash, path)
                if unchanged:
                    yield unchanged
                    continue
                article = _jsonl_article(line, f"{path}:{number}", path)
                if isinstance(article, Article):
                    article.source_hash = line_hash
                yield article
    except UnicodeDecodeError as err:
        yield Skipped(str(path), f"not UTF-8 text ({err.reason}); re-save it as UTF-8")


_TEXT_FIELDS = ("title", "source", "published", "url")


def _text(value) -> str | None:
    return None if value is None or not str(value).strip() else str(value).strip()


def _jsonl_article(line: str, where: str, path: Path) -> Article | Skipped:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return Skipped(where, f"invalid JSON ({err.msg} at column {err.colno})")
    if not isinstance(record, dict) or not str(record.get("doc_id") or "").strip():
        return Skipped(where, "a JSONL article needs a non-empty doc_id")
    doc_id = str(record["doc_id"]).strip()
    wrong = [f"`{name}` must be text, not {type(record[name]).__name__}" for name in _TEXT_FIELDS
             if record.get(name) is not None and (isinstance(record[name], bool)
                                                  or not isinstance(record[name], (str, int, float)))]
    if wrong or not isinstance(record["doc_id"], (str, int)):
        wrong = wrong or [f"`doc_id` must be text, not {type(record['doc_id']).__name__}"]
        return Skipped(where, f"article {doc_id[:60]}: {'; '.join(wrong)} (e.g. \"source\": \"Reuters\")")
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
            local = str(pid).strip() if isinstance(pid, (str, int)) and str(pid).strip() else f"p{number}"
            paragraphs.append(Paragraph(namespaced(local, doc_id), number, "\n".join(body)))
    if not paragraphs:
        return Skipped(where, f"article {doc_id} has no text")
    article = Article(doc_id=doc_id, title=normalize(str(record.get("title") or doc_id)), paragraphs=paragraphs)
    article.source, article.published, article.url = (_text(record.get(name)) for name in ("source", "published", "url"))
    article.path = str(path)
    _read_dateline(article)
    return article
