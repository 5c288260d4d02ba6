"""The Gradio chat: a thin class that turns the core's answer stream into chat messages and a sources panel.

The `render_*` functions are pure (core objects in, HTML out) and escape every piece of article or user
text, so they are tested without a browser. `ChatUI` only wires them to Gradio components; it does not
retrieve, answer or cite anything itself. Gradio is imported inside `ChatUI.build()`, so importing this
module (e.g. in tests of the renderers) stays cheap.

Not handled here: reading settings or command-line flags (that is app.py's job), authentication policy.
No `from __future__ import annotations`: Gradio finds `gr.EventData` parameters by their evaluated hints.
"""
import contextlib
import datetime
import html
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from index.lock import IndexLocked
from index.readers import SUPPORTED_SUFFIXES

from .answer import Answer, Citation, Conflict, ConflictSide, Passage
from .conflicts import split_note, was_noted
from .core import Assistant, AssistantError
from .filters import FilterError, build_where, describe_where, matches
from .text import tokenize

EXAMPLES = ("What did Lavrov demand?", "Who did Blinken meet?", "What does the article say about Whelan?")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # per file; Gradio enforces the same cap before the file reaches us
# Answers at once. They spend part of their time in code that releases the GIL (torch, Chroma, numpy), so a
# few overlap even on 2 cores: in two paired runs of benchmarks/load_test.py (20 sessions, busy 2-core
# machine) 4 gave 18 % more answers per second than 1. The local model still serialises its own calls.
ANSWER_CONCURRENCY = 4
MARKER = re.compile(r"\[(\d+)\]")
CITE_HREF = "#cite-{answer}-{marker}"  # the click handler reads the answer and marker back from the href
SAVED_EXCHANGES = 50  # kept in the browser across a reload
SHOWN_QUESTION_CHARS = 300  # a refused long question is shown cut, not echoed whole
# A dateline opening a quoted sentence: "PORT HALDEN, March 3 (Coastal Ledger) – ": a place in capitals, then
# a date and/or an outlet in brackets, then a dash. Shown answers start with the news, not with it.
DATELINE = re.compile(r"(?:(?<=^)|(?<=[.:\]] ))[A-Z][A-Z.'’ -]+(?:, [A-Z][A-Z.']+)?"
                      r"(?:(?:,\s*[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)(?:\s*\([^)]{2,40}\))?|\s*\([^)]{2,40}\))"
                      r"\s*[–—-]\s*")
SMALL_TALK = ("I answer questions about the indexed news articles, citing the paragraph each claim comes from; "
              "I can't chat, write or look things up elsewhere. Try one of these:")


def escape(text) -> str:
    """HTML-escape anything shown to the user (quotes too: values also land in attributes)."""
    return html.escape(str(text or ""), quote=True)


@dataclass
class Exchange:
    """One question and what came back: an `Answer` (partial while streaming), an error message, or the
    small-talk reply (`examples`: questions to try). `filters` names the filters the answer was given under."""

    question: str
    answer: Answer | None = None
    error: str = ""
    filters: str = ""
    examples: list[str] = field(default_factory=list)
    stopped: bool = False


# --- the filter row ------------------------------------------------------------------------------------------
def where_for(outlets=None, since: str | None = None, until: str | None = None) -> dict | None:
    """The core's `where` for the chat's filter row, from the builder the CLI uses (filters.build_where);
    None = no filter. A date that is not a real one, or a range that ends before it starts, raises
    AssistantError with the fix, which the chat shows."""
    try:
        return build_where(list(outlets or []) or None, None, since, until)
    except FilterError as err:
        raise AssistantError(str(err)) from None


# --- small talk --------------------------------------------------------------------------------------------
def outside_the_articles(question: str, vocabulary) -> bool:
    """True when at most half of the question's content words occur anywhere in the indexed articles
    ("hi", "write me a poem", "who won the 2018 world cup"): a request the articles cannot be about, so it
    gets an explanation of what the assistant does rather than a refusal styled as a miss."""
    words = tokenize(question)
    known = sum(1 for word in words if word in vocabulary)
    return known * 2 <= len(words)


def headline_examples(articles: list[dict], corpus_folders, count: int = 3) -> list[str]:
    """Questions to try: the curated ones while the seed articles are the whole corpus, else one per
    headline of the newest indexed articles."""
    folders = [str(Path(f).resolve()) for f in corpus_folders]
    if articles and all(str(Path(a.get("path") or "/").resolve()).startswith(tuple(folders)) for a in articles):
        return list(EXAMPLES)
    newest = sorted(articles, key=lambda a: a.get("date") or "", reverse=True)
    return [f"What does “{a['title']}” report?" for a in newest if a.get("title")][:count]


# --- rendering: chat messages ----------------------------------------------------------------------------
def link_markers(escaped_text: str, number: int, markers: set[int]) -> str:
    """Turn each [n] that has a citation into a footnote link selecting that source of answer `number`."""
    def link(match: re.Match) -> str:
        marker = int(match.group(1))
        if marker not in markers:
            return match.group(0)
        href = CITE_HREF.format(answer=number, marker=marker)  # Gradio's sanitizer drops data-* attributes
        return f'<a class="cite" href="{href}" title="Show source [{marker}]">[{marker}]</a>'
    return MARKER.sub(link, escaped_text)


def render_meta(answer: Answer) -> str:
    """Backend and per-stage timings, for the curious: small and grey; a follow-up also shows the question
    it was read as ("he" -> "Lavrov")."""
    stages = " · ".join(f"{escape(stage)} {ms:,.0f} ms" for stage, ms in answer.timings.items())
    done = " done" if "total" in answer.timings else ""  # the last answer of a stream has the total time
    searched = answer.standalone_question
    read_as = (f'<div class="searched">Searched: {escape(searched)}</div>'
               if searched and searched.strip() != answer.question.strip() else "")
    return f'{read_as}<div class="meta{done}">{escape(answer.backend or "…")}{" · " + stages if stages else ""}</div>'


