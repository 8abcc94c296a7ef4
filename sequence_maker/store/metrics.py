"""Per-request LLM metrics: the store side of the providers' ``MetricsSink`` plus aggregates.

Percentiles are computed in Python over the rows of the window: a studio records at most a few
thousand requests a day, so this is simple and identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..assistant.providers.secret import scrub
from .tables import RequestMetricRow

MAX_ROWS_IN_WINDOW = 100_000


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..1); None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _row_dict(r: RequestMetricRow) -> dict[str, Any]:
    return {"id": r.id, "at": r.at, "provider": r.provider, "model": r.model, "ttft_s": r.ttft_s,
            "duration_s": r.duration_s, "input_tokens": r.input_tokens, "output_tokens": r.output_tokens,
            "cached_input_tokens": r.cached_input_tokens, "tokens_per_s": r.tokens_per_s,
            "cost_usd": r.cost_usd, "cost_estimated": r.cost_estimated, "usage_estimated": r.usage_estimated,
            "retries": r.retries, "tool_calls": r.tool_calls, "finish_reason": r.finish_reason,
            "error": r.error}


class MetricsRepository:
    """Implements ``MetricsSink.record`` (so providers write here directly) and the read side."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._s = sessions

    def record(self, metrics: Any) -> None:
        """Persist one ``RequestMetrics``; error text is scrubbed of anything key-shaped."""
        m = metrics
        row = RequestMetricRow(
            at=float(m.started_at or time.time()), provider=str(m.provider)[:64], model=str(m.model)[:128],
            ttft_s=m.ttft_s, duration_s=float(m.duration_s or 0.0), input_tokens=int(m.input_tokens or 0),
            output_tokens=int(m.output_tokens or 0), cached_input_tokens=int(m.cached_input_tokens or 0),
            tokens_per_s=m.tokens_per_s, cost_usd=m.cost_usd, usage_estimated=bool(m.usage_estimated),
            cost_estimated=bool(m.cost_estimated), retries=int(m.retries or 0), tool_calls=int(m.tool_calls or 0),
            finish_reason=m.finish_reason, error=scrub(m.error)[:2000] if m.error else None,
            request_id=m.request_id,
        )
        with self._s.begin() as s:
            s.add(row)

    def _rows(self, since: float) -> list[RequestMetricRow]:
        with self._s() as s:
            return list(s.scalars(select(RequestMetricRow).where(RequestMetricRow.at >= since)
                                  .order_by(RequestMetricRow.at.desc()).limit(MAX_ROWS_IN_WINDOW)).all())

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._s() as s:
            rows = s.scalars(select(RequestMetricRow).order_by(RequestMetricRow.at.desc(), RequestMetricRow.id.desc())
                             .limit(max(1, min(limit, 1000)))).all()
            return [_row_dict(r) for r in rows]

    def summary(self, window_s: float | None = 3600.0, now: float | None = None) -> list[dict[str, Any]]:
        """One group per (provider, model) over the window (None = all time)."""
        now = time.time() if now is None else now
        rows = self._rows(0.0 if window_s is None else now - window_s)
        groups: dict[tuple[str, str], list[RequestMetricRow]] = defaultdict(list)
        for r in rows:
            groups[(r.provider, r.model)].append(r)
        out = []
        for (provider, model), rs in sorted(groups.items()):
            ok = [r for r in rs if not r.error]
            ttft = [r.ttft_s for r in ok if r.ttft_s is not None]
            dur = [r.duration_s for r in ok]
            tps = [r.tokens_per_s for r in ok if r.tokens_per_s is not None]
            costs = [r.cost_usd for r in rs if r.cost_usd is not None]
            out.append({
                "provider": provider, "model": model, "requests": len(rs),
                "errors": sum(1 for r in rs if r.error), "retries": sum(r.retries for r in rs),
                "ttft_p50_s": percentile(ttft, 0.5), "ttft_p95_s": percentile(ttft, 0.95),
                "duration_p50_s": percentile(dur, 0.5), "duration_p95_s": percentile(dur, 0.95),
                "tokens_per_s_p50": percentile(tps, 0.5), "tokens_per_s_p95": percentile(tps, 0.95),
                "input_tokens": sum(r.input_tokens for r in rs), "output_tokens": sum(r.output_tokens for r in rs),
                "total_tokens": sum(r.input_tokens + r.output_tokens for r in rs),
                "cost_usd": round(sum(costs), 6) if costs else None,
            })
        return out
