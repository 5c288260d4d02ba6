"""The Gradio chat: a thin class that turns the core's answer stream into chat messages and a sources panel.

The `render_*` functions are pure (core objects in, HTML out) and escape every piece of article or user
text, so they are tested without a browser. `ChatUI` only wires them to Gradio components; it does not
retrieve, answer or cite anything itself. Gradio is imported inside `ChatUI.build()`, so importing this
module (e.g. in tests of the renderers) stays cheap.

Not handled here: reading settings or command-line flags (that is app.py's job), authentication policy.
No `from __future__ import annotations`: Gradio finds `gr.EventData` parameters by their evaluated hints.
"""
import contextlib
import html
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from index.lock import IndexLocked
from index.readers import SUPPORTED_SUFFIXES

from .answer import Answer, Citation, Conflict, Passage
from .cli import where_from
from .core import Assistant, AssistantError
from .filters import matches

EXAMPLES = ("What did Lavrov demand?", "Who did Blinken meet?", "What does the article say about Whelan?")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # per file; Gradio enforces the same cap before the file reaches us
# Answers at once. They spend part of their time in code that releases the GIL (torch, Chroma, numpy), so a
# few overlap even on 2 cores: in two paired runs of benchmarks/load_test.py (20 sessions, busy 2-core
# machine) 4 gave 18 % more answers per second than 1. The local model still serialises its own calls.
ANSWER_CONCURRENCY = 4
MARKER = re.compile(r"\[(\d+)\]")
CITE_HREF = "#cite-{answer}-{marker}"  # the click handler reads the answer and marker back from the href
ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")  # a year, a month or a day


def escape(text) -> str:
    """HTML-escape anything shown to the user (quotes too: values also land in attributes)."""
    return html.escape(str(text or ""), quote=True)


@dataclass
class Exchange:
    """One question and what came back: an `Answer` (partial while streaming) or an error message."""

    question: str
    answer: Answer | None = None
    error: str = ""


# --- the filter row ------------------------------------------------------------------------------------------
def where_for(outlets=None, since: str | None = None, until: str | None = None) -> dict | None:
    """The core's `where` for the chat's filter row, built by the CLI's `where_from`; None = no filter.

    Dates are compared as text, so anything but YYYY, YYYY-MM or YYYY-MM-DD ("last week", "21/01/2022")
    would quietly match the wrong articles: it raises AssistantError, which the chat shows."""
    since, until = (since or "").strip(), (until or "").strip()
    for name, value in (("since", since), ("until", until)):
        if value and not ISO_DATE.fullmatch(value):
            raise AssistantError(f"The {name!r} date {value!r} is not a date: write YYYY-MM-DD (or YYYY-MM, YYYY).")
    return where_from(SimpleNamespace(source=list(outlets or []) or None, doc=None,
                                      since=since or None, until=until or None))


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
    """The user's message, shown as text whatever it contains."""
    return escape(question)


def render_answer(answer: Answer, number: int) -> str:
    """An answer as chat HTML: refusals look like refusals; markers become footnote links."""
    notices = "".join(f'<div class="notice">{escape(n)}</div>' for n in answer.notices)
    if answer.refused:
        return f'<div class="refusal">{escape(answer.text)}</div>{notices}{render_meta(answer)}'
    text = link_markers(escape(answer.text), number, {c.marker for c in answer.citations})
    flag = ('<div class="conflict-flag">⚠ The sources disagree: see the note beside the chat.</div>'
            if answer.conflicts else "")
    return f'<div class="answer">{text}</div>{flag}{notices}{render_meta(answer)}'


def render_exchange(exchange: Exchange, number: int) -> list[dict]:
    """The two chat messages of one exchange (the answer may still be on its way)."""
    if exchange.error:
        reply = f'<div class="error">{escape(exchange.error)}</div>'
    elif exchange.answer is None:
        reply = '<div class="pending">Searching the articles…</div>'
    else:
        reply = render_answer(exchange.answer, number)
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


