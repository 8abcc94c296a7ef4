// Boot: wires the panels to the state, the server and each other. No business rules here.

import { api } from "./api.js";
import { initAssistant } from "./assistant.js";
import { hexOf, PALETTE, parseHex, rgbCss } from "./colors.js";
import { initDiagnostics, refreshDiagnostics } from "./diagnostics.js";
import * as edit from "./edit.js";
import { initBalls } from "./balls.js";
import { openExport } from "./export.js";
import { attachKeys } from "./keys.js";
import { Player } from "./playback.js";
import { applyPatch, openProject, reloadProject, settle } from "./project.js";
import { initSettings, refreshSettings } from "./settings.js";
import { emit, on, selectedSegments, state } from "./store.js";
import { attachInteraction } from "./timeline/interact.js";
import { attachOverview } from "./timeline/overview.js";
import { TimelineRenderer } from "./timeline/render.js";
import { formatTime } from "./timeline/view.js";
import { $, $$, h, progress, showError, toast } from "./ui.js";
import { socket } from "./ws.js";

const canvas = $("#timeline");
const renderer = new TimelineRenderer(canvas);
const player = new Player(renderer);
window.__studio = { state, renderer, player, emit, socket }; // for tests, benches and debugging

function boot() {
  new ResizeObserver(() => {
    renderer.resize();
    renderLaneLabels();
  }).observe(canvas);
  attachInteraction(canvas, renderer);
  attachOverview($("#overview"), renderer);
  attachKeys(player);
  initToolbar();
  initAssistant();
  initDiagnostics();
  initSettings();
  initTopbar();

  on("changed", () => {
    renderer.request();
    renderLaneLabels();
    renderUndo();
    renderInspector();
  });
  on("view", () => renderer.request());
  on("selection", () => {
    renderInspector();
    renderer.request();
  });
  on("ws:timeline_patch", (f) => applyPatch(f.data));
  on("ws:resync", () => reloadProject().catch((e) => showError(e, "Reload")));
  on("ws:status", (f) => {
    if (state.version < f.data.version) reloadProject().catch(() => {});
  });
  on("ws:analysis_progress", (f) => analysisProgress(f.data));
  on("conn", ({ state: s }) => {
    const el = $("#conn");
    el.className = `conn ${s}`;
    el.textContent = s === "on" ? "connected" : s === "wait" ? "connecting…" : "reconnecting…";
  });
  on("project-opened", () => {
    state.view.fit();
    refreshCheckpoints();
    renderer.resize();
  });
  on("changed", (d) => {
    // restores and assistant turns (which save automatic checkpoints) change the list
    if (d && d.patch && (d.patch.origin === "assistant" || /checkpoint|restore/i.test(d.patch.label || ""))) {
      refreshCheckpoints();
    }
  });
  // ?project=<name> opens that project (bookmarkable); else the last one used in this browser
  const wanted = new URLSearchParams(location.search).get("project");
  refreshProjects(wanted || localStorage.getItem("seqmaker.project"));
  refreshSettings();
}

