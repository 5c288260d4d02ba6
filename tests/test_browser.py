"""The chat in a real browser: Debian's chromium, driven by Playwright, against `python app.py` on loopback.

The app starts as a subprocess on a free port with its own empty index (so its first start builds it);
screenshots go to test-artifacts/ (git-ignored). Never `playwright install`: it downloads another browser.
Pages open at desktop (1400×1000) and phone (420×900) sizes, in light and dark (`prefers-color-scheme`).
With README_SCREENSHOTS=<folder> set (docs/make_screenshots.sh), the README's screenshots are written there too.
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.ui import ChatUI
from conftest import free_port
from standins import RuleChatModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))  # scripts, not a package
from load_test import wait_until_serving  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]
WAIT_MS = 120_000  # 2 shared cores: the first answer may wait for the embedding model
WIDE, NARROW = {"width": 1400, "height": 1000}, {"width": 420, "height": 900}
README_SHOTS = os.environ.get("README_SCREENSHOTS")
LAVROV = "What did Lavrov demand?"


@pytest.fixture(scope="module")
def app_index(tmp_path_factory):
    return tmp_path_factory.mktemp("browser-app")


@pytest.fixture(scope="module")
def app_url(app_index):
    """`python app.py` on a free loopback port over a fresh index; stopped by its PID afterwards."""
    folder = app_index
    port, log = free_port(), folder / "app.log"
    command = [sys.executable, "app.py", "--port", str(port), "--index-dir", str(folder / "index"),
               "--llm", "extractive"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url, process, log)
        deadline = time.monotonic() + 300  # the page is served first; the models load after it
        while "Ready." not in log.read_text() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
        assert "indexing" in log.read_text()  # the first start built the empty index
        yield url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "app.log").write_text(log.read_text())  # for whoever reads a failure in CI


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing at /usr/bin/chromium: run `apt-get update && apt-get install -y "
                    "chromium` (CI installs it). Do not run `playwright install`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, app_url, viewport=WIDE, scheme="light"):
    """A fresh page (a fresh conversation: a new context has empty browser storage) that records any
    request leaving the machine."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url.rstrip("/"))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.outside = []
    page.on("request", lambda r: page.outside.append(r.url) if not r.url.startswith((app_url, "data:", "blob:"))
            else None)
    page.goto(app_url)
    page.wait_for_selector("#question textarea")
    return page


@pytest.fixture
def page(browser, app_url, request):
    """A desktop-sized light page; its last state is saved as test-artifacts/<test>-last.png, which is what
    to look at when a wait fails."""
    page = open_page(browser, app_url)
    ARTIFACTS.mkdir(exist_ok=True)
    yield page
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-last.png", full_page=True)
    page.context.close()


@pytest.fixture(params=[(WIDE, "light"), (WIDE, "dark"), (NARROW, "light"), (NARROW, "dark")],
                ids=["wide-light", "wide-dark", "narrow-light", "narrow-dark"])
def any_page(browser, app_url, request):
    """The same page at each size and colour scheme."""
    page = open_page(browser, app_url, *request.param)
    page.size, page.scheme = ("wide" if request.param[0] is WIDE else "narrow"), request.param[1]
    ARTIFACTS.mkdir(exist_ok=True)
    yield page
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-last.png", full_page=True)
    page.context.close()


def choose_files(page, paths: list[Path]) -> None:
    """Choose files in the upload box and wait until it lists the first. Once in a CI rehearsal (2026-12-03)
    a file chosen right after the Articles tab opened never appeared, with nothing in the app's log, and the
    same test passed when run again: so a choice the box does not show within 30 s is made once more."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in (1, 2):
        page.locator("#upload input[type=file]").set_input_files([str(p) for p in paths])
        try:
            page.locator("#upload", has_text=paths[0].name).wait_for(timeout=30_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def shot(page, name: str, readme: str | None = None) -> None:
    """A screenshot in test-artifacts/, and in the README's folder when one is being regenerated."""
    page.screenshot(path=ARTIFACTS / f"{name}.png")
    if README_SHOTS and readme:
        Path(README_SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(README_SHOTS) / readme)


