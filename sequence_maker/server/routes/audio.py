"""Song upload and streaming (HTTP ranges), waveform peaks, analysis jobs and grid edits."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body, File, Request, UploadFile
from fastapi.responses import FileResponse

from ...model import codec
from ...model.project import AudioRef
from ..errors import ApiError
from ..projects import ProjectHandle
from ..settings import AUDIO_TYPES
from ..uploads import inside, receive_to_temp, safe_suffix
from ._common import body_dict, edit, handle, services

router = APIRouter(prefix="/api", tags=["audio"])


def audio_path(request: Request, h: ProjectHandle) -> Path:
    """The project's song file, only if it lies inside the workspace or data dir (else 404)."""
    s = services(request)
    a = h.doc.project.audio
    if a is None:
        raise ApiError(404, "this project has no song yet")
    p = Path(a.path)
    if not p.is_absolute() and h.doc.path is not None:
        p = h.doc.path.parent / p
    if not inside(p, s.settings.workspace, s.settings.data_dir):
        raise ApiError(404, "the project's song file is not available")
    return p


@router.post("/projects/{name}/audio")
async def upload_audio(request: Request, name: str, file: UploadFile = File(...)) -> dict[str, Any]:
    s = services(request)
    h = await handle(request, name)
    s.require_idle(h)
    ext = safe_suffix(file.filename, AUDIO_TYPES, "the song")
    ctype = (file.content_type or "").lower()
    if ctype and not (ctype.startswith("audio/") or ctype in ("application/octet-stream", "video/mp4", "application/ogg")):
        raise ApiError(415, f"the song must be an audio file (got content type {ctype!r})")
    tmp, sha, _size = await receive_to_temp(file, s.settings.uploads_dir, s.settings.max_upload_bytes, ext)
    final = s.settings.uploads_dir / f"{sha}{ext}"
    try:
        from ...audio import probe

        info = await asyncio.to_thread(probe, tmp)
    except Exception as e:
        tmp.unlink(missing_ok=True)
        raise ApiError(415, f"cannot read {file.filename!r} as audio: {e}") from None
    os.replace(tmp, final)
    duration_ms = int(round(info.duration_s * 1000))
    ref = AudioRef(str(final), sha, duration_ms)

    def run(h: ProjectHandle) -> dict[str, Any]:
        p = h.doc.project
        longest = max((b.end_ms() or 0 for b in p.balls), default=0)
        new_duration = duration_ms if duration_ms > 0 and longest <= duration_ms else None
        h.editor.set_project_props(audio=ref, duration_ms=new_duration)
        h.extra.pop("analysis", None)
        return {"audio": codec.audio_to_dict(ref)}
    return await edit(request, name, run, "Set song")


@router.get("/projects/{name}/audio")
async def stream_audio(request: Request, name: str) -> FileResponse:
    h = await handle(request, name)
    p = audio_path(request, h)
    return FileResponse(p, media_type=AUDIO_TYPES.get(p.suffix.lower(), "application/octet-stream"))


@router.get("/projects/{name}/peaks")
async def waveform_peaks(request: Request, name: str, points: int = 2000) -> dict[str, Any]:
    if not 10 <= points <= 200_000:
        raise ApiError(400, "points must be between 10 and 200000")
    h = await handle(request, name)
    p = audio_path(request, h)

    def compute() -> dict[str, Any]:
        from ...audio.peaks import peak_pyramid

        pyr = peak_pyramid(p)
        total = len(pyr.mins[0]) * pyr.base
        per = max(pyr.base, -(-total // points))
        arr = pyr.peaks(per)
        return {"duration_ms": int(total * 1000 / pyr.sample_rate), "points": len(arr),
                "samples_per_point": per, "sample_rate": pyr.sample_rate,
                "min": [round(float(x), 4) for x in arr[:, 0]], "max": [round(float(x), 4) for x in arr[:, 1]]}
    return await asyncio.to_thread(compute)


@router.post("/projects/{name}/analysis", status_code=202)
async def start_analysis(request: Request, name: str, body: Any = Body(default={})) -> dict[str, Any]:
    s = services(request)
    apply_grid = body_dict(body).get("apply_grid", True)
    h = await handle(request, name)
    path = audio_path(request, h)
    running = s.jobs.running_for(h.name, "analysis")
    if running is not None:
        return running.info()
    loop = asyncio.get_running_loop()

    def work(job, report):
        from ...audio import analyze

        return analyze(path, progress=report)

    def done(job) -> None:
        h.extra["analysis"] = job.result.to_json()
        if apply_grid:
            from ...audio import to_grid

            grid = to_grid(job.result)

            def apply() -> None:
                if h.busy_request_id is None:
                    with h.doc.lock:
                        h.editor.set_grid(grid, "Beat grid from analysis")
            loop.call_soon_threadsafe(apply)
    return s.jobs.submit("analysis", h.name, work, done).info()


@router.get("/projects/{name}/analysis")
async def get_analysis(request: Request, name: str) -> dict[str, Any]:
    h = await handle(request, name)
    a = h.extra.get("analysis")
    if a is None:
        raise ApiError(404, "this song has not been analysed yet (POST …/analysis)")
    return a


@router.get("/jobs/{job_id}")
async def get_job(request: Request, job_id: str) -> dict[str, Any]:
    job = services(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"no job {job_id!r}")
    return job.info()


@router.delete("/jobs/{job_id}")
async def cancel_job(request: Request, job_id: str) -> dict[str, Any]:
    s = services(request)
    job = s.jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"no job {job_id!r}")
    s.jobs.cancel(job_id)
    return job.info()


@router.put("/projects/{name}/grid")
async def put_grid(request: Request, name: str, body: Any = Body(...)) -> dict[str, Any]:
    b = body_dict(body)
    if "grid" not in b:
        raise ApiError(400, "missing required field 'grid' (object or null)")
    grid = codec.grid_from_dict(b["grid"], "grid")
    return await edit(request, name, lambda h: h.editor.set_grid(grid), "Edit beat grid")


@router.post("/projects/{name}/grid/edit")
async def grid_edit(request: Request, name: str, body: Any = Body(...)) -> dict[str, Any]:
    import importlib
    import inspect

    b = body_dict(body)
    op, args = b.get("op"), b.get("args") or {}
    if not isinstance(args, dict):
        raise ApiError(400, "'args' must be an object")
    try:
        module = importlib.import_module("sequence_maker.audio.grid_edit")
    except ImportError:
        raise ApiError(503, "grid editing is not available in this build") from None
    ops = sorted(n for n, f in vars(module).items() if inspect.isfunction(f) and not n.startswith("_")
                 and f.__module__ == module.__name__
                 and next(iter(inspect.signature(f).parameters), None) == "grid")
    if op not in ops:
        raise ApiError(400, f"unknown grid op {op!r}; valid ops: {', '.join(ops)}")
    fn = getattr(module, op)

    def run(h: ProjectHandle) -> dict[str, Any]:
        if h.doc.project.grid is None:
            raise ApiError(409, "this project has no beat grid yet; analyse the song first")
        try:
            new = fn(h.doc.project.grid, **args)
        except TypeError as e:
            raise ApiError(400, f"bad arguments for {op}: {e}") from None
        except ValueError as e:
            raise ApiError(422, str(e)) from None
        h.editor.set_grid(new, f"Grid: {op.replace('_', ' ')}")
        return {"grid": codec.grid_to_dict(new)}
    return await edit(request, name, run)
