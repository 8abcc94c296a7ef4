// Assistant panel: pickers, chat history per project, streamed text, one card per tool call
// (arguments streaming in, status, result), approve/edit/reject with ghost previews on the
// timeline, Stop, a live token/cost meter and feedback on answers. Talks over the WebSocket.

import { api } from "./api.js";
import { emit, on, state } from "./store.js";
import { $, h, showError, toast } from "./ui.js";
import { socket } from "./ws.js";

const chat = {
  sessionId: null,
  requestId: null, // the running turn, if any
  turn: null, // {el, bubble, bubbles, text, cards: Map(call_id → card)}
  tokens: 0,
  cost: 0,
  approvalMode: null,
};

export function initAssistant() {
  $("#chat-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    send();
  });
  $("#chat-input").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      send();
    }
    ev.stopPropagation(); // typing must not trigger timeline shortcuts
  });
  $("#btn-stop").addEventListener("click", stop);
  $("#btn-new-chat").addEventListener("click", () => {
    chat.sessionId = null;
    $("#chat-log").replaceChildren();
    $("#session-select").value = "";
    resetMeter();
    renderEmptyHint();
  });
  $("#session-select").addEventListener("change", (ev) => loadSession(ev.target.value));
  $("#profile-select").addEventListener("change", async (ev) => {
    if (!ev.target.value) return;
    try {
      renderStatus(await api.activateProfile(ev.target.value));
    } catch (e) {
      showError(e, "Switch provider");
    }
  });
  on("ws:llm_chunk", onChunk);
  on("ws:status", (f) => {
    renderStatus(f.data.assistant, f.data.busy);
  });
  on("ws:error", (f) => {
    const d = f.data || {};
    if (f.request_id && f.request_id === chat.requestId) finishTurn("error");
    toast(`${d.code || "error"}: ${d.message || ""}`, "error");
  });
  on("ws:resync", () => {
    // frames were lost (server restarted): the turn's end will never arrive; reload the chat
    if (chat.requestId) finishTurn("error");
    loadSessions();
    if (chat.sessionId) loadSession(chat.sessionId);
  });
  on("project-opened", () => {
    chat.sessionId = null;
    $("#chat-log").replaceChildren();
    resetMeter();
    renderEmptyHint();
    loadSessions();
  });
  on("settings", (s) => (chat.approvalMode = s.approval_mode || null));
  loadPickers();
}

export async function loadPickers() {
  try {
    const { profiles, active } = await api.profiles();
    const sel = $("#profile-select");
    sel.replaceChildren(
      h("option", { value: "" }, profiles.length ? "Provider…" : "No provider configured"),
      ...profiles.map((p) => h("option", { value: p.name, selected: p.name === active }, `${p.name} · ${p.model || p.provider}`)),
    );
  } catch (e) {
    showError(e, "Profiles");
  }
  try {
    const { templates } = await api.templates();
    $("#template-select").replaceChildren(
      h("option", { value: "" }, "No template"),
      ...templates.map((t) => h("option", { value: t.name, title: t.description || "" }, t.title || t.name)),
    );
  } catch {
    /* templates are optional */
  }
}

function renderStatus(a, busy) {
  const pill = $("#assistant-status");
  if (!a) return;
  pill.className = "pill " + (busy ? "busy" : a.state === "ready" ? "ready" : a.state === "error" ? "error" : "");
  const what = a.model ? `${a.provider || ""} ${a.model}`.trim() : a.state === "none" ? "not set up" : a.state;
  pill.textContent = busy ? `working… (${what})` : a.state === "loading" ? `loading ${Math.round((a.progress || 0) * 100)}%` : what;
  pill.title = a.message || "";
  chat.status = a;
  renderEmptyHint();
}

/** An empty chat explains what to ask, or how to connect an assistant when there is none. */
function renderEmptyHint() {
  const log = $("#chat-log");
  const hint = $("#chat-hint");
  if (log.querySelector(".turn, .msg")) return hint && hint.remove();
  const a = chat.status || {};
  const body = a.state === "none" || a.state === "error"
    ? [h("p", {}, a.message || "No assistant is connected."), h("p", {}, "Add a provider profile in Settings. Hand editing works without one.")]
    : [h("p", {}, "Ask for changes in your own words, for example:"),
      h("ul", {}, h("li", {}, "“Red on every downbeat for ball 1 in the chorus”"),
        h("li", {}, "“Fade all balls from blue to purple over the intro”"),
        h("li", {}, "“Describe the song's structure”"))];
  const el = h("div#chat-hint.chat-hint", {}, ...body);
  el.id = "chat-hint";
  if (hint) hint.replaceWith(el);
  else log.append(el);
}

