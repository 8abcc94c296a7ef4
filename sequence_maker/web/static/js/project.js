// Opening a project and keeping the local mirror in step with the server (REST load + WS patches).

import { api } from "./api.js";
import { emit, state } from "./store.js";
import { socket } from "./ws.js";

export async function openProject(name) {
  const view = await api.getProject(name);
  state.projectId = view.name;
  loadView(view);
  socket.open(view.name);
  localStorage.setItem("seqmaker.project", view.name);
  emit("project-opened", view);
  loadPeaks().catch(() => {});
  return view;
}

export async function reloadProject() {
  if (!state.projectId) return;
  const id = state.projectId;
  const view = await api.getProject(id);
  // a WS patch newer than this answer may have landed while it was in flight: keep the newer state
  if (id !== state.projectId || (view.name === state.projectId && view.version < state.version)) return;
  loadView(view);
}

function loadView(view) {
  state.project = view.state;
  state.version = view.version;
  state.canUndo = view.can_undo;
  state.canRedo = view.can_redo;
  state.undoLabel = view.undo_label;
  state.redoLabel = view.redo_label;
  state.audioUrl = view.audio_url;
  state.selection = [];
  state.view.durationMs = view.state.duration_ms;
  state.view.clamp();
  emit("changed", { full: true });
}

/** Fetch waveform peaks at ~4 ms resolution (enough for close zoom), capped for long songs. */
export async function loadPeaks() {
  if (!state.project || !state.project.audio) {
    state.peaks = null;
    emit("changed", {});
    return;
  }
  const points = Math.max(500, Math.min(200000, Math.round(state.project.duration_ms / 4)));
  const p = await api.peaks(state.projectId, points);
  const min = Float32Array.from(p.min);
  const max = Float32Array.from(p.max);
  let peak = 0;
  for (let i = 0; i < max.length; i++) peak = Math.max(peak, max[i], -min[i]);
  state.peaks = { min, max, msPerPeak: p.duration_ms / Math.max(1, p.points || max.length), peak: peak || 1 };
  emit("changed", {});
}

/** Apply a timeline_patch pushed by the server (any tab, user or assistant). */
export function applyPatch(d) {
  if (!state.project) return;
  if (d.state) {
    state.project = d.state;
  } else {
    if (d.project) Object.assign(state.project, d.project);
    for (const b of d.balls || []) {
      state.project.balls[b.index] = { name: b.name, default_pixels: b.default_pixels, segments: b.segments };
    }
    if (d.grid_changed) state.project.grid = d.grid;
    if ("lyrics" in d && d.lyrics !== undefined) state.project.lyrics = d.lyrics;
  }
  state.version = d.version;
  state.canUndo = d.can_undo;
  state.canRedo = d.can_redo;
  state.view.durationMs = state.project.duration_ms;
  // drop selections that no longer exist
  state.selection = state.selection.filter((s) => {
    const b = state.project.balls[s.ball];
    return b && b.segments.some((x) => x.start_ms === s.start_ms);
  });
  const audioChanged = d.project && d.project.audio && (!state.peaks || d.project.audio.sha256 !== state.audioSha);
  if (d.project && d.project.audio) state.audioSha = d.project.audio.sha256;
  emit("changed", { patch: d });
  if (audioChanged) loadPeaks().catch(() => {});
}

/** After a REST mutation: the WS patch normally arrives first; if not (offline), refetch. */
export async function settle(resp) {
  if (!resp) return;
  if (typeof resp.can_undo === "boolean") {
    state.canUndo = resp.can_undo;
    state.canRedo = resp.can_redo;
  }
  if (typeof resp.version !== "number" || resp.version <= state.version) {
    emit("changed", {});
    return;
  }
  // connected: the patch is on its way (it can trail the REST answer on a busy server); offline: reload now
  const deadline = performance.now() + (socket.connected ? 1500 : 0);
  while (state.version < resp.version && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (state.version < resp.version) await reloadProject();
}