# --- rendering: the sources panel --------------------------------------------------------------------------
def highlight(paragraph: str, quote: str, start: int, end: int) -> str:
    """The escaped paragraph with the supporting quote in <mark>; offsets are checked, not trusted."""
    if not (quote and 0 <= start < end <= len(paragraph) and paragraph[start:end] == quote):
        start = paragraph.find(quote) if quote else -1
        end = start + len(quote)
    if start < 0:
        return escape(paragraph)
    return f"{escape(paragraph[:start])}<mark>{escape(paragraph[start:end])}</mark>{escape(paragraph[end:])}"


def source_label(item: Citation | Passage) -> str:
    """Outlet, title, date, ¶n: the core's label, or one built from the fields when it has none."""
    label = getattr(item, "label", "")
    if not label:
        parts = [item.source or "unknown outlet", f"“{item.title}”" if item.title else item.doc_id]
        label = ", ".join(parts + ([item.published] if item.published else [])) + f", ¶{item.paragraph_number}"
    return escape(label)


def render_citation(citation: Citation, number: int, selected: bool) -> str:
    """One cited paragraph: its label, a link to the article when it has a web address, the quote marked."""
    link = ""
    if citation.url.startswith(("http://", "https://")):  # never javascript: or file: links
        link = f' <a class="source-url" href="{escape(citation.url)}" target="_blank" rel="noopener">link</a>'
    head = f'<span class="marker">[{citation.marker}]</span> {source_label(citation)}{link}'
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
    return (f'<div class="conflict"><b>Sources disagree ({escape(conflict.kind)}):</b> '
            f'{escape(conflict.description)}<ul>{sides}</ul></div>')


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


