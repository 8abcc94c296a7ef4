// One WebSocket per tab, bound to the open project, with automatic reconnect and gap-free resume
// (last_seq + stream id, see docs/api.md). Frames are re-emitted on the bus as "ws:<type>".

import { emit } from "./store.js";

export class Socket {
  constructor() {
    this.ws = null;
    this.project = null;
    this.lastSeq = 0;
    this.streamId = null;
    this.retry = 0;
    this.timer = null;
    this.closedByUs = false;
    this.nextId = 1;
  }

  get connected() {
    return this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  open(project) {
    this.close();
    this.project = project;
    this.lastSeq = 0;
    this.streamId = null;
    this.closedByUs = false;
    this.connect();
  }

  close() {
    this.closedByUs = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close();
    this.ws = null;
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const q = new URLSearchParams({ project: this.project });
    if (this.streamId) {
      q.set("last_seq", String(this.lastSeq));
      q.set("stream", this.streamId);
    }
    emit("conn", { state: "wait" });
    const ws = new WebSocket(`${proto}://${location.host}/ws?${q}`);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      emit("conn", { state: "on" });
    };
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      emit("conn", { state: "off", code: ev.code });
      if (this.closedByUs || ev.code === 4403 || ev.code === 4401) return;
      const delay = Math.min(8000, 300 * 2 ** this.retry++);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  onFrame(raw) {
    let f;
    try {
      f = JSON.parse(raw);
    } catch {
      return;
    }
    if (f.type === "status" && f.data) {
      if (this.streamId && f.data.stream_id !== this.streamId) this.lastSeq = 0;
      this.streamId = f.data.stream_id;
    }
    if (typeof f.seq === "number") {
      if (f.seq <= this.lastSeq) return; // duplicate after a resume: already processed
      this.lastSeq = f.seq;
    }
    emit("ws:" + f.type, f);
  }

  /** Send a frame; returns its request_id. Throws if offline so the UI can say so. */
  send(type, data, requestId = null) {
    if (!this.connected) throw new Error("not connected to the studio server (reconnecting…)");
    const id = requestId || `r${Date.now().toString(36)}${this.nextId++}`;
    this.ws.send(JSON.stringify({ type, request_id: id, data }));
    return id;
  }
}

export const socket = new Socket();
