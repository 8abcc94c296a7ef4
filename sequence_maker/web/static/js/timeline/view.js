// The visible window of the timeline (time ↔ pixels), zoom/scroll, and the row layout.
// Kept free of drawing and DOM so both the renderer and the mouse handlers share one truth.

export const RULER_H = 26;
export const SECTION_H = 20;
export const WAVE_H = 64;
export const WORDS_H = 22;
export const LANE_GAP = 4;
export const LABEL_W = 0; // lane labels live in a DOM column left of the canvas

export class View {
  constructor() {
    this.startMs = 0; // time at the left edge
    this.msPerPx = 20; // zoom: milliseconds per CSS pixel
    this.width = 800; // CSS pixels
    this.height = 300;
    this.durationMs = 60000;
  }

  x(ms) {
    return (ms - this.startMs) / this.msPerPx;
  }

  ms(x) {
    return this.startMs + x * this.msPerPx;
  }

  get endMs() {
    return this.startMs + this.width * this.msPerPx;
  }

  clamp() {
    const minMsPerPx = 0.05; // 20 px per ms — closer than a tick is never useful
    const maxMsPerPx = Math.max(1, (this.durationMs * 1.05) / Math.max(100, this.width));
    this.msPerPx = Math.min(maxMsPerPx, Math.max(minMsPerPx, this.msPerPx));
    const maxStart = Math.max(0, this.durationMs - this.width * this.msPerPx * 0.5);
    this.startMs = Math.min(maxStart, Math.max(0, this.startMs));
  }

  /** Zoom by factor around a pixel x (the time under the mouse stays put). */
  zoomAt(factor, x) {
    const t = this.ms(x);
    this.msPerPx *= factor;
    this.clamp();
    this.startMs = t - x * this.msPerPx;
    this.clamp();
  }

  scrollBy(px) {
    this.startMs += px * this.msPerPx;
    this.clamp();
  }

  fit() {
    this.msPerPx = Math.max(0.05, (this.durationMs * 1.02) / Math.max(100, this.width));
    this.startMs = 0;
    this.clamp();
  }

  /** Keep time t visible (used by playback follow). */
  follow(t) {
    const span = this.width * this.msPerPx;
    if (t < this.startMs || t > this.startMs + span * 0.9) {
      this.startMs = t - span * 0.1;
      this.clamp();
    }
  }
}

/** Rows from top: ruler, sections, waveform, words, then one lane per ball filling the rest. */
export function layout(height, nBalls) {
  const rows = {};
  let y = 0;
  rows.ruler = { y, h: RULER_H };
  y += RULER_H;
  rows.sections = { y, h: SECTION_H };
  y += SECTION_H;
  rows.wave = { y, h: WAVE_H };
  y += WAVE_H;
  rows.words = { y, h: WORDS_H };
  y += WORDS_H + LANE_GAP;
  const n = Math.max(1, nBalls);
  const laneH = Math.max(28, Math.min(90, Math.floor((height - y - LANE_GAP * n) / n)));
  rows.lanes = [];
  for (let i = 0; i < nBalls; i++) {
    rows.lanes.push({ y, h: laneH });
    y += laneH + LANE_GAP;
  }
  rows.bottom = y;
  return rows;
}

/** Which lane (ball index) a y coordinate falls into, or -1. */
export function laneAt(rows, y) {
  for (let i = 0; i < rows.lanes.length; i++) {
    const l = rows.lanes[i];
    if (y >= l.y && y < l.y + l.h) return i;
  }
  return -1;
}

/** A "nice" ruler step (ms) so labels are at least minPx apart. */
export function niceStep(msPerPx, minPx = 90) {
  const raw = msPerPx * minPx;
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000];
  for (const s of steps) if (s >= raw) return s;
  return 600000;
}

export function formatTime(ms, stepMs = 1000) {
  const neg = ms < 0;
  ms = Math.abs(Math.round(ms));
  const m = Math.floor(ms / 60000);
  const s = Math.floor((ms % 60000) / 1000);
  const rest = ms % 1000;
  let out = `${m}:${String(s).padStart(2, "0")}`;
  if (stepMs < 1000) out += "." + String(rest).padStart(3, "0").slice(0, stepMs < 10 ? 3 : stepMs < 100 ? 2 : 1);
  return (neg ? "-" : "") + out;
}

/** Index of the last element with start_ms ≤ t (segments sorted by start), or -1. */
export function bisectStart(segs, t) {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (segs[mid].start_ms <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first element ≥ t in a sorted number array. */
export function bisectLeft(arr, t) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The segment of a ball at time t, or null. */
export function segmentAt(segs, t) {
  const i = bisectStart(segs, t);
  if (i >= 0 && segs[i].end_ms > t) return segs[i];
  return null;
}