CONTRAST_JS = """(element) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);  // WCAG relative luminance
  let node = element, background = null;
  while (node && !background) {  // the first opaque background up the tree is what the text sits on
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length < 4 || c[3] > 0.5) background = c;
    node = node.parentElement;
  }
  const a = lum(rgb(getComputedStyle(element).color)), b = lum(background || [255, 255, 255]);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def contrast(locator) -> float:
    """WCAG contrast of an element's text against the background it is drawn on, from computed styles."""
    return locator.evaluate(CONTRAST_JS)


def ask(page, question: str, replies_before: int):
    """Type a question, press Enter and wait for the finished reply (the total time comes last)."""
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.locator("#chat .user-row").nth(replies_before).wait_for(timeout=60_000)  # it was sent
    reply = page.locator("#chat .bot-row").nth(replies_before)
    reply.locator(".meta.done, .error").first.wait_for()
    return reply


def test_answer_cites_its_source_and_a_refusal_claims_none(page):
    assert page.get_by_text("What did Lavrov demand?").is_visible()  # example on the empty chat
    answer = ask(page, "What did Lavrov demand?", 0)
    assert "Lavrov" in answer.inner_text()
    answer.locator("a.cite", has_text="[1]").first.click()

    chosen = page.locator("#sources .source.selected")
    chosen.wait_for()
    assert "[1]" in chosen.locator(".source-head").inner_text() and "¶" in chosen.inner_text()
    paragraph = chosen.locator(".paragraph").inner_text()
    quote = chosen.locator(".paragraph mark").inner_text()
    assert quote.strip() and quote in paragraph
    page.screenshot(path=ARTIFACTS / "chat-citation.png", full_page=True)

    refusal = ask(page, "Who is NATO's Secretary General?", 1)
    assert refusal.locator(".refusal").count() == 1
    assert refusal.locator("a.cite").count() == 0 and "[1]" not in refusal.inner_text()
    page.locator("#sources .sources-for", has_text="Secretary General").wait_for()
    assert page.locator("#sources .source").count() == 0 and page.locator("#sources mark").count() == 0
    assert "No source is claimed" in page.locator("#sources").inner_text()
    page.screenshot(path=ARTIFACTS / "chat-refusal.png", full_page=True)

    answer.locator("a.cite", has_text="[1]").first.click()  # the older answer keeps its own sources
    page.locator("#sources .sources-for", has_text="Lavrov").wait_for()
    assert page.locator("#sources .source.selected mark").inner_text() == quote
    assert page.outside == []


def test_question_html_is_shown_as_text_and_clear_empties_the_chat(page):
    question = ("<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script> What did Lavrov "
                "demand? ${a*b} {{x}}")
    ask(page, question, 0)
    assert page.evaluate("window.pwned") is None
    sources_for = page.locator("#sources .sources-for").inner_text()
    assert "${a*b} {{x}}" in sources_for and "pwned" not in sources_for  # not a template; tags not read
    assert "<script>window.pwned=2</script>" in page.locator("#chat .user-row").first.inner_text()
    assert page.locator("#chat img[src=x]").count() == 0
    page.click("#clear")
    page.locator("#chat .bot-row").first.wait_for(state="detached")
    assert "Sources of the answer appear here" in page.locator("#sources").inner_text()
    page.locator("#chat button", has_text="What did Lavrov demand?").click()  # the examples are back
    page.locator("#chat .bot-row a.cite").first.wait_for()


def test_articles_tab_lists_articles_and_refuses_bad_uploads(page, tmp_path):
    page.get_by_role("tab", name="Articles").click()
    table = page.locator("#articles table.articles")
    assert "Reuters" in table.inner_text() and table.locator("tbody tr").count() == 2
    good, empty = tmp_path / "grain-deal.txt", tmp_path / "empty.md"
    good.write_text("Grain deal extended\n\nThe grain corridor deal was extended by 120 days, officials said.\n\n"
                    "Ships will keep sailing from Odesa.", encoding="utf-8")
    empty.write_text("", encoding="utf-8")
    choose_files(page, [good, empty])
    page.click("#add")
    report = page.locator("#upload-report .upload-report")
    report.wait_for()
    assert "Added 1" in report.inner_text() and "empty.md: empty file" in report.inner_text()
    assert table.locator("tbody tr").count() == 3 and "Grain deal extended" in table.inner_text()
    page.screenshot(path=ARTIFACTS / "articles-upload.png", full_page=True)


