// Editing actions: each one is a single REST call (or one per touched ball) so the server's
// history records it as one undo step. The UI never changes segments locally; it waits for the patch.

import { api } from "./api.js";
import { baseColor, colorAt } from "./colors.js";
import { settle } from "./project.js";
import { emit, selectedSegments, state } from "./store.js";
import { nextBeatAfter, snap } from "./timeline/snap.js";
import { segmentAt } from "./timeline/view.js";
import { showError, toast } from "./ui.js";

async function run(what, fn) {
  try {
    const resp = await fn();
    await settle(resp);
    return resp;
  } catch (e) {
    showError(e, what);
    return null;
  }
}

/** A new segment in the current tool settings (colour, fade, effect). */
export function newSegment(start, end, ball) {
  const b = state.project.balls[ball];
  const seg = { start_ms: start, end_ms: end, pixels: b ? b.default_pixels : 4 };
  if (state.fadeTo) {
    seg.kind = "fade";
    seg.start_color = [...state.color];
    seg.end_color = [...state.fadeTo];
  } else {
    seg.kind = "solid";
    seg.color = [...state.color];
  }
  if (state.effect) seg.effect = { ...state.effect };
  return seg;
}

export function paint(ball, segments, what = "Draw") {
  return run(what, () => api.paint(state.projectId, ball, segments));
}

export function move(ball, startMs, newStart, toBall) {
  return run("Move", () => api.moveSegment(state.projectId, ball, startMs, newStart, toBall));
}

/** Change one segment (times, colours, effect) — PATCH semantics of the server. */
export function modify(ball, startMs, changes, what = "Change") {
  return run(what, () => api.modifySegment(state.projectId, ball, startMs, changes));
}

export function modifySelection(changes, what = "Change") {
  const sel = selectedSegments();
  if (!sel.length) return toast("Select a segment first");
  return Promise.all(sel.map(({ ball, seg }) => run(what, () => api.modifySegment(state.projectId, ball, seg.start_ms, changes))));
}

/** Delete the selection (any balls) as one undo step. */
export async function deleteSelection() {
  const sel = selectedSegments();
  if (!sel.length) return toast("Nothing selected");
  state.selection = [];
  if (sel.length === 1) return run("Delete", () => api.deleteSegment(state.projectId, sel[0].ball, sel[0].seg.start_ms));
  return run("Delete", () => api.deleteSegments(state.projectId, sel.map(({ ball, seg }) => ({ ball, start_ms: seg.start_ms }))));
}

/** Move several segments by the same offset as one undo step. Returns the server's answer or null. */
export function moveGroup(group, deltaMs, ballDelta) {
  return run("Move", () => api.moveSegments(state.projectId, group.map(({ ball, seg }) => ({ ball, start_ms: seg.start_ms })), deltaMs, ballDelta));
}

export function copySelection() {
  const sel = selectedSegments();
  if (!sel.length) return toast("Nothing selected to copy");
  const origin = Math.min(...sel.map((s) => s.seg.start_ms));
  state.clipboard = { origin, items: sel.map(({ ball, seg }) => ({ ball, seg: structuredClone(seg) })) };
  toast(`Copied ${sel.length} segment${sel.length > 1 ? "s" : ""}`);
}

/** Paste at the playhead, keeping relative timing and balls. Parts past the song end are refused. */
export async function paste() {
  const cb = state.clipboard;
  if (!cb) return toast("Clipboard is empty");
  const shift = Math.round(state.playheadMs) - cb.origin;
  const byBall = new Map();
  for (const { ball, seg } of cb.items) {
    const s = { ...seg, start_ms: seg.start_ms + shift, end_ms: seg.end_ms + shift };
    byBall.set(ball, [...(byBall.get(ball) || []), s]);
  }
  const items = [...byBall].filter(([ball]) => ball < state.project.balls.length).map(([ball, segments]) => ({ ball, segments }));
  if (!items.length) return;
  return run("Paste", () => api.paintSegments(state.projectId, items, "Paste"));
}

function splitPieces(seg, t) {
  const left = { ...seg, end_ms: t };
  const right = { ...seg, start_ms: t };
  if (seg.kind === "fade") {
    const mid = baseColor(seg, t);
    left.end_color = mid;
    right.start_color = [...mid];
  }
  return [left, right];
}

/** Split selected segments (or every ball's segment) under the playhead: one step per ball. */
export async function splitAtPlayhead() {
  const t = Math.round(state.playheadMs); // exactly where the playhead is (it may sit on a beat)
  const targets = [];
  const sel = selectedSegments();
  const candidates = sel.length ? sel : state.project.balls.map((b, i) => ({ ball: i, seg: segmentAt(b.segments, t) }));
  for (const { ball, seg } of candidates) {
    if (seg && seg.start_ms < t && t < seg.end_ms) targets.push({ ball, seg });
  }
  if (!targets.length) return toast("No segment under the playhead to split");
  for (const { ball, seg } of targets) await paint(ball, splitPieces(seg, t), "Split");
}

