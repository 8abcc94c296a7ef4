"""Export (.prg per ball, zip of all) and import of earlier tools' files and project files."""

from __future__ import annotations

import asyncio
import io
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from ..errors import ApiError
from ..projects import ProjectHandle
from ..uploads import receive_to_temp, safe_suffix
from ._common import edit, handle, services

router = APIRouter(prefix="/api", tags=["export"])
IMPORT_TYPES = (".prg", ".prg.json", ".ball.json", ".seqdesign.json", ".json")
PROJECT_TYPES = (".smproj",)
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _issue(i: Any) -> dict[str, Any]:
    return {"severity": i.severity, "level": i.severity, "ball": i.ball, "time_ms": i.time_ms,
            "message": i.message, "fix": i.fix, "text": i.describe()}


def _download(data: bytes, filename: str, media: str) -> Response:
    return Response(data, media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def _export_error(e: Exception) -> ApiError:
    err = ApiError(422, str(e), "export_refused")
    err.issues = [_issue(i) for i in getattr(e, "issues", [])]  # type: ignore[attr-defined]
    return err


@router.get("/projects/{name}/lint")
async def lint(request: Request, name: str, rate: int | None = None) -> dict[str, Any]:
    from ...formats.lint import lint_project

    h = await handle(request, name)
    with h.doc.lock:
        issues = lint_project(h.doc.project, rate)
    return {"issues": [_issue(i) for i in issues]}


@router.get("/projects/{name}/export/{ball}.prg")
async def export_ball(request: Request, name: str, ball: int, rate: int | None = None) -> Response:
    from ...formats.errors import FormatError
    from ...formats.export import ball_file_stem, project_to_prg_bytes

    h = await handle(request, name)
    p = h.doc.project
    if not 0 <= ball < len(p.balls):
        raise ApiError(404, f"no ball {ball} (0-based); the project has {len(p.balls)}")
    try:
        with h.doc.lock:
            data = project_to_prg_bytes(p, ball, rate)
    except FormatError as e:
        raise _export_error(e) from None
    return _download(data, f"{ball_file_stem(p.balls[ball].name, ball, set())}.prg", "application/octet-stream")


@router.get("/projects/{name}/export.zip")
async def export_zip(request: Request, name: str, rate: int | None = None) -> Response:
    from ...formats.errors import FormatError
    from ...formats.export import ball_file_stem, project_to_prg_bytes

    h = await handle(request, name)
    p = h.doc.project
    if not p.balls:
        raise ApiError(422, "the project has no balls to export")
    buf = io.BytesIO()
    taken: set[str] = set()
    try:
        with h.doc.lock, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for i, b in enumerate(p.balls):
                z.writestr(f"{ball_file_stem(b.name, i, taken)}.prg", project_to_prg_bytes(p, i, rate))
    except FormatError as e:
        raise _export_error(e) from None
    return _download(buf.getvalue(), f"{h.name}.zip", "application/zip")


async def _imported_project(request: Request, file: UploadFile):
    """(kind, object) — a ProjectDocument for .smproj, else a one-ball Project from an earlier tool."""
    from ...formats.errors import FormatError
    from ...formats.importers import import_file
    from ...storage import ProjectDocument

    s = services(request)
    ext = safe_suffix(file.filename, IMPORT_TYPES + PROJECT_TYPES, "the imported file")
    tmp, _sha, _size = await receive_to_temp(file, s.settings.data_dir / "tmp", MAX_IMPORT_BYTES, "")
    folder = Path(tempfile.mkdtemp(prefix=".import-", dir=tmp.parent))
    base = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or f"upload{ext}"
    named = folder / base  # the importers take the project/ball name from the file name
    try:
        tmp.rename(named)
        if ext in PROJECT_TYPES:
            data = await asyncio.to_thread(named.read_bytes)
            return "document", await asyncio.to_thread(ProjectDocument.from_bytes, data, base)
        try:
            return "project", await asyncio.to_thread(import_file, named)
        except FormatError as e:
            raise ApiError(422, str(e).replace(str(named), base)) from None
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


@router.post("/projects/{name}/import")
async def import_into(request: Request, name: str, file: UploadFile = File(...),
                      ball: int | None = Form(default=None)) -> dict[str, Any]:
    kind, obj = await _imported_project(request, file)
    if kind != "project" or not obj.balls:
        raise ApiError(415, "import a .prg / .prg.json / .ball.json / .seqdesign.json timeline here; "
                            "open .smproj files with POST /api/import")
    src = obj.balls[0]

    def run(h: ProjectHandle) -> dict[str, Any]:
        segs = src.segment_list()
        if ball is None:
            return {"index": h.editor.add_ball(src.name, src.default_pixels, segments=segs)}
        h.editor.set_segments(ball, segs, f"Import {file.filename}")
        return {"index": ball}
    return await edit(request, name, run, f"Import {file.filename}")


@router.post("/import", status_code=201)
async def import_new(request: Request, file: UploadFile = File(...), name: str | None = Form(default=None)) -> dict:
    from ...storage import ProjectDocument

    kind, obj = await _imported_project(request, file)
    doc = obj if kind == "document" else ProjectDocument(obj)
    target = name or (doc.project.name if kind == "document" else obj.name)
    h = await asyncio.to_thread(services(request).projects.adopt, target, doc)
    return h.view()
