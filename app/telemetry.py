"""OpenTelemetry traces of runs: run → agent → LLM call / tool call / side effect.

A run's work is spread over steps, processes and replays, so spans are not held open:
each one is emitted once, when the timeline row of the thing it measures is first written,
with its real start and end times. Trace and span ids are derived from the run id and the
event's key, so a span emitted by another process (or after a restart) still lands under
its parent in the same trace. Attributes follow the GenAI semantic conventions.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

RUN_SPAN = "run"

_forced_ids: ContextVar[tuple[int, int] | None] = ContextVar("fixer_span_ids", default=None)
_provider: TracerProvider | None = None


class RunIdGenerator(RandomIdGenerator):
    """Gives the ids :func:`emit_span` asks for, so a run's spans share one derived trace."""

    def generate_span_id(self) -> int:
        forced = _forced_ids.get()
        return forced[1] if forced else super().generate_span_id()

    def generate_trace_id(self) -> int:
        forced = _forced_ids.get()
        return forced[0] if forced else super().generate_trace_id()


def _hash_int(text: str, bits: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[: bits // 4], 16) or 1


def trace_id_of(run_id: str) -> str:
    """The run's trace id as the 32 hex digits tracing backends show."""
    return format(_hash_int(run_id, 128), "032x")


def span_id_of(run_id: str, key: str) -> int:
    return _hash_int(f"{run_id}\x00{key}", 64)


def configure_tracing(exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Install the tracer: ``exporter`` (tests), else OTLP/HTTP when
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set, else none (spans cost nothing)."""
    global _provider
    if exporter is None and not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return _provider
    provider = TracerProvider(
        resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "fixer")}),
        id_generator=RunIdGenerator(),
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if _provider is not None:
        _provider.shutdown()
    _provider = provider
    return provider


def shutdown_tracing() -> None:
    global _provider
    if _provider is not None:
        _provider.shutdown()
        _provider = None


@contextmanager
def _ids(trace_id: int, span_id: int) -> Iterator[None]:
    token = _forced_ids.set((trace_id, span_id))
    try:
        yield
    finally:
        _forced_ids.reset(token)


def emit_span(
    run_id: str,
    key: str,
    name: str,
    *,
    parent_key: str | None,
    start_ns: int,
    end_ns: int,
    attributes: Mapping[str, Any],
    error: bool = False,
) -> None:
    """Emit one finished span of ``run_id``'s trace (a no-op when tracing is off)."""
    if _provider is None:
        return
    trace_id = _hash_int(run_id, 128)
    context = None
    if parent_key is not None:
        parent = trace.SpanContext(
            trace_id=trace_id,
            span_id=span_id_of(run_id, parent_key),
            is_remote=True,
            trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
        )
        context = trace.set_span_in_context(trace.NonRecordingSpan(parent))
    tracer = _provider.get_tracer("fixer")
    clean = {k: v for k, v in attributes.items() if v is not None}
    with _ids(trace_id, span_id_of(run_id, key)):
        span = tracer.start_span(name, context=context, attributes=clean, start_time=start_ns)
    if error:
        span.set_status(trace.Status(trace.StatusCode.ERROR))
    span.end(end_time=max(end_ns, start_ns))
