"""Crash safety: a writer is SIGKILLed 100 times at random moments while it edits, autosaves and
saves. After every kill the project opens and is exactly one whole version (never a mix), the
version offered to the user (recovery if offered, else the file) is the last acknowledged one or
the one being written, and the backup opens too. Builds on tests/storage's single-kill tests."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sequence_maker.storage import ProjectDocument, backup_path_for

from ._crash_writer import BALLS, SEGMENTS, paint_version, version_color

KILLS = 100
WRITER = Path(__file__).with_name("_crash_writer.py")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQMAKER_HOME", str(tmp_path / "home"))


def whole_version(doc: ProjectDocument) -> int:
    """The version a document holds; fails if its parts come from different versions."""
    v = int(doc.project.name[1:])
    for b in range(BALLS):
        segs = doc.project.balls[b].segment_list()
        assert len(segs) == SEGMENTS and {s.kind.color for s in segs} == {version_color(v)}, f"ball {b} is not v{v}"
    return v


class ForkServer:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(WRITER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1, cwd=Path(__file__).parents[2])
        assert self.readline() == "ready"

    def readline(self) -> str:
        line = self.proc.stdout.readline()
        assert line, "the fork server died"
        return line.strip()

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def test_sigkill_at_random_points_never_loses_or_mixes_versions(tmp_path):
    path = tmp_path / "show.smproj"
    doc = ProjectDocument.new("v0", balls=BALLS, duration_ms=10_000, path=path)
    paint_version(doc, 0)
    doc.save()
    rng = random.Random(1234)
    server = ForkServer()
    offered_before = 0
    progressed = 0
    try:
        for kill in range(KILLS):
            server.send(f"fork {path}")
            pid = int(server.readline().split()[1])
            acked = offered_before
            if rng.random() < 0.5:  # half the kills land inside the loop, whatever the machine's speed
                acked = max(acked, int(server.readline().split()[1]))
            delay = rng.uniform(0.0, 0.15)
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)
            server.send(f"reap {pid}")
            while (line := server.readline()) != "reaped":
                acked = max(acked, int(line.split()[1]))
            on_disk = whole_version(ProjectDocument.open(path))
            info = ProjectDocument.find_recovery(path)
            offered = whole_version(ProjectDocument.recover(path)) if info else on_disk
            assert acked <= offered <= acked + 1, (
                f"kill {kill} after {delay:.3f}s: last acknowledged v{acked}, offered v{offered} "
                f"(file v{on_disk}, recovery {'offered' if info else 'none'})")
            assert on_disk <= offered
            if backup_path_for(path).exists():
                assert whole_version(ProjectDocument.open(backup_path_for(path))) <= on_disk
            progressed += offered > offered_before
            offered_before = offered
    finally:
        server.close()
    assert progressed > KILLS // 4, "the writer rarely got anywhere: the kills did not hit real saves"
    # killed writers leave hidden temp files; the next saves sweep the stale ones (older than 10 min)
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert all(p.name.startswith((".show.smproj.", "..show.smproj.recovery.")) for p in leftovers), leftovers
    for p in leftovers:
        os.utime(p, (time.time() - 3600, time.time() - 3600))
    doc = ProjectDocument.recover(path) if ProjectDocument.find_recovery(path) else ProjectDocument.open(path)
    doc.mark_dirty()  # so the autosave writes (and sweeps) too
    doc.autosave()
    doc.save()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