// --- top bar -----------------------------------------------------------------------------------
function initTopbar() {
  $("#project-select").addEventListener("change", (ev) => ev.target.value && open(ev.target.value));
  $("#btn-new-project").addEventListener("click", () => $("#new-project-dialog").showModal());
  $("#new-project-form").addEventListener("submit", async (ev) => {
    if (ev.submitter && ev.submitter.value === "cancel") return;
    const f = new FormData(ev.target);
    try {
      const view = await api.createProject({
        name: f.get("name").trim(),
        balls: Number(f.get("balls")),
        duration_ms: Math.round(Number(f.get("duration_s")) * 1000),
      });
      await refreshProjects(view.name);
    } catch (e) {
      ev.preventDefault();
      showError(e, "New project");
    }
  });
  $("#audio-file").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    ev.target.value = "";
    if (file) loadAudioFile(file);
  });
  $("#lyrics-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    ev.target.value = "";
    if (!file || !state.projectId) return;
    try {
      const r = await settleAfter(api.uploadLyrics(state.projectId, file));
      toast(`Loaded lyrics: ${r.lines ?? 0} lines, ${r.words ?? 0} timed words`);
    } catch (e) {
      showError(e, "Load lyrics");
    }
  });
  // dropping a song on the timeline loads it, like "Load audio"
  canvas.addEventListener("dragover", (ev) => ev.preventDefault());
  canvas.addEventListener("drop", (ev) => {
    ev.preventDefault();
    const file = ev.dataTransfer.files[0];
    if (file) loadAudioFile(file);
  });
  $("#btn-analyze").addEventListener("click", analyse);
  $("#btn-play").addEventListener("click", () => player.toggle());
  $("#btn-undo").addEventListener("click", edit.undo);
  $("#btn-redo").addEventListener("click", edit.redo);
  $("#btn-export").addEventListener("click", openExport);
  initBalls();
  $("#btn-keys").addEventListener("click", () => $("#keys-dialog").showModal());
  $("#volume").addEventListener("input", (ev) => (player.audio.volume = Number(ev.target.value)));
  $$(".tab").forEach((t) =>
    t.addEventListener("click", () => {
      $$(".tab").forEach((x) => x.classList.toggle("active", x === t));
      $$(".view").forEach((v) => v.classList.toggle("active", v.id === `view-${t.dataset.view}`));
      if (t.dataset.view === "diagnostics") refreshDiagnostics();
      if (t.dataset.view === "settings") refreshSettings();
      if (t.dataset.view === "studio") renderer.resize();
    }),
  );
  $("#checkpoint-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("#checkpoint-name");
    const name = input.value.trim() || `checkpoint ${new Date().toLocaleTimeString()}`;
    try {
      await api.createCheckpoint(state.projectId, name);
      input.value = "";
      refreshCheckpoints();
    } catch (e) {
      showError(e, "Checkpoint");
    }
  });
}

/** Await a mutation and the patch it causes (or a reload), so the page shows the result. */
async function settleAfter(promise) {
  const resp = await promise;
  await settle(resp);
  if (!resp || typeof resp.version !== "number") await reloadProject();
  return resp;
}

async function loadAudioFile(file) {
  if (!state.projectId) return toast("Create or open a project first");
  progress(0.02, `Uploading ${file.name}…`);
  try {
    await api.uploadAudio(state.projectId, file, (f) => progress(f * 0.95, `Uploading ${file.name}… ${Math.round(f * 100)}%`));
    await reloadProject();
    player.loadAudio();
    state.view.fit();
    progress(null);
    toast(`Loaded ${file.name}; analysing beats…`);
    analyse();
  } catch (e) {
    progress(null);
    showError(e, "Load audio");
  }
}

async function refreshProjects(select) {
  try {
    const { projects } = await api.listProjects();
    const sel = $("#project-select");
    sel.replaceChildren(
      h("option", { value: "" }, projects.length ? "Open project…" : "No projects yet"),
      ...projects.map((p) => h("option", { value: p.name }, p.name)),
    );
    const pick = projects.find((p) => p.name === select) ? select : projects[0] && !select ? projects[0].name : null;
    if (pick) {
      sel.value = pick;
      await open(pick);
    }
  } catch (e) {
    showError(e, "Projects");
  }
}

async function open(name) {
  try {
    await openProject(name);
    $("#project-select").value = name;
  } catch (e) {
    showError(e, `Open ${name}`);
  }
}

let analysisJob = null;

async function analyse() {
  if (!state.projectId) return;
  if (!state.project.audio) return toast("Load a song first");
  try {
    const job = await api.analyze(state.projectId);
    analysisJob = job.id;
    analysisProgress({ job_id: job.id, progress: job.progress || 0, stage: job.stage || "queued", state: job.state });
    pollJob(job.id);
  } catch (e) {
    showError(e, "Analyse");
  }
}

/** Poll as a fallback to the WS progress frames (both feed the same display). */
async function pollJob(id) {
  while (analysisJob === id) {
    await new Promise((r) => setTimeout(r, 700));
    try {
      const j = await api.job(id);
      analysisProgress({ job_id: j.id, progress: j.progress, stage: j.stage, state: j.state, error: j.error });
    } catch {
      return;
    }
  }
}

