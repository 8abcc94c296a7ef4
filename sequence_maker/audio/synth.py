"""Synthetic songs with an exact, known grid: for accuracy tests, demos and other engineers' tests.

A song is drums on a beat grid (kick on the downbeat, backbeat snare, hats), a bass line and a
chord pad whose progression changes on each downbeat, arranged in sections with their own
timbre, key and energy. The renderer returns the audio together with the ground truth
(beats, downbeats, sections), so a test can score the analysis against it.

Example::

    from sequence_maker.audio.synth import SongSpec, write_song
    truth = write_song(SongSpec(tempo_bpm=128, plan="ABABCB"), "song.wav")
    truth.beats_s, truth.downbeats_s, truth.sections
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# One row per section letter: (pad timbre harmonics roll-off, key root in semitones from A2,
# energy 0–1, hats on eighths, brightness of the snare). Chosen so sections differ the way
# verse / chorus / bridge do: timbre, key and loudness.
_SECTION_STYLES: dict[str, dict] = {
    "A": {"rolloff": 2.2, "root": 3, "energy": 0.55, "eighths": True, "progression": (0, 7, 9, 5)},
    "B": {"rolloff": 0.9, "root": 8, "energy": 1.0, "eighths": True, "progression": (0, 5, 7, 5)},
    "C": {"rolloff": 1.5, "root": 1, "energy": 0.4, "eighths": False, "progression": (0, 3, 8, 10)},
    "D": {"rolloff": 3.0, "root": 6, "energy": 0.7, "eighths": True, "progression": (0, 9, 5, 7)},
}


@dataclass(frozen=True, slots=True)
class SongSpec:
    """What to render. Tempo may ramp (``tempo_end_bpm``) or jump (``tempo_change``)."""

    tempo_bpm: float = 120.0
    beats_per_bar: int = 4
    plan: str = "ABABCB"  # one letter per section, letters from _SECTION_STYLES
    bars_per_section: int = 4
    swing: float = 0.0  # 0 straight eighths; 1/3 = triplet swing (off-beat at 2/3 of the beat)
    tempo_end_bpm: float | None = None  # linear ramp from tempo_bpm to this over the song
    tempo_change: tuple[int, float] | None = None  # (bar index, new bpm): abrupt change
    intro_silence_s: float = 0.0
    humanize_ms: float = 0.0  # std-dev of random timing error of each drum hit (truth stays on the grid)
    drumless: str = ""  # section letters played without drums (a breakdown: bass and pad only)
    groove: str = "rock"  # "rock" (kick 1 & 3, backbeat, hats) or "four_on_the_floor" (kick every beat, off-beat open hats)
    outro_s: float = 1.0  # ring-out after the last bar
    sample_rate: int = 22050
    stereo: bool = False
    seed: int = 0


@dataclass(slots=True)
class RenderedSong:
    """Audio plus ground truth, all times in seconds."""

    samples: np.ndarray  # (n,) mono or (n, 2) stereo float32
    sample_rate: int
    beats_s: np.ndarray
    downbeats_s: np.ndarray
    beats_per_bar: int
    sections: list[tuple[str, float, float]]  # (label, start, end); first starts at 0
    spec: SongSpec
    extras: dict = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def tempo_bpm(self) -> float:
        """Median tempo of the ground-truth beats."""
        return float(60.0 / np.median(np.diff(self.beats_s))) if len(self.beats_s) > 1 else 0.0


def beat_times(spec: SongSpec) -> np.ndarray:
    """Ground-truth beat times (s) including a final beat closing the last bar."""
    n_beats = len(spec.plan) * spec.bars_per_section * spec.beats_per_bar
    t = spec.intro_silence_s
    out = [t]
    for i in range(n_beats):
        bar = i // spec.beats_per_bar
        bpm = spec.tempo_bpm
        if spec.tempo_end_bpm is not None:
            bpm = spec.tempo_bpm + (spec.tempo_end_bpm - spec.tempo_bpm) * i / max(1, n_beats - 1)
        if spec.tempo_change is not None and bar >= spec.tempo_change[0]:
            bpm = spec.tempo_change[1]
        t += 60.0 / bpm
        out.append(t)
    return np.asarray(out)


def _midi_hz(semitones_from_a2: float) -> float:
    return 110.0 * 2.0 ** (semitones_from_a2 / 12.0)


class _Mixer:
    """Adds short sounds at sample offsets into one buffer."""

    def __init__(self, n: int, sr: int, rng: np.random.Generator) -> None:
        self.buf = np.zeros(n, dtype=np.float64)
        self.sr = sr
        self.rng = rng

    def add(self, start_s: float, sound: np.ndarray) -> None:
        i = int(round(start_s * self.sr))
        if i < 0:  # a humanised hit just before the start: keep its tail
            sound, i = sound[-i:], 0
        if i >= len(self.buf):
            return
        j = min(len(self.buf), i + len(sound))
        self.buf[i:j] += sound[: j - i]

    def env(self, dur_s: float, decay_s: float) -> np.ndarray:
        t = np.arange(int(dur_s * self.sr)) / self.sr
        return np.exp(-t / decay_s)

    def kick(self, gain: float) -> np.ndarray:
        t = np.arange(int(0.35 * self.sr)) / self.sr
        freq = 45 + 90 * np.exp(-t / 0.03)
        phase = 2 * np.pi * np.cumsum(freq) / self.sr
        return gain * np.sin(phase) * np.exp(-t / 0.12)

    def snare(self, gain: float) -> np.ndarray:
        e = self.env(0.2, 0.05)
        noise = self.rng.standard_normal(len(e))
        noise = np.diff(noise, prepend=0.0) * 0.5
        tone = np.sin(2 * np.pi * 190 * np.arange(len(e)) / self.sr)
        return gain * (0.6 * noise + 0.5 * tone) * e

    def hat(self, gain: float) -> np.ndarray:
        e = self.env(0.06, 0.012)
        noise = np.diff(self.rng.standard_normal(len(e) + 1), n=1)
        return gain * 0.5 * noise * e

    def open_hat(self, gain: float) -> np.ndarray:
        e = self.env(0.25, 0.07)
        noise = np.diff(self.rng.standard_normal(len(e) + 1), n=1)
        return gain * 0.5 * noise * e

    def crash(self, gain: float) -> np.ndarray:
        e = self.env(1.2, 0.35)
        noise = np.diff(self.rng.standard_normal(len(e) + 1), n=1)
        return gain * 0.4 * noise * e

    def tone(
        self, hz: float, dur_s: float, rolloff: float, gain: float, attack_s: float = 0.01
    ) -> np.ndarray:
        n = int(dur_s * self.sr)
        t = np.arange(n) / self.sr
        wave = np.zeros(n)
        for h in range(1, 7):
            if hz * h > self.sr / 2.2:
                break
            wave += np.sin(2 * np.pi * hz * h * t) / h**rolloff
        env = np.minimum(1.0, t / attack_s) * np.exp(-t / max(dur_s, 0.05) * 1.2)
        tail = np.minimum(1.0, (dur_s - t) / 0.02)
        return gain * wave * env * np.clip(tail, 0, 1)


def render(spec: SongSpec) -> RenderedSong:
    """Render ``spec``; deterministic for a given ``seed``."""
    for letter in spec.plan:
        if letter not in _SECTION_STYLES:
            raise ValueError(f"section letter {letter!r} unknown; use {sorted(_SECTION_STYLES)}")
    if spec.groove not in ("rock", "four_on_the_floor"):
        raise ValueError(f"groove must be 'rock' or 'four_on_the_floor', not {spec.groove!r}")
    if spec.beats_per_bar not in (2, 3, 4, 6):
        raise ValueError("beats_per_bar must be 2, 3, 4 or 6")
    sr = spec.sample_rate
    beats = beat_times(spec)
    bpb = spec.beats_per_bar
    duration = beats[-1] + spec.outro_s
    rng = np.random.default_rng(spec.seed)
    mix = _Mixer(int(duration * sr), sr, rng)
    n_beats = len(beats) - 1
    section_starts = []
    for i in range(n_beats):
        bar, pos = divmod(i, bpb)
        sec_idx = bar // spec.bars_per_section
        style = _SECTION_STYLES[spec.plan[sec_idx]]
        energy = style["energy"]
        t0, t1 = beats[i], beats[i + 1]
        period = t1 - t0
        if pos == 0 and bar % spec.bars_per_section == 0:
            section_starts.append(t0)
            mix.add(t0, mix.crash(0.15 * energy))
        # drums: kick on 1 (and on 3 in 4/4), snare on the backbeat, hats on beats / eighths
        drums = spec.plan[sec_idx] not in spec.drumless

        def jitter() -> float:
            return float(rng.normal(0.0, spec.humanize_ms / 1000.0)) if spec.humanize_ms > 0 else 0.0

        four = spec.groove == "four_on_the_floor"
        if drums and (pos == 0 or four):
            mix.add(t0 + jitter(), mix.kick((0.9 if pos == 0 else 0.7) * (0.6 + 0.4 * energy)))
        elif drums and bpb == 4 and pos == 2:
            mix.add(t0 + jitter(), mix.kick(0.6 * (0.6 + 0.4 * energy)))
        backbeat = (
            (bpb == 4 and pos in (1, 3)) or (bpb == 3 and pos in (1, 2)) or (bpb in (2, 6) and pos % 2 == 1)
        )
        if drums and backbeat:
            mix.add(t0 + jitter(), mix.snare((0.45 if bpb != 3 else 0.25) * (0.5 + 0.5 * energy)))
        if drums and four:  # loud open hi-hat on every off-beat: the classic phase trap
            mix.add(t0 + period / 2 + jitter(), mix.open_hat(0.6 * energy))
        elif drums:
            mix.add(t0 + jitter(), mix.hat(0.35 * energy))
            if style["eighths"] and 60.0 / period < 150:
                off = 0.5 + (spec.swing if spec.swing else 0.0) * 0.5
                mix.add(t0 + off * period + jitter(), mix.hat(0.18 * energy))
        # bass: root of the bar's chord on every beat, accented on the downbeat
        chord_step = style["progression"][bar % len(style["progression"])]
        root = style["root"] + chord_step
        bass_hz = _midi_hz(root - 12)
        mix.add(t0, mix.tone(bass_hz, period * 0.9, 1.5, (0.5 if pos == 0 else 0.3) * (0.5 + 0.5 * energy)))
        # pad: a triad held for the whole bar, struck on the downbeat
        if pos == 0:
            bar_end = beats[min(i + bpb, n_beats)]
            for interval in (0, 4, 7):
                hz = _midi_hz(root + 12 + interval)
                mix.add(
                    t0,
                    mix.tone(hz, bar_end - t0, style["rolloff"], 0.12 * (0.4 + 0.6 * energy), attack_s=0.02),
                )
    peak = np.max(np.abs(mix.buf)) or 1.0
    mono = (0.8 * mix.buf / peak).astype(np.float32)
    samples = np.stack([mono, 0.9 * mono], axis=1).astype(np.float32) if spec.stereo else mono
    downbeats = beats[:-1][::bpb]
    bounds = (
        [0.0, *section_starts[1:], duration]
        if spec.intro_silence_s < 1.0
        else [0.0, *section_starts, duration]
    )
    labels = list(spec.plan) if spec.intro_silence_s < 1.0 else ["silence", *spec.plan]
    sections = [(lab, bounds[k], bounds[k + 1]) for k, lab in enumerate(labels)]
    return RenderedSong(
        samples=samples,
        sample_rate=sr,
        beats_s=beats[:-1].copy(),
        downbeats_s=downbeats.copy(),
        beats_per_bar=bpb,
        sections=sections,
        spec=spec,
    )


def write_song(spec: SongSpec, path: str | Path, *, subtype: str | None = None) -> RenderedSong:
    """Render ``spec`` and write it (format from the suffix: .wav, .flac, .ogg, .mp3)."""
    import soundfile as sf

    song = render(spec)
    sf.write(str(path), song.samples, song.sample_rate, subtype=subtype)
    return song
