"""Timed lyrics: import a file into a project, export .lrc/.xtiming, edit word timing (undoable)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Body, File, Request, UploadFile
from fastapi.responses import Response

from ...model import codec
from ..errors import ApiError
from ..uploads import receive_to_temp, safe_suffix
from ._common import body_dict, edit, handle, need_int, services

router = APIRouter(prefix="/api/projects/{name}/lyrics", tags=["lyrics"])
LYRIC_TYPES = (".lrc", ".xtiming", ".json", ".txt")
MAX_LYRICS_BYTES = 5 * 1024 * 1024


def _lyrics_error(e: Exception) -> ApiError:
    return ApiError(422, str(e), "invalid")


@router.get("")
async def get_lyrics(request: Request, name: str) -> dict[str, Any]:
    h = await handle(request, name)
    return {"lyrics": codec.lyrics_to_dict(h.doc.project.lyrics)}


@router.post("")
async def import_lyrics(request: Request, name: str, file: UploadFile = File(...)) -> dict[str, Any]:
    from ...lyrics import LyricsError, load_lyrics

    suffix = safe_suffix(file.filename, LYRIC_TYPES, "a lyrics file")
    await handle(request, name)  # 404 before receiving the upload
    folder = services(request).settings.data_dir / "uploads"
    tmp, _sha, _size = await receive_to_temp(file, folder, MAX_LYRICS_BYTES, suffix)
    try:
        ly = await asyncio.to_thread(load_lyrics, tmp)
    except LyricsError as e:
        raise ApiError(422, str(e).replace(str(tmp), file.filename or "lyrics"), "invalid") from None
    finally:
        tmp.unlink(missing_ok=True)
    label = f"Import lyrics ({file.filename})"
    out = await edit(request, name, lambda hh: hh.editor.set_lyrics(ly, label), label)
    out["words"], out["lines"] = len(ly.words), len(ly.lines)
    return out


@router.delete("")
async def delete_lyrics(request: Request, name: str) -> dict[str, Any]:
    return await edit(request, name, lambda h: h.editor.set_lyrics(None, "Remove lyrics"), "Remove lyrics")


@router.get(".{fmt}")
async def export_lyrics(request: Request, name: str, fmt: str) -> Response:
    from ...lyrics import LyricsError, to_lrc, to_xtiming

    h = await handle(request, name)
    ly = h.doc.project.lyrics
    if ly is None:
        raise ApiError(404, "this project has no lyrics")
    try:
        if fmt == "lrc":
            text, media = to_lrc(ly, word_tags=True), "text/plain; charset=utf-8"
        elif fmt == "xtiming":
            text, media = to_xtiming(ly, ly.title or h.doc.project.name), "application/xml"
        else:
            raise ApiError(404, f"unknown lyrics format {fmt!r}; use .lrc or .xtiming")
    except LyricsError as e:
        raise _lyrics_error(e) from None
    return Response(text.encode("utf-8"), media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(h.doc.project.name)}.{fmt}"})


@router.post("/words/{index}")
async def edit_word(request: Request, name: str, index: int, body: Any = Body(...)) -> dict[str, Any]:
    """``{"op": "timing", "start_ms"?, "end_ms"?}`` | ``{"op": "split", "at_ms", "texts"?}`` | ``{"op": "merge"}``."""
    from ...lyrics import LyricsError
    from ...lyrics.edit import merge_words, set_word_timing, split_word

    b = body_dict(body)
    op = b.get("op")

    def apply(h: Any) -> None:
        ly = h.doc.project.lyrics
        if ly is None:
            raise ApiError(404, "this project has no lyrics")
        try:
            if op == "timing":
                new = set_word_timing(ly, index, need_int(b, "start_ms", None) if b.get("start_ms") is not None else None,
                                      need_int(b, "end_ms", None) if b.get("end_ms") is not None else None)
            elif op == "split":
                texts = b.get("texts")
                if texts is not None and not (isinstance(texts, list) and len(texts) == 2
                                              and all(isinstance(t, str) for t in texts)):
                    raise ApiError(400, "'texts' must be a list of two strings")
                new = split_word(ly, index, need_int(b, "at_ms"), tuple(texts) if texts else None)
            elif op == "merge":
                new = merge_words(ly, index)
            else:
                raise ApiError(400, "op must be one of: timing, split, merge")
        except LyricsError as e:
            raise _lyrics_error(e) from None
        h.editor.set_lyrics(new, f"Edit lyric word #{index + 1}")

    return await edit(request, name, apply, f"Edit lyric word #{index + 1}")