def render_question(question: str) -> str:
    """The user's message, shown as text whatever it contains; a very long one is cut."""
    if len(question) > SHOWN_QUESTION_CHARS:
        return escape(question[:SHOWN_QUESTION_CHARS].rstrip()) + f"… <i>({len(question):,} characters)</i>"
    return escape(question)


def strip_datelines(text: str) -> str:
    """The answer without the datelines its quoted sentences start with."""
    return DATELINE.sub("", text)


def answer_parts(answer: Answer) -> tuple[str, list[str]]:
    """(the answer as shown, one short line per disagreement). The core appends the full disagreement note
    to the text (CLI, evaluation); the chat shows one line each and keeps the note for the sources panel."""
    body, note = split_note(answer.text, answer.conflicts)
    lines = []
    for conflict in answer.conflicts:
        tags = "".join(f"[{side.markers[0]}]" for side in conflict.sides if side.markers)
        lowered = conflict.description[0].lower() + conflict.description[1:]
        lines.append(f"As noted above, {lowered} {tags}." if was_noted(note, conflict)
                     else f"The sources disagree: {lowered} {tags}. The note is with the sources.")
    return strip_datelines(body), lines


def footnoted(answer: Answer) -> str:
    """The answer as plain text with its sources as footnotes: what Copy puts on the clipboard."""
    body, lines = answer_parts(answer)
    notes = [f"[{c.marker}] {c.label or source_label_text(c)}: “{c.quote}”{' ' + c.url if c.url else ''}"
             for c in answer.citations]
    return "\n\n".join(part for part in (" ".join([body, *lines]).strip(), "\n".join(notes)) if part)


def render_actions(answer: Answer, number: int) -> str:
    """Copy (text and footnotes) for every answer; the text to copy rides along, hidden."""
    if answer.refused:
        return ""
    copy_text = f'<div class="copy-text">{escape(footnoted(answer))}</div>'
    return (f'<div class="actions"><a class="copy" href="#copy-{number}" title="Copy the answer with its '
            f'sources as footnotes">Copy</a></div>{copy_text}')


def render_answer(answer: Answer, number: int, filters: str = "") -> str:
    """An answer as chat HTML: refusals look like refusals; markers become footnote links; a disagreement
    is one line pointing at its note; the sources follow in a drawer (opened on narrow screens)."""
    notices = "".join(f'<div class="notice">{escape(n)}</div>' for n in answer.notices)
    used = f'<div class="filters-used">Filters: {escape(filters)}</div>' if filters else ""
    if answer.refused:
        return f'<div class="refusal">{escape(answer.text)}</div>{used}{notices}{render_meta(answer)}'
    markers = {c.marker for c in answer.citations}
    body, lines = answer_parts(answer)
    text = link_markers(escape(body), number, markers)
    flags = "".join(f'<div class="conflict-flag">⚠ {link_markers(escape(line), number, markers)}</div>'
                    for line in lines)
    return (f'<div class="answer">{text}</div>{flags}{render_actions(answer, number)}{used}{notices}'
            f'{render_drawer(answer, number)}{render_meta(answer)}')


def render_small_talk(examples: list[str]) -> str:
    """What the assistant is for, and questions to try (each one a link that asks it)."""
    items = "".join(f'<li><a class="example" href="#ask-{i}">{escape(q)}</a></li>' for i, q in enumerate(examples))
    return f'<div class="small-talk">{escape(SMALL_TALK)}<ul>{items}</ul></div>'


def render_exchange(exchange: Exchange, number: int) -> list[dict]:
    """The two chat messages of one exchange (the answer may still be on its way)."""
    if exchange.error:
        reply = f'<div class="error">{escape(exchange.error)}</div>'
    elif exchange.examples:
        reply = render_small_talk(exchange.examples)
    elif exchange.answer is None:
        reply = ('<div class="error">Stopped.</div>' if exchange.stopped
                 else '<div class="pending">Searching the articles…</div>')
    else:
        reply = render_answer(exchange.answer, number, exchange.filters)
        reply += '<div class="notice">Stopped before the end.</div>' if exchange.stopped else ""
    return [{"role": "user", "content": render_question(exchange.question)},
            {"role": "assistant", "content": reply}]


def render_chat(exchanges: list[Exchange]) -> list[dict]:
    """The whole conversation, rebuilt from state: each answer keeps its own number, hence its own sources."""
    return [message for number, exchange in enumerate(exchanges) for message in render_exchange(exchange, number)]


def history_of(exchanges: list[Exchange]) -> list[dict]:
    """What the core needs for follow-ups: plain question and answer text, no HTML."""
    history = []
    for exchange in exchanges:
        if exchange.answer is not None:
            history += [{"role": "user", "content": exchange.question}, exchange.answer.as_message()]
    return history


# --- saving a conversation in the browser -------------------------------------------------------------------
def saved_form(exchanges: list[Exchange]) -> list[dict]:
    """The conversation's last SAVED_EXCHANGES exchanges as JSON-ready dicts (what the browser keeps across a
    reload; localStorage holds about 5 MB per site, and an answer with its paragraphs is 5-20 kB)."""
    kept = [e for e in exchanges if e.answer or e.error or e.examples][-SAVED_EXCHANGES:]
    return [{"question": e.question, "answer": e.answer.to_dict() if e.answer else None, "error": e.error,
             "filters": e.filters, "examples": list(e.examples)} for e in kept]


def restored(saved) -> list[Exchange]:
    """`saved_form`'s dicts back to exchanges; anything malformed (an older format) is dropped."""
    exchanges = []
    for item in saved if isinstance(saved, list) else []:
        try:
            answer = _answer_from(item["answer"]) if item.get("answer") else None
            exchanges.append(Exchange(item["question"], answer, item.get("error", ""), item.get("filters", ""),
                                      list(item.get("examples", []))))
        except (KeyError, TypeError, AttributeError):
            continue
    return exchanges


