"""Accuracy suite: synthetic songs with exact ground truth, scored with mir_eval.

Shared by ``tests/audio/test_accuracy.py`` (asserts the targets) and
``bench/audio_accuracy.py`` (prints the table and BENCH lines).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sequence_maker.audio.synth import SongSpec, write_song

#: 21 short renders covering 60–200 BPM, 3/4 and 4/4, swing, ramps, a jump, a silent intro,
#: humanised (jittered) drums, a drumless breakdown, loud off-beat hats (four-on-the-floor)
#: and varied section plans (25–56 s each).
SUITE: list[tuple[str, SongSpec]] = [
    ("60 4/4 ABA", SongSpec(tempo_bpm=60, plan="ABA", seed=1)),
    ("72 3/4 ABAB", SongSpec(tempo_bpm=72, beats_per_bar=3, plan="ABAB", seed=2)),
    ("84 4/4 ABAB", SongSpec(tempo_bpm=84, plan="ABAB", seed=3)),
    ("96 3/4 ABABCB", SongSpec(tempo_bpm=96, beats_per_bar=3, seed=4)),
    ("100 4/4 swing", SongSpec(tempo_bpm=100, swing=1 / 3, plan="ABAB", seed=5)),
    ("110 4/4 ABABCB", SongSpec(tempo_bpm=110, seed=6)),
    ("120 4/4 ABABCB", SongSpec(tempo_bpm=120, seed=7)),
    ("128 4/4 silent intro", SongSpec(tempo_bpm=128, intro_silence_s=4.0, plan="ABAB", seed=8)),
    ("132 3/4 ABABCB", SongSpec(tempo_bpm=132, beats_per_bar=3, seed=9)),
    ("140 4/4 swing", SongSpec(tempo_bpm=140, swing=1 / 3, seed=10)),
    ("150 3/4 ABCBDB", SongSpec(tempo_bpm=150, beats_per_bar=3, plan="ABCBDB", seed=11)),
    ("160 4/4 ABABCB", SongSpec(tempo_bpm=160, seed=12)),
    ("174 4/4 ABABCB", SongSpec(tempo_bpm=174, seed=13)),
    ("200 4/4 8-bar", SongSpec(tempo_bpm=200, bars_per_section=8, plan="ABAB", seed=14)),
    ("ramp 100→110", SongSpec(tempo_bpm=100, tempo_end_bpm=110, seed=15)),
    ("ramp 130→117", SongSpec(tempo_bpm=130, tempo_end_bpm=117, seed=16)),
    ("jump 96→124", SongSpec(tempo_bpm=96, tempo_change=(8, 124), seed=17)),
    ("180 3/4 ABAB", SongSpec(tempo_bpm=180, beats_per_bar=3, plan="ABAB", bars_per_section=6, seed=18)),
    ("118 humanised ±15 ms", SongSpec(tempo_bpm=118, humanize_ms=15, seed=21)),
    ("126 drumless C", SongSpec(tempo_bpm=126, drumless="C", seed=22)),
    ("124 four-on-the-floor", SongSpec(tempo_bpm=124, groove="four_on_the_floor", seed=23)),
]

TARGETS = {
    "beat_f_mean": 0.95,
    "beat_f_min": 0.80,
    "tempo_ok_share": 0.95,
    "downbeat_f_mean": 0.90,
    "meter_ok_share": 0.90,
    "section_hr3f_mean": 0.90,
}


@dataclass
class Score:
    name: str
    duration_s: float
    beat_f: float
    cmlt: float
    amlt: float
    tempo_true: float
    tempo_est: float
    downbeat_f: float
    meter_true: int
    meter_est: int
    hr05f: float
    hr3f: float
    boundaries_on_downbeats: bool
    labels: str
    beat_abs_error_ms: float = 0.0  # mean |estimated − true| over beats matched within 70 ms

    @property
    def tempo_ok(self) -> bool:
        return abs(self.tempo_est - self.tempo_true) <= 0.04 * self.tempo_true


def score_one(name: str, spec: SongSpec, workdir: Path) -> Score:
    import mir_eval

    from sequence_maker.audio.engine import analyze

    path = workdir / f"{abs(hash(name))}.wav"
    truth = write_song(spec, path)
    a = analyze(path, cache=False)
    beats = np.asarray(a.beats)
    downs = np.asarray(a.downbeats)
    f = mir_eval.beat.f_measure(truth.beats_s, beats)
    _, cmlt, _, amlt = mir_eval.beat.continuity(truth.beats_s, beats)
    df = mir_eval.beat.f_measure(truth.downbeats_s, downs)
    ref = np.asarray([[s, e] for _, s, e in truth.sections])
    est = np.asarray([[s.start_s, s.end_s] for s in a.sections])
    est[-1, 1] = ref[-1, 1] = max(ref[-1, 1], est[-1, 1])
    hr05 = mir_eval.segment.detection(ref, est, window=0.5, trim=True)[2]
    hr3 = mir_eval.segment.detection(ref, est, window=3.0, trim=True)[2]
    inner = [s.start_s for s in a.sections[1:]]
    on_down = all(np.min(np.abs(downs - b)) < 1e-3 for b in inner) if len(downs) else not inner
    gt_tempo = float(60.0 / np.median(np.diff(truth.beats_s)))
    errs = np.min(np.abs(beats[None, :] - truth.beats_s[:, None]), axis=1) if len(beats) else np.zeros(0)
    abs_err_ms = float(np.mean(errs[errs <= 0.07]) * 1000) if np.any(errs <= 0.07) else float("nan")
    return Score(
        name, truth.duration_s, f, cmlt, amlt, gt_tempo, a.tempo_bpm, df, truth.beats_per_bar,
        a.beats_per_bar, hr05, hr3, on_down, "-".join(s.label + ("*" if s.kind == "chorus" else "") for s in a.sections),
        abs_err_ms,
    )  # fmt: skip


def run_suite(suite: list[tuple[str, SongSpec]] = SUITE) -> list[Score]:
    with tempfile.TemporaryDirectory(prefix="seqmaker-acc-") as tmp:
        return [score_one(name, spec, Path(tmp)) for name, spec in suite]


def summary(scores: list[Score]) -> dict[str, float]:
    return {
        "beat_f_mean": float(np.mean([s.beat_f for s in scores])),
        "beat_f_min": float(np.min([s.beat_f for s in scores])),
        "cmlt_mean": float(np.mean([s.cmlt for s in scores])),
        "beat_abs_error_ms_mean": float(np.nanmean([s.beat_abs_error_ms for s in scores])),
        "amlt_mean": float(np.mean([s.amlt for s in scores])),
        "tempo_ok_share": float(np.mean([s.tempo_ok for s in scores])),
        "tempo_abs_error_pct_mean": float(
            np.mean([abs(s.tempo_est / s.tempo_true - 1) * 100 for s in scores])
        ),
        "downbeat_f_mean": float(np.mean([s.downbeat_f for s in scores])),
        "meter_ok_share": float(np.mean([s.meter_est == s.meter_true for s in scores])),
        "section_hr05f_mean": float(np.mean([s.hr05f for s in scores])),
        "section_hr3f_mean": float(np.mean([s.hr3f for s in scores])),
        "boundaries_on_downbeats_share": float(np.mean([s.boundaries_on_downbeats for s in scores])),
    }


def table(scores: list[Score]) -> str:
    head = f"{'render':<22}{'dur':>5} {'beatF':>6}{'CMLt':>6}{'AMLt':>6} {'tempo true/est':>15} {'dbF':>5} {'meter':>6} {'HR.5F':>6}{'HR3F':>6}  labels"
    rows = [head, "-" * len(head)]
    for s in scores:
        rows.append(
            f"{s.name:<22}{s.duration_s:5.0f} {s.beat_f:6.3f}{s.cmlt:6.3f}{s.amlt:6.3f} "
            f"{s.tempo_true:7.1f}/{s.tempo_est:<7.1f}{'' if s.tempo_ok else '!'} {s.downbeat_f:5.2f} "
            f"{s.meter_true}->{s.meter_est:<3} {s.hr05f:6.2f}{s.hr3f:6.2f}  {s.labels}"
        )
    summ = summary(scores)
    rows.append("-" * len(head))
    rows.append("  ".join(f"{k}={v:.3f}" for k, v in summ.items()))
    return "\n".join(rows)
