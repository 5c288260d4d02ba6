"""One writer per index folder, a check that reads the store itself, and a repair that loses no article."""
import os
import shutil
import subprocess
import sys

import pytest

from assistant import Assistant
from index.health import damage
from index.ingest import verify
from index.lock import IndexLocked

from conftest import REPO, settings_for

sys.path.insert(0, str(REPO / "benchmarks"))  # scripts, not a package
from bench_robustness import DAMAGE_CASES, damage_store  # noqa: E402

HOLD_LOCK = "import sys, time; from index.lock import writer_lock\nwith writer_lock(sys.argv[1]):\n" \
            "    print('held', flush=True); time.sleep(60)"


def _cli(*args, index_root, env=None):
    command = [sys.executable, "-m", "assistant", *args, "--index-dir", str(index_root / "index"),
               "--collection", "test"]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, timeout=600)


def _short_articles(folder, count, paragraphs=10):
    """Short paragraphs: over 1,000 chunks (Chroma then keeps vectors only in its index files, not its log)
    embed in seconds."""
    folder.mkdir()
    for i in range(count):
        body = "\n\n".join(f"Item {j} of report {i} was read." for j in range(paragraphs))
        (folder / f"r{i:03d}.txt").write_text(f"Report {i}\n\n{body}", encoding="utf-8")
    return folder


def test_a_second_writer_fails_fast_naming_the_holder(fresh, corpus_copy, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path / "index")], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(IndexLocked, match=rf"pid {holder.pid} .* holds .* since 20\d\d-.*--wait"):
            fresh().add([corpus_copy])
    finally:
        holder.kill()
        holder.wait()
    assert len(fresh().add([corpus_copy]).added) == 2  # the lock dies with its holder, even when killed


@pytest.mark.slow
@pytest.mark.parametrize("wait", [False, True])
def test_two_indexers_on_one_folder_end_consistent_with_every_embedding_readable(tmp_path, wait):
    articles = _short_articles(tmp_path / "many", 60)
    command = [sys.executable, "-m", "assistant", "index", str(articles), "--index-dir", str(tmp_path / "index"),
               "--collection", "test", "--prune"] + (["--wait"] if wait else [])
    env = os.environ | {"ASSISTANT_EMBED_BATCH": "40"}  # many small writes: the overlap that corrupted stores
    runs = [subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for _ in range(2)]
    results = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    codes = sorted(code for code, _, _ in results)
    if wait:
        assert codes == [0, 0], results
        assert any("unchanged 60" in out for _, out, _ in results)  # the second ran after the first
    else:
        assert codes == [0, 2], results
        refusal = next(err for code, _, err in results if code == 2)
        assert "another indexing run (pid" in refusal and " since " in refusal and "--wait" in refusal
    assert damage(tmp_path / "index", "test", full=True) == []  # every chunk's embedding read back
    assistant = Assistant.from_settings(settings_for(tmp_path))
    assert len(assistant.hybrid.records) == 60 and verify(assistant.store) == []
    assert assistant.store.count() == 600


@pytest.fixture(scope="module")
def built_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("damage")
    articles = _short_articles(root / "articles", 105)
    Assistant.from_settings(settings_for(root)).add([articles])
    shutil.rmtree(articles)  # the files are gone: a repair must work from the backup alone
    return root


@pytest.mark.slow
@pytest.mark.parametrize("case", DAMAGE_CASES)
def test_check_sees_each_damage_and_repair_restores_every_article(built_index, tmp_path, case):
    shutil.copytree(built_index / "index", tmp_path / "index")
    damage_store(tmp_path / "index", case)
    check = _cli("index", "--check", index_root=tmp_path)
    assert check.returncode == 1 and "--repair" in check.stdout, check.stdout + check.stderr
    asked = _cli("ask", "What was item 3 of report 17?", index_root=tmp_path)
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    assert asked.stderr.count("\n") == 1 and "cannot be used" in asked.stderr and "--repair" in asked.stderr
    repaired = _cli("index", "--repair", index_root=tmp_path)
    assert repaired.returncode == 0 and "index OK" in repaired.stdout, repaired.stdout + repaired.stderr
    assistant = Assistant.from_settings(settings_for(tmp_path))
    assert len(assistant.hybrid.records) == 105 and assistant.store.count() == 1050
    assert "Item 3 of report 17" in assistant.ask("What was item 3 of report 17?").text


def test_an_index_made_before_the_backup_is_backed_up_from_its_chunks(fresh, corpus_copy, tmp_path):
    from index.backup import ArticleBackup, backup_path
    from index.readers import read_path

    from conftest import REUTERS

    fresh().add([corpus_copy])
    backup_path(tmp_path / "index", "test").unlink()  # as an index built before backups existed
    assert fresh().add([corpus_copy]).chunks_embedded == 0
    backed = {a.doc_id: a for a in ArticleBackup(backup_path(tmp_path / "index", "test")).articles()}
    original = next(read_path(corpus_copy / REUTERS.name))
    assert [p.text for p in backed[REUTERS.stem].paragraphs] == [p.text for p in original.paragraphs]
    assert [p.pid for p in backed[REUTERS.stem].paragraphs] == [p.pid for p in original.paragraphs]


@pytest.mark.slow
def test_a_full_disk_at_question_time_is_one_line_saying_free_space(tmp_path, corpus_copy):
    import resource
    import signal

    Assistant.from_settings(settings_for(tmp_path)).add([corpus_copy])
    shutil.rmtree(tmp_path / "index" / "lexical")  # the lexical cache must be written again

    def full_disk():  # no file may grow: what a full disk does to every write
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1, 1))

    command = [sys.executable, "-m", "assistant", "ask", "What did Lavrov demand?", "--index-dir",
               str(tmp_path / "index"), "--collection", "test"]
    asked = subprocess.run(command, cwd=REPO, capture_output=True, text=True, preexec_fn=full_disk, timeout=600)
    # (joblib, imported with the model, may warn that it cannot make shared memory: a library's warning)
    errors = [line for line in asked.stderr.splitlines() if line.startswith("error:")]
    assert asked.returncode == 2 and "Traceback" not in asked.stderr and len(errors) == 1
    assert "free space" in errors[0] and "--repair" not in errors[0]


def test_repair_without_a_backup_leaves_the_store_alone(tmp_path):
    (tmp_path / "index" / "chroma").mkdir(parents=True)
    (tmp_path / "index" / "chroma" / "chroma.sqlite3").write_bytes(b"not a database")
    repaired = _cli("index", "--repair", index_root=tmp_path)
    assert repaired.returncode == 2 and "--reset PATHS" in repaired.stderr
    assert (tmp_path / "index" / "chroma" / "chroma.sqlite3").read_bytes() == b"not a database"


def test_an_upload_while_another_process_indexes_is_refused_on_the_page(fresh, tmp_path):
    from assistant.ui import ChatUI

    ui = ChatUI(fresh(), uploads_dir=tmp_path / "uploads")
    story = tmp_path / "geneva.txt"
    story.write_text("Talks in Geneva\n\nLavrov demanded written guarantees.", encoding="utf-8")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path / "index")], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        report, _ = ui.upload([str(story)])
    finally:
        holder.kill()
        holder.wait()
    assert "Nothing was indexed" in report and "Another indexing run is writing to the index" in report
    assert str(tmp_path) not in report  # the page names no server paths
    assert "Added 1" in ui.upload([str(story)])[0]  # once the other run is gone
