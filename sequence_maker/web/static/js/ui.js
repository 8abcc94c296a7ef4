// Small DOM helpers shared by panels: element builder, toasts, the progress bar.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** h("div.cls", {attr}, children…) — tiny element builder; strings become text nodes (no HTML injection). */
export function h(tag, attrs = {}, ...children) {
  const [head, ...classes] = tag.split(".");
  const [name, id] = head.split("#");
  const el = document.createElement(name || "div");
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style") el.style.cssText = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function toast(message, kind = "info", ms = 4500) {
  const el = h(`div.toast.${kind}`, { role: kind === "error" ? "alert" : "status" }, message);
  $("#toasts").append(el);
  setTimeout(() => el.remove(), ms);
}

/** Show an error from a failed call (ApiError messages come from the server and name the problem). */
export function showError(e, what = "") {
  console.error(e);
  toast((what ? what + ": " : "") + (e && e.message ? e.message : String(e)), "error", 7000);
}

/** Show progress of long work; ``onCancel`` adds a Cancel button (omit it for work that cannot stop). */
export function progress(fraction, label, onCancel = null) {
  const box = $("#progress");
  const cancel = $("#btn-progress-cancel");
  if (fraction === null) {
    box.classList.add("hidden");
    cancel.onclick = null;
    return;
  }
  cancel.classList.toggle("hidden", !onCancel);
  cancel.onclick = onCancel;
  box.classList.remove("hidden");
  $(".bar", box).style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
  $(".label", box).textContent = label || "";
}
