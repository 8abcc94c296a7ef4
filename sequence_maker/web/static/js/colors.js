// Colour helpers for drawing and for the live ball preview.
// The preview must show what the ball will show, so segment colour at time t (fades and effects)
// mirrors sequence_maker/model/effects.py. This is display only: the server owns the data.

export const PALETTE = [
  { key: "1", name: "red", rgb: [255, 0, 0] },
  { key: "2", name: "orange", rgb: [255, 165, 0] },
  { key: "3", name: "yellow", rgb: [255, 255, 0] },
  { key: "4", name: "green", rgb: [0, 255, 0] },
  { key: "5", name: "cyan", rgb: [0, 255, 255] },
  { key: "6", name: "blue", rgb: [0, 0, 255] },
  { key: "7", name: "purple", rgb: [128, 0, 128] },
  { key: "8", name: "pink", rgb: [255, 192, 203] },
  { key: "9", name: "white", rgb: [255, 255, 255] },
  { key: "0", name: "off", rgb: [0, 0, 0] },
];

// Keyboard rows → ball index (digits = all balls). Each row's n-th key is palette colour n.
export const KEY_ROWS = [
  ["q", "w", "e", "r", "t", "y", "u", "i", "o", "p"],
  ["a", "s", "d", "f", "g", "h", "j", "k", "l", ";"],
  ["z", "x", "c", "v", "b", "n", "m", ",", ".", "/"],
];
export const DIGIT_ROW = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];

// Map KeyboardEvent.code → row key so Shift (fade) does not change the character we look up.
const CODE_TO_KEY = {
  Semicolon: ";", Comma: ",", Period: ".", Slash: "/",
};

/** Which palette colour and which balls a key press means, or null. */
export function colorKey(ev) {
  let k = null;
  if (ev.code && ev.code.startsWith("Key")) k = ev.code.slice(3).toLowerCase();
  else if (ev.code && ev.code.startsWith("Digit")) k = ev.code.slice(5);
  else if (ev.code && CODE_TO_KEY[ev.code]) k = CODE_TO_KEY[ev.code];
  else k = (ev.key || "").toLowerCase();
  const d = DIGIT_ROW.indexOf(k);
  if (d >= 0) return { color: PALETTE[d].rgb, ball: "all" };
  for (let row = 0; row < KEY_ROWS.length; row++) {
    const i = KEY_ROWS[row].indexOf(k);
    if (i >= 0) return { color: PALETTE[i].rgb, ball: row };
  }
  return null;
}

export function rgbCss(c) {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export function hexOf(c) {
  return "#" + c.map((x) => x.toString(16).padStart(2, "0")).join("");
}

export function parseHex(h) {
  const m = /^#?([0-9a-f]{6})$/i.exec(h.trim());
  if (!m) return null;
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function lerp(a, b, f) {
  return [0, 1, 2].map((i) => Math.floor(a[i] + (b[i] - a[i]) * f + 0.5));
}

const WHEEL = [[255, 0, 0], [255, 255, 0], [0, 255, 0], [0, 255, 255], [0, 0, 255], [255, 0, 255]];

export function rainbow(phase) {
  const x = (((phase % 1) + 1) % 1) * 6;
  const i = Math.floor(x) % 6;
  return lerp(WHEEL[i], WHEEL[(i + 1) % 6], x - Math.floor(x));
}

export function baseColor(seg, t) {
  if (seg.kind === "fade") {
    return lerp(seg.start_color, seg.end_color, (t - seg.start_ms) / (seg.end_ms - seg.start_ms));
  }
  return seg.color;
}

/** Colour of a segment at t (start ≤ t < end), effect included. */
export function colorAt(seg, t) {
  const base = baseColor(seg, t);
  const e = seg.effect;
  if (!e) return base;
  const elapsed = t - seg.start_ms;
  if (e.type === "strobe") {
    const period = 1000 / e.hz;
    return elapsed % period < e.duty * period ? base : e.off_color || [0, 0, 0];
  }
  if (e.type === "pulse") {
    const wave = 0.5 + 0.5 * Math.cos(2 * Math.PI * e.hz * elapsed / 1000);
    const f = e.min_brightness + (1 - e.min_brightness) * wave;
    return base.map((c) => Math.floor(c * f + 0.5));
  }
  if (e.type === "rainbow") return rainbow(elapsed / 1000 * e.cycles_per_s);
  return base;
}

/** Representative colour of a segment (for sub-pixel drawing). */
export function midColor(seg) {
  return baseColor(seg, (seg.start_ms + seg.end_ms) / 2);
}

/** Readable text colour on top of a fill. */
export function inkFor(c) {
  return c[0] * 0.299 + c[1] * 0.587 + c[2] * 0.114 > 140 ? "#111" : "#f4f4f4";
}
