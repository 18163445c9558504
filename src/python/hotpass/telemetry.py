"""OpenTelemetry for refine runs: a span per run and per stage, and the run's metrics.

Off by default, and then nothing is imported: the embedded set-up needs no collector.
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``telemetry.otlp_endpoint``) sends spans and metrics over
OTLP/HTTP; ``telemetry.console`` prints spans to stderr. Attributes carry run ids, stage names,
row counts and durations only - never names, emails or phone numbers (POPIA; a test collects
every span and metric attribute of a refine and looks for the inputs' personal values).
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from hotpass import __version__
from hotpass.faults import crash_point
from hotpass.settings import Settings

OTLP_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
SCOPE = "hotpass"
Attribute = str | int | float | bool


@dataclass
class Stage:
    """One timed stage; ``set`` adds attributes to its span (ids and counts only)."""

    name: str
    span: Any = None
    seconds: float = 0.0
    attributes: dict[str, Attribute] = field(default_factory=dict)

    def set(self, **attributes: Attribute) -> None:
        for key, value in attributes.items():
            self.attributes[f"hotpass.{key}"] = value
            if self.span is not None:
                self.span.set_attribute(f"hotpass.{key}", value)


class Telemetry:
    """Spans and instruments on the given providers, or a no-op when there are none."""

    def __init__(self, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        self._providers = [p for p in (tracer_provider, meter_provider) if p is not None]
        self._tracer = tracer_provider.get_tracer(SCOPE, __version__) if tracer_provider else None
        self._instruments: dict[str, Any] = {}
        if meter_provider is not None:
            meter = meter_provider.get_meter(SCOPE, __version__)
            self._instruments = {
                "rows_in": meter.create_counter(
                    "hotpass.rows.in", unit="{row}", description="rows read from the inputs"
                ),
                "rows_out": meter.create_counter(
                    "hotpass.rows.out", unit="{row}", description="rows accepted by standardise"
                ),
                "rows_quarantined": meter.create_counter(
                    "hotpass.rows.quarantined", unit="{row}", description="rows quarantined"
                ),
                "gate_failures": meter.create_counter(
                    "hotpass.gate.failures",
                    unit="{rule}",
                    description="error rules of the quality gate that failed",
                ),
                "stage_duration": meter.create_histogram(
                    "hotpass.stage.duration", unit="s", description="wall time of a stage"
                ),
            }

    def shutdown(self) -> None:
        """Send what is buffered and stop (once; the CLI calls it when the process ends)."""
        providers, self._providers = self._providers, []
        for provider in providers:
            provider.shutdown()

    @property
    def enabled(self) -> bool:
        return self._tracer is not None or bool(self._instruments)

    @contextmanager
    def stage(self, name: str, **attributes: Attribute) -> Iterator[Stage]:
        """A span ``hotpass.<name>`` (a child of the current one) and a duration sample."""
        stage = Stage(name)
        # Every stage starts and ends here, so the crash-safety tests can kill a run at each
        # boundary (hotpass.faults; a no-op outside those tests).
        crash_point(f"{name}.start")
        started = time.perf_counter()
        if self._tracer is None:
            try:
                stage.set(**attributes)
                yield stage
            finally:
                stage.seconds = time.perf_counter() - started
                self._duration(name, stage.seconds)
            crash_point(f"{name}.end")
            return
        with self._tracer.start_as_current_span(f"hotpass.{name}") as span:
            stage.span = span
            stage.set(**attributes)
            try:
                yield stage
            finally:
                stage.seconds = time.perf_counter() - started
                span.set_attribute("hotpass.seconds", round(stage.seconds, 3))
                self._duration(name, stage.seconds)
        crash_point(f"{name}.end")

    def _duration(self, name: str, seconds: float) -> None:
        if "stage_duration" in self._instruments:
            self._instruments["stage_duration"].record(seconds, {"hotpass.stage": name})

    def rows(self, *, ingested: int, accepted: int, quarantined: int) -> None:
        if self._instruments:
            self._instruments["rows_in"].add(ingested)
            self._instruments["rows_out"].add(accepted)
            self._instruments["rows_quarantined"].add(quarantined)

    def gate_failures(self, count: int) -> None:
        if self._instruments:
            self._instruments["gate_failures"].add(count)


# The process's telemetry: configured once, on first use (providers are process-wide).
_process: dict[str, Telemetry] = {}


def install(telemetry: Telemetry | None) -> None:
    """Use ``telemetry`` for the rest of the process (tests pass in-memory providers);
    None goes back to configuring from settings on the next call."""
    _process.pop("current", None)
    if telemetry is not None:
        _process["current"] = telemetry


def telemetry(settings: Settings) -> Telemetry:
    """The process's telemetry, configured on first use from the settings/environment."""
    if "current" not in _process:
        _process["current"] = _configure(settings)
    return _process["current"]


def otlp_endpoint(settings: Settings) -> str | None:
    """The collector spans go to: ``telemetry.otlp_endpoint``, else the standard variable."""
    return settings.telemetry.otlp_endpoint or os.environ.get(OTLP_ENV) or None


def _configure(settings: Settings) -> Telemetry:
    endpoint = otlp_endpoint(settings)
    if not endpoint and not settings.telemetry.console:
        return Telemetry()
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    resource = Resource.create({"service.name": "hotpass", "service.version": __version__})
    tracer_provider = TracerProvider(resource=resource)
    readers: list[Any] = []
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        base = endpoint.rstrip("/")
        tracer_provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces", timeout=5))
        )
        readers.append(
            PeriodicExportingMetricReader(
                OTLPMetricExporter(endpoint=f"{base}/v1/metrics", timeout=5),
                export_interval_millis=60_000,
            )
        )
    if settings.telemetry.console:
        import sys

        from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

        tracer_provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))
    meter_provider = MeterProvider(resource=resource, metric_readers=readers) if readers else None
    configured = Telemetry(tracer_provider, meter_provider)
    # Spans and metrics still buffered are sent when the process ends (the CLI is short-lived).
    atexit.register(configured.shutdown)
    return configured
