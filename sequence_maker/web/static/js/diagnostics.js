// Diagnostics view: a table of recent LLM requests and three small canvas charts
// (latency and tokens/s over time, cost per day), all from GET /api/metrics.

import { api } from "./api.js";
import { $, h, showError } from "./ui.js";

const fmt = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(d));

export function initDiagnostics() {
  $("#btn-diag-refresh").addEventListener("click", refreshDiagnostics);
}

export async function refreshDiagnostics() {
  let m;
  try {
    m = await api.metrics();
  } catch (e) {
    return showError(e, "Metrics");
  }
  const recent = [...(m.recent || [])].sort((a, b) => a.at - b.at);
  const groups = m.groups || [];
  const reqs = groups.reduce((n, g) => n + (g.requests || 0), 0);
  const errs = groups.reduce((n, g) => n + (g.errors || 0), 0);
  const cost = groups.reduce((n, g) => n + (g.cost_usd || 0), 0);
  $("#diag-summary").textContent = `${reqs} requests · ${errs} errors · $${cost.toFixed(4)} in the window`;
  const body = $("#diag-table tbody");
  body.replaceChildren(
    ...[...recent].reverse().map((r) =>
      h("tr", {},
        h("td", {}, new Date(r.at * 1000).toLocaleString()),
        h("td", {}, r.provider || ""),
        h("td", {}, r.model || ""),
        h("td", {}, fmt(r.ttft_s)),
        h("td", {}, fmt(r.duration_s)),
        h("td", {}, r.input_tokens ?? "–"),
        h("td", {}, r.output_tokens ?? "–"),
        h("td", {}, fmt(r.tokens_per_s, 1)),
        h("td", {}, fmt(r.cost_usd, 5)),
        h("td", {}, r.retries ?? 0),
        h(r.error ? "td.err" : "td", { title: r.error || "" }, r.error ? String(r.error).slice(0, 80) : ""),
      ),
    ),
  );
  if (!recent.length) body.append(h("tr", {}, h("td", { colspan: 11, class: "muted" }, "No assistant requests yet.")));
  lineChart($("#chart-latency"), recent.map((r) => r.at), [
    { label: "TTFT", color: "#4fa3ff", values: recent.map((r) => r.ttft_s) },
    { label: "total", color: "#f5b942", values: recent.map((r) => r.duration_s) },
  ]);
  lineChart($("#chart-tps"), recent.map((r) => r.at), [{ label: "tok/s", color: "#3ecf8e", values: recent.map((r) => r.tokens_per_s) }]);
  const perDay = new Map();
  for (const r of recent) {
    const day = new Date(r.at * 1000).toISOString().slice(0, 10);
    perDay.set(day, (perDay.get(day) || 0) + (r.cost_usd || 0));
  }
  barChart($("#chart-cost"), [...perDay.keys()], [...perDay.values()]);
}

function frame(canvas) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#1b1f26";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = "10px system-ui, sans-serif";
  return { ctx, W: canvas.width, H: canvas.height, L: 40, R: 8, T: 16, B: 18 };
}

function axis(f, maxV) {
  const { ctx, W, H, L, R, T, B } = f;
  ctx.strokeStyle = "#2c313b";
  ctx.fillStyle = "#8b93a3";
  for (let i = 0; i <= 4; i++) {
    const y = T + ((H - T - B) * i) / 4;
    ctx.beginPath();
    ctx.moveTo(L, y + 0.5);
    ctx.lineTo(W - R, y + 0.5);
    ctx.stroke();
    ctx.fillText(fmt(maxV * (1 - i / 4), maxV < 0.01 ? 5 : maxV < 1 ? 3 : 1), 2, y + 3);
  }
}

function empty(f) {
  f.ctx.fillStyle = "#8b93a3";
  f.ctx.fillText("no data yet", f.W / 2 - 25, f.H / 2);
}

function lineChart(canvas, xs, series) {
  const f = frame(canvas);
  const { ctx, W, H, L, R, T, B } = f;
  const vals = series.flatMap((s) => s.values.filter((v) => typeof v === "number"));
  if (!xs.length || !vals.length) return empty(f);
  const maxV = Math.max(...vals) * 1.1 || 1;
  axis(f, maxV);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const px = (x) => (xs.length === 1 ? (L + W - R) / 2 : L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R));
  const py = (v) => T + (H - T - B) * (1 - v / maxV);
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.beginPath();
    let started = false;
    s.values.forEach((v, i) => {
      if (typeof v !== "number") return;
      if (!started) ctx.moveTo(px(xs[i]), py(v));
      else ctx.lineTo(px(xs[i]), py(v));
      started = true;
    });
    ctx.stroke();
    s.values.forEach((v, i) => typeof v === "number" && ctx.fillRect(px(xs[i]) - 2, py(v) - 2, 4, 4));
    ctx.fillText(s.label, L + 6 + k * 60, 11);
  });
}

function barChart(canvas, labels, values) {
  const f = frame(canvas);
  const { ctx, W, H, L, R, T, B } = f;
  if (!labels.length) return empty(f);
  const maxV = Math.max(...values) * 1.1 || 0.0001;
  axis(f, maxV);
  const bw = Math.min(40, (W - L - R) / labels.length - 6);
  labels.forEach((lab, i) => {
    const x = L + 6 + i * (bw + 6);
    const hgt = ((H - T - B) * values[i]) / maxV;
    ctx.fillStyle = "#8a4f7d";
    ctx.fillRect(x, H - B - hgt, bw, hgt);
    ctx.fillStyle = "#8b93a3";
    ctx.fillText(lab.slice(5), x, H - 5);
  });
}
