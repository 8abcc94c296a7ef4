// Mouse and wheel on the timeline canvas: seek on the ruler, select, drag to create, move and
// resize segments (with snapping), wheel to scroll and Ctrl+wheel to zoom. Commits go to edit.js.

import * as edit from "../edit.js";
import { emit, selectedSegments, state } from "../store.js";
import { snap } from "./snap.js";
import { hexOf } from "../colors.js";
import { formatTime, laneAt, RULER_H, SECTION_H, segmentAt } from "./view.js";

const EDGE_PX = 6;
const CLICK_PX = 3;

/** One line about a segment for the hover tip: where, how long, what colour, which effect. */
function describe(ball, s) {
  const col = s.kind === "fade" ? `${hexOf(s.start_color)} → ${hexOf(s.end_color)}` : hexOf(s.color);
  const e = s.effect;
  const eff = !e ? "" : e.type === "rainbow" ? ` · rainbow ${e.cycles_per_s}/s` : ` · ${e.type} ${e.hz} Hz`;
  return `Ball ${ball + 1} · ${formatTime(s.start_ms, 1)}–${formatTime(s.end_ms, 1)} (${s.end_ms - s.start_ms} ms) · ${col}${eff}`;
}

let tip = null;

function showTip(text, x = 0, y = 0) {
  if (!tip) {
    tip = document.createElement("div");
    tip.className = "seg-tip";
    document.querySelector(".timeline-wrap").append(tip);
  }
  if (!text) {
    tip.style.display = "none";
    return;
  }
  tip.textContent = text;
  tip.style.display = "block";
  tip.style.left = `${x + 92 + 14}px`; // canvas starts after the lane-label column
  tip.style.top = `${y + 16}px`;
}

