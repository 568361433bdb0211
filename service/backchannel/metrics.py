"""Prometheus metrics, defined once so every entry point (API, CLI, eval) counts the same way."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "backchannel_requests_total", "HTTP requests by route and status", ["route", "status"]
)
REQUEST_LATENCY = Histogram(
    "backchannel_request_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
EXTRACTIONS = Counter("backchannel_extractions_total", "Extractions by outcome", ["outcome"])
CACHE = Counter("backchannel_cache_total", "Result cache lookups", ["result"])
MODEL_CALLS = Counter("backchannel_model_calls_total", "Chat completion calls sent to the model")
TOKENS = Counter("backchannel_model_tokens_total", "Tokens reported by the model", ["kind"])
REASKS = Counter("backchannel_model_reasks_total", "Re-asks after output failed validation")
RETRIES = Counter("backchannel_model_retries_total", "Retries after transport failures")
DROPPED = Counter("backchannel_dropped_values_total", "Quoted values dropped as ungrounded")
INFLIGHT = Gauge("backchannel_inflight_extractions", "Extractions waiting for or calling the model")
