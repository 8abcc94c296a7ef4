"""The analysis result and its JSON form (a stable contract read by the server, UI and tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .peaks import PeakPyramid


@dataclass(slots=True)
class SectionInfo:
    label: str  # "A", "B", "A′"… ("silence"/"intro" for a lead-in before the first downbeat)
    start_s: float
    end_s: float
    kind: str = ""  # "chorus" for the best chorus guess, "intro" for a lead-in, else ""


@dataclass(slots=True)
class Analysis:
    """Everything known about one song. Times in seconds from the start of the file."""

    audio_hash: str
    duration_s: float
    sample_rate: int  # of the source file
    channels: int
    tempo_bpm: float  # median over the song (0 when no beats)
    tempo_confidence: float  # 0–1
    beats_per_bar: int
    meter_confidence: float
    beats: list[float]
    downbeats: list[float]
    onsets: list[float]
    sections: list[SectionInfo]
    energy_hop_s: float
    energy: list[float]  # loudness 0–1 (0 = 60 dB below the loudest moment)
    tempo_curve: list[tuple[float, float]] = field(default_factory=list)  # (time_s, bpm)
    note: str = ""  # e.g. "no beats found: the audio is silent"
    backend: str = "dsp"
    version: int = 0
    peaks: PeakPyramid | None = field(default=None, repr=False, compare=False)

    @property
    def has_beats(self) -> bool:
        return len(self.beats) > 0

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dict; the key names are a public contract (see docs/audio.md)."""
        return {
            "version": self.version,
            "audio_hash": self.audio_hash,
            "duration_s": round(self.duration_s, 4),
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "tempo_bpm": round(self.tempo_bpm, 3),
            "tempo_confidence": self.tempo_confidence,
            "beats_per_bar": self.beats_per_bar,
            "meter_confidence": self.meter_confidence,
            "beats": [round(t, 4) for t in self.beats],
            "downbeats": [round(t, 4) for t in self.downbeats],
            "onsets": [round(t, 4) for t in self.onsets],
            "sections": [
                {"label": s.label, "start_s": round(s.start_s, 4), "end_s": round(s.end_s, 4), "kind": s.kind}
                for s in self.sections
            ],
            "energy": {"hop_s": self.energy_hop_s, "values": [round(v, 4) for v in self.energy]},
            "tempo_curve": [[round(t, 3), round(b, 3)] for t, b in self.tempo_curve],
            "note": self.note,
            "backend": self.backend,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Analysis:
        return cls(
            audio_hash=d["audio_hash"],
            duration_s=float(d["duration_s"]),
            sample_rate=int(d["sample_rate"]),
            channels=int(d["channels"]),
            tempo_bpm=float(d["tempo_bpm"]),
            tempo_confidence=float(d["tempo_confidence"]),
            beats_per_bar=int(d["beats_per_bar"]),
            meter_confidence=float(d.get("meter_confidence", 0.0)),
            beats=[float(x) for x in d["beats"]],
            downbeats=[float(x) for x in d["downbeats"]],
            onsets=[float(x) for x in d["onsets"]],
            sections=[
                SectionInfo(s["label"], float(s["start_s"]), float(s["end_s"]), s.get("kind", ""))
                for s in d["sections"]
            ],
            energy_hop_s=float(d["energy"]["hop_s"]),
            energy=[float(x) for x in d["energy"]["values"]],
            tempo_curve=[(float(t), float(b)) for t, b in d.get("tempo_curve", [])],
            note=d.get("note", ""),
            backend=d.get("backend", "dsp"),
            version=int(d.get("version", 0)),
        )
