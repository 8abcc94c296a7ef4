// Send to real balls over Wi-Fi (in the export dialog): listen for balls, upload each ball's .prg,
// and mirror the playhead live while playing. Nothing is sent until the user gives an IP address.

import { state } from "./store.js";
import { $, h, showError, toast } from "./ui.js";

async function post(path, body, method = "POST") {
  const res = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error((data && data.error && data.error.message) || `${res.status} ${res.statusText}`);
  return data;
}

const P = (name) => `/api/projects/${encodeURIComponent(name)}`;

function target() {
  const address = $("#ball-address").value.trim();
  if (!address) throw new Error("type the ball's IP address first (or listen for balls)");
  return {
    address,
    port: Number($("#ball-tcp-port").value) || 8888,
    udp: Number($("#ball-udp-port").value) || 41412,
  };
}

async function scan() {
  const out = $("#ball-scan-result");
  out.textContent = "Listening for 3 s…";
  try {
    const { balls } = await post("/api/balls/scan", { seconds: 3 });
    out.replaceChildren(
      balls.length
        ? h("span", {}, "Found: ", ...balls.map((b) =>
          h("button.link", { type: "button", onclick: () => { $("#ball-address").value = b.address; } },
            `${b.name} (${b.address})`)))
        : h("span.muted", {}, "No balls heard. Are they on and on this network?"),
    );
  } catch (e) {
    out.textContent = "";
    showError(e, "Listen for balls");
  }
}

async function upload(ball, status) {
  try {
    const t = target();
    status.textContent = "sending…";
    const r = await post(`${P(state.projectId)}/balls/${ball}/upload`,
      { address: t.address, port: t.port, status_port: t.udp, timeout_s: 10 });
    status.textContent = r.confirmed ? `✓ confirmed (${r.bytes} bytes)` : `⚠ ${r.message}`;
    status.dataset.state = r.confirmed ? "ok" : "warn";
  } catch (e) {
    status.textContent = `✗ ${e.message}`;
    status.dataset.state = "error";
  }
}

let mirror = null; // {id, ball}
let wasPlaying = false;

async function startMirror() {
  const ball = Number($("#ball-mirror-ball").value);
  const t = target();
  const remaining = Math.max(0.5, (state.project.duration_ms - state.playheadMs) / 1000);
  const r = await post(`${P(state.projectId)}/balls/${ball}/mirror`,
    { address: t.address, port: t.udp, start_ms: Math.round(state.playheadMs), seconds: remaining, rate_hz: 25 });
  mirror = { id: r.mirror_id, ball };
}

async function stopMirror() {
  if (!mirror) return;
  const id = mirror.id;
  mirror = null;
  await post(`/api/balls/mirror/${encodeURIComponent(id)}`, undefined, "DELETE").catch(() => {});
}

// Follow play/pause: (re)start the mirror from the playhead when playback starts, stop on pause.
setInterval(() => {
  if (!$("#ball-mirror")?.checked || !state.projectId) {
    if (mirror) stopMirror();
    wasPlaying = state.playing;
    return;
  }
  if (state.playing && !wasPlaying) startMirror().catch((e) => {
    $("#ball-mirror").checked = false;
    showError(e, "Live mirror");
  });
  if (!state.playing && wasPlaying) stopMirror();
  wasPlaying = state.playing;
}, 150);

export function renderBallsSection() {
  const rows = $("#ball-upload-rows");
  if (!rows || !state.project) return;
  rows.replaceChildren(...state.project.balls.map((b, i) => {
    const status = h("span.ball-upload-status", { "data-testid": `ball-upload-status-${i}` });
    return h("div.ball-upload-row", {},
      h("button", { type: "button", "data-testid": `ball-upload-${i}`, onclick: () => upload(i, status) },
        `Upload ${b.name || `Ball ${i + 1}`}`), status);
  }));
  $("#ball-mirror-ball").replaceChildren(...state.project.balls.map((b, i) =>
    h("option", { value: String(i) }, b.name || `Ball ${i + 1}`)));
}

export function initBalls() {
  $("#ball-scan").addEventListener("click", scan);
  $("#ball-mirror").addEventListener("change", (e) => {
    if (e.target.checked) {
      try {
        target();
        toast("Live mirror on: press play to light the ball from the playhead", "info");
      } catch (err) {
        e.target.checked = false;
        showError(err, "Live mirror");
      }
    } else stopMirror();
  });
}
