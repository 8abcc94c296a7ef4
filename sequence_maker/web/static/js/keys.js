// Keyboard: transport, undo/redo, clipboard, zoom, and the colour keys of the earlier app
// (q-row → ball 1, a-row → ball 2, z-row → ball 3, digits → all balls, Shift = fade into it).
// Letters are colour keys, so editing commands use Ctrl/Meta or non-letter keys.

import * as edit from "./edit.js";
import { colorKey } from "./colors.js";
import { emit, state } from "./store.js";

const TEXT_INPUTS = new Set(["text", "number", "password", "search", "email", "url", "tel"]);

/** Keys go to the focused field when the user is typing in one (not for checkboxes, sliders…). */
function typing(ev) {
  const t = ev.target;
  if (!t) return false;
  if (t.tagName === "INPUT") return TEXT_INPUTS.has((t.type || "text").toLowerCase());
  return t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable;
}

export function attachKeys(player) {
  window.addEventListener("keydown", (ev) => {
    if (typing(ev) || !state.project) return;
    if (document.querySelector("dialog[open]")) return;
    const mod = ev.ctrlKey || ev.metaKey;
    const v = state.view;
    let handled = true;
    if (ev.code === "Space") player.toggle();
    else if (mod && ev.code === "KeyZ") ev.shiftKey ? edit.redo() : edit.undo();
    else if (mod && ev.code === "KeyY") edit.redo();
    else if (mod && ev.code === "KeyC") edit.copySelection();
    else if (mod && ev.code === "KeyV") edit.paste();
    else if (mod && ev.code === "KeyB") edit.splitAtPlayhead();
    else if (mod && ev.code === "Digit0") v.fit();
    else if (mod) handled = false;
    else if (ev.code === "Delete" || ev.code === "Backspace") edit.deleteSelection();
    else if (ev.code === "Escape") {
      state.selection = [];
      emit("selection");
    } else if (ev.code === "Equal" || ev.code === "NumpadAdd") v.zoomAt(1 / 1.5, v.x(state.playheadMs));
    else if (ev.code === "Minus" || ev.code === "NumpadSubtract") v.zoomAt(1.5, v.x(state.playheadMs));
    else if (ev.code === "ArrowLeft") v.scrollBy(-v.width / 8);
    else if (ev.code === "ArrowRight") v.scrollBy(v.width / 8);
    else if (ev.code === "Home") emit("seek", { ms: 0 });
    else if (ev.code === "End") emit("seek", { ms: state.project.duration_ms });
    else {
      const ck = colorKey(ev);
      if (ck && !ev.altKey) edit.keyColor(ck.color, ck.ball, ev.shiftKey);
      else handled = false;
    }
    if (handled) {
      ev.preventDefault();
      emit("view");
    }
  });
}