def _answer_from(data: dict) -> Answer:
    data = dict(data)
    data["citations"] = [Citation(**c) for c in data.get("citations", [])]
    data["retrieved"] = [Passage(**p) for p in data.get("retrieved", [])]
    data["conflicts"] = [Conflict(c["kind"], c["description"], [ConflictSide(**s) for s in c["sides"]])
                         for c in data.get("conflicts", [])]
    return Answer(**data)


# --- rendering: the sources panel --------------------------------------------------------------------------
def highlight(paragraph: str, quote: str, start: int, end: int) -> str:
    """The escaped paragraph with the supporting quote in <mark>; offsets are checked, not trusted."""
    if not (quote and 0 <= start < end <= len(paragraph) and paragraph[start:end] == quote):
        start = paragraph.find(quote) if quote else -1
        end = start + len(quote)
    if start < 0:
        return escape(paragraph)
    return f"{escape(paragraph[:start])}<mark>{escape(paragraph[start:end])}</mark>{escape(paragraph[end:])}"


def source_label_text(item: Citation | Passage) -> str:
    """Outlet, title, date, ¶n: the core's label, or one built from the fields when it has none."""
    label = getattr(item, "label", "")
    if not label:
        parts = [item.source or "unknown outlet", f"“{item.title}”" if item.title else item.doc_id]
        label = ", ".join(parts + ([item.published] if item.published else [])) + f", ¶{item.paragraph_number}"
    return label


def source_label(item: Citation | Passage) -> str:
    return escape(source_label_text(item))


def url_link(url: str) -> str:
    """A link to the original article when it has a web address (never javascript: or file: links)."""
    if not (url or "").startswith(("http://", "https://")):
        return ""
    return f' <a class="source-url" href="{escape(url)}" target="_blank" rel="noopener">original</a>'


def whole_article_link(number: int, marker: int) -> str:
    return (f' <a class="open-article" href="#article-{number}-{marker}" '
            f'title="Read the whole article with this paragraph marked">whole article</a>')


def render_citation(citation: Citation, number: int, selected: bool) -> str:
    """One cited paragraph: its label, links to the whole article and the original, the quote marked."""
    whole = whole_article_link(number, citation.marker)
    head = f'<span class="marker">[{citation.marker}]</span> {source_label(citation)}{whole}{url_link(citation.url)}'
    paragraph = highlight(citation.paragraph, citation.quote, citation.quote_start, citation.quote_end)
    return (f'<li class="source{" selected" if selected else ""}" id="source-{number}-{citation.marker}">'
            f'<div class="source-head">{head}</div><p class="paragraph">{paragraph}</p></li>')


def render_conflict(conflict: Conflict, number: int) -> str:
    """Both (all) sides of a disagreement, each with its citations and where it comes from."""
    def side_html(side) -> str:
        markers = link_markers(" ".join(f"[{m}]" for m in side.markers), number, set(side.markers))
        provenance = f'<span class="provenance">{escape(side.provenance)}</span>'
        return f"<li><b>{escape(side.value)}</b> {markers} {provenance}</li>"
    sides = "".join(side_html(side) for side in conflict.sides)
    return (f'<div class="conflict"><b>⚠ Sources disagree ({escape(conflict.kind)}):</b> '
            f'{escape(conflict.description)}<ul>{sides}</ul></div>')


def render_drawer(answer: Answer, number: int) -> str:
    """The answer's sources folded under it, so a phone reaches them beside the answer (CSS hides this
    drawer where the sources panel stands beside the chat)."""
    conflicts = "".join(render_conflict(c, number) for c in answer.conflicts)
    cited = "".join(f'<li class="source inline-{c.marker}"><div class="source-head"><span class="marker">'
                    f'[{c.marker}]</span> {source_label(c)}{whole_article_link(number, c.marker)}{url_link(c.url)}'
                    f'</div><p class="paragraph">{highlight(c.paragraph, c.quote, c.quote_start, c.quote_end)}</p>'
                    f'</li>' for c in answer.citations)
    return (f'<details class="drawer"><summary>Sources ({len(answer.citations)})</summary>{conflicts}'
            f'<ol class="cited">{cited}</ol></details>')


def render_passage(passage: Passage) -> str:
    return (f'<li class="passage"><div class="source-head">{source_label(passage)}</div>'
            f'<p class="paragraph">{escape(passage.paragraph or passage.text)}</p></li>')


def render_uncited(passages: list[Passage], refused: bool) -> str:
    """Retrieved paragraphs the answer does not rely on, folded away."""
    if not passages:
        return ""
    summary = "Paragraphs searched (none answers it)" if refused else "Retrieved but not cited"
    items = "".join(render_passage(p) for p in passages)
    return f'<details class="uncited"><summary>{summary} ({len(passages)})</summary><ul>{items}</ul></details>'


def render_sources(exchanges: list[Exchange], number: int | None = None, marker: int | None = None) -> str:
    """The panel for answer `number` (default: the latest answered) with citation `marker` selected."""
    answered = [n for n, e in enumerate(exchanges) if e.answer is not None]
    if number is None or not (0 <= number < len(exchanges)) or exchanges[number].answer is None:
        number = answered[-1] if answered else None
    if number is None:
        return '<div class="sources empty">Sources of the answer appear here. Click a [n] marker to select one.</div>'
    answer = exchanges[number].answer
    head = f'<p class="sources-for">Sources of answer {number + 1}: “{escape(answer.question)}”</p>'
    if answer.refused:
        body = '<p class="refusal">No source is claimed: the articles do not answer this question.</p>'
    else:
        marker = marker if marker in {c.marker for c in answer.citations} else None
        conflicts = "".join(render_conflict(c, number) for c in answer.conflicts)
        cited = "".join(render_citation(c, number, c.marker == marker) for c in answer.citations)
        body = f'{conflicts}<ol class="cited">{cited}</ol>'
    return (f'<div class="sources" data-answer="{number}">{head}{body}'
            f'{render_uncited(answer.retrieved, answer.refused)}</div>')