export function attachInteraction(canvas, renderer) {
  let drag = null;
  canvas.addEventListener("mouseleave", () => showTip(null));

  const pos = (ev) => {
    const r = canvas.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  };

  function hit(x, y) {
    const rows = renderer.rows();
    const ball = laneAt(rows, y);
    if (ball < 0 || !state.project) return { ball };
    const t = state.view.ms(x);
    const seg = segmentAt(state.project.balls[ball].segments, t);
    if (!seg) return { ball, t };
    const x0 = state.view.x(seg.start_ms);
    const x1 = state.view.x(seg.end_ms);
    let mode = "move";
    if (x1 - x0 > EDGE_PX * 3) {
      if (x - x0 <= EDGE_PX) mode = "resize-left";
      else if (x1 - x <= EDGE_PX) mode = "resize-right";
    }
    return { ball, t, seg, mode };
  }

  canvas.addEventListener("mousedown", (ev) => {
    if (ev.button !== 0 || !state.project) return;
    canvas.focus();
    const { x, y } = pos(ev);
    if (y < RULER_H + SECTION_H) {
      drag = { mode: "seek" };
      emit("seek", { ms: Math.max(0, state.view.ms(x)) });
      return;
    }
    const hi = hit(x, y);
    if (hi.ball < 0) return;
    if (hi.seg) {
      const key = { ball: hi.ball, start_ms: hi.seg.start_ms };
      const already = state.selection.some((s) => s.ball === key.ball && s.start_ms === key.start_ms);
      if (ev.shiftKey || ev.ctrlKey || ev.metaKey) {
        state.selection = already
          ? state.selection.filter((s) => !(s.ball === key.ball && s.start_ms === key.start_ms))
          : [...state.selection, key];
      } else if (!already) state.selection = [key];
      emit("selection");
      drag = { mode: hi.mode, ball: hi.ball, seg: hi.seg, x0: x, t0: state.view.ms(x), alt: ev.altKey };
      const sel = selectedSegments();
      if (hi.mode === "move" && sel.length > 1 && sel.some((x) => x.ball === hi.ball && x.seg.start_ms === hi.seg.start_ms)) {
        drag.group = sel;
      }
    } else if (ev.shiftKey) {
      // Shift+drag on empty space: box-select across lanes and time
      drag = { mode: "box", ball: hi.ball, x0: x, y0: y, t0: state.view.ms(x) };
    } else {
      drag = { mode: "create", ball: hi.ball, x0: x, start: snap(state.view.ms(x), 8, ev.altKey) };
    }
    renderer.request();
  });

  window.addEventListener("mousemove", (ev) => {
    if (!drag) {
      if (ev.target === canvas) {
        const { x, y } = pos(ev);
        const hi = y >= RULER_H + SECTION_H ? hit(x, y) : { ball: -1 };
        canvas.style.cursor = y < RULER_H + SECTION_H ? "text" : hi.seg ? (hi.mode === "move" ? "grab" : "ew-resize") : "crosshair";
        showTip(hi.seg ? describe(hi.ball, hi.seg) : null, x, y);
      } else showTip(null);
      return;
    }
    showTip(null);
    const { x, y } = pos(ev);
    const t = state.view.ms(x);
    const bypass = ev.altKey;
    if (drag.mode === "seek") {
      emit("seek", { ms: Math.max(0, t) });
      return;
    }
    if (Math.abs(x - drag.x0) < CLICK_PX && !drag.moved) return;
    drag.moved = true;
    const dur = state.project.duration_ms;
    if (drag.mode === "box") {
      const lanes = [laneAt(renderer.rows(), drag.y0), laneAt(renderer.rows(), y)];
      const b0 = Math.min(...lanes.map((l) => (l < 0 ? 0 : l)));
      const b1 = Math.max(...lanes.map((l) => (l < 0 ? state.project.balls.length - 1 : l)));
      state.box = { b0, b1, t0: Math.min(drag.t0, t), t1: Math.max(drag.t0, t) };
      renderer.request();
      return;
    }
    if (drag.mode === "create") {
      const t1 = snap(t, 8, bypass);
      const a = Math.min(drag.start, t1);
      const b = Math.max(drag.start, t1);
      state.drag = b > a ? { items: [{ ball: drag.ball, segment: edit.newSegment(a, b, drag.ball) }], hidden: [] } : null;
    } else if (drag.mode === "move") {
      const len = drag.seg.end_ms - drag.seg.start_ms;
      let ns = snap(drag.seg.start_ms + (t - drag.t0), 8, bypass);
      // also let the end snap when it is closer to a grid line than the start is
      const ne = snap(ns + len, 8, bypass);
      if (ne !== ns + len && Math.abs(ne - (drag.seg.end_ms + t - drag.t0)) < Math.abs(ns - (drag.seg.start_ms + t - drag.t0))) ns = ne - len;
      ns = Math.max(0, Math.min(dur - len, ns));
      const lane = laneAt(renderer.rows(), y);
      const toBall = lane >= 0 ? lane : drag.ball;
      drag.newStart = ns;
      drag.toBall = toBall;
      if (drag.group) {
        // the whole selection follows, by the same time and ball offset, kept inside the song
        const g = drag.group;
        let dt = ns - drag.seg.start_ms;
        dt = Math.max(dt, -Math.min(...g.map((x) => x.seg.start_ms)));
        dt = Math.min(dt, dur - Math.max(...g.map((x) => x.seg.end_ms)));
        let db = toBall - drag.ball;
        db = Math.max(db, -Math.min(...g.map((x) => x.ball)));
        db = Math.min(db, state.project.balls.length - 1 - Math.max(...g.map((x) => x.ball)));
        drag.dt = dt;
        drag.db = db;
        state.drag = {
          items: g.map((x) => ({ ball: x.ball + db, segment: { ...x.seg, start_ms: x.seg.start_ms + dt, end_ms: x.seg.end_ms + dt } })),
          hidden: g.map((x) => ({ ball: x.ball, start_ms: x.seg.start_ms })),
        };
      } else {
        state.drag = {
          items: [{ ball: toBall, segment: { ...drag.seg, start_ms: ns, end_ms: ns + len } }],
          hidden: [{ ball: drag.ball, start_ms: drag.seg.start_ms }],
        };
      }
    } else if (drag.mode === "resize-left" || drag.mode === "resize-right") {
      const tt = snap(t, 8, bypass);
      const seg = { ...drag.seg };
      if (drag.mode === "resize-left") seg.start_ms = Math.min(tt, seg.end_ms - 1);
      else seg.end_ms = Math.max(tt, seg.start_ms + 1);
      seg.start_ms = Math.max(0, seg.start_ms);
      seg.end_ms = Math.min(dur, seg.end_ms);
      drag.newSeg = seg;
      state.drag = { items: [{ ball: drag.ball, segment: seg }], hidden: [{ ball: drag.ball, start_ms: drag.seg.start_ms }] };
    }
    renderer.request();
  });

  window.addEventListener("mouseup", async (ev) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    const preview = state.drag;
    if (d.mode === "seek") return;
    if (d.mode === "box") {
      const b = state.box;
      state.box = null;
      if (b) {
        const picked = [];
        for (let ball = b.b0; ball <= b.b1; ball++) {
          for (const s of state.project.balls[ball].segments) {
            if (s.end_ms > b.t0 && s.start_ms < b.t1) picked.push({ ball, start_ms: s.start_ms });
          }
        }
        state.selection = picked;
        emit("selection");
      }
      renderer.request();
      return;
    }
    if (!d.moved) {
      state.drag = null;
      if (d.mode === "create") {
        state.selection = [];
        emit("selection");
        emit("seek", { ms: snap(state.view.ms(pos(ev).x), 6, ev.altKey) });
      }
      renderer.request();
      return;
    }
    try {
      if (d.mode === "create" && preview) {
        await edit.paint(d.ball, [preview.items[0].segment], "Draw");
        state.selection = [{ ball: d.ball, start_ms: preview.items[0].segment.start_ms }];
      } else if (d.mode === "move" && d.group && (d.dt || d.db)) {
        if (await edit.moveGroup(d.group, d.dt, d.db)) {
          state.selection = d.group.map((x) => ({ ball: x.ball + d.db, start_ms: x.seg.start_ms + d.dt }));
        }
      } else if (d.mode === "move" && !d.group && d.newStart !== undefined &&
                 (d.newStart !== d.seg.start_ms || d.toBall !== d.ball)) {
        await edit.move(d.ball, d.seg.start_ms, d.newStart, d.toBall);
        state.selection = [{ ball: d.toBall, start_ms: d.newStart }];
      } else if (d.newSeg) {
        const ch = {};
        if (d.newSeg.start_ms !== d.seg.start_ms) ch.start_ms = d.newSeg.start_ms;
        if (d.newSeg.end_ms !== d.seg.end_ms) ch.end_ms = d.newSeg.end_ms;
        if (Object.keys(ch).length) {
          await edit.modify(d.ball, d.seg.start_ms, ch, "Resize");
          state.selection = [{ ball: d.ball, start_ms: d.newSeg.start_ms }];
        }
      }
    } finally {
      state.drag = null;
      emit("selection");
      renderer.request();
    }
  });

  canvas.addEventListener(
    "wheel",
    (ev) => {
      ev.preventDefault();
      const { x } = pos(ev);
      if (ev.ctrlKey || ev.metaKey) state.view.zoomAt(Math.exp(ev.deltaY * 0.002), x);
      else state.view.scrollBy(ev.deltaX || ev.deltaY);
      emit("view");
    },
    { passive: false },
  );
}
