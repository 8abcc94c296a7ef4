// Playback: the <audio> element is the clock (so the playhead is in sync with what you hear);
// without audio a performance.now() clock stands in. Each frame updates the playhead and the
// ball preview circles (colour at t, fades and effects included).

import { api } from "./api.js";
import { colorAt, rgbCss } from "./colors.js";
import { emit, on, state } from "./store.js";
import { formatTime, segmentAt } from "./timeline/view.js";
import { $, h, toast } from "./ui.js";

export class Player {
  constructor(renderer) {
    this.audio = $("#audio");
    this.renderer = renderer;
    this.clockStart = 0; // for the no-audio clock
    this.clockOrigin = 0;
    this.loop = this.loop.bind(this);
    on("seek", (d) => this.seek(d.ms));
    on("project-opened", () => this.loadAudio());
    on("changed", (d) => {
      if (d && d.patch && d.patch.project && d.patch.project.audio && !this.audio.src) this.loadAudio();
      this.buildPreview();
    });
    on("ws:player_command", (f) => this.command(f.data));
    this.audio.addEventListener("ended", () => this.pause());
  }

  loadAudio() {
    this.pause();
    this.audioFailed = false;
    const p = state.project;
    if (p && p.audio) {
      this.audio.src = state.audioUrl || api.audioUrl(state.projectId);
      this.audio.load();
    } else {
      this.audio.removeAttribute("src");
    }
    this.buildPreview();
  }

  get hasAudio() {
    return !this.audioFailed && !!this.audio.getAttribute("src") && this.audio.readyState >= 1;
  }

  now() {
    if (this.hasAudio) return this.audio.currentTime * 1000;
    if (!state.playing) return state.playheadMs;
    return this.clockOrigin + (performance.now() - this.clockStart);
  }

  async play() {
    if (!state.project) return;
    if (state.playheadMs >= state.project.duration_ms) this.seek(0);
    state.playing = true;
    this.clockStart = performance.now();
    this.clockOrigin = state.playheadMs;
    if (this.hasAudio) {
      this.audio.currentTime = state.playheadMs / 1000;
      try {
        await this.audio.play();
      } catch (e) {
        // no audio output (or autoplay refused): keep the playhead moving on the clock
        this.audioFailed = true;
        toast(`Audio cannot play here (${e.message}); the playhead runs without sound`, "error");
      }
    }
    $("#btn-play").textContent = "⏸";
    requestAnimationFrame(this.loop);
  }

  pause() {
    if (this.hasAudio) this.audio.pause();
    if (state.playing) state.playheadMs = this.now();
    state.playing = false;
    $("#btn-play").textContent = "▶";
    this.tick();
  }

  toggle() {
    if (state.playing) this.pause();
    else this.play();
  }

  seek(ms) {
    const dur = state.project ? state.project.duration_ms : 0;
    state.playheadMs = Math.max(0, Math.min(dur, ms));
    this.clockStart = performance.now();
    this.clockOrigin = state.playheadMs;
    if (this.hasAudio) this.audio.currentTime = state.playheadMs / 1000;
    this.tick();
  }

  command(d) {
    if (d.command === "play") {
      if (typeof d.position_ms === "number") this.seek(d.position_ms);
      this.play();
    } else if (d.command === "pause") this.pause();
    else if (d.command === "seek" && typeof d.position_ms === "number") this.seek(d.position_ms);
    else if (d.command === "volume" && typeof d.volume === "number") {
      this.audio.volume = Math.max(0, Math.min(1, d.volume));
      $("#volume").value = String(this.audio.volume);
    }
  }

  loop() {
    if (!state.playing) return;
    state.playheadMs = this.now();
    if (state.project && state.playheadMs >= state.project.duration_ms) {
      state.playheadMs = state.project.duration_ms;
      this.pause();
      return;
    }
    state.view.follow(state.playheadMs);
    this.tick();
    requestAnimationFrame(this.loop);
  }

  /** Update everything that depends on the playhead (time readout, balls, canvas). */
  tick() {
    $("#time-display").textContent = formatTime(state.playheadMs, 1);
    this.updatePreview();
    this.renderer.request();
    emit("playhead", state.playheadMs);
  }

  buildPreview() {
    const box = $("#ball-preview");
    const n = state.project ? state.project.balls.length : 0;
    if (box.childElementCount === n) {
      this.updatePreview();
      return;
    }
    box.replaceChildren(
      ...state.project.balls.map((b, i) =>
        h("div.ball", { dataset: { ball: i } }, h("div.orb", { "data-testid": `orb-${i}` }), b.name || `Ball ${i + 1}`),
      ),
    );
    this.updatePreview();
  }

  updatePreview() {
    if (!state.project) return;
    const orbs = document.querySelectorAll("#ball-preview .orb");
    state.project.balls.forEach((b, i) => {
      const orb = orbs[i];
      if (!orb) return;
      const seg = segmentAt(b.segments, state.playheadMs);
      const c = seg ? colorAt(seg, state.playheadMs) : [0, 0, 0];
      const css = rgbCss(c);
      if (orb.dataset.color !== css) {
        orb.dataset.color = css;
        orb.style.background = css;
        orb.style.boxShadow = c.some((x) => x > 20) ? `0 0 18px 2px ${css}` : "none";
      }
    });
  }
}