def render_article(passages: list[Passage], citation: Citation, number: int, record: dict | None = None) -> str:
    """A whole article in the sources panel, the cited paragraph marked (and scrolled to by CLICK_JS)."""
    title = escape(citation.title or citation.doc_id)
    meta = escape(f"{citation.source or 'unknown outlet'}, {article_date(record or {})}")
    href = CITE_HREF.format(answer=number, marker=citation.marker)
    back = f'<a class="back" href="{href}">← back to the sources</a>'
    paragraphs = "".join(
        f'<p class="paragraph{" cited selected" if p.paragraph_number == citation.paragraph_number else ""}">'
        + (highlight(p.paragraph or p.text, citation.quote, citation.quote_start, citation.quote_end)
           if p.paragraph_number == citation.paragraph_number else escape(p.paragraph or p.text)) + "</p>"
        for p in sorted(passages, key=lambda p: (p.paragraph_number, p.start)) if p.start == 0)
    return (f'<div class="sources article-view">{back}<h3>{title}</h3><p class="source-head">{meta}'
            f'{url_link(citation.url)}</p>{paragraphs}</div>')


# --- rendering: the articles tab ------------------------------------------------------------------------
def article_date(article: dict) -> str:
    """"21 Jan 2022" from the record's date (see filters.with_dates), marked when the year was inferred;
    the dateline as written when it has no year; "undated" otherwise."""
    iso = article.get("date") or ""
    if not iso:
        written = article.get("published") or article.get("dateline_date") or ""
        return f"{written} (year unknown)" if written else "undated"
    shown = datetime.date.fromisoformat(iso).strftime("%-d %b %Y")
    return f"{shown} (year inferred from the weekday)" if article.get("date_inferred") else shown


