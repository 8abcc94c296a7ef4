"""Fork server for the crash test: imports the app once, then forks writer children on request.

Protocol (one line each way): ``fork <project path>`` → ``pid <n>``; the child opens the project the
way a user would (taking the offered recovery if there is one) and loops: edit → autosave → save,
printing ``auto <v>`` / ``saved <v>`` after each completed step, until it is SIGKILLed.
``reap <pid>`` → ``reaped``, printed only after the child is dead, so every line the child wrote
comes first. Forking keeps ~100 kills within seconds (no interpreter start per kill).
"""

from __future__ import annotations

import os
import sys

from sequence_maker.model import solid
from sequence_maker.storage import ProjectDocument

BALLS = 3
SEGMENTS = 10


def version_color(v: int) -> tuple[int, int, int]:
    return (v % 256, (v // 256) % 256, 77)


def paint_version(doc: ProjectDocument, v: int) -> None:
    """Version ``v`` = project name ``v<v>`` and every ball's segments coloured by ``v`` (one undo group)."""
    with doc.editor.group(f"version {v}"):
        doc.editor.set_project_props(name=f"v{v}")
        for b in range(BALLS):
            doc.editor.set_segments(b, [solid(i * 100, i * 100 + 50 + b, version_color(v)) for i in range(SEGMENTS)])


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def writer(path: str) -> None:
    doc = ProjectDocument.recover(path) if ProjectDocument.find_recovery(path) else ProjectDocument.open(path)
    doc.history.max_steps = 5  # keep each save small so ~100 kills fit in seconds
    v = int(doc.project.name[1:])
    while True:
        v += 1
        paint_version(doc, v)
        doc.autosave()
        say(f"auto {v}")
        doc.save()
        say(f"saved {v}")


def main() -> None:
    say("ready")
    for line in sys.stdin:
        cmd, arg = line.split(maxsplit=1)
        arg = arg.strip()
        if cmd == "fork":
            pid = os.fork()
            if pid == 0:
                try:
                    writer(arg)
                finally:
                    os._exit(1)
            say(f"pid {pid}")
        elif cmd == "reap":
            os.waitpid(int(arg), 0)
            say("reaped")


if __name__ == "__main__":
    main()
