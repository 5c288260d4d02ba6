"""The chat in a real browser: Debian's chromium, driven by Playwright, against `python app.py` on loopback.

The app starts as a subprocess on a free port with its own empty index (so its first start builds it);
screenshots go to test-artifacts/ (git-ignored). Never `playwright install`: it downloads another browser.
"""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import free_port

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))  # scripts, not a package
from load_test import wait_until_serving  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]
WAIT_MS = 120_000  # 2 shared cores: the first answer may wait for the embedding model


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """`python app.py` on a free loopback port over a fresh index; stopped by its PID afterwards."""
    folder = tmp_path_factory.mktemp("browser-app")
    port, log = free_port(), folder / "app.log"
    command = [sys.executable, "app.py", "--port", str(port), "--index-dir", str(folder / "index"),
               "--llm", "extractive"]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url, process, log)
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


@pytest.fixture
def page(browser, app_url, request):
    """A fresh page (a fresh conversation) that records any request leaving the machine.

    Its last state is saved as test-artifacts/<test>-last.png, which is what to look at when a wait fails."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.outside = []
    page.on("request", lambda r: page.outside.append(r.url) if not r.url.startswith((app_url, "data:", "blob:"))
            else None)
    page.goto(app_url)
    page.wait_for_selector("#question textarea")
    ARTIFACTS.mkdir(exist_ok=True)
    yield page
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-last.png", full_page=True)
    context.close()


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
    question = ("<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script> ${6*7} {{x}} "
                "What did Lavrov demand?")
    ask(page, question, 0)
    assert page.evaluate("window.pwned") is None
    assert "${6*7} {{x}}" in page.locator("#sources .sources-for").inner_text()  # not run as a template
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
    page.locator("#upload input[type=file]").set_input_files([str(good), str(empty)])
    page.locator("#upload", has_text="grain-deal.txt").wait_for()
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