function analysisProgress(d) {
  if (d.job_id !== analysisJob) return;
  if (d.state === "done" || d.state === "error" || d.state === "cancelled") {
    analysisJob = null;
    progress(null);
    if (d.state === "error") toast(`Analysis failed: ${d.error || d.stage}`, "error", 8000);
    else if (d.state === "cancelled") toast("Analysis cancelled; the grid is unchanged");
    else if (d.state === "done") {
      toast("Beat grid ready");
      reloadProject();
    }
    return;
  }
  progress(d.progress || 0, `Analysing: ${d.stage || ""} ${Math.round((d.progress || 0) * 100)}%`, async () => {
    try {
      await api.cancelJob(d.job_id);
    } catch (e) {
      showError(e, "Cancel analysis");
    }
  });
}

// --- toolbar -----------------------------------------------------------------------------------
function initToolbar() {
  const pal = $("#palette");
  for (const p of PALETTE) {
    pal.append(
      h("button.swatch", {
        title: `${p.name} (key ${p.key})`,
        style: `background:${rgbCss(p.rgb)}`,
        dataset: { color: p.name },
        onclick: () => pickColor(p.rgb),
      }, h("span", {}, p.key)),
    );
  }
  $("#color-picker").addEventListener("input", (ev) => pickColor(parseHex(ev.target.value), true));
  $("#fade-toggle").addEventListener("change", syncFade);
  $("#fade-end").addEventListener("input", syncFade);
  $("#effect-select").addEventListener("change", syncEffect);
  $("#effect-rate").addEventListener("input", syncEffect);
  $("#snap-toggle").addEventListener("change", (ev) => (state.snap.on = ev.target.checked));
  $$("[data-snap]").forEach((c) => c.addEventListener("change", () => (state.snap[c.dataset.snap] = c.checked)));
  const acts = { split: edit.splitAtPlayhead, delete: edit.deleteSelection, copy: edit.copySelection, paste: edit.paste };
  $$("[data-act]").forEach((b) => b.addEventListener("click", () => acts[b.dataset.act]()));
  $$("[data-grid]").forEach((b) => b.addEventListener("click", () => edit.gridCorrection(b.dataset.grid)));
  $$("[data-zoom]").forEach((b) =>
    b.addEventListener("click", () => {
      const v = state.view;
      if (b.dataset.zoom === "fit") v.fit();
      else v.zoomAt(b.dataset.zoom === "in" ? 1 / 1.5 : 1.5, v.width / 2);
      emit("view");
    }),
  );
  pickColor(state.color);
}

function pickColor(rgb, fromPicker = false) {
  state.color = rgb;
  if (!fromPicker) $("#color-picker").value = hexOf(rgb);
  $$(".swatch").forEach((s) => s.classList.toggle("active", s.style.background === rgbCss(rgb).replace(/,/g, ", ")));
  // with a selection, the palette recolours it (one step per segment)
  if (selectedSegments().length && document.activeElement !== $("#color-picker")) edit.modifySelection({ color: rgb }, "Recolour");
}

function syncFade() {
  state.fadeTo = $("#fade-toggle").checked ? parseHex($("#fade-end").value) : null;
}

function syncEffect() {
  const type = $("#effect-select").value;
  const rate = Number($("#effect-rate").value) || 4;
  state.effect =
    type === "strobe" ? { type, hz: rate, duty: 0.5, off_color: [0, 0, 0] }
      : type === "pulse" ? { type, hz: rate, min_brightness: 0.2 }
        : type === "rainbow" ? { type, cycles_per_s: Math.min(20, rate) }
          : null;
}

// --- lane labels, undo buttons, inspector, checkpoints -------------------------------------------
function renderLaneLabels() {
  const box = $("#lane-labels");
  if (!state.project) return box.replaceChildren();
  const rows = renderer.rows();
  const label = (cls, row, ...content) => h(`div.lane-label${cls}`, { style: `top:${row.y}px;height:${row.h}px` }, ...content);
  const g = state.project.grid;
  box.replaceChildren(
    label(".row", rows.ruler, "time"),
    label(".row", rows.sections, "sections"),
    label(".row", rows.wave, g && g.tempo_bpm ? `${g.tempo_bpm.toFixed(1)} BPM` : "waveform"),
    label(".row", rows.words, "lyrics"),
    ...state.project.balls.map((b, i) => {
      const el = label("", rows.lanes[i], h("span.ball-name", {}, b.name || `Ball ${i + 1}`),
        h("span.sub", {}, `${b.segments.length} seg · ${b.default_pixels} px`));
      el.title = "Double-click to rename";
      el.addEventListener("dblclick", () => renameBall(i, b.name));
      return el;
    }),
  );
  if (rows.lanes.length && rows.bottom + 28 < state.view.height) {
    box.append(h("button.small.add-ball", { style: `top:${rows.bottom + 2}px`, title: "Add a ball", onclick: addBall }, "+ ball"));
  }
}

