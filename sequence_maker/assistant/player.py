"""Player command sink: where the audio-control tools send play/pause/seek/volume.

In the studio the sink forwards commands to the browser (via ``player_command`` turn events); in
headless runs (CLI, evals) :class:`RecordingPlayer` keeps the state so results can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .turn_events import PlayerCommandEvent


@runtime_checkable
class PlayerSink(Protocol):
    """Receives player commands in call order. ``state`` reports what the player now does."""

    def command(self, cmd: PlayerCommandEvent) -> None: ...

    def state(self) -> PlayerState: ...


@dataclass(slots=True)
class PlayerState:
    playing: bool = False
    position_s: float = 0.0
    volume: float = 1.0


@dataclass(slots=True)
class RecordingPlayer:
    """A headless player: tracks state (position advances only by seek) and logs every command."""

    current: PlayerState = field(default_factory=PlayerState)
    log: list[PlayerCommandEvent] = field(default_factory=list)

    def command(self, cmd: PlayerCommandEvent) -> None:
        self.log.append(cmd)
        s = self.current
        if cmd.action == "play":
            s.playing = True
            if cmd.position_s is not None:
                s.position_s = cmd.position_s
        elif cmd.action == "pause":
            s.playing = False
        elif cmd.action == "stop":
            s.playing = False
            s.position_s = 0.0
        elif cmd.action == "seek" and cmd.position_s is not None:
            s.position_s = cmd.position_s
        elif cmd.action == "volume" and cmd.volume is not None:
            s.volume = cmd.volume

    def state(self) -> PlayerState:
        return PlayerState(self.current.playing, self.current.position_s, self.current.volume)
