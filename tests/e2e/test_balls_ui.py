"""Send to balls from the studio's export dialog, against a fake ball on loopback: upload a ball's
.prg (the fake ball holds the exact exported bytes) and mirror the playhead live while playing."""

from __future__ import annotations

import time
from typing import Any

import pytest

from sequence_maker.balls.fake import FakeBallThread, free_udp_port

from .conftest import shot

pytestmark = pytest.mark.e2e
PROJECT = "balls-show"


def test_upload_and_live_mirror_from_the_export_dialog(page: Any, server: Any) -> None:
    c = server.client
    c.post("/api/projects", json={"name": PROJECT, "balls": 2, "duration_ms": 20_000}).raise_for_status()
    c.post(f"/api/projects/{PROJECT}/balls/0/segments", json={"segments": [
        {"kind": "solid", "start_ms": 0, "end_ms": 20_000, "color": [255, 0, 255]}]}).raise_for_status()
    expected = c.get(f"/api/projects/{PROJECT}/export/0.prg").content
    page.goto(f"{server.url}/?project={PROJECT}")
    page.wait_for_function("() => window.__studio && window.__studio.state.project "
                           f"&& window.__studio.state.projectId === '{PROJECT}'")
    status = free_udp_port()
    with FakeBallThread(status_port=status) as ball:
        page.click("#btn-export")
        page.wait_for_selector("#export-dialog[open]")
        page.click("#balls-section summary")
        # nothing is sent without an address: the button says what is missing
        page.click("[data-testid=ball-upload-0]")
        page.wait_for_selector("[data-testid=ball-upload-status-0]:has-text('IP address')")
        page.fill("#ball-address", "127.0.0.1")
        page.fill("#ball-tcp-port", str(ball.tcp_port))
        page.fill("#ball-udp-port", str(status))
        page.click("[data-testid=ball-upload-0]")
        page.wait_for_selector("[data-testid=ball-upload-status-0]:has-text('confirmed')", timeout=20_000)
        shot(page, "balls-upload")
        assert list(ball.files.values()) == [expected]

        page.fill("#ball-udp-port", str(ball.udp_port))
        page.check("#ball-mirror")
        page.keyboard.press("Escape")
        page.click("#btn-play")
        time.sleep(1.2)
        page.click("#btn-play")
        time.sleep(0.4)
    colours = [p.values for _, p in ball.live if p.op == "color"]
    assert len(colours) >= 15, f"only {len(colours)} live packets"
    assert colours[0] == (255, 0, 255)
    assert colours[-1] == (0, 0, 0)  # the mirror blacks the ball out when playback stops