# --- rendering: the articles tab ------------------------------------------------------------------------
def render_articles(articles: list[dict]) -> str:
    """A table of the indexed articles: title, outlet, date, paragraph count."""
    if not articles:
        return '<p class="articles empty">No articles indexed yet: upload some below.</p>'
    rows = "".join(
        f"<tr><td>{escape(a.get('title') or a.get('doc_id'))}</td><td>{escape(a.get('source') or '—')}</td>"
        f"<td>{escape(a.get('published') or a.get('dateline_date') or '—')}</td>"
        f"<td class='count'>{int(a.get('n_paragraphs') or 0)}</td></tr>" for a in articles)
    return (f'<table class="articles"><caption>{len(articles)} articles indexed</caption>'
            f"<thead><tr><th>Title</th><th>Outlet</th><th>Date</th><th>Paragraphs</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


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
CSS = """
.answer, .refusal, .error, .pending { white-space: pre-wrap; }
a.cite { text-decoration: none; font-weight: 600; padding: 0 1px; border-radius: 3px; cursor: pointer; }
a.cite:hover, a.cite:focus { background: var(--color-accent-soft); }
.refusal { font-style: italic; color: var(--body-text-color-subdued); border-left: 3px solid #d97706;
           padding-left: 8px; }
.error { color: #b91c1c; }
.pending { color: var(--body-text-color-subdued); }
.meta, .searched { font-size: 0.75em; color: #888; margin-top: 6px; }
.notice { font-size: 0.85em; color: #92400e; margin-top: 4px; }
.conflict-flag, .conflict { background: #fef3c7; color: #78350f; border-radius: 4px; padding: 4px 8px; margin: 6px 0; }
.sources ol.cited { list-style: none; padding-left: 0; }
.sources .source { margin-bottom: 10px; padding: 6px; border-radius: 4px; }
.sources .source.selected { outline: 2px solid var(--color-accent); background: var(--color-accent-soft); }
.sources .source-head { font-size: 0.85em; color: var(--body-text-color-subdued); }
.sources .paragraph { white-space: pre-line; margin: 4px 0; }
.sources mark { background: #fde68a; color: inherit; padding: 0 1px; }
.sources .sources-for { font-weight: 600; }
.sources .provenance { font-size: 0.85em; color: #888; }
.uncited summary { cursor: pointer; color: var(--body-text-color-subdued); }
table.articles { width: 100%; border-collapse: collapse; }
table.articles td, table.articles th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; }
table.articles td.count { text-align: right; }
"""

# Chat messages are rendered by Gradio, so a click on a [n] link is caught once for the whole page and
# handed to the sources panel as its own "click" event with the answer and marker (read from the href).
CLICK_JS = """
window.__newsAssistantTrigger = trigger;
if (!window.__newsAssistantClicks) {
  window.__newsAssistantClicks = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest ? event.target.closest('a.cite, a[href^="#cite-"]') : null;
    const found = link && /#cite-(\\d+)-(\\d+)$/.exec(link.getAttribute('href') || '');
    if (!found) return;
    event.preventDefault();
    event.stopPropagation();
    window.__newsAssistantTrigger('click', {answer: Number(found[1]), marker: Number(found[2])});
  }, true);
}
watch('value', () => {
  const chosen = element.querySelector('.source.selected');
  if (chosen) chosen.scrollIntoView({block: 'nearest'});
});
"""


class ChatUI:
    """Wires the renderers to Gradio: a chat with a sources panel, and an Articles tab with uploads.

    Up to ANSWER_CONCURRENCY answers run at once (Gradio queue "answers"); uploads queue one at a time
    ("uploads") and take the index to themselves through an `IndexLock`.
    """

    def __init__(self, assistant: Assistant, uploads_dir: Path | None = None,
                 max_upload_bytes: int = MAX_UPLOAD_BYTES):
        self.assistant = assistant
        self.uploads_dir = Path(uploads_dir or Path(assistant.settings.index_dir) / "uploads")
        self.max_upload_bytes = max_upload_bytes
        self.index_lock = IndexLock()

    # --- event handlers (plain methods: what they return is what the components show) ---------------------
    def respond(self, question: str, exchanges: list[Exchange] | None, outlets=None, since: str | None = None,
                until: str | None = None):
        """Stream one answer from the articles the filter row allows: yields (textbox, chat messages, state,
        sources panel) as it grows. The filters default to None so API clients may leave them out."""
        exchanges = list(exchanges or [])
        if (question or "").strip():  # an empty Enter is not a question
            history, exchange = history_of(exchanges), Exchange(question)
            exchanges.append(exchange)
            yield "", render_chat(exchanges), exchanges, render_sources(exchanges)
            try:
                with self.index_lock.answering():
                    where = self.where(outlets, since, until)
                    for exchange.answer in self.assistant.stream(question, history=history, where=where):
                        yield "", render_chat(exchanges), exchanges, render_sources(exchanges)
                return
            except (AssistantError, RuntimeError) as err:  # RuntimeError: the store or the model failed
                exchange.answer, exchange.error = None, str(err)
        yield question, render_chat(exchanges), exchanges, render_sources(exchanges)

    def where(self, outlets=None, since: str | None = None, until: str | None = None) -> dict | None:
        """The filter row's `where`. A filter that leaves no article is an error the user can fix, not a
        question the articles "don't answer"."""
        where = where_for(outlets, since, until)
        if where and not any(matches(where, article) for article in self.assistant.articles()):
            raise AssistantError("No indexed article matches the filters (outlets, dates): widen or clear them.")
        return where

    def outlets(self) -> list[str]:
        """The outlets of the indexed articles: the filter row's choices."""
        return sorted({article["source"] for article in self.assistant.articles() if article.get("source")})

    def select(self, exchanges: list[Exchange] | None, number, marker) -> str:
        """The sources panel for a clicked [marker] of answer `number`."""
        try:
            return render_sources(exchanges or [], int(number), int(marker))
        except (TypeError, ValueError):
            return render_sources(exchanges or [])

    def clear(self):
        """An empty conversation: state, chat, sources panel, question box."""
        return [], [], render_sources([]), ""

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

    # --- layout ---------------------------------------------------------------------------------------------
    def build(self):
        """The Blocks app (not launched)."""
        import gradio as gr

        with gr.Blocks(title="News assistant") as demo:
            with gr.Tab("Chat"):
                outlets = self._chat_tab(gr)
            with gr.Tab("Articles"):
                articles = self._articles_tab(gr, outlets)

            def refresh():  # articles others uploaded since the app was built
                return render_articles(self.assistant.articles()), gr.Dropdown(choices=self.outlets())
            demo.load(refresh, None, [articles, outlets])
        return demo

    def _chat_tab(self, gr):
        """The chat, its filter row and the sources panel; returns the outlets menu (uploads refresh it)."""
        exchanges = gr.State([])  # per browser session: each answer with its own citations
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Conversation", elem_id="chat", height=560, render_markdown=False,
                                  sanitize_html=True, allow_tags=False, feedback_options=None, buttons=[],
                                  examples=[{"text": q} for q in EXAMPLES],
                                  placeholder="Ask about the indexed news articles. Every claim is cited.")
                question = gr.Textbox(elem_id="question", placeholder="Ask a question, press Enter",
                                      show_label=False, lines=1, max_lines=4, autofocus=True)
                with gr.Row():
                    ask = gr.Button("Ask", variant="primary", elem_id="ask")
                    clear = gr.Button("Clear conversation", elem_id="clear")
                with gr.Row(elem_id="filters"):  # empty = all articles
                    outlets = gr.Dropdown(self.outlets(), value=[], multiselect=True, label="Only these outlets",
                                          elem_id="filter-outlets", scale=2)
                    since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD", max_lines=1,
                                       elem_id="filter-since", scale=1)
                    until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", max_lines=1,
                                       elem_id="filter-until", scale=1)
            with gr.Column(scale=2):
                sources = gr.HTML(render_sources([]), elem_id="sources", js_on_load=CLICK_JS, max_height=620,
                                  padding=True)

        inputs, outputs = [question, exchanges, outlets, since, until], [question, chat, exchanges, sources]
        for event in (question.submit, ask.click):
            event(self.respond, inputs, outputs, concurrency_id="answers", concurrency_limit=ANSWER_CONCURRENCY)

        def pick_example(evt: gr.SelectData) -> str:
            return evt.value["text"]
        chat.example_select(pick_example, None, question).then(
            self.respond, inputs, outputs, concurrency_id="answers", concurrency_limit=ANSWER_CONCURRENCY)

        def select(state: list, evt: gr.EventData) -> str:
            data = evt._data if isinstance(evt._data, dict) else {}  # what CLICK_JS sent
            return self.select(state, data.get("answer"), data.get("marker"))
        sources.click(select, [exchanges], sources)
        for event in (clear.click, chat.clear):  # our button and the chat's own bin icon
            event(self.clear, None, [exchanges, chat, sources, question])
        return outlets

    def _articles_tab(self, gr, outlets):
        """The articles table and uploads; an upload also refreshes the chat's `outlets` menu."""
        articles = gr.HTML(render_articles(self.assistant.articles()), elem_id="articles")
        files = gr.File(label=f"Upload articles ({' '.join(sorted(SUPPORTED_SUFFIXES))}; "
                              f"up to {self.max_upload_bytes // 2**20} MB each)",
                        file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES), type="filepath",
                        elem_id="upload")
        add = gr.Button("Index the uploaded files", variant="primary", elem_id="add")
        report = gr.HTML("", elem_id="upload-report")

        def upload(paths, progress=gr.Progress()):  # noqa: B008 (Gradio finds the progress bar by this default)
            return self.upload(paths, progress)
        add.click(upload, files, [report, articles], concurrency_id="uploads", concurrency_limit=1).then(
            lambda: gr.Dropdown(choices=self.outlets()), None, outlets)
        return articles

    def launch_options(self, **options) -> dict:
        """What `launch` hands to Gradio's launch: `options` (host, port, auth) with our fixed settings over
        them, so no caller can ask for a public share link."""
        # run_history off: its page offers to upload past runs to a Hugging Face bucket.
        return options | dict(share=False, css=CSS, max_file_size=self.max_upload_bytes, quiet=True,
                              run_history=False, footer_links=["api", "settings"])

    def launch(self, **options):
        """Build and serve with `launch_options(**options)`."""
        return self.build().launch(**self.launch_options(**options))
