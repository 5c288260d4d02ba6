"""Indexing: idempotent, incremental, pruning, model-checked, and safe to kill."""
import os
import signal
import subprocess
import sys
import time

import pytest

from assistant import Assistant
from index.ingest import verify
from index.store import EmbeddingModelMismatch

from conftest import REPO, REUTERS, settings_for


def test_second_run_embeds_nothing(fresh, corpus_copy):
    assistant = fresh()
    first = assistant.add([corpus_copy])
    assert sorted(first.added) == ["000_e0b7f1f50563dd90", "004_c0aea9c0c9b54dfe"]
    assert first.chunks_embedded == 38 + 2 == assistant.store.count()  # 38 paragraphs + each article's credits
    second = assistant.add([corpus_copy])
    assert second.chunks_embedded == 0 and not second.added and not second.updated
    assert len(second.unchanged) == 2 and assistant.store.count() == 40


def test_edited_article_leaves_no_stale_paragraph(fresh, corpus_copy):
    assistant = fresh()
    assistant.add([corpus_copy])
    path = corpus_copy / REUTERS.name
    text = path.read_text(encoding="utf-8")
    cut = text[: text.index("Western states fear")] + "A new closing paragraph about talks.\n"
    path.write_text(cut, encoding="utf-8")
    report = assistant.add([corpus_copy])
    assert report.updated == ["004_c0aea9c0c9b54dfe"] and not report.added
    texts = [t for _, t, m in assistant.store.all_chunks() if m["doc_id"] == "004_c0aea9c0c9b54dfe"]
    assert len(texts) == 9 and "A new closing paragraph about talks." in texts
    assert not any("Western states fear" in t for t in texts)
    assert verify(assistant.store) == []


def test_prune_removes_articles_whose_files_are_gone(fresh, corpus_copy):
    assistant = fresh()
    assistant.add([corpus_copy])
    (corpus_copy / REUTERS.name).unlink()
    assert assistant.add([corpus_copy]).removed == []  # without --prune nothing is lost
    report = assistant.add([corpus_copy], prune=True)
    assert report.removed == ["004_c0aea9c0c9b54dfe"]
    assert {m["doc_id"] for _, _, m in assistant.store.all_chunks()} == {"000_e0b7f1f50563dd90"}
    assert all(p.doc_id != "004_c0aea9c0c9b54dfe" for p in assistant.ask("Who is Lavrov?").retrieved)


def test_bad_files_are_reported_and_the_run_goes_on(fresh, corpus_copy):
    (corpus_copy / "zero.txt").write_bytes(b"")
    (corpus_copy / "blob.txt").write_bytes(b"\x00\xff" * 100)
    (corpus_copy / "lines.jsonl").write_text('{"doc_id": "ok", "text": "Fine text."}\nnot json\n', encoding="utf-8")
    report = fresh().add([corpus_copy])
    assert sorted(report.added) == ["000_e0b7f1f50563dd90", "004_c0aea9c0c9b54dfe", "ok"]
    reasons = {os.path.basename(s.path): s.reason for s in report.skipped}
    assert reasons == {"zero.txt": "empty file", "blob.txt": "binary file, not text",
                       "lines.jsonl:2": "invalid JSON (Expecting value at column 1)"}


def test_collection_refuses_another_embedding_model(tmp_path, corpus_copy):
    Assistant.from_settings(settings_for(tmp_path)).add([corpus_copy])
    with pytest.raises(EmbeddingModelMismatch, match="all-MiniLM-L6-v2.*--reset"):
        Assistant.from_settings(settings_for(tmp_path, embedding_model="some/other-model"))


def _write_articles(folder, count):
    folder.mkdir()
    for i in range(count):
        paragraphs = [f"Report {i} paragraph {j}: delegates from country {i} discussed trade item {j} at length."
                      for j in range(6)]
        (folder / f"a{i:04d}.txt").write_text(f"Headline {i}\n\n" + "\n\n".join(paragraphs), encoding="utf-8")


@pytest.mark.slow
def test_run_killed_mid_way_serves_only_whole_articles_and_next_run_completes(tmp_path):
    articles = tmp_path / "many"
    _write_articles(articles, 400)
    command = [sys.executable, "-m", "assistant", "index", str(articles), "--index-dir", str(tmp_path / "index"),
               "--collection", "test"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=os.environ | {"ASSISTANT_EMBED_BATCH": "256"})  # 10 batches, not 2
    for line in process.stderr:  # "indexing: N paragraphs done", written after each batch is stored
        if line.startswith("indexing:") and int(line.split()[1]) >= 500:
            break
    time.sleep(0.5)  # into the next batch
    process.send_signal(signal.SIGKILL)
    process.wait()
    assistant = Assistant.from_settings(settings_for(tmp_path))
    served = len(assistant.hybrid.records)
    assert 0 < served < 400
    assert [p for p in verify(assistant.store) if not p.startswith("note:")] == []
    assistant.ask("What did delegates from country 1 discuss?")  # a usable index
    report = assistant.add([articles])
    assert len(report.unchanged) == served and len(report.added) + len(report.updated) == 400 - served
    assert verify(assistant.store) == [] and assistant.store.count() == 2400


def _index_command(folder, index_root):
    return [sys.executable, "-m", "assistant", "index", str(folder), "--index-dir", str(index_root / "index"),
            "--collection", "test"]


@pytest.mark.slow
def test_twenty_random_kills_never_leave_an_inconsistent_index(tmp_path):
    import random

    articles = tmp_path / "many"
    _write_articles(articles, 150)
    rng = random.Random(7)
    for _ in range(20):
        process = subprocess.Popen(_index_command(articles, tmp_path), cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 14.0))  # model loading, reading, embedding or writing
        process.send_signal(signal.SIGKILL)
        process.wait()
        check = subprocess.run(_index_command(articles, tmp_path) + ["--check"], cwd=REPO, capture_output=True,
                               text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    finished = subprocess.run(_index_command(articles, tmp_path), cwd=REPO, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assistant = Assistant.from_settings(settings_for(tmp_path))
    assert len(assistant.hybrid.records) == 150 and verify(assistant.store) == []


@pytest.mark.slow
def test_full_disk_while_indexing_is_a_clear_error_and_the_old_index_stays(tmp_path, corpus_copy):
    import resource

    Assistant.from_settings(settings_for(tmp_path)).add([corpus_copy])
    _write_articles(tmp_path / "more", 80)
    used = sum(f.stat().st_size for f in (tmp_path / "index").rglob("*") if f.is_file())

    def small_disk():  # files may not grow past a little more than the index holds now
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (used + 200_000, used + 200_000))

    result = subprocess.run(_index_command(tmp_path / "more", tmp_path), cwd=REPO, capture_output=True, text=True,
                            preexec_fn=small_disk, timeout=600)
    assert result.returncode != 0
    assert "error:" in result.stderr and ("disk" in result.stderr or "File too large" in result.stderr), result.stderr
    assistant = Assistant.from_settings(settings_for(tmp_path))
    assert {"000_e0b7f1f50563dd90", "004_c0aea9c0c9b54dfe"} <= set(assistant.hybrid.records)
    assert "concrete" in assistant.ask("What did Lavrov demand?").text
    assert [p for p in verify(assistant.store) if not p.startswith("note:")] == []