def render_articles(articles: list[dict]) -> str:
    """A table of the indexed articles: title, outlet, full date, paragraph count."""
    if not articles:
        return '<p class="articles empty">No articles indexed yet: upload some below.</p>'
    rows = "".join(
        f"<tr><td>{escape(a.get('title') or a.get('doc_id'))}{url_link(a.get('url') or '')}</td>"
        f"<td>{escape(a.get('source') or 'unknown outlet')}</td><td class='date'>{escape(article_date(a))}</td>"
        f"<td class='count'>{int(a.get('n_paragraphs') or 0)}</td></tr>" for a in articles)
    return (f'<table class="articles"><caption>{len(articles)} articles indexed</caption>'
            f"<thead><tr><th>Title</th><th>Outlet</th><th>Date</th><th>Paragraphs</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def article_choices(articles: list[dict]) -> list[tuple[str, str]]:
    """(label, doc_id) pairs for the "remove an article" menu."""
    return [(f"{a.get('title') or a['doc_id']} — {a.get('source') or 'unknown outlet'}, {article_date(a)}",
             a["doc_id"]) for a in articles]


def render_report(report, refused: list[str]) -> str:
    """What an upload did, with each refusal's reason (file names only, never server paths)."""
    done = (f"Added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}."
            if report else "Nothing was indexed.")
    reasons = refused + [f"{Path(s.path).name}: {s.reason}" for s in (report.skipped if report else [])]
    items = "".join(f"<li>{escape(reason)}</li>" for reason in reasons)
    refusals = f'<p class="refused-files">Not indexed:</p><ul>{items}</ul>' if items else ""
    return f'<div class="upload-report"><p>{escape(done)}</p>{refusals}</div>'


# --- uploads ---------------------------------------------------------------------------------------------
class UploadRefused(ValueError):
    """An uploaded file we will not index; the message is shown to the user."""


def safe_name(name: str) -> str:
    """The base name only, reduced to safe characters: no folders, no hidden files, no '..'."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._-")[:120]
    if not base or Path(base).suffix.lower() not in SUPPORTED_SUFFIXES or not Path(base).stem:
        raise UploadRefused(f"{name!s}: unsupported file name or type; use {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    return base


def store_upload(source: Path, uploads_dir: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> Path:
    """Copy one uploaded file into `uploads_dir` under its sanitized name, after checking type and size."""
    source = Path(source)
    name = safe_name(source.name)
    if not source.is_file():
        raise UploadRefused(f"{name}: the upload did not arrive; try again")
    size = source.stat().st_size
    if size > max_bytes:
        raise UploadRefused(f"{name}: too large ({size:,} bytes; the limit is {max_bytes:,})")
    uploads_dir.mkdir(parents=True, exist_ok=True)
    target = uploads_dir / name
    shutil.copyfile(source, target)
    return target


# --- answers and uploads ------------------------------------------------------------------------------------
class IndexLock:
    """Many answers at once, or one upload alone, so an upload never swaps the index (article records,
    lexical index, IDF) under an answer being written. An upload that waits bars new answers, so a steady
    stream of questions cannot starve it."""

    def __init__(self):
        self._changed = threading.Condition()
        self._answers = 0
        self._upload = False  # an upload holds the index or waits for it

    @contextlib.contextmanager
    def answering(self):
        with self._changed:
            self._changed.wait_for(lambda: not self._upload)
            self._answers += 1
        try:
            yield
        finally:  # also when Gradio closes an answer's generator early (the user left)
            with self._changed:
                self._answers -= 1
                self._changed.notify_all()

    @contextlib.contextmanager
    def indexing(self):
        with self._changed:
            self._changed.wait_for(lambda: not self._upload)
            self._upload = True
            self._changed.wait_for(lambda: self._answers == 0)
        try:
            yield
        finally:
            with self._changed:
                self._upload = False
                self._changed.notify_all()


# --- the Gradio app ---------------------------------------------------------------------------------------
# Colours are set for both themes: Gradio puts class "dark" on the page when the browser prefers dark, and a
# highlight that only sets its background (text colour inherited) was white on pale yellow there. Each pair
# below is ≥ 4.5:1 (WCAG AA); the browser test measures it. Each ".dark" rule has one selector: Gradio 6
# scopes custom CSS and, in a selector list, keeps ".dark" in front of the first selector only.
CSS = """
.loading-note { padding: 0.5em 1em; border-radius: 6px; background: var(--color-accent-soft); }
.answer, .refusal, .error, .pending { white-space: pre-wrap; }
a.cite { text-decoration: none; font-weight: 600; padding: 0 1px; border-radius: 3px; cursor: pointer; }
a.cite:hover, a.cite:focus { background: var(--color-accent-soft); }
.refusal { font-style: italic; color: var(--body-text-color-subdued); border-left: 3px solid #d97706;
           padding-left: 8px; }
.error { color: #b91c1c; }
.dark .error { color: #fca5a5; }
.pending { color: var(--body-text-color-subdued); }
.meta, .searched, .filters-used { font-size: 0.75em; color: var(--body-text-color-subdued); margin-top: 6px; }
.notice { font-size: 0.85em; color: #92400e; margin-top: 4px; }
.dark .notice { color: #fcd34d; }
.conflict-flag, .conflict { background: #fef3c7; color: #78350f; border-radius: 4px; padding: 4px 8px;
                            margin: 6px 0; }
.conflict b, .conflict-flag a.cite { color: #78350f; }
.dark .conflict-flag { background: #422006; color: #fef3c7; }
.dark .conflict { background: #422006; color: #fef3c7; }
.dark .conflict b { color: #fde68a; }
.dark .conflict-flag a.cite { color: #fde68a; }
.sources ol.cited, .drawer ol.cited { list-style: none; padding-left: 0; }
.sources .source, .drawer .source { margin-bottom: 10px; padding: 6px; border-radius: 4px; }
.sources .source.selected, .drawer .source.selected { outline: 2px solid var(--color-accent); }
.source-head { font-size: 0.85em; color: var(--body-text-color-subdued); }
.paragraph { white-space: pre-line; margin: 4px 0; }
mark { background: #fde68a; color: #1f2937; padding: 0 1px; }
.dark mark { background: #854d0e; color: #fef9c3; }
.article-view .paragraph.cited { border-left: 3px solid #d97706; padding-left: 6px; }
.sources .sources-for { font-weight: 600; }
.provenance { font-size: 0.85em; color: var(--body-text-color-subdued); }
.conflict .provenance { color: #92400e; }
.dark .conflict .provenance { color: #fcd34d; }
.uncited summary, .drawer summary { cursor: pointer; color: var(--body-text-color-subdued); }
.actions { font-size: 0.8em; margin-top: 4px; }
.actions a { margin-right: 10px; }
.copy-text { display: none; }
.small-talk ul { margin: 4px 0 0 0; }
table.articles { width: 100%; border-collapse: collapse; }
table.articles td, table.articles th { text-align: left; padding: 4px 8px;
                                       border-bottom: 1px solid var(--border-color-primary); }
table.articles td.count { text-align: right; }
/* Wide screens: the sources panel stands beside the chat, so the drawer under each answer is not needed.
   Narrow screens: the panel would be far below the chat, so each answer carries its own drawer. */
@media (min-width: 900px) { .drawer { display: none; } }
@media (max-width: 899px) { #sources-column { display: none; } #sources-column.reading { display: flex; } }
"""

# Chat messages are rendered by Gradio, so clicks on links inside them are caught once for the whole page:
# a [n] marker selects that source (in the panel, or on a narrow screen in the answer's own drawer), "whole
# article" opens it there, Copy writes the answer and its footnotes to the clipboard, an example asks itself.
CLICK_JS = """
window.__newsAssistantTrigger = trigger;
if (!window.__newsAssistantClicks) {
  window.__newsAssistantClicks = true;
  const narrow = () => window.matchMedia('(max-width: 899px)').matches;
  const openDrawer = (link, marker) => {
    const message = link.closest('.message, .bot-row, [data-testid="bot"]') || link.parentElement;
    const drawer = message && message.querySelector('details.drawer');
    if (!drawer) return;
    drawer.open = true;
    drawer.querySelectorAll('.source.selected').forEach((li) => li.classList.remove('selected'));
    const item = drawer.querySelector('.inline-' + marker);
    if (item) { item.classList.add('selected'); item.scrollIntoView({block: 'nearest'}); }
  };
  document.addEventListener('click', (event) => {
    const link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    const href = (link && link.getAttribute('href')) || '';
    let found;
    const column = document.querySelector('#sources-column');
    if ((found = /#cite-(\\d+)-(\\d+)$/.exec(href))) {
      if (narrow()) column.classList.remove('reading');  // back to the drawers under the answers
      if (narrow() && link.closest('#sources')) document.querySelector('#chat').scrollIntoView({block: 'start'});
      else if (narrow()) openDrawer(link, found[2]);
      window.__newsAssistantTrigger('click', {action: 'select', answer: Number(found[1]), marker: Number(found[2])});
    } else if ((found = /#article-(\\d+)-(\\d+)$/.exec(href))) {
      column.classList.add('reading');  // a phone shows the panel (below the chat) while an article is read
      window.__newsAssistantTrigger('click', {action: 'article', answer: Number(found[1]), marker: Number(found[2])});
    } else if (/#copy-\\d+$/.test(href)) {
      const message = link.closest('.message, .bot-row, [data-testid="bot"]') || link.parentElement.parentElement;
      const text = message.querySelector('.copy-text');
      if (text) navigator.clipboard.writeText(text.textContent).then(() => { link.textContent = 'Copied'; });
    } else if (/#ask-\\d+$/.test(href)) {
      const box = document.querySelector('#question textarea');
      box.value = link.textContent;
      box.dispatchEvent(new Event('input', {bubbles: true}));
      document.querySelector('#ask').click();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }, true);
}
watch('value', () => {
  const chosen = element.querySelector('.source.selected, .paragraph.selected');
  if (chosen) chosen.scrollIntoView({block: 'center'});
});
"""
EMPTY_QUESTION = "Type a question about the indexed articles first, e.g. “{example}”."
LOADING = ('<p class="loading-note" role="status">Loading the models: a question asked now is answered as soon '
           'as they are in (a few seconds).</p>')
QUIET = dict(queue=False, api_visibility="private")  # page plumbing (Stop's visibility, saving): not the API


class ChatUI:
    """Wires the renderers to Gradio: a chat with a sources panel, and an Articles tab with uploads.

    Up to ANSWER_CONCURRENCY answers run at once (Gradio queue "answers"); uploads and removals queue one at
    a time ("uploads") and take the index to themselves through an `IndexLock`.
    """

    def __init__(self, assistant: Assistant, uploads_dir: Path | None = None,
                 max_upload_bytes: int = MAX_UPLOAD_BYTES):
        self.assistant = assistant
        self.uploads_dir = Path(uploads_dir or Path(assistant.settings.index_dir) / "uploads")
        self.max_upload_bytes = max_upload_bytes
        self.index_lock = IndexLock()
        # Cleared by app.py while the models load after the page is served: the page says so meanwhile.
        self.ready = threading.Event()
        self.ready.set()

    # --- event handlers (plain methods: what they return is what the components show) ---------------------
    def respond(self, question: str, exchanges: list[Exchange] | None, outlets=None, since: str | None = None,
                until: str | None = None, as_of: str | None = None):
        """Stream one answer from the articles the filter row allows: yields (textbox, chat messages, state,
        sources panel) as it grows. The filters default to None so API clients may leave them out."""
        exchanges = list(exchanges or [])
        if (question or "").strip():  # an empty Enter is not a question (the Gradio wiring says so)
            exchange = Exchange(question, filters=describe_where(outlets, since, until, as_of))
            history = history_of(exchanges)
            exchanges.append(exchange)
            yield "", render_chat(exchanges), exchanges, render_sources(exchanges)
            try:
                yield from self._answer(exchange, exchanges, history, (outlets, since, until), as_of)
                return
            except (AssistantError, RuntimeError) as err:  # RuntimeError: the store or the model failed
                exchange.answer, exchange.error = None, str(err)
        yield question, render_chat(exchanges), exchanges, render_sources(exchanges)

    def _answer(self, exchange: Exchange, exchanges: list[Exchange], history: list, filters: tuple, as_of=None):
        """The core's stream into `exchange`; small talk gets what the assistant does and examples."""
        with self.index_lock.answering():
            where = self.where(*filters)
            for exchange.answer in self.assistant.stream(exchange.question, history=history, where=where,
                                                         as_of=(as_of or "").strip() or None):
                yield "", render_chat(exchanges), exchanges, render_sources(exchanges)
            if exchange.answer.refused and outside_the_articles(exchange.question, self.vocabulary()):
                exchange.answer, exchange.examples = None, self.examples()
                yield "", render_chat(exchanges), exchanges, render_sources(exchanges)

    def regenerate(self, exchanges: list[Exchange] | None, outlets=None, since=None, until=None, as_of=None,
                   typed: str = ""):
        """Ask the last question again (with the filters as they are now), replacing its answer; what is
        being typed in the question box (`typed`) stays there."""
        exchanges = list(exchanges or [])
        if not exchanges:
            yield typed, [], [], render_sources([])
            return
        last = exchanges.pop()
        for _, *shown in self.respond(last.question, exchanges, outlets, since, until, as_of):
            yield typed, *shown

    def stop(self, exchanges: list[Exchange] | None):
        """Mark the answer being written as stopped (Gradio cancels its stream): chat, state, sources."""
        exchanges = list(exchanges or [])
        if exchanges and not exchanges[-1].error:
            exchanges[-1].stopped = "total" not in (exchanges[-1].answer.timings if exchanges[-1].answer else {})
        return render_chat(exchanges), exchanges, render_sources(exchanges)

    def where(self, outlets=None, since: str | None = None, until: str | None = None) -> dict | None:
        """The filter row's `where`. A filter that leaves no article is an error the user can fix, not a
        question the articles "don't answer"."""
        where = where_for(outlets, since, until)
        if where and not any(matches(where, article) for article in self.assistant.articles()):
            raise AssistantError("No indexed article matches the filters (outlets, dates): widen or clear them. "
                                 "Articles without a known date match no date filter (see the Articles tab).")
        return where

    def vocabulary(self):
        """Every word (stem) of the indexed articles."""
        return self.assistant.hybrid.lexical.doc_freq

    def examples(self) -> list[str]:
        return headline_examples(self.assistant.articles(), self.assistant.settings.corpus)

    def outlets(self) -> list[str]:
        """The outlets of the indexed articles: the filter row's choices."""
        return sorted({article["source"] for article in self.assistant.articles() if article.get("source")})

    def select(self, exchanges: list[Exchange] | None, number, marker, action: str = "select") -> str:
        """The sources panel for a clicked [marker] of answer `number`, or (action "article") the whole
        article that citation comes from."""
        exchanges = exchanges or []
        try:
            number, marker = int(number), int(marker)
        except (TypeError, ValueError):
            return render_sources(exchanges)
        if action == "article" and 0 <= number < len(exchanges) and exchanges[number].answer:
            citation = next((c for c in exchanges[number].answer.citations if c.marker == marker), None)
            if citation is not None:
                passages = self.assistant.hybrid.articles_passages([citation.doc_id])
                record = self.assistant.hybrid.records.get(citation.doc_id)
                return render_article(passages, citation, number, record)
        return render_sources(exchanges, number, marker)

    def clear(self):
        """A new chat: state, chat, sources panel, question box, and the filters (outlets, since, until, as of)."""
        return [], [], render_sources([]), "", [], "", "", ""

    def restore(self, saved, outlets=None, since: str = "", until: str = "", as_of: str = ""):
        """What a reload shows from what the browser kept: state, chat, sources, outlets, since, until, as of.
        With nothing kept, the filters stay as they are (someone may have typed while the page loaded)."""
        saved = saved if isinstance(saved, dict) else {}
        exchanges = restored(saved.get("exchanges"))
        if saved:
            outlets, since, until = saved.get("outlets"), saved.get("since"), saved.get("until")
            as_of = saved.get("as_of")
        outlets = [o for o in outlets or [] if o in self.outlets()]
        return (exchanges, render_chat(exchanges), render_sources(exchanges), outlets, str(since or ""),
                str(until or ""), str(as_of or ""))

    def save(self, exchanges, outlets=None, since=None, until=None, as_of=None) -> dict:
        """What the browser keeps across a reload: the conversation and the filters."""
        return {"exchanges": saved_form(exchanges or []), "outlets": list(outlets or []), "since": since or "",
                "until": until or "", "as_of": as_of or ""}

    def upload(self, paths, progress=None) -> tuple[str, str]:
        """Copy, check and index uploaded files; returns (report HTML, articles table HTML)."""
        stored, refused = [], []
        for path in paths or []:
            try:
                stored.append(store_upload(Path(path), self.uploads_dir, self.max_upload_bytes))
            except UploadRefused as err:
                refused.append(str(err))
        report, seen = None, [0]

        def advance(n: int) -> None:
            seen[0] += n
            if progress is not None:
                progress((seen[0], None), desc="Indexing", unit="paragraphs")
        if stored:
            advance(0)
            with self.index_lock.indexing():
                try:  # another process (a cron `index` run) may hold the index folder's writer lock
                    report = self.assistant.add(stored, progress=advance)
                except IndexLocked:  # its message names server paths: the page gets what to do
                    refused.append("Another indexing run is writing to the index right now; upload the files "
                                   "again when it has finished.")
        return render_report(report, refused), render_articles(self.assistant.articles())

    def remove(self, doc_ids) -> tuple[str, str]:
        """Remove articles from the index (store, lexical index, records) and their uploaded copies, so they
        do not come back; returns (report HTML, articles table HTML)."""
        doc_ids = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids or [])
        if not doc_ids:
            return '<div class="upload-report"><p>Choose an article to remove first.</p></div>', \
                render_articles(self.assistant.articles())
        paths = {a["doc_id"]: a.get("path") or "" for a in self.assistant.articles()}
        with self.index_lock.indexing():
            removed = self.assistant.remove(doc_ids)
        for doc_id in removed:
            upload = Path(paths.get(doc_id) or "/")
            if upload.is_file() and upload.resolve().parent == self.uploads_dir.resolve():
                upload.unlink()
        done = f"Removed {len(removed)} article{'s' if len(removed) != 1 else ''}: {', '.join(removed) or 'none'}."
        return f'<div class="upload-report"><p>{escape(done)}</p></div>', render_articles(self.assistant.articles())

    # --- layout ---------------------------------------------------------------------------------------------
    def build(self):
        """The Blocks app (not launched)."""
        import gradio as gr

        with gr.Blocks(title="News assistant") as demo:
            loading = gr.HTML(LOADING, elem_id="loading", visible=not self.ready.is_set())
            timer = gr.Timer(1.0, active=not self.ready.is_set())

            def loaded():  # hide the note, stop polling
                waiting = not self.ready.is_set()
                return gr.HTML(visible=waiting), gr.Timer(active=waiting)
            timer.tick(loaded, None, [loading, timer], **QUIET)
            demo.load(loaded, None, [loading, timer], **QUIET)
            with gr.Tab("Chat"):
                chat, outlets = self._chat_tab(gr, demo)
            with gr.Tab("Articles"):
                articles, removable = self._articles_tab(gr, outlets)

            def refresh():  # articles others uploaded since the app was built
                listed = self.assistant.articles()
                return (render_articles(listed), gr.Dropdown(choices=self.outlets()),
                        gr.Dropdown(choices=article_choices(listed), value=None),
                        gr.Chatbot(examples=[{"text": q} for q in self.examples()]))
            demo.load(refresh, None, [articles, outlets, removable, chat])
        return demo

    def _chat_tab(self, gr, demo):
        """The chat, its filter row and the sources panel, wired; returns the chat and the outlets menu."""
        c = self._chat_layout(gr)
        self._wire_answers(gr, c)
        self._wire_panel_and_storage(gr, c, demo)
        return c.chat, c.outlets

    def _chat_layout(self, gr) -> SimpleNamespace:
        """The chat tab's components, by name."""
        c = SimpleNamespace(exchanges=gr.State([]))  # per browser session: each answer with its own citations
        # The browser's copy, so a reload keeps the conversation and the filters. localStorage is per origin
        # (host and port): a fixed key and secret let a restarted app read what its own page stored.
        c.saved = gr.BrowserState({}, storage_key="news-assistant-chat", secret="news-assistant")
        with gr.Row():
            with gr.Column(scale=3):
                c.chat = gr.Chatbot(show_label=False, elem_id="chat", height=560, render_markdown=False,
                                    sanitize_html=True, allow_tags=False, feedback_options=None, buttons=[],
                                    examples=[{"text": q} for q in self.examples()],
                                    placeholder="Ask about the indexed news articles. Every claim is cited.")
                c.question = gr.Textbox(elem_id="question", placeholder="Ask a question, press Enter",
                                        show_label=False, lines=1, max_lines=4, autofocus=True)
                with gr.Row():
                    c.ask = gr.Button("Ask", variant="primary", elem_id="ask")
                    c.stop = gr.Button("Stop", variant="stop", elem_id="stop", visible=False)
                    c.regenerate = gr.Button("Regenerate", elem_id="regenerate")
                    c.clear = gr.Button("New chat", elem_id="clear")
                with gr.Row(elem_id="filters"):  # empty = all articles
                    c.outlets = gr.Dropdown(self.outlets(), value=[], multiselect=True,
                                            label="Only these outlets", elem_id="filter-outlets", scale=2)
                    c.since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD", max_lines=1,
                                         elem_id="filter-since", scale=1)
                    c.until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", max_lines=1,
                                         elem_id="filter-until", scale=1)
                    c.as_of = gr.Textbox(label="As of", placeholder="YYYY-MM-DD", max_lines=1, elem_id="filter-as-of",
                                         scale=1, info="“now” and “this week” mean this day")
            with gr.Column(scale=2, elem_id="sources-column"):
                c.sources = gr.HTML(render_sources([]), elem_id="sources", js_on_load=CLICK_JS, max_height=620,
                                    padding=True)
        c.filters = [c.outlets, c.since, c.until, c.as_of]
        return c

    def _wire_answers(self, gr, c: SimpleNamespace) -> None:
        """Ask (Enter, the button, an example), Regenerate and Stop; Stop shows only while an answer streams
        and cancels it; each answer is then saved in the browser."""
        outputs, keep = [c.question, c.chat, c.exchanges, c.sources], dict(concurrency_id="answers",
                                                                           concurrency_limit=ANSWER_CONCURRENCY)

        def answer_events(trigger, fn, inputs):
            shown = trigger(lambda: gr.Button(visible=True), None, c.stop, **QUIET)
            running = shown.then(fn, inputs, outputs, **keep)
            running.then(lambda: gr.Button(visible=False), None, c.stop, **QUIET).then(
                self.save, [c.exchanges, *c.filters], c.saved, **QUIET)
            return running

        def respond(question, state, outlets=None, since=None, until=None, as_of=None):  # API: /respond
            if not (question or "").strip():
                gr.Warning(EMPTY_QUESTION.format(example=(self.examples() or ["Who?"])[0]))
            yield from self.respond(question, state, outlets, since, until, as_of)

        def pick_example(evt: gr.SelectData) -> str:
            return evt.value["text"]
        asking = [c.question, c.exchanges, *c.filters]
        runs = [answer_events(event, respond, asking) for event in (c.question.submit, c.ask.click)]
        runs.append(answer_events(c.regenerate.click, self.regenerate, [c.exchanges, *c.filters, c.question]))
        runs.append(answer_events(c.chat.example_select(pick_example, None, c.question).then, respond, asking))
        c.stop.click(self.stop, c.exchanges, [c.chat, c.exchanges, c.sources], cancels=runs, queue=False).then(
            lambda: gr.Button(visible=False), None, c.stop, **QUIET).then(
            self.save, [c.exchanges, *c.filters], c.saved, **QUIET)

    def _wire_panel_and_storage(self, gr, c: SimpleNamespace, demo) -> None:
        """Clicks in the chat and the panel (CLICK_JS), New chat, and the browser's copy of the chat."""
        def select(state: list, evt: gr.EventData) -> str:
            answer, marker, action = (_sent(evt, name) for name in ("answer", "marker", "action"))
            return self.select(state, answer, marker, action or "select")
        c.sources.click(select, [c.exchanges], c.sources)
        for event in (c.clear.click, c.chat.clear):  # our button and the chat's own bin icon
            event(self.clear, None, [c.exchanges, c.chat, c.sources, c.question, *c.filters]).then(
                self.save, [c.exchanges, *c.filters], c.saved, **QUIET)
        for box in c.filters:
            box.change(self.save, [c.exchanges, *c.filters], c.saved, **QUIET)

        def restore(saved, *filters):  # with nothing kept, leave alone what was typed while the page loaded
            return self.restore(saved, *filters) if saved else (gr.skip(),) * 7
        demo.load(restore, [c.saved, *c.filters], [c.exchanges, c.chat, c.sources, *c.filters],
                  api_visibility="private")

    def _articles_tab(self, gr, outlets):
        """The articles table, uploads and removal; both refresh the chat's `outlets` menu."""
        articles = gr.HTML(render_articles(self.assistant.articles()), elem_id="articles")
        files = gr.File(label=f"Upload articles ({' '.join(sorted(SUPPORTED_SUFFIXES))}; "
                              f"up to {self.max_upload_bytes // 2**20} MB each)",
                        file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES), type="filepath",
                        elem_id="upload")
        add = gr.Button("Index the uploaded files", variant="primary", elem_id="add")
        with gr.Row():
            removable = gr.Dropdown(article_choices(self.assistant.articles()), value=None,
                                    label="Remove an article from the index", elem_id="remove-choice", scale=3)
            remove = gr.Button("Remove", variant="stop", elem_id="remove", scale=1)
        report = gr.HTML("", elem_id="upload-report")

        def upload(paths, progress=gr.Progress()):  # noqa: B008 (Gradio finds the progress bar by this default)
            return self.upload(paths, progress)

        def menus():
            listed = self.assistant.articles()
            return gr.Dropdown(choices=self.outlets()), gr.Dropdown(choices=article_choices(listed), value=None)
        add.click(upload, files, [report, articles], concurrency_id="uploads", concurrency_limit=1).then(
            menus, None, [outlets, removable])
        remove.click(self.remove, removable, [report, articles], concurrency_id="uploads", concurrency_limit=1).then(
            menus, None, [outlets, removable])
        return articles, removable

    def launch_options(self, **options) -> dict:
        """What `launch` hands to Gradio's launch: `options` (host, port, auth) with our fixed settings over
        them, so no caller can ask for a public share link."""
        # run_history off: its page offers to upload past runs to a Hugging Face bucket.
        return options | dict(share=False, css=CSS, max_file_size=self.max_upload_bytes, quiet=True,
                              run_history=False, footer_links=["api", "settings"])

    def launch(self, **options):
        """Build and serve with `launch_options(**options)`; returns the Blocks (with prevent_thread_lock=True
        the caller goes on, then waits in `block_thread()`)."""
        demo = self.build()
        demo.launch(**self.launch_options(**options))
        return demo


def _sent(evt, name: str):
    """A field of what CLICK_JS sent with the event: gr.EventData exposes the payload's keys as attributes."""
    try:
        return getattr(evt, name)
    except (AttributeError, TypeError):  # not sent, or no payload at all
        return None