async function loadSessions() {
  if (!state.projectId) return;
  try {
    const { sessions } = await api.sessions(state.projectId);
    $("#session-select").replaceChildren(
      h("option", { value: "" }, sessions.length ? "Chat history…" : "No earlier chats"),
      ...sessions.map((s) => h("option", { value: s.id, selected: s.id === chat.sessionId }, s.title || new Date(s.created * 1000).toLocaleString())),
    );
  } catch (e) {
    showError(e, "Chat history");
  }
}

async function loadSession(id) {
  if (!id) return;
  try {
    const { messages } = await api.session(id);
    chat.sessionId = id;
    resetMeter();
    const log = $("#chat-log");
    log.replaceChildren();
    let current = null;
    let asked = "";
    for (const m of messages) {
      if (m.role === "user") {
        asked = m.parts.filter((p) => p.type === "text").map((p) => p.text).join("");
        log.append(h("div.msg.user", {}, asked));
        if (current) endTurnView(current, "done");
        current = null;
      } else {
        if (!current) {
          current = beginTurn(`${id}:${m.turn}`, true);
          current.request = asked;
        }
        for (const p of m.parts) applyPart(current, p.type === "text" ? { ...p, type: "text-delta" } : p, true);
      }
    }
    if (current) endTurnView(current, "done");
    scrollDown();
  } catch (e) {
    showError(e, "Load chat");
  }
}

function resetMeter() {
  chat.tokens = 0;
  chat.cost = 0;
  renderMeter();
}

function renderMeter() {
  $("#chat-meter").textContent = `${chat.tokens.toLocaleString()} tokens · $${chat.cost.toFixed(4)}`;
}

function send() {
  const input = $("#chat-input");
  const content = input.value.trim();
  if (!content) return;
  if (chat.requestId) return toast("The assistant is still answering; press Stop first");
  const data = { session_id: chat.sessionId, content };
  const tpl = $("#template-select").value;
  if (tpl) data.template = tpl;
  const prof = $("#profile-select").value;
  if (prof) data.profile = prof;
  const approval = $("#approval-select").value || chat.approvalMode;
  if (approval) data.approval_mode = approval;
  try {
    chat.requestId = socket.send("llm_request", data);
  } catch (e) {
    return showError(e, "Send");
  }
  input.value = "";
  $("#chat-log").append(h("div.msg.user", {}, content));
  chat.turn = beginTurn(chat.requestId);
  chat.turn.request = content;
  $("#btn-stop").disabled = false;
  $("#btn-send").disabled = true;
  scrollDown();
}

function stop() {
  if (!chat.requestId) return;
  try {
    socket.send("llm_cancel", {}, chat.requestId);
  } catch (e) {
    showError(e, "Stop");
  }
}

function beginTurn(id, historic = false) {
  const hint = $("#chat-hint");
  if (hint) hint.remove();
  const wrap = h("div.turn", { "data-testid": "turn", "data-turn": id });
  $("#chat-log").append(wrap);
  // text and tool cards are shown in the order they happen: a tool card closes the current
  // text bubble, so the words after a tool call start a new one
  return { id, el: wrap, bubble: null, bubbles: [], text: "", cards: new Map(), historic };
}

function onChunk(f) {
  const d = f.data || {};
  if (d.session_id && d.session_id !== chat.sessionId) {
    const isNew = !chat.sessionId;
    chat.sessionId = d.session_id;
    if (isNew) loadSessions();
  }
  // a turn started from another tab on the same project: show it too
  // a turn started from another tab on the same project (or replayed after a reconnect)
  if (!chat.turn || chat.turn.done || chat.turn.historic) chat.turn = beginTurn(f.request_id || d.turn_id);
  if (d.part) applyPart(chat.turn, d.part, false);
  if (d.is_final || (d.part && d.part.type === "turn-end")) finishTurn(d.part ? d.part.reason : "done");
  scrollDown();
}

