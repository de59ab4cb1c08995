"""Shared fixtures: the repository root (tests run there, so the data is found as the CLI
finds it) and the real `bamboo` binary to compare with."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _bin() -> str:
    b = os.environ.get("BAMBOO_BIN")
    if b:
        return b
    for p in (ROOT / "target" / "debug" / "bamboo", ROOT / "target" / "release" / "bamboo"):
        if p.exists():
            return str(p)
    pytest.skip("no bamboo binary: build it (cargo build -p bamboo-cli) or set BAMBOO_BIN")


@pytest.fixture(scope="session")
def cli():
    exe = _bin()

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        p = subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True)
        if check:
            assert p.returncode == 0, p.stderr
        return p

    return run
