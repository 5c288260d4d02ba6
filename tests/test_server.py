"""The same code against a Chroma server: `chroma run` on loopback, indexed and queried over HTTP."""
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant import Assistant

from conftest import SEEDS, free_port, settings_for




@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield port
    process.send_signal(signal.SIGTERM)  # stopped by its PID
    process.wait(timeout=30)


@pytest.mark.slow
def test_index_and_ask_through_a_chroma_server(tmp_path, chroma_server):
    settings = settings_for(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server)
    assistant = Assistant.from_settings(settings)
    assert sorted(assistant.add([SEEDS]).added) == ["000_e0b7f1f50563dd90", "004_c0aea9c0c9b54dfe"]
    assert assistant.add([SEEDS]).chunks_embedded == 0
    answer = assistant.ask("Which detained US citizens did Blinken say should be part of the talks?")
    assert "Paul Whelan and Trevor Reed" in answer.text and answer.citations
    assert not (tmp_path / "index" / "chroma").exists()  # nothing was written to a local store
    assert assistant.check() == []


def test_unreachable_server_says_what_to_do(tmp_path):
    from index.store import StoreError

    with pytest.raises(StoreError, match="chroma run"):
        Assistant.from_settings(settings_for(tmp_path, chroma_host="127.0.0.1", chroma_port=free_port()))


@pytest.mark.slow
def test_server_killed_mid_session_gives_a_clear_error_and_recovers(tmp_path):
    from assistant import AssistantError

    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    command = [str(chroma), "run", "--path", str(tmp_path / "data"), "--host", "127.0.0.1", "--port", str(port)]

    def start():
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                return process
            except httpx.HTTPError:
                time.sleep(0.3)
        pytest.fail("chroma run did not start")

    server = start()
    assistant = Assistant.from_settings(settings_for(tmp_path, chroma_host="127.0.0.1", chroma_port=port))
    assistant.add([SEEDS])
    server.kill()
    server.wait()
    with pytest.raises(AssistantError, match="did not answer.*chroma run"):
        assistant.ask("What did Lavrov demand?")
    server = start()
    try:
        assert "concrete" in assistant.ask("What did Lavrov demand?").text  # same Assistant, reconnected
    finally:
        server.kill()


@pytest.mark.slow
def test_two_indexers_on_two_machines_against_one_server_end_consistent(tmp_path, chroma_server):
    """The folder lock guards writers sharing an index folder; writers on two machines (two index folders)
    reach the server unguarded by us, and the server's own write path keeps the store readable."""
    import os

    from index.ingest import verify

    articles = tmp_path / "articles"
    articles.mkdir()
    for i in range(40):
        body = "\n\n".join(f"Item {j} of report {i} was read." for j in range(10))
        (articles / f"r{i:03d}.txt").write_text(f"Report {i}\n\n{body}", encoding="utf-8")
    env = os.environ | {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_server), "ASSISTANT_EMBED_BATCH": "40"}
    runs = [subprocess.Popen([sys.executable, "-m", "assistant", "index", str(articles), "--index-dir",
                              str(tmp_path / f"machine{n}"), "--collection", "test"], env=env,
                             cwd=Path(__file__).resolve().parent.parent, stderr=subprocess.PIPE, text=True)
            for n in (1, 2)]
    assert [run.wait(timeout=600) for run in runs] == [0, 0], [run.stderr.read() for run in runs]
    settings = settings_for(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server)
    assistant = Assistant.from_settings(settings)
    assert len(assistant.hybrid.records) == 40 and verify(assistant.store) == []
    got = assistant.store.chunks.get(include=["embeddings"])
    assert len(got["ids"]) == 400 and all(len(v) == 384 for v in got["embeddings"])