def test_a_follow_up_is_read_with_the_conversation_and_says_how_it_was_read(page):
    first = ask(page, "What did Lavrov demand?", 0)
    first_sentence = first.locator(".answer").inner_text().split(" [")[0]
    second = ask(page, "Where did he shake hands with Blinken?", 1)
    searched = second.locator(".searched").inner_text()
    assert "Lavrov" in searched and "he " not in searched  # "he" was read as Lavrov, and the chat shows it
    text = second.locator(".answer").inner_text()
    assert "President Wilson Hotel" in text and first_sentence not in text  # it moves on
    assert second.locator("a.cite").count() >= 1
    page.screenshot(path=ARTIFACTS / "chat-follow-up.png", full_page=True)


def test_a_follow_up_answer_leads_with_what_is_new(page):
    first = ask(page, "What did Lavrov demand?", 0).locator(".answer").inner_text()
    second = ask(page, "And what did he say after the talks?", 1).locator(".answer")
    lead = second.inner_text().split("]")[0]
    assert "constructive and useful" in lead and "[" in lead  # the remark made after the talks, first, cited
    assert first.split(" [")[0] not in second.inner_text()  # the first answer is not repeated
    assert "As noted above" in second.inner_text() or "disagree" not in second.inner_text()


# --- issue 15: each point at desktop and phone sizes, light and dark ------------------------------------------
def test_disagreement_is_one_line_with_its_note_among_the_sources_and_readable_in_both_themes(any_page):
    page = any_page
    answer = ask(page, LAVROV, 0)
    flag = answer.locator(".conflict-flag").first
    assert flag.inner_text().startswith("⚠ The sources disagree:") and "beside the chat" not in answer.inner_text()
    assert "disagree" not in answer.locator(".answer").inner_text()  # the note is not part of the answer
    if page.size == "wide":
        assert page.locator("#sources .conflict").first.is_visible()  # the full note, in the panel beside the chat
        flag.locator("a.cite").first.click()
        chosen = page.locator("#sources .source.selected")
    else:  # a phone: the panel would be far below, so the answer's own drawer opens beside it
        assert not page.locator("#sources").is_visible()
        flag.locator("a.cite").first.click()
        drawer = answer.locator("details.drawer")
        assert drawer.evaluate("d => d.open") and drawer.locator(".conflict").first.is_visible()
        chosen = drawer.locator(".source.selected")
    chosen.wait_for()
    mark = chosen.locator("mark").first
    assert mark.is_visible() and contrast(mark) >= 4.5, (page.scheme, contrast(mark))
    note = page.locator("#sources .conflict b, details.drawer .conflict b").first
    assert contrast(note) >= 4.5 and contrast(flag) >= 4.5
    if page.scheme == "dark":
        assert page.evaluate("document.body.classList.contains('dark') || "
                             "!!document.querySelector('.dark')")  # Gradio followed the preference
    shot(page, f"disagreement-{page.size}-{page.scheme}",
         "disagreement.png" if (page.size, page.scheme) == ("wide", "light") else None)

    later = ask(page, "And what did he say after the talks?", 1)
    if later.locator(".conflict-flag").count():  # shown once: referred to, not repeated
        assert later.locator(".conflict-flag").first.inner_text().startswith("⚠ As noted above")
    assert page.outside == []


