// The page's client state and a tiny event bus. The server owns the project; this is a mirror
// that the server's WebSocket pushes keep current, plus purely local view state (zoom, selection).

import { View } from "./timeline/view.js";

export const bus = new EventTarget();

export function emit(type, detail) {
  bus.dispatchEvent(new CustomEvent(type, { detail }));
}

export function on(type, fn) {
  bus.addEventListener(type, (e) => fn(e.detail));
}

export const state = {
  projectId: null,
  project: null, // {name, duration_ms, refresh_rate, audio, balls:[{name, default_pixels, segments}], grid, lyrics}
  version: 0,
  peaks: null, // {min: Float32Array, max: Float32Array, msPerPeak}
  view: new View(),
  selection: [], // [{ball, start_ms}]
  playheadMs: 0,
  playing: false,
  ghosts: [], // [{ball, segments, label}] proposed changes awaiting approval
  drag: null, // live drag preview {ball, segment, mode}
  box: null, // Shift+drag selection box {b0, b1, t0, t1}
  snap: { on: true, beats: true, downbeats: true, sections: true, words: true },
  color: [255, 0, 0],
  fadeTo: null, // when set, drawn segments are fades color → fadeTo
  effect: null,
  clipboard: null, // {segments:[{ball, seg}], originMs}
  canUndo: false,
  canRedo: false,
};

export function balls() {
  return state.project ? state.project.balls : [];
}

export function isSelected(ball, seg) {
  return state.selection.some((s) => s.ball === ball && s.start_ms === seg.start_ms);
}

export function selectedSegments() {
  const out = [];
  for (const s of state.selection) {
    const b = balls()[s.ball];
    if (!b) continue;
    const seg = b.segments.find((x) => x.start_ms === s.start_ms);
    if (seg) out.push({ ball: s.ball, seg });
  }
  return out;
}
