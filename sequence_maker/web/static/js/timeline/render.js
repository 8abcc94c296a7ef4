// Canvas renderer for the timeline. Draws only what is visible: each lane binary-searches its
// first visible segment and stops at the right edge; segments narrower than a pixel collapse
// into one column, so cost is O(visible pixels + visible segments) and stays smooth at 10k+.

import { midColor, rgbCss } from "../colors.js";
import { isSelected, state } from "../store.js";
import { bisectLeft, bisectStart, formatTime, layout, niceStep } from "./view.js";

const BG = "#15171c";
const LANE_BG = "#1d2027";
const GRID_BEAT = "rgba(255,255,255,0.07)";
const GRID_DOWN = "rgba(255,255,255,0.20)";
const SECTION_COLORS = ["#3b5b92", "#8a4f7d", "#4f8a6b", "#8a7a4f", "#5f4f8a", "#8a5a4f", "#4f7f8a"];

function sectionColor(label) {
  let h = 0;
  for (const ch of String(label).replace(/['′]/g, "")) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return SECTION_COLORS[h % SECTION_COLORS.length];
}

export class TimelineRenderer {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.pending = false;
    this.frames = 0; // counted for the FPS bench
    this.lastDrawMs = 0;
  }

  /** Ask for a redraw on the next animation frame (coalesces many requests into one draw). */
  request() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const r = this.canvas.getBoundingClientRect();
    const v = state.view;
    v.width = Math.max(100, r.width);
    v.height = Math.max(100, r.height);
    this.canvas.width = Math.round(v.width * dpr);
    this.canvas.height = Math.round(v.height * dpr);
    this.dpr = dpr;
    v.clamp();
    this.request();
  }

  rows() {
    return layout(state.view.height, state.project ? state.project.balls.length : 0);
  }

  draw() {
    const t0 = performance.now();
    const ctx = this.ctx;
    const v = state.view;
    ctx.setTransform(this.dpr || 1, 0, 0, this.dpr || 1, 0, 0);
    ctx.fillStyle = BG;
    ctx.fillRect(0, 0, v.width, v.height);
    if (!state.project) {
      ctx.fillStyle = "#8b93a3";
      ctx.font = "15px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.fillText("No project open — click New (top left) to start one, or pick one from the list.", v.width / 2, v.height / 2 - 10);
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillText("Then load a song: the beat grid and sections appear here, and you draw colours on one lane per ball.", v.width / 2, v.height / 2 + 14);
      ctx.textAlign = "start";
      this.frames++;
      return;
    }
    const rows = this.rows();
    this.drawLanesBackground(ctx, rows);
    this.drawSections(ctx, rows);
    this.drawWave(ctx, rows);
    this.drawGrid(ctx, rows);
    this.drawWords(ctx, rows);
    this.drawSegments(ctx, rows);
    this.drawGhosts(ctx, rows);
    this.drawDrag(ctx, rows);
    this.drawBox(ctx, rows);
    this.drawRuler(ctx, rows);
    this.drawEnd(ctx, rows);
    this.drawPlayhead(ctx, rows);
    this.frames++;
    this.lastDrawMs = performance.now() - t0;
    if (this.afterDraw) this.afterDraw();
  }

  drawLanesBackground(ctx, rows) {
    const v = state.view;
    for (const l of rows.lanes) {
      ctx.fillStyle = LANE_BG;
      ctx.fillRect(0, l.y, v.width, l.h);
    }
    ctx.fillStyle = "#181b21";
    ctx.fillRect(0, rows.wave.y, v.width, rows.wave.h);
  }

  drawRuler(ctx, rows) {
    const v = state.view;
    const { y, h } = rows.ruler;
    ctx.fillStyle = "#22252d";
    ctx.fillRect(0, y, v.width, h);
    const step = niceStep(v.msPerPx);
    const minor = step / 5;
    ctx.strokeStyle = "rgba(255,255,255,0.35)";
    ctx.fillStyle = "#c9ced8";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.beginPath();
    const first = Math.floor(v.startMs / minor) * minor;
    for (let t = first; t <= v.endMs; t += minor) {
      const x = Math.round(v.x(t)) + 0.5;
      const major = Math.abs(t / step - Math.round(t / step)) < 1e-6;
      ctx.moveTo(x, y + h);
      ctx.lineTo(x, y + h - (major ? 10 : 4));
      if (major && t >= 0) ctx.fillText(formatTime(t, step), x + 3, y + 3);
    }
    ctx.stroke();
    ctx.strokeStyle = "#3a3f4b";
    ctx.beginPath();
    ctx.moveTo(0, y + h - 0.5);
    ctx.lineTo(v.width, y + h - 0.5);
    ctx.stroke();
  }

  drawSections(ctx, rows) {
    const g = state.project.grid;
    const { y, h } = rows.sections;
    if (!g || !g.sections) return;
    const v = state.view;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    for (const s of g.sections) {
      if (s.end_ms < v.startMs || s.start_ms > v.endMs) continue;
      const x0 = Math.max(0, v.x(s.start_ms));
      const x1 = Math.min(v.width, v.x(s.end_ms));
      ctx.fillStyle = sectionColor(s.label);
      ctx.fillRect(x0, y + 2, Math.max(1, x1 - x0 - 1), h - 4);
      // faint band down through the lanes so sections read across the whole timeline
      ctx.globalAlpha = 0.06;
      ctx.fillRect(x0, rows.wave.y, Math.max(1, x1 - x0 - 1), rows.bottom - rows.wave.y);
      ctx.globalAlpha = 1;
      if (x1 - x0 > 24) {
        ctx.fillStyle = "#fff";
        const label = s.kind ? `${s.label} · ${s.kind}` : s.label;
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, y, x1 - x0, h);
        ctx.clip();
        ctx.fillText(label, x0 + 5, y + h / 2);
        ctx.restore();
      }
    }
  }

  drawWave(ctx, rows) {
    const p = state.peaks;
    const { y, h } = rows.wave;
    const v = state.view;
    const mid = y + h / 2;
    ctx.strokeStyle = "rgba(255,255,255,0.08)";
    ctx.beginPath();
    ctx.moveTo(0, mid + 0.5);
    ctx.lineTo(v.width, mid + 0.5);
    ctx.stroke();
    if (!p || !p.max.length) return;
    ctx.fillStyle = "#5fa8d3";
    const n = p.max.length;
    const amp = (h / 2 - 2) / Math.max(1e-6, p.peak || 1);
    for (let x = 0; x < v.width; x++) {
      const a = Math.floor(v.ms(x) / p.msPerPeak);
      const b = Math.max(a + 1, Math.floor(v.ms(x + 1) / p.msPerPeak));
      if (b <= 0 || a >= n) continue;
      let lo = 0;
      let hi = 0;
      for (let i = Math.max(0, a); i < Math.min(n, b); i++) {
        if (p.min[i] < lo) lo = p.min[i];
        if (p.max[i] > hi) hi = p.max[i];
      }
      const top = mid - hi * amp;
      const bot = mid - lo * amp;
      ctx.fillRect(x, top, 1, Math.max(1, bot - top));
    }
  }

  drawGrid(ctx, rows) {
    const g = state.project.grid;
    if (!g) return;
    const v = state.view;
    const top = rows.wave.y;
    const bottom = rows.bottom;
    const beats = g.beats_ms || [];
    const downs = g.downbeats_ms || [];
    const spacing = beats.length > 1 ? (beats[beats.length - 1] - beats[0]) / (beats.length - 1) / v.msPerPx : 0;
    if (spacing >= 5) {
      ctx.strokeStyle = GRID_BEAT;
      ctx.beginPath();
      for (let i = bisectLeft(beats, v.startMs); i < beats.length && beats[i] <= v.endMs; i++) {
        const x = Math.round(v.x(beats[i])) + 0.5;
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
      }
      ctx.stroke();
    }
    if (spacing * (g.beats_per_bar || 4) >= 5) {
      ctx.strokeStyle = GRID_DOWN;
      ctx.beginPath();
      for (let i = bisectLeft(downs, v.startMs); i < downs.length && downs[i] <= v.endMs; i++) {
        const x = Math.round(v.x(downs[i])) + 0.5;
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
      }
      ctx.stroke();
    }
  }

  drawWords(ctx, rows) {
    const ly = state.project.lyrics;
    const { y, h } = rows.words;
    const v = state.view;
    ctx.fillStyle = "#1a1c22";
    ctx.fillRect(0, y, v.width, h);
    // lyrics with line timing only (plain .lrc) show their lines in the same lane
    const items = ly && ly.words && ly.words.length ? ly.words
      : ly && ly.lines ? ly.lines.map((l, i) => ({ text: l.text, start_ms: l.start_ms,
        end_ms: l.end_ms ?? (ly.lines[i + 1] ? ly.lines[i + 1].start_ms : l.start_ms + 2000) })) : [];
    if (!items.length) {
      ctx.fillStyle = "#5c6270";
      ctx.font = "italic 11px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      ctx.fillText("no lyrics", 6, y + h / 2);
      return;
    }
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    let lastRight = -1e9;
    for (const w of items) {
      if (w.end_ms < v.startMs) continue;
      if (w.start_ms > v.endMs) break;
      const x0 = v.x(w.start_ms);
      const x1 = v.x(w.end_ms);
      ctx.fillStyle = "#2d3340";
      ctx.fillRect(x0, y + 3, Math.max(1, x1 - x0 - 1), h - 6);
      if (x0 > lastRight) {
        ctx.fillStyle = "#e0e4ec";
        ctx.fillText(w.text, x0 + 2, y + h / 2);
        lastRight = x0 + ctx.measureText(w.text).width + 4;
      }
    }
  }

  /** Draw one lane's segments (shared by real segments and ghosts). */
  drawLaneSegments(ctx, lane, segs, opts = {}) {
    const v = state.view;
    const startIdx = Math.max(0, bisectStart(segs, v.startMs));
    let lastCol = -1;
    const y = lane.y + 3;
    const h = lane.h - 6;
    for (let i = startIdx; i < segs.length; i++) {
      const s = segs[i];
      if (s.start_ms > v.endMs) break;
      if (s.end_ms < v.startMs) continue;
      const x0 = v.x(s.start_ms);
      const x1 = v.x(s.end_ms);
      const w = x1 - x0;
      if (w < 1) {
        // many segments in one pixel column: draw the column once
        const col = Math.floor(x0);
        if (col === lastCol) continue;
        lastCol = col;
        ctx.fillStyle = rgbCss(midColor(s));
        ctx.fillRect(col, y, 1, h);
        continue;
      }
      lastCol = Math.floor(x1);
      if (s.kind === "fade" && w > 3) {
        const g = ctx.createLinearGradient(x0, 0, x1, 0);
        g.addColorStop(0, rgbCss(s.start_color));
        g.addColorStop(1, rgbCss(s.end_color));
        ctx.fillStyle = g;
      } else {
        ctx.fillStyle = rgbCss(midColor(s));
      }
      ctx.fillRect(x0, y, Math.max(1, w - (w > 4 ? 1 : 0)), h);
      if (w > 10 && s.effect) this.drawEffectMark(ctx, s, x0, y, w, h);
      if (w > 6 && (s.color ? s.color.every((c) => c < 40) : false)) {
        ctx.strokeStyle = "rgba(255,255,255,0.25)";
        ctx.strokeRect(x0 + 0.5, y + 0.5, w - 1.5, h - 1);
      }
      if (opts.ghost) {
        ctx.save();
        ctx.setLineDash([4, 3]);
        ctx.strokeStyle = "#ffe066";
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 + 1, y + 1, Math.max(1, w - 2), h - 2);
        ctx.restore();
      } else if (opts.selectedBall !== undefined && isSelected(opts.selectedBall, s)) {
        ctx.strokeStyle = "#ffffff";
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 + 1, y + 1, Math.max(1, w - 2), h - 2);
        ctx.lineWidth = 1;
      }
    }
  }

  drawEffectMark(ctx, s, x0, y, w, h) {
    const e = s.effect;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, y, w, h);
    ctx.clip();
    ctx.strokeStyle = "rgba(0,0,0,0.45)";
    ctx.beginPath();
    if (e.type === "strobe") {
      const period = 1000 / e.hz / state.view.msPerPx;
      if (period >= 3) {
        for (let x = x0 + period * e.duty; x < x0 + w; x += period) {
          ctx.moveTo(x, y + h * 0.55);
          ctx.lineTo(x, y + h);
        }
      }
    } else if (e.type === "pulse") {
      const period = 1000 / e.hz / state.view.msPerPx;
      if (period >= 4) {
        for (let x = x0; x < x0 + w; x += 2) {
          const ph = ((x - x0) / period) * 2 * Math.PI;
          const yy = y + h * 0.75 + Math.cos(ph) * h * 0.15;
          if (x === x0) ctx.moveTo(x, yy);
          else ctx.lineTo(x, yy);
        }
      }
    }
    ctx.stroke();
    ctx.fillStyle = "rgba(0,0,0,0.55)";
    ctx.font = "bold 10px system-ui, sans-serif";
    ctx.textBaseline = "top";
    if (w > 40) ctx.fillText(e.type, x0 + 3, y + 2);
    ctx.restore();
  }

  drawSegments(ctx, rows) {
    const bs = state.project.balls;
    for (let b = 0; b < bs.length; b++) {
      const lane = rows.lanes[b];
      // segments being dragged are drawn at their new place instead
      const hidden = state.drag ? state.drag.hidden.filter((x) => x.ball === b).map((x) => x.start_ms) : [];
      const segs = hidden.length ? bs[b].segments.filter((s) => !hidden.includes(s.start_ms)) : bs[b].segments;
      this.drawLaneSegments(ctx, lane, segs, { selectedBall: b });
    }
  }

  drawGhosts(ctx, rows) {
    for (const g of state.ghosts) {
      const lane = rows.lanes[g.ball];
      if (!lane) continue;
      ctx.globalAlpha = 0.75;
      this.drawLaneSegments(ctx, lane, g.segments, { ghost: true });
      ctx.globalAlpha = 1;
    }
  }

  drawDrag(ctx, rows) {
    const d = state.drag;
    if (!d) return;
    const v = state.view;
    for (const { ball, segment } of d.items) {
      const lane = rows.lanes[ball];
      if (!lane) continue;
      ctx.globalAlpha = 0.85;
      this.drawLaneSegments(ctx, lane, [segment]);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = "#ffffff";
      ctx.setLineDash([3, 3]);
      ctx.strokeRect(v.x(segment.start_ms) + 0.5, lane.y + 1.5, v.x(segment.end_ms) - v.x(segment.start_ms), lane.h - 3);
      ctx.setLineDash([]);
    }
  }

  drawBox(ctx, rows) {
    const b = state.box;
    if (!b) return;
    const v = state.view;
    const top = rows.lanes[b.b0].y;
    const bottom = rows.lanes[b.b1].y + rows.lanes[b.b1].h;
    ctx.fillStyle = "rgba(79,163,255,0.15)";
    ctx.strokeStyle = "#4fa3ff";
    ctx.fillRect(v.x(b.t0), top, v.x(b.t1) - v.x(b.t0), bottom - top);
    ctx.strokeRect(v.x(b.t0) + 0.5, top + 0.5, v.x(b.t1) - v.x(b.t0), bottom - top - 1);
  }

  drawEnd(ctx, rows) {
    const v = state.view;
    const x = v.x(state.project.duration_ms);
    if (x < v.width) {
      ctx.fillStyle = "rgba(0,0,0,0.45)";
      ctx.fillRect(x, rows.wave.y, v.width - x, rows.bottom - rows.wave.y);
    }
  }

  drawPlayhead(ctx) {
    const v = state.view;
    const x = Math.round(v.x(state.playheadMs)) + 0.5;
    if (x < 0 || x > v.width) return;
    ctx.strokeStyle = "#ff4d4d";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, v.height);
    ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = "#ff4d4d";
    ctx.beginPath();
    ctx.moveTo(x - 6, 0);
    ctx.lineTo(x + 6, 0);
    ctx.lineTo(x, 8);
    ctx.fill();
  }
}