function applyPart(turn, p, historic) {
  switch (p.type) {
    case "text-delta":
      if (!p.text) break;
      if (!turn.bubble) {
        turn.bubble = h("div.msg.assistant", {});
        turn.bubbles.push(turn.bubble);
        turn.el.append(turn.bubble);
      }
      turn.text += p.text;
      turn.bubble.textContent += p.text;
      break;
    case "tool-call-start":
      cardFor(turn, p.call_id, p.name).setStatus("receiving arguments…");
      break;
    case "tool-call-delta": {
      const c = cardFor(turn, p.call_id);
      c.rawArgs += p.fragment || "";
      c.args.textContent = c.rawArgs;
      break;
    }
    case "tool-call": {
      const c = cardFor(turn, p.call_id, p.name);
      c.argsValue = p.arguments;
      c.args.textContent = formatArgs(p.arguments);
      c.setStatus(p.ok === false ? "invalid arguments" : "queued…", p.ok === false ? "failed" : "");
      break;
    }
    case "approval-request": {
      const c = cardFor(turn, p.call_id, p.name);
      c.argsValue = p.arguments || c.argsValue;
      if (p.arguments) c.args.textContent = formatArgs(p.arguments);
      if (!historic) askApproval(c, p);
      break;
    }
    case "tool-result": {
      const c = cardFor(turn, p.call_id, p.name);
      const ok = p.ok !== false;
      const rejected = !ok && /reject/i.test(JSON.stringify(p.error || p.result || ""));
      c.setStatus(ok ? "done" : rejected ? "rejected" : "failed", ok ? "ok" : rejected ? "rejected" : "failed");
      const body = ok ? p.result : p.error;
      c.result.textContent = typeof body === "string" ? body : formatArgs(body);
      c.result.classList.remove("hidden");
      clearApproval(c);
      break;
    }
    case "reset":
      turn.text = "";
      for (const b of turn.bubbles) b.remove();
      turn.bubbles = [];
      turn.bubble = null;
      for (const c of turn.cards.values()) {
        clearApproval(c);
        c.el.remove();
      }
      turn.cards.clear();
      break;
    case "usage":
      chat.tokens += (p.input_tokens || 0) + (p.output_tokens || 0);
      chat.cost += p.cost_usd || 0;
      renderMeter();
      break;
    case "error":
      turn.el.append(h("div.msg.error", {}, p.message || "The assistant failed"));
      break;
    case "turn-end":
      break;
    default:
      break;
  }
}

/** One line per argument ("color: "blue""), compact JSON values: readable at a glance. */
function formatArgs(args) {
  if (!args || typeof args !== "object") return JSON.stringify(args);
  return Object.entries(args).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n");
}

function cardFor(turn, callId, name) {
  let c = turn.cards.get(callId);
  if (c) {
    if (name && !c.name) {
      c.name = name;
      c.title.textContent = name;
    }
    return c;
  }
  const title = h("span.name", {}, name || "tool");
  const status = h("span.status", {}, "");
  const args = h("pre.args", {});
  const result = h("pre.result.hidden", {});
  const el = h("div.tool-card", { "data-call": callId, "data-testid": "tool-card" }, h("div.head", {}, title, status), args, result);
  turn.el.append(el);
  turn.bubble = null;
  c = {
    callId, name, el, title, args, result, rawArgs: "", argsValue: null,
    setStatus(text, cls) {
      status.textContent = text;
      el.classList.remove("ok", "failed", "rejected", "pending");
      if (cls) el.classList.add(cls);
    },
  };
  turn.cards.set(callId, c);
  return c;
}

function askApproval(card, p) {
  card.setStatus("awaiting approval", "pending");
  const ghosts = ghostsFor(p);
  if (ghosts.length) {
    state.ghosts = state.ghosts.filter((g) => g.callId !== card.callId).concat(ghosts.map((g) => ({ ...g, callId: card.callId })));
    emit("view");
  }
  const editor = h("textarea.hidden", { rows: 6 }, JSON.stringify(card.argsValue || {}, null, 1));
  const reply = (decision, extra = {}) => {
    try {
      socket.send("approval_response", { call_id: card.callId, decision, ...extra });
      card.setStatus(decision === "reject" ? "rejecting…" : "approved, running…", decision === "reject" ? "rejected" : "");
      clearApproval(card);
    } catch (e) {
      showError(e, "Approval");
    }
  };
  const box = h(
    "div.approval-box", {},
    p.summary || p.reason ? h("div.muted", {}, `Why it asks: ${p.summary || p.reason}`) : null,
    editor,
    h("div.approval", {},
      h("button.primary.small", { onclick: () => {
        if (!editor.classList.contains("hidden")) {
          let args;
          try {
            args = JSON.parse(editor.value);
          } catch (e) {
            return toast(`Edited arguments are not valid JSON: ${e.message}`, "error");
          }
          reply("edit", { arguments: args });
        } else reply("approve");
      } }, "Approve"),
      h("button.small", { onclick: () => editor.classList.toggle("hidden") }, "Edit"),
      h("button.danger.small", { onclick: () => reply("reject", { reason: "rejected in the studio" }) }, "Reject"),
    ),
  );
  card.approvalBox = box;
  card.el.append(box);
}

