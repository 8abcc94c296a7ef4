"""Frames per second of the studio timeline while panning and zooming a 10,000-segment project,
in headless Debian Chromium against the real server (target ≥ 30 fps).

Two figures per scenario: the frame rate the page actually achieved with requestAnimationFrame
(capped by the browser's ~60 Hz frame clock) and the mean/p95 canvas draw time, whose inverse is
the headroom. Both runs draw a 120 BPM beat grid, sections and a 4 ms-resolution waveform; the
baseline run has no segments, so the ratio isolates the cost of the 10,000 segments.

Run: .venv/bin/python bench/ui_fps.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from tests.e2e.harness import chromium, studio  # noqa: E402

SEGMENTS = 10_000
BALLS = 3
DURATION_MS = 10 * 60 * 1000  # ten minutes
SECONDS = 4.0

# Pan and zoom every frame: a full sweep from whole-song view to ~2 s on screen and back,
# scrolling as it goes, the way a user scrubs around a long project.
ANIMATE = """
async ([seconds]) => {
  const s = window.__studio;
  const v = s.state.view;
  // a waveform at the resolution the page asks the server for (one min/max pair per 4 ms)
  const n = Math.round(v.durationMs / 4);
  const min = new Float32Array(n), max = new Float32Array(n);
  for (let i = 0; i < n; i++) { const a = Math.abs(Math.sin(i * 0.013)) * (0.3 + 0.7 * ((i >> 7) % 2)); max[i] = a; min[i] = -a; }
  s.state.peaks = {min, max, msPerPeak: 4, peak: 1};
  v.fit();
  const draws = [];
  let frames = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    function frame(now) {
      const k = (now - t0) / 1000;
      if (k >= seconds) return resolve();
      const phase = (Math.sin(k * 1.7) + 1) / 2;                     // 0..1
      v.msPerPx = Math.exp(Math.log(0.5) * phase + Math.log(v.durationMs / v.width) * (1 - phase));
      v.startMs = (v.durationMs - v.width * v.msPerPx) * ((Math.sin(k * 0.9) + 1) / 2);
      v.clamp();
      const a = performance.now();
      s.renderer.draw();
      draws.push(performance.now() - a);
      frames++;
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  });
  const el = (performance.now() - t0) / 1000;
  draws.sort((a, b) => a - b);
  return {fps: frames / el, frames, mean_ms: draws.reduce((x, y) => x + y, 0) / draws.length,
          p95_ms: draws[Math.floor(draws.length * 0.95)]};
}
"""


def make_grid() -> dict:
    """120 BPM beats, a downbeat every 4, a section every 32 bars: what an analysed song has."""
    beats = list(range(0, DURATION_MS, 500))
    sections = [{"label": "ABAC"[i % 4], "start_ms": a, "end_ms": min(DURATION_MS, a + 64_000), "kind": ""}
                for i, a in enumerate(range(0, DURATION_MS, 64_000))]
    return {"beats_ms": beats, "downbeats_ms": beats[::4], "beats_per_bar": 4, "tempo_bpm": 120.0,
            "sections": sections, "confidence": 1.0}


def make_segments(n: int, offset: int) -> list[dict]:
    step = DURATION_MS // n
    out = []
    for i in range(n):
        a = i * step
        c = [(i * 37 + offset * 80) % 256, (i * 91) % 256, (i * 53 + 128) % 256]
        if i % 3 == 0:
            out.append({"start_ms": a, "end_ms": a + step - 10, "kind": "fade", "start_color": c,
                        "end_color": [255 - x for x in c]})
        else:
            out.append({"start_ms": a, "end_ms": a + step - 10, "kind": "solid", "color": c})
    return out


def measure(page, url: str, project: str) -> dict:
    page.goto(f"{url}/?project={project}")
    page.wait_for_function(f"window.__studio && window.__studio.state.projectId === {json.dumps(project)}")
    page.wait_for_timeout(300)
    return page.evaluate(ANIMATE, [SECONDS])


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="ui_fps_"))
    with studio(root) as srv, chromium() as browser:
        c = httpx.Client(base_url=srv.url, timeout=60)
        for name, n in (("empty", 0), ("big", SEGMENTS)):
            c.post("/api/projects", json={"name": name, "balls": BALLS, "duration_ms": DURATION_MS}).raise_for_status()
            c.put(f"/api/projects/{name}/grid", json={"grid": make_grid()}).raise_for_status()
            per_ball = [n // BALLS + (1 if i < n % BALLS else 0) for i in range(BALLS)]
            for b, k in enumerate(per_ball):
                if k:
                    c.put(f"/api/projects/{name}/balls/{b}/segments",
                          json={"segments": make_segments(k, b)}).raise_for_status()
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        base = measure(page, srv.url, "empty")
        big = measure(page, srv.url, "big")
        total = sum(len(b["segments"]) for b in
                    c.get("/api/projects/big").json()["state"]["balls"])
    print(f"Timeline pan+zoom in headless Chromium, 1600x900, {SECONDS:.0f} s per run")
    print(f"  empty project      : {base['fps']:6.1f} fps, draw mean {base['mean_ms']:.2f} ms, p95 {base['p95_ms']:.2f} ms")
    print(f"  {total:,} segments : {big['fps']:6.1f} fps, draw mean {big['mean_ms']:.2f} ms, p95 {big['p95_ms']:.2f} ms")
    ratio = big["mean_ms"] / max(1e-6, base["mean_ms"])
    print(f"  draw-time ratio 10k / empty: {ratio:.2f}x; headroom at p95: {1000 / max(1e-6, big['p95_ms']):.0f} fps")
    emit = lambda name, value, unit, target: print("BENCH " + json.dumps(  # noqa: E731
        {"name": name, "value": round(value, 2), "unit": unit, "target": target}))
    emit("ui_fps_pan_zoom_10k_segments", big["fps"], "fps", ">= 30")
    emit("ui_draw_ms_p95_10k_segments", big["p95_ms"], "ms", "<= 33")
    emit("ui_draw_ms_ratio_10k_vs_empty", ratio, "x", None)


if __name__ == "__main__":
    main()