def test_copy_regenerate_and_the_whole_article_with_the_cited_paragraph_in_view(any_page):
    page = any_page
    answer = ask(page, "Where did Blinken shake hands with Lavrov?", 0)
    answer.locator("a.copy").click()
    answer.locator("a.copy", has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[1]" in copied and "\n\n[1] " in copied and "President Wilson Hotel" in copied

    page.click("#regenerate")  # the same question again, its answer replaced
    answer.locator("a.copy", has_text="Copy").wait_for()  # re-rendered: no longer "Copied"
    answer.locator(".meta.done").wait_for()
    assert page.locator("#chat .bot-row").count() == 1 and page.locator("#chat .user-row").count() == 1

    deep = ask(page, "What did the Chatham House analyst say about the Geneva meeting?", 1)
    deep.locator("a.cite").first.click()  # a paragraph near the end: the panel must scroll to it
    if page.size == "narrow":  # from the answer's drawer; the panel shows below the chat while reading
        deep.locator("details.drawer .source.selected a.open-article").click()
    else:
        page.locator("#sources .source.selected a.open-article").click()
    cited = page.locator("#sources .article-view .paragraph.cited")
    cited.wait_for()
    assert page.locator("#sources .article-view .paragraph").count() >= 10  # the whole article
    assert cited.locator("mark").is_visible() and contrast(cited.locator("mark")) >= 4.5
    # scrolled into view: inside the panel's visible box, which scrolls (max_height), not just the window's
    page.wait_for_function("() => { const p = document.querySelector('#sources .paragraph.cited')"
                           ".getBoundingClientRect(), box = document.querySelector('#sources').getBoundingClientRect();"
                           " return p.top >= box.top && p.bottom <= Math.min(box.bottom, window.innerHeight); }")
    shot(page, f"article-view-{page.size}-{page.scheme}",
         "answer-with-sources.png" if (page.size, page.scheme) == ("wide", "light") else None)
    page.click("#sources a.back")
    if page.size == "narrow":
        page.locator("#sources").wait_for(state="hidden")  # back to the chat and its drawers
    else:
        page.locator("#sources .source.selected").wait_for()


def test_filters_are_validated_and_shown_under_the_answer_they_shaped(page):
    page.fill("#filter-since textarea, #filter-since input", "2022-13-45")
    error = ask(page, LAVROV, 0)
    assert "not a real date" in error.locator(".error").inner_text()
    page.fill("#filter-since textarea, #filter-since input", "2022-01-01")
    answer = ask(page, LAVROV, 1)
    assert "Filters: published since 2022-01-01" in answer.locator(".filters-used").inner_text()
    assert answer.locator("a.cite").count() >= 1  # the Reuters article of Jan 21, 2022 is kept
    page.fill("#filter-since textarea, #filter-since input", "")
    page.fill("#filter-until textarea, #filter-until input", "2021-12-31")
    none_left = ask(page, LAVROV, 2)
    assert "No indexed article matches the filters" in none_left.inner_text()


def test_conversation_and_filters_survive_a_reload_and_new_chat_clears_them(page):
    page.fill("#filter-since textarea, #filter-since input", "2022")
    ask(page, LAVROV, 0)
    page.wait_for_timeout(1000)  # the browser copy is written after the answer
    page.reload()
    page.locator("#chat .bot-row a.cite").first.wait_for()
    assert page.input_value("#filter-since textarea, #filter-since input") == "2022"
    page.locator("#chat .bot-row a.cite").first.click()
    page.locator("#sources .source.selected mark").wait_for()  # the old answer keeps its sources
    page.click("#clear")
    page.locator("#chat .bot-row").first.wait_for(state="detached")
    assert page.input_value("#filter-since textarea, #filter-since input") == ""
    page.wait_for_timeout(1000)
    page.reload()
    page.wait_for_selector("#question textarea")
    page.wait_for_timeout(1500)
    assert page.locator("#chat .bot-row").count() == 0


def test_empty_long_and_small_talk_questions_get_clear_replies(page):
    page.press("#question textarea", "Enter")
    page.get_by_text("Type a question about the indexed articles first").first.wait_for()  # a toast says so
    long = ask(page, "Why? " * 600, 0)
    assert "characters long; keep it under" in long.inner_text()
    user = page.locator("#chat .user-row").first.inner_text()
    assert len(user) < 400 and "3,000 characters" in user  # refused, not echoed whole
    page.fill("#question textarea", "hi")
    page.press("#question textarea", "Enter")
    small = page.locator("#chat .bot-row").nth(1)
    small.locator(".small-talk").wait_for()  # neither an answer nor a refusal
    assert "I answer questions about the indexed news articles" in small.inner_text()
    assert "don't say" not in small.inner_text()
    small.locator("a.example").first.click()  # an example asks itself
    page.locator("#chat .bot-row").nth(2).locator(".meta.done").wait_for()


def test_articles_tab_shows_full_dates_and_removes_an_article(page, tmp_path, app_index):
    page.get_by_role("tab", name="Articles").click()
    table = page.locator("#articles table.articles")
    text = table.inner_text()
    assert "21 Jan 2022" in text and "undated" in text and "unknown outlet" in text
    upload = tmp_path / "harbour-reopens.txt"
    upload.write_text("Harbour reopens\n\nPORT HALDEN, March 3, 2023 (Coastal Ledger) – The harbour reopened "
                      "after the storm, officials said.", encoding="utf-8")
    choose_files(page, [upload])
    page.click("#add")
    table.locator("td", has_text="Harbour reopens").wait_for()
    assert "3 Mar 2023" in table.inner_text() and "Coastal Ledger" in table.inner_text()
    shot(page, "articles-tab", "articles-tab.png")
    page.click("#remove-choice input")
    page.get_by_role("option").filter(has_text="Harbour reopens").click()
    page.click("#remove")
    page.locator("#upload-report", has_text="Removed 1 article").wait_for()
    assert "Harbour reopens" not in table.inner_text()
    check = subprocess.run([sys.executable, "-m", "assistant", "index", "--check", "--index-dir",
                            str(app_index / "index")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr


class SlowQuotingModel(RuleChatModel):
    """A stand-in model that streams the first line of sources [1] and [2], each with its marker, a word
    every 0.3 s: slow enough to press Stop while the answer is being written."""

    name: str = "slow-quoting"

    def reply(self, messages) -> str:
        sources = re.findall(r"^\[(\d)\] ([^\n]+)", messages[-1].content, re.M)[:2]
        return " ".join(f"{line.rstrip('.')} [{n}]." for n, line in sources)

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        for chunk in super()._stream(messages, stop, run_manager, **kwargs):
            time.sleep(0.3)
            yield chunk


@pytest.fixture(scope="module")
def slow_app_url(seed_assistant):
    """The chat, in this process, over the seed index with `SlowQuotingModel` answering."""
    assistant = Assistant(seed_assistant.settings, seed_assistant.store, seed_assistant.embeddings,
                          SlowQuotingModel())
    ui, port = ChatUI(assistant), free_port()
    demo = ui.build()
    demo.launch(**ui.launch_options(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True))
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_stop_ends_an_answer_while_it_streams(browser, slow_app_url):
    page = open_page(browser, slow_app_url)
    page.fill("#question textarea", LAVROV)
    page.press("#question textarea", "Enter")
    page.locator("#stop").wait_for()  # offered only while an answer is being written
    page.locator("#chat .bot-row .answer").first.wait_for()  # a first sentence is shown
    page.click("#stop")
    reply = page.locator("#chat .bot-row").first
    reply.locator(".notice", has_text="Stopped before the end").wait_for()
    page.locator("#stop").wait_for(state="hidden")
    written = reply.inner_text()
    page.wait_for_timeout(3000)  # the stream would have gone on writing by now
    assert reply.inner_text() == written and reply.locator(".meta.done").count() == 0
    shot(page, "stopped")
    page.context.close()


def test_answers_start_with_the_news_not_a_dateline_and_no_label_covers_the_chat(page):
    answer = ask(page, "What did the top Russian and U.S. diplomats downplay?", 0)
    text = answer.locator(".answer").inner_text()
    assert text.startswith("Top Russian and U.S. diplomats downplayed") and "(Reuters) –" not in text
    assert "GENEVA, Jan 21 (Reuters) –" in page.locator("#sources .paragraph").first.inner_text()  # kept there
    assert page.locator("#chat [data-testid='block-label'], #chat label").count() == 0  # no floating label


def test_the_page_says_the_models_are_loading_until_they_are_in(browser, seed_assistant):
    ui, port = ChatUI(seed_assistant), free_port()
    ui.ready.clear()  # as app.py does: the page is served before the models are loaded
    demo = ui.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True)
    try:
        page = open_page(browser, f"http://127.0.0.1:{port}/")
        page.locator("#loading", has_text="Loading the models").wait_for()
        ui.ready.set()
        page.locator("#loading").wait_for(state="hidden", timeout=10_000)  # the timer polls every second
        page.context.close()
    finally:
        demo.close()
