"""LLM request metrics: JSON for the diagnostics panel, Prometheus text for operators."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from ..errors import ApiError
from ._common import services

router = APIRouter(tags=["metrics"])


@router.get("/api/metrics")
async def metrics(request: Request, window_s: float | None = 3600, recent: int = 50) -> dict[str, Any]:
    if window_s is not None and window_s <= 0:
        raise ApiError(400, "window_s must be positive (or omitted for the last hour)")
    if not 0 <= recent <= 1000:
        raise ApiError(400, "recent must be between 0 and 1000")
    s = services(request)
    groups = await asyncio.to_thread(s.store.metrics.summary, window_s)
    rows = await asyncio.to_thread(s.store.metrics.recent, recent) if recent else []
    return {"window_s": window_s, "groups": groups, "recent": rows}


def _label(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def prometheus_text(groups: list[dict[str, Any]], ws_connections: int) -> str:
    lines: list[str] = []

    def family(name: str, kind: str, help_text: str) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")

    def labels(g: dict[str, Any], **extra: str) -> str:
        items = {"provider": g["provider"], "model": g["model"], **extra}
        return "{" + ",".join(f'{k}="{_label(str(v))}"' for k, v in items.items()) + "}"

    family("seqmaker_llm_requests_total", "counter", "LLM requests made")
    lines += [f"seqmaker_llm_requests_total{labels(g)} {g['requests']}" for g in groups]
    family("seqmaker_llm_errors_total", "counter", "LLM requests that failed")
    lines += [f"seqmaker_llm_errors_total{labels(g)} {g['errors']}" for g in groups]
    family("seqmaker_llm_retries_total", "counter", "Retries inside LLM requests")
    lines += [f"seqmaker_llm_retries_total{labels(g)} {g['retries']}" for g in groups]
    family("seqmaker_llm_tokens_total", "counter", "Tokens by direction")
    for g in groups:
        lines.append(f"seqmaker_llm_tokens_total{labels(g, direction='input')} {g['input_tokens']}")
        lines.append(f"seqmaker_llm_tokens_total{labels(g, direction='output')} {g['output_tokens']}")
    family("seqmaker_llm_cost_usd_total", "counter", "Cost in US dollars (where known)")
    lines += [f"seqmaker_llm_cost_usd_total{labels(g)} {g['cost_usd'] or 0}" for g in groups]
    for metric, key in (("seqmaker_llm_ttft_seconds", "ttft"), ("seqmaker_llm_duration_seconds", "duration")):
        family(metric, "summary", f"{key} of LLM requests")
        for g in groups:
            for q, k in (("0.5", f"{key}_p50_s"), ("0.95", f"{key}_p95_s")):
                if g.get(k) is not None:
                    lines.append(f"{metric}{labels(g, quantile=q)} {g[k]:.6f}")
    family("seqmaker_ws_connections", "gauge", "Open WebSocket connections")
    lines.append(f"seqmaker_ws_connections {ws_connections}")
    return "\n".join(lines) + "\n"


@router.get("/metrics", response_class=PlainTextResponse)
async def prometheus(request: Request) -> PlainTextResponse:
    s = services(request)
    groups = await asyncio.to_thread(s.store.metrics.summary, None)
    return PlainTextResponse(prometheus_text(groups, len(s.connections)),
                             media_type="text/plain; version=0.0.4; charset=utf-8")