/** Keyboard colour: paint from the playhead to the next beat on the given ball(s). Shift = fade in. */
export async function keyColor(color, ballSpec, fade) {
  if (!state.project) return;
  const start = snap(state.playheadMs, 4);
  const end = nextBeatAfter(start);
  if (end <= start) return toast("At the end of the song");
  const balls = ballSpec === "all" ? state.project.balls.map((_, i) => i) : [ballSpec];
  const items = [];
  for (const ball of balls) {
    if (ball >= state.project.balls.length) continue;
    const b = state.project.balls[ball];
    const prev = segmentAt(b.segments, start - 1);
    const from = prev ? colorAt(prev, start - 1) : [0, 0, 0];
    const seg = fade
      ? { start_ms: start, end_ms: end, pixels: b.default_pixels, kind: "fade", start_color: from, end_color: color }
      : { start_ms: start, end_ms: end, pixels: b.default_pixels, kind: "solid", color };
    items.push({ ball, segments: [seg] });
  }
  if (!items.length) return toast(`There is no ball ${ballSpec + 1} in this project`);
  // one undo step, also when a digit colours every ball
  if (items.length === 1) await paint(items[0].ball, items[0].segments, "Colour key");
  else await run("Colour key", () => api.paintSegments(state.projectId, items, "Colour key"));
  // when stopped, advance so repeated presses lay down a sequence beat by beat; while playing,
  // the music moves the playhead and each press colours the beat being heard
  if (!state.playing) emit("seek", { ms: end, fromEdit: true });
}

export function undo() {
  return run("Undo", () => api.undo(state.projectId));
}

export function redo() {
  return run("Redo", () => api.redo(state.projectId));
}

/** Beat-grid corrections: computed as a new grid and sent whole (one undoable "Edit beat grid"). */
export async function gridCorrection(op) {
  const g = state.project.grid;
  if (!g || !g.beats_ms || g.beats_ms.length < 2) return toast("No beat grid yet: load audio and Analyse");
  const next = correctedGrid(g, op, state.project.duration_ms);
  return run("Grid", () => api.setGrid(state.projectId, next));
}

/** Pure grid arithmetic for the correction buttons (×2, ÷2, half-beat shift, nudge). */
export function correctedGrid(g, op, durationMs) {
  const beats = [...g.beats_ms];
  const bpb = g.beats_per_bar || 4;
  const inside = (t) => t >= 0 && t <= durationMs;
  let out = beats;
  let tempo = g.tempo_bpm || 0;
  let downs;
  if (op === "double") {
    out = [];
    for (let i = 0; i < beats.length; i++) {
      out.push(beats[i]);
      if (i + 1 < beats.length) out.push(Math.round((beats[i] + beats[i + 1]) / 2));
    }
    tempo *= 2;
  } else if (op === "halve") {
    out = beats.filter((_, i) => i % 2 === 0);
    tempo /= 2;
  } else if (op === "half_shift") {
    out = [];
    for (let i = 0; i + 1 < beats.length; i++) out.push(Math.round((beats[i] + beats[i + 1]) / 2));
  } else if (op === "nudge_left" || op === "nudge_right") {
    const d = op === "nudge_left" ? -10 : 10;
    out = beats.map((b) => b + d).filter(inside);
    downs = (g.downbeats_ms || []).map((b) => b + d).filter(inside);
  }
  if (!downs) {
    // keep downbeats on beats: the first existing downbeat's nearest beat anchors the bar
    const anchor = (g.downbeats_ms || [])[0] ?? out[0];
    let k = 0;
    let best = Infinity;
    out.forEach((b, i) => {
      if (Math.abs(b - anchor) < best) {
        best = Math.abs(b - anchor);
        k = i;
      }
    });
    downs = out.filter((_, i) => (((i - k) % bpb) + bpb) % bpb === 0);
  }
  return { ...g, beats_ms: out, downbeats_ms: downs, tempo_bpm: Math.round(tempo * 100) / 100 };
}

export function restore(checkpointId) {
  return run("Restore checkpoint", () => api.restoreCheckpoint(state.projectId, checkpointId));
}

export function renameBall(ball, name) {
  return run("Rename ball", () => api.patchBall(state.projectId, ball, { name }));
}

export function addBall() {
  return run("Add ball", () => api.addBall(state.projectId, {}));
}
