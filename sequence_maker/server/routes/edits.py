"""Balls, segments, undo/redo and checkpoints — thin adapters over ProjectEditor."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request

from ...model import codec
from ...model.errors import ModelError
from ..errors import ApiError
from ..projects import ProjectHandle
from ._common import body_dict, edit, handle, need_int, services

router = APIRouter(prefix="/api/projects/{name}", tags=["edits"])
_UNSET: Any = object()


def _segments(b: dict[str, Any]) -> list:
    raw = b.get("segments")
    if not isinstance(raw, list):
        raise ApiError(400, "'segments' must be a list of segments")
    return [codec.segment_from_dict(s, f"segments[{i}]") for i, s in enumerate(raw)]


# --- balls -------------------------------------------------------------------------------------
@router.post("/balls")
async def add_ball(request: Request, name: str, body: Any = Body(default={})) -> dict[str, Any]:
    b = body_dict(body)
    pixels = need_int(b, "default_pixels", 4)
    return await edit(request, name, lambda h: {"index": h.editor.add_ball(b.get("name"), pixels)}, "Add ball")


@router.patch("/balls/{ball}")
async def patch_ball(request: Request, name: str, ball: int, body: Any = Body(...)) -> dict[str, Any]:
    b = body_dict(body)
    pixels = need_int(b, "default_pixels", None) if b.get("default_pixels") is not None else None
    return await edit(request, name, lambda h: h.editor.set_ball_props(ball, b.get("name"), pixels), "Ball settings")


@router.delete("/balls/{ball}")
async def delete_ball(request: Request, name: str, ball: int) -> dict[str, Any]:
    return await edit(request, name, lambda h: h.editor.remove_ball(ball), "Remove ball")


@router.get("/balls/{ball}/segments")
async def get_segments(request: Request, name: str, ball: int) -> dict[str, Any]:
    h = await handle(request, name)
    return {"ball": ball, "segments": [codec.segment_to_dict(s) for s in h.doc.project.ball(ball).segment_list()]}


@router.post("/balls/{ball}/segments")
async def paint(request: Request, name: str, ball: int, body: Any = Body(...)) -> dict[str, Any]:
    segs = _segments(body_dict(body))
    return await edit(request, name, lambda h: h.editor.paint(ball, segs), "Add segment")


@router.put("/balls/{ball}/segments")
async def replace_segments(request: Request, name: str, ball: int, body: Any = Body(...)) -> dict[str, Any]:
    segs = _segments(body_dict(body))
    return await edit(request, name, lambda h: h.editor.set_segments(ball, segs), "Replace timeline")


@router.patch("/balls/{ball}/segments/{t_ms}")
async def modify_segment(request: Request, name: str, ball: int, t_ms: int, body: Any = Body(...)) -> dict[str, Any]:
    b = body_dict(body)
    unknown = set(b) - {"start_ms", "end_ms", "color", "end_color", "pixels", "effect"}
    if unknown:
        raise ApiError(400, f"unknown field(s) {sorted(unknown)}")
    kw: dict[str, Any] = {}
    for k in ("start_ms", "end_ms", "pixels"):
        if b.get(k) is not None:
            kw[k] = need_int(b, k)
    for k in ("color", "end_color"):
        if k in b:
            kw[k] = b[k]
    if "effect" in b:
        kw["effect"] = codec.effect_from_dict(b["effect"], "effect")

    def run(h: ProjectHandle) -> dict[str, Any]:
        seg = h.editor.modify_segment(ball, t_ms, **kw)
        return {"segment": codec.segment_to_dict(seg)}
    return await edit(request, name, run, "Modify segment")


@router.post("/balls/{ball}/segments/{t_ms}/move")
async def move_segment(request: Request, name: str, ball: int, t_ms: int, body: Any = Body(...)) -> dict[str, Any]:
    b = body_dict(body)
    start = need_int(b, "new_start_ms")
    to_ball = need_int(b, "to_ball") if b.get("to_ball") is not None else None
    return await edit(request, name, lambda h: {"segment": codec.segment_to_dict(
        h.editor.move_segment(ball, t_ms, start, to_ball))}, "Move segment")


@router.delete("/balls/{ball}/segments/{t_ms}")
async def delete_segment(request: Request, name: str, ball: int, t_ms: int) -> dict[str, Any]:
    return await edit(request, name, lambda h: {"segment": codec.segment_to_dict(
        h.editor.delete_segment(ball, t_ms))}, "Delete segment")


@router.post("/balls/{ball}/erase")
async def erase(request: Request, name: str, ball: int, body: Any = Body(...)) -> dict[str, Any]:
    b = body_dict(body)
    start, end = need_int(b, "start_ms"), need_int(b, "end_ms")
    if end <= start:
        raise ApiError(400, f"end_ms ({end}) must be after start_ms ({start})")
    return await edit(request, name, lambda h: h.editor.erase(ball, start, end), "Erase range")


# --- undo / redo ------------------------------------------------------------------------------
def _history_op(op: str):
    async def run(request: Request, name: str) -> dict[str, Any]:
        def do(h: ProjectHandle) -> dict[str, Any]:
            try:
                step = getattr(h.editor, op)()
            except ModelError as e:
                raise ApiError(409, str(e)) from None
            return {"label": step.label}
        return await edit(request, name, do)
    return run


router.add_api_route("/undo", _history_op("undo"), methods=["POST"])
router.add_api_route("/redo", _history_op("redo"), methods=["POST"])


# --- checkpoints ------------------------------------------------------------------------------
@router.get("/checkpoints")
async def list_checkpoints(request: Request, name: str) -> dict[str, Any]:
    h = await handle(request, name)
    return {"checkpoints": [cp.info() for cp in h.doc.history.checkpoints]}


@router.post("/checkpoints", status_code=201)
async def create_checkpoint(request: Request, name: str, body: Any = Body(default={})) -> dict[str, Any]:
    label = body_dict(body).get("name") or "checkpoint"
    if not isinstance(label, str) or len(label) > 200:
        raise ApiError(400, "checkpoint name must be text of at most 200 characters")
    h = await handle(request, name)
    with h.doc.lock:
        cp = h.editor.checkpoint(label)
        h.doc.mark_dirty()
    services(request).projects._schedule_save(h)
    return cp.info()


def _find(h: ProjectHandle, cp_id: str):
    try:
        return h.doc.history.find_checkpoint(cp_id)
    except ModelError as e:
        raise ApiError(404, str(e)) from None


@router.post("/checkpoints/{cp_id}/restore")
async def restore_checkpoint(request: Request, name: str, cp_id: str) -> dict[str, Any]:
    h = await handle(request, name)
    cp = _find(h, cp_id)
    return await edit(request, name, lambda h: {"label": h.editor.restore_checkpoint(cp.id).label})


@router.get("/checkpoints/{cp_id}/diff")
async def diff_checkpoint(request: Request, name: str, cp_id: str) -> dict[str, Any]:
    h = await handle(request, name)
    cp = _find(h, cp_id)
    with h.doc.lock:
        d = h.doc.history.diff(h.doc.project, cp.id)
    seg = codec.segment_to_dict
    return {
        "checkpoint": cp.info(), "counts": d.counts(), "empty": d.empty,
        "props": {k: [_plain(a), _plain(b)] for k, (a, b) in d.props.items()},
        "balls_added": d.balls_added, "balls_removed": d.balls_removed,
        "balls": [{"ball": b.ball, "name": b.name, "added": [seg(s) for s in b.added],
                   "removed": [seg(s) for s in b.removed], "changed": [[seg(a), seg(c)] for a, c in b.changed]}
                  for b in d.balls if not b.empty],
    }


def _plain(v: Any) -> Any:
    from ...model.grid import BeatGrid
    from ...model.lyrics import Lyrics
    from ...model.project import AudioRef

    if isinstance(v, BeatGrid):
        return {"beats": len(v.beats_ms), "tempo_bpm": v.tempo_bpm}
    if isinstance(v, Lyrics):
        return {"words": len(v.words), "lines": len(v.lines)}
    if isinstance(v, AudioRef):
        return codec.audio_to_dict(v)
    if isinstance(v, tuple):
        return list(v)
    return v
