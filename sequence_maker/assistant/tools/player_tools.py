"""Audio-control tools: commands for whichever player is attached (browser, or recorded headless)."""

from __future__ import annotations

from pydantic import Field

from ..turn_events import PlayerCommandEvent
from .args import TimeValue
from .registry import Tool, ToolArgs, ToolContext
from .resolve import ResolveError


class PlayArgs(ToolArgs):
    position: TimeValue | None = Field(None, description="where to start (default: where it is)")


class NoPlayerArgs(ToolArgs):
    pass


class SeekArgs(ToolArgs):
    position: TimeValue


class VolumeArgs(ToolArgs):
    percent: float = Field(ge=0, le=100, description="0 = mute, 100 = full volume")


def _position(ctx: ToolContext, value: object) -> float:
    ms = ctx.resolve.point(value)
    if not 0 <= ms <= ctx.project.duration_ms:
        raise ResolveError(f"position {ms / 1000:g} s is outside the song (0–{ctx.project.duration_ms / 1000:g} s)")
    return ms / 1000.0


def _send(ctx: ToolContext, cmd: PlayerCommandEvent) -> dict:
    ctx.player_commands.append(cmd)
    return {"done": cmd.to_dict()}


def play_audio(ctx: ToolContext, a: PlayArgs) -> dict:
    pos = _position(ctx, a.position) if a.position is not None else None
    return _send(ctx, PlayerCommandEvent("play", position_s=pos))


def pause_audio(ctx: ToolContext, a: NoPlayerArgs) -> dict:
    return _send(ctx, PlayerCommandEvent("pause"))


def stop_audio(ctx: ToolContext, a: NoPlayerArgs) -> dict:
    return _send(ctx, PlayerCommandEvent("stop"))


def seek_audio(ctx: ToolContext, a: SeekArgs) -> dict:
    return _send(ctx, PlayerCommandEvent("seek", position_s=_position(ctx, a.position)))


def set_volume(ctx: ToolContext, a: VolumeArgs) -> dict:
    return _send(ctx, PlayerCommandEvent("volume", volume=round(a.percent / 100.0, 4)))


PLAYER_TOOLS = [
    Tool("play_audio", "Start playback (optionally from a position such as 'chorus' or '1:05').", PlayArgs,
         play_audio, "player"),
    Tool("pause_audio", "Pause playback.", NoPlayerArgs, pause_audio, "player"),
    Tool("stop_audio", "Stop playback and go back to the start.", NoPlayerArgs, stop_audio, "player"),
    Tool("seek_audio", "Move the playhead to a position.", SeekArgs, seek_audio, "player"),
    Tool("set_volume", "Set the playback volume in percent.", VolumeArgs, set_volume, "player"),
]
