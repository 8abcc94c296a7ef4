// Snapping of mouse/playhead times to the musical grid (beats, downbeats, sections, words).
// Pure: takes the project and a pixel tolerance, returns a time. The grid lives in the project.

import { state } from "../store.js";
import { bisectLeft } from "./view.js";

function nearestIn(sorted, t) {
  if (!sorted || !sorted.length) return null;
  const i = bisectLeft(sorted, t);
  let best = null;
  for (const j of [i - 1, i]) {
    if (j >= 0 && j < sorted.length && (best === null || Math.abs(sorted[j] - t) < Math.abs(best - t))) best = sorted[j];
  }
  return best;
}

/** Sorted snap targets per kind, cached per project version. */
let cache = { version: -1, targets: null };

function targets() {
  const p = state.project;
  if (cache.version === state.version && cache.targets && cache.project === p) return cache.targets;
  const g = p.grid || {};
  const ly = p.lyrics || {};
  const t = {
    beats: g.beats_ms || [],
    downbeats: g.downbeats_ms || [],
    sections: [...new Set((g.sections || []).flatMap((s) => [s.start_ms, s.end_ms]))].sort((a, b) => a - b),
    words: [...new Set((ly.words || []).flatMap((w) => [w.start_ms, w.end_ms]))].sort((a, b) => a - b),
  };
  cache = { version: state.version, targets: t, project: p };
  return t;
}

/** Round to the export tick (refresh rate), inside [0, duration]. */
export function toTick(t) {
  const p = state.project;
  const tick = p ? Math.max(1, Math.round(1000 / p.refresh_rate)) : 10;
  const dur = p ? p.duration_ms : Infinity;
  return Math.min(dur, Math.max(0, Math.round(t / tick) * tick));
}

/** Snap t (ms) to the nearest enabled grid target within tolPx pixels; else round to a tick. */
export function snap(t, tolPx = 8, bypass = false) {
  if (!state.project) return Math.round(t);
  if (!state.snap.on || bypass) return toTick(t);
  const tol = tolPx * state.view.msPerPx;
  const tg = targets();
  let best = null;
  // downbeats and sections win ties over plain beats: they are the stronger musical landmarks
  for (const kind of ["sections", "downbeats", "words", "beats"]) {
    if (!state.snap[kind]) continue;
    const c = nearestIn(tg[kind], t);
    if (c !== null && Math.abs(c - t) <= tol && (best === null || Math.abs(c - t) < Math.abs(best - t) - 0.5)) best = c;
  }
  for (const edge of [0, state.project.duration_ms]) {
    if (Math.abs(edge - t) <= tol) best = edge;
  }
  return best === null ? toTick(t) : best;
}

/** The next beat strictly after t (for key-press painting), or t + 500 ms without a grid. */
export function nextBeatAfter(t) {
  const beats = (state.project.grid && state.project.grid.beats_ms) || [];
  const i = bisectLeft(beats, t + 1);
  const end = i < beats.length ? beats[i] : t + 500;
  return Math.min(state.project.duration_ms, end);
}
