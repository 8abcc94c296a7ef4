"""App factory: ``create_app(settings)`` wires store, workspace, assistant, routes, WebSocket, UI."""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from .errors import install_error_handlers
from .security import SecurityMiddleware
from .services import build_services, shutdown
from .settings import ServerSettings
from .ws import websocket_endpoint

log = logging.getLogger(__name__)


def _include_routes(app: FastAPI) -> None:
    """Every module of ``server/routes`` that exposes ``router`` is mounted (UI extras need no edit here)."""
    from . import routes

    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)


def _install_log_redaction(services) -> None:
    from ..store.keys import RedactKeysFilter

    if services.settings.token:  # the access token shows up in request lines (?token=…) of access logs
        services.keys.known.add(services.settings.token)
    f = RedactKeysFilter(services.keys)
    services.log_filter = f
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access", "sequence_maker"):
        logger = logging.getLogger(name)
        logger.addFilter(f)
        for h in logger.handlers:
            h.addFilter(f)


def _remove_log_redaction(services) -> None:
    """Undo :func:`_install_log_redaction` (several apps may live in one process, e.g. tests)."""
    f = getattr(services, "log_filter", None)
    if f is None:
        return
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access", "sequence_maker"):
        logger = logging.getLogger(name)
        logger.removeFilter(f)
        for h in logger.handlers:
            h.removeFilter(f)


async def _housekeeping(services) -> None:
    """Keep this server's project leases alive and close projects nobody uses any more."""
    settings = services.settings
    every = max(0.2, min(settings.lease_ttl_s / 3, settings.idle_close_s / 2))
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(services.projects.renew_leases)
            await asyncio.to_thread(services.projects.close_idle, settings.idle_close_s,
                                    lambda h: services.jobs.running_for(h.name, "analysis") is not None)
        except Exception as e:  # a database hiccup: try again next round
            log.warning("project housekeeping failed: %s", type(e).__name__)


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    settings = (settings or ServerSettings()).resolved()
    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from ..assistant.config import set_key_resolver

        set_key_resolver(lambda profile: services.keys.get(profile.name))
        _install_log_redaction(services)
        if settings.assistant_enabled:
            services.assistant.start()
        else:
            services.assistant.disable()
        renewer = asyncio.create_task(_housekeeping(services))
        try:
            yield
        finally:
            renewer.cancel()
            await shutdown(services)
            set_key_resolver(None)
            _remove_log_redaction(services)

    app = FastAPI(title="Sequence Maker studio", version=__version__, lifespan=lifespan,
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    app.state.services = services
    app.state.settings = settings
    install_error_handlers(app)
    _include_routes(app)
    app.add_api_websocket_route("/ws", websocket_endpoint)
    static = Path(settings.static_dir) if settings.static_dir else None
    if static is not None and (static / "index.html").is_file():
        app.mount("/", StaticFiles(directory=static, html=True), name="static")
    app.add_middleware(SecurityMiddleware, settings=settings)
    return app