async function renameBall(i, current) {
  const name = prompt(`Name of ball ${i + 1}`, current);
  if (!name || name === current) return;
  await edit.renameBall(i, name.trim());
}

async function addBall() {
  await edit.addBall();
}

function renderUndo() {
  $("#btn-undo").disabled = !state.canUndo;
  $("#btn-redo").disabled = !state.canRedo;
}

function renderInspector() {
  const box = $("#inspector");
  const sel = selectedSegments();
  if (!sel.length) {
    box.replaceChildren("Click a segment to select it (Shift/Ctrl+click for more); drag on a lane to draw.");
    return;
  }
  if (sel.length > 1) {
    box.replaceChildren(`${sel.length} segments selected. Palette recolours them; Delete removes them; Ctrl+C copies.`);
    return;
  }
  const { ball, seg } = sel[0];
  const solid = seg.kind === "solid";
  const colorIn = h("input", { type: "color", value: hexOf(solid ? seg.color : seg.start_color) });
  const endIn = h("input", { type: "color", value: hexOf(solid ? seg.color : seg.end_color) });
  const fadeChk = h("input", { type: "checkbox", checked: !solid });
  const e0 = seg.effect || null;
  const eff = h("select", { title: "Effect" }, ...["", "strobe", "pulse", "rainbow"].map((t) =>
    h("option", { value: t, selected: (e0 ? e0.type : "") === t }, t || "no effect")));
  const rateIn = h("input.num", { type: "number", min: "0.1", max: "50", step: "0.1", title: "Effect rate (Hz or cycles/s)",
    value: e0 ? String(e0.hz ?? e0.cycles_per_s) : $("#effect-rate").value });
  const pixIn = h("select", { title: "Lit pixels (1–4)" }, ...[1, 2, 3, 4].map((n) =>
    h("option", { value: n, selected: seg.pixels === n }, `${n} px`)));
  const apply = () => {
    const ch = { color: parseHex(colorIn.value), end_color: fadeChk.checked ? parseHex(endIn.value) : null };
    const t = eff.value;
    const rate = Number(rateIn.value) || 4;
    // keep the effect's other settings (duty, off colour, depth) when only its rate changes
    const same = e0 && e0.type === t ? e0 : {};
    ch.effect = !t ? null
      : t === "strobe" ? { ...same, type: t, hz: rate }
        : t === "pulse" ? { ...same, type: t, hz: rate }
          : { type: t, cycles_per_s: Math.min(20, rate) };
    if (Number(pixIn.value) !== seg.pixels) ch.pixels = Number(pixIn.value);
    edit.modify(ball, seg.start_ms, ch);
  };
  box.replaceChildren(
    h("div.insp-row", {}, h("b", {}, `Ball ${ball + 1}`), `${formatTime(seg.start_ms, 1)} → ${formatTime(seg.end_ms, 1)}`,
      h("span.muted", {}, `(${seg.end_ms - seg.start_ms} ms)`)),
    h("div.insp-row", {}, "Colour", colorIn, h("label.chk", {}, fadeChk, "fade to"), endIn),
    h("div.insp-row", {}, eff, rateIn, pixIn, h("button.small.primary", { onclick: apply }, "Apply")),
  );
}

async function refreshCheckpoints() {
  if (!state.projectId) return;
  try {
    const { checkpoints } = await api.checkpoints(state.projectId);
    $("#checkpoint-list").replaceChildren(
      ...[...checkpoints].reverse().map((c) =>
        h("li", {}, h("span", {}, c.name, c.auto ? h("span.auto", {}, " auto") : ""),
          h("button.small", {
            onclick: async () => {
              await edit.restore(c.id);
              refreshCheckpoints();
            },
          }, "Restore")),
      ),
    );
    if (!checkpoints.length) $("#checkpoint-list").append(h("li.muted", {}, "None yet"));
  } catch {
    /* checkpoints are optional on a fresh project */
  }
}

boot();