function clearApproval(card) {
  if (card.approvalBox) card.approvalBox.remove();
  card.approvalBox = null;
  const before = state.ghosts.length;
  state.ghosts = state.ghosts.filter((g) => g.callId !== card.callId);
  if (before !== state.ghosts.length) emit("view");
}

/** Ghost segments for a proposed call, from the runtime's dry-run preview (per-ball diff:
 *  ball is 1-based, times in seconds, see assistant/executor.py). Added and changed-after
 *  segments are drawn; what would be removed shows through as the current timeline. */
export function ghostsFor(p) {
  const out = [];
  const pv = Array.isArray(p.preview) ? p.preview : [];
  for (const b of pv) {
    const ball = Number.isInteger(b.ball) ? b.ball - 1 : null;
    const segs = [...(b.added || []), ...(b.changed || []).map((c) => c.after)].map(normSeg).filter(Boolean);
    if (ball !== null && segs.length) out.push({ ball, segments: sortSegs(segs) });
  }
  return out.filter((g) => state.project && g.ball >= 0 && g.ball < state.project.balls.length);
}

const NAMED = { red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255], yellow: [255, 255, 0], white: [255, 255, 255],
  black: [0, 0, 0], off: [0, 0, 0], cyan: [0, 255, 255], magenta: [255, 0, 255], orange: [255, 165, 0], purple: [128, 0, 128], pink: [255, 192, 203] };

function rgbOf(c) {
  if (Array.isArray(c) && c.length === 3) return c;
  if (typeof c === "string") {
    const m = /^#?([0-9a-f]{6})$/i.exec(c);
    if (m) {
      const n = parseInt(m[1], 16);
      return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    }
    return NAMED[c.toLowerCase()] || [200, 200, 200];
  }
  if (c && typeof c === "object" && c.rgb) return c.rgb;
  return [200, 200, 200];
}

function normSeg(s) {
  if (!s) return null;
  const ms = (sec, msv) => (Number.isFinite(msv) ? msv : Number.isFinite(sec) ? Math.round(sec * 1000) : null);
  const a = ms(s.start, s.start_ms);
  const b = ms(s.end, s.end_ms);
  if (a === null || b === null || b <= a) return null;
  const out = { start_ms: a, end_ms: b, pixels: s.pixels || 4 };
  const from = s.from_color || s.start_color;
  const to = s.to_color || s.end_color;
  if (from || to) {
    out.kind = "fade";
    out.start_color = rgbOf(from || s.color);
    out.end_color = rgbOf(to || s.color);
  } else {
    out.kind = "solid";
    out.color = rgbOf(s.color);
  }
  return out;
}

const sortSegs = (segs) => [...segs].sort((a, b) => a.start_ms - b.start_ms);

function finishTurn(reason) {
  const t = chat.turn;
  chat.requestId = null;
  $("#btn-stop").disabled = true;
  $("#btn-send").disabled = false;
  if (!t || t.done) return;
  endTurnView(t, reason);
  if (state.ghosts.length) {
    state.ghosts = [];
    emit("view");
  }
}

function endTurnView(t, reason) {
  t.done = true;
  for (const c of t.cards.values()) {
    if (c.approvalBox) clearApproval(c);
    if (/running|receiving|awaiting|queued/.test(c.el.querySelector(".status").textContent)) {
      c.setStatus(reason === "cancelled" ? "stopped" : "not run", "failed");
    }
  }
  if (reason === "cancelled") t.el.append(h("div.muted", { "data-testid": "stopped" }, "Stopped — this turn's edits were rolled back."));
  const last = t.bubbles[t.bubbles.length - 1];
  if (last) {
    const fb = (v) => async (ev) => {
      try {
        await api.feedback({ session_id: chat.sessionId, turn: t.id, rating: v, project: state.projectId, request: t.request || "" });
        ev.target.parentElement.querySelectorAll("button").forEach((b) => b.classList.remove("chosen"));
        ev.target.classList.add("chosen");
      } catch (e) {
        showError(e, "Feedback");
      }
    };
    last.append(h("div.feedback", {},
      h("button", { title: "Good answer", onclick: fb("liked") }, "✓ good"),
      h("button", { title: "Bad answer", onclick: fb("disliked") }, "✗ bad")));
  }
}

function scrollDown() {
  const log = $("#chat-log");
  log.scrollTop = log.scrollHeight;
}
