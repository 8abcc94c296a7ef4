"""``analyze()``: decode → features → tempo/beats/meter → sections, with progress and cache.

The beat/downbeat stage sits behind ``BeatBackend`` so an optional neural tracker (e.g.
Beat This!) can replace the DSP one later without touching decoding, sections, energy,
caching or the JSON contract: it receives the file path and the frame features and returns
beats (and optionally downbeats).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .cache import ANALYSIS_VERSION, AnalysisCache
from .decode import ANALYSIS_SR, audio_hash, iter_blocks, probe
from .features import FrameFeatures, extract
from .result import Analysis, SectionInfo

ProgressCallback = Callable[[float, str], None]

#: Energy curve resolution: 4 analysis frames ≈ 46 ms, enough for light intensity.
ENERGY_FRAMES = 4
#: Whole-file peak level below which the file counts as silent (dBFS).
SILENT_DBFS = -60.0


@dataclass(slots=True)
class BackendResult:
    beats_s: np.ndarray
    downbeats_s: np.ndarray | None  # None: let the meter estimator decide
    beats_per_bar: int | None
    tempo_bpm: float
    confidence: float
    meter_confidence: float = 0.0
    tempo_curve: list[tuple[float, float]] | None = None
    note: str = ""


class BeatBackend(Protocol):
    """Something that finds beats (and maybe downbeats) in a song."""

    name: str

    def track(self, path: Path, features: FrameFeatures) -> BackendResult: ...


class DspBackend:
    """Tempo curve (ACF×DFT + Viterbi) → DP beat tracking → HMM meter/downbeats."""

    name = "dsp"

    def track(self, path: Path, features: FrameFeatures) -> BackendResult:
        from .beats import track_beats
        from .meter import estimate_meter
        from .tempo import estimate_tempo_curve

        onset = features.onset_envelope()
        low = features.onset_envelope(low_only=True)
        rms_db = rms_to_db(features.rms)
        curve = estimate_tempo_curve(onset + low, features.fps)
        est = track_beats(onset, low, rms_db, curve, features.fps, features.hop, features.sr)
        tempo_curve = [(float(t), float(b)) for t, b in zip(curve.times_s, curve.bpm, strict=True)]
        if len(est.beats_s) == 0:
            return BackendResult(est.beats_s, np.zeros(0), 4, 0.0, 0.0, 0.0, tempo_curve, est.note)
        frames = np.round(est.beats_s * features.fps).astype(int)
        meter = estimate_meter(frames, onset, low, features.chroma)
        return BackendResult(
            est.beats_s,
            est.beats_s[meter.downbeat_index],
            meter.beats_per_bar,
            est.tempo_bpm,
            est.confidence,
            meter.confidence,
            tempo_curve,
        )


def rms_to_db(rms: np.ndarray) -> np.ndarray:
    return 20.0 * np.log10(np.maximum(rms, 1e-6))


def energy_curve(rms: np.ndarray, frames_per_value: int = ENERGY_FRAMES) -> np.ndarray:
    """Loudness 0–1: 0 dB (loudest moment) → 1, −60 dB → 0, in ``frames_per_value`` steps."""
    n = len(rms) // frames_per_value * frames_per_value
    if n == 0:
        return np.zeros(0)
    power = (rms[:n].astype(np.float64) ** 2).reshape(-1, frames_per_value).mean(axis=1)
    db = 10.0 * np.log10(np.maximum(power, 1e-12))
    db -= db.max()
    return np.clip((db + 60.0) / 60.0, 0.0, 1.0)


def detect_onsets(features: FrameFeatures) -> np.ndarray:
    """Onset times (s): peaks of the onset envelope (librosa's onset_detect rules, in numpy)."""
    from .beats import ONSET_LATENCY_S
    from .filters import pick_peaks

    env = features.onset_envelope()
    if len(env) < 3 or not np.any(env > 0):
        return np.zeros(0)
    frames = pick_peaks(env, features.fps)
    return frames * features.hop / features.sr + ONSET_LATENCY_S  # same latency correction as beats


def analyze(
    path: str | Path,
    *,
    progress: ProgressCallback | None = None,
    cache: bool = True,
    backend: BeatBackend | None = None,
) -> Analysis:
    """Analyse a song (cached by content hash); ``progress(fraction, stage)`` reports 0 → 1.

    Raises an ``AudioError`` subclass for unreadable input. Silence or beat-less audio is a
    valid result with empty ``beats`` and an explanatory ``note``.
    """

    def report(fraction: float, stage: str) -> None:
        if progress is not None:
            progress(float(min(1.0, max(0.0, fraction))), stage)

    p = Path(path)
    info = probe(p)
    backend = backend or DspBackend()
    report(0.0, "hashing")
    key = audio_hash(p, progress=lambda f: report(0.02 * f, "hashing"))
    store = AnalysisCache()
    if cache:
        cached = store.load(key, backend.name)
        if cached is not None and cached.get("backend", "dsp") == backend.name:
            result = Analysis.from_json(cached)
            result.peaks = store.load_peaks(key)
            if result.peaks is not None:
                report(1.0, "cached")
                return result
    expected = int(info.frames * ANALYSIS_SR / info.sample_rate)
    feats = extract(
        iter_blocks(p, sr=ANALYSIS_SR),
        sr=ANALYSIS_SR,
        expected_samples=expected,
        progress=lambda f: report(0.02 + 0.68 * f, "decoding"),
    )
    result = _analyse_features(p, feats, info.sample_rate, info.channels, key, backend, report)
    if cache:
        store.save(key, result.to_json(), backend.name)
        store.save_peaks(key, feats.peaks)
    report(1.0, "done")
    return result


def _analyse_features(
    path: Path,
    feats: FrameFeatures,
    source_sr: int,
    channels: int,
    key: str,
    backend: BeatBackend,
    report: ProgressCallback,
) -> Analysis:
    from .sections import estimate_sections

    duration = feats.duration_s
    rms_db = rms_to_db(feats.rms)
    energy = energy_curve(feats.rms)
    hop_s = ENERGY_FRAMES * feats.hop / feats.sr
    common = dict(
        audio_hash=key,
        duration_s=duration,
        sample_rate=source_sr,
        channels=channels,
        energy_hop_s=hop_s,
        energy=energy.tolist(),
        backend=backend.name,
        version=ANALYSIS_VERSION,
        peaks=feats.peaks,
    )
    peak_dbfs = float(rms_db.max()) if len(rms_db) else -120.0
    if peak_dbfs < SILENT_DBFS:
        return Analysis(
            tempo_bpm=0.0, tempo_confidence=0.0, beats_per_bar=4, meter_confidence=0.0,
            beats=[], downbeats=[], onsets=[],
            sections=[SectionInfo("silence", 0.0, duration, "")] if duration > 0 else [],
            note=f"no beats found: the audio is silent (loudest moment {peak_dbfs:.0f} dBFS)",
            **common,
        )  # fmt: skip
    report(0.72, "tempo and beats")
    tracked = backend.track(path, feats)
    report(0.85, "downbeats")
    onsets = detect_onsets(feats)
    downbeats = tracked.downbeats_s if tracked.downbeats_s is not None else np.zeros(0)
    bpb = tracked.beats_per_bar or 4
    if tracked.downbeats_s is None and len(tracked.beats_s):
        from .meter import estimate_meter

        frames = np.round(tracked.beats_s * feats.fps).astype(int)
        m = estimate_meter(frames, feats.onset_envelope(), feats.onset_envelope(low_only=True), feats.chroma)
        downbeats, bpb = tracked.beats_s[m.downbeat_index], m.beats_per_bar
    report(0.9, "sections")
    sections = estimate_sections(
        np.asarray(downbeats),
        duration,
        feats.fps,
        feats.log_mel,
        feats.chroma,
        rms_db,
        feats.onset_envelope(),
    )
    return Analysis(
        tempo_bpm=tracked.tempo_bpm,
        tempo_confidence=tracked.confidence,
        beats_per_bar=bpb,
        meter_confidence=tracked.meter_confidence,
        beats=[float(t) for t in tracked.beats_s],
        downbeats=[float(t) for t in downbeats],
        onsets=[float(t) for t in onsets],
        sections=[SectionInfo(s.label, s.start_s, s.end_s, s.kind) for s in sections],
        tempo_curve=tracked.tempo_curve or [],
        note=tracked.note,
        **common,
    )
