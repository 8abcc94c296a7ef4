"""Simple :class:`~.base.MetricsSink` implementations (the store provides the persistent one)."""

from __future__ import annotations

import logging
from dataclasses import asdict

from .base import RequestMetrics

log = logging.getLogger(__name__)


class ListMetricsSink:
    """Keeps every record in memory (tests, CLI ``providers test``)."""

    def __init__(self) -> None:
        self.records: list[RequestMetrics] = []

    def record(self, metrics: RequestMetrics) -> None:
        self.records.append(metrics)


class LoggingMetricsSink:
    """Logs one line per request at INFO."""

    def record(self, metrics: RequestMetrics) -> None:
        log.info("llm request %s", asdict(metrics))
