"""Shared fixtures: real Chroma in temporary folders, the real embedding model, the real seed articles."""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from assistant import Assistant, Settings

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "data" / "seed-articles"
REUTERS = SEEDS / "004_c0aea9c0c9b54dfe.txt"
REWRITE = SEEDS / "000_e0b7f1f50563dd90.txt"


# The fast tests pin the `extractive` backend, in this process and in the CLIs and apps they start; the tests
# of the `local` default (test_local_llm.py) ask for it by name, or unset this for the CLI they start.
os.environ["ASSISTANT_LLM"] = "extractive"


def settings_for(folder: Path, **overrides) -> Settings:
    """Settings for an index in `folder`: the seeds, extractive, unless overridden."""
    return Settings(**({"index_dir": folder / "index", "collection": "test", "corpus": (SEEDS,), "llm": "extractive"}
                       | overrides))


@pytest.fixture(scope="session")
def seed_assistant(tmp_path_factory) -> Assistant:
    """One index of the two seeds, shared by read-only tests (building it takes a few seconds)."""
    folder = tmp_path_factory.mktemp("seed-index")
    assistant = Assistant.from_settings(settings_for(folder))
    assistant.add([SEEDS])
    return assistant


@pytest.fixture
def fresh(tmp_path):
    """A factory of empty assistants in this test's own temporary folder."""
    def make(**overrides) -> Assistant:
        return Assistant.from_settings(settings_for(tmp_path, **overrides))
    return make


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the seeds, for tests that edit or delete articles."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
