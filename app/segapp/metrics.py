"""Prometheus metrics: requests by route and status, request latency, inference time.

Under uWSGI every worker is its own process: the vassal sets PROMETHEUS_MULTIPROC_DIR
so that /metrics sums all workers (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "segapp_requests", "HTTP requests by route and status.", ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "segapp_request_duration_seconds", "Time to answer a request, by route.", ["route"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.inference = Histogram(
            "segapp_inference_duration_seconds", "Time spent in the model per image.",
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
