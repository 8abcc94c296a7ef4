"""One error shape for every failure: ``{"error": {"code", "message"}}`` with a fitting status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..assistant.providers.secret import scrub
from ..model.errors import ModelError

log = logging.getLogger(__name__)

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "not_allowed",
                 409: "conflict", 413: "too_large", 415: "unsupported_media", 416: "bad_range", 422: "invalid",
                 500: "internal", 503: "unavailable"}


class ApiError(Exception):
    """Raised by routes; becomes the error envelope."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _STATUS_CODES.get(status, "error")
        self.message = message


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def error_body(status: int, message: str, code: str | None = None) -> dict:
    return {"error": {"code": code or _STATUS_CODES.get(status, "error"), "message": scrub(message)}}


def _workspace_status(message: str) -> int:
    """A name that cannot exist (traversal, bad characters) is simply not found; taken names conflict.
    Create/rename validate new names themselves and answer 400 with the reason."""
    return 409 if "already exists" in message.lower() else 404


def install_error_handlers(app: FastAPI) -> None:
    from ..storage.errors import ProjectFileError, WorkspaceError

    @app.exception_handler(ApiError)
    async def _api(_r: Request, e: ApiError) -> JSONResponse:
        body = error_body(e.status, e.message, e.code)
        if getattr(e, "issues", None):
            body["error"]["issues"] = e.issues  # type: ignore[attr-defined]
        return JSONResponse(body, status_code=e.status)

    from .projects import ProjectLockedError

    @app.exception_handler(ProjectLockedError)
    async def _locked(_r: Request, e: ProjectLockedError) -> JSONResponse:
        return JSONResponse(error_body(409, str(e), "locked"), status_code=409)

    @app.exception_handler(ModelError)
    async def _model(_r: Request, e: ModelError) -> JSONResponse:
        return JSONResponse(error_body(422, str(e)), status_code=422)

    @app.exception_handler(WorkspaceError)
    async def _ws(_r: Request, e: WorkspaceError) -> JSONResponse:
        status = _workspace_status(str(e))
        return JSONResponse(error_body(status, str(e)), status_code=status)

    @app.exception_handler(ProjectFileError)
    async def _file(_r: Request, e: ProjectFileError) -> JSONResponse:
        return JSONResponse(error_body(422, str(e)), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(_r: Request, e: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(x) for x in err.get('loc', ()))}: {err.get('msg')}" for err in e.errors())
        return JSONResponse(error_body(400, f"invalid request: {problems}"), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_r: Request, e: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(e.status_code, str(e.detail)), status_code=e.status_code,
                            headers=getattr(e, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(_r: Request, e: Exception) -> JSONResponse:
        log.exception("unhandled error: %s", type(e).__name__)
        return JSONResponse(error_body(500, f"internal error ({type(e).__name__}); see the server log"),
                            status_code=500)
