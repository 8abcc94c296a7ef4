// The strip under the timeline: where the visible window sits in the whole song. Drag the thumb
// to scroll, click the strip to jump there. Updated after every timeline draw (cheap: two styles).

import { emit, state } from "../store.js";

export function attachOverview(strip, renderer) {
  const thumb = strip.querySelector(".thumb");
  let grab = null;

  const frac = (clientX) => {
    const r = strip.getBoundingClientRect();
    return Math.max(0, Math.min(1, (clientX - r.left) / Math.max(1, r.width)));
  };

  strip.addEventListener("mousedown", (ev) => {
    if (!state.project) return;
    const v = state.view;
    const span = v.width * v.msPerPx;
    if (ev.target === thumb) {
      grab = { x: ev.clientX, startMs: v.startMs };
    } else {
      v.startMs = frac(ev.clientX) * v.durationMs - span / 2;
      v.clamp();
      emit("view");
      grab = { x: ev.clientX, startMs: v.startMs };
    }
    ev.preventDefault();
  });
  window.addEventListener("mousemove", (ev) => {
    if (!grab) return;
    const v = state.view;
    const r = strip.getBoundingClientRect();
    v.startMs = grab.startMs + ((ev.clientX - grab.x) / Math.max(1, r.width)) * v.durationMs;
    v.clamp();
    emit("view");
  });
  window.addEventListener("mouseup", () => (grab = null));

  renderer.afterDraw = () => {
    const v = state.view;
    if (!state.project || !v.durationMs) {
      thumb.style.width = "0";
      return;
    }
    const left = Math.max(0, v.startMs / v.durationMs);
    const width = Math.min(1 - left, (v.width * v.msPerPx) / v.durationMs);
    thumb.style.left = `${(left * 100).toFixed(3)}%`;
    thumb.style.width = `${Math.max(0.5, width * 100).toFixed(3)}%`;
  };
}
