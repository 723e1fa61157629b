"""The distributed chaos bench's timeline: sampled from PostgreSQL, drawn as a PNG.

Every few seconds a sampler reads DBOS's ``workflow_status`` (what a person would look at in
the database): runs in flight (``fix_issue`` workflows PENDING), queue depth (workflows
ENQUEUED on any queue, recovery's internal queue included) and the pull requests opened so
far. Samples taken while PostgreSQL is restarting fail and leave a gap, which is the point.
The picture puts the disruptions (kills, database restarts) on the same time axis.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from PIL import Image, ImageDraw, ImageFont

LIVE_RUNS = """
SELECT count(*) FILTER (WHERE status = 'PENDING' AND name = 'fix_issue'),
       count(*) FILTER (WHERE status = 'ENQUEUED')
FROM dbos.workflow_status
"""


@dataclass
class Sample:
    at_s: float
    live_runs: int | None
    """None: the database did not answer (restarting)."""
    queue_depth: int | None
    prs: int


@dataclass
class Timeline:
    database_url: str
    started: float
    prs: Callable[[], int]
    every_s: float = 5.0
    samples: list[Sample] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def mark(self, what: str) -> None:
        self.events.append((round(time.monotonic() - self.started, 1), what))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True, name="timeline")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._sample()  # the end state, so the picture shows the queue drained

    def _sample(self) -> None:
        at = round(time.monotonic() - self.started, 1)
        live: int | None = None
        queued: int | None = None
        try:
            with psycopg.connect(self.database_url, connect_timeout=2) as db:
                row = db.execute(LIVE_RUNS).fetchone()
            if row is not None:
                live, queued = int(row[0]), int(row[1])
        except psycopg.Error:
            pass  # the database is restarting: a gap in the line
        self.samples.append(Sample(at, live, queued, self.prs()))

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            self._sample()


COLORS = {
    "live runs": (31, 119, 180),
    "queue depth": (255, 127, 14),
    "pull requests": (44, 160, 44),
}
EVENT_COLORS = {
    "kill": (214, 39, 40),
    "postgres": (148, 103, 189),
    "takeover": (23, 190, 207),
}


def draw(timeline: Timeline, path: Path, title: str) -> None:
    """Three lines over time, one vertical mark per disruption, a legend; PNG at ``path``."""
    width, height, left, right, top, bottom = 1200, 520, 60, 20, 40, 70
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    samples = timeline.samples or [Sample(0.0, 0, 0, 0)]
    end_s = max(s.at_s for s in samples) or 1.0
    peak = max(
        [1]
        + [s.live_runs or 0 for s in samples]
        + [s.queue_depth or 0 for s in samples]
        + [s.prs for s in samples]
    )

    def xy(at_s: float, value: float) -> tuple[float, float]:
        x = left + (width - left - right) * at_s / end_s
        y = height - bottom - (height - top - bottom) * value / peak
        return x, y

    pen.text((left, 10), title, fill="black", font=font)
    pen.rectangle([left, top, width - right, height - bottom], outline="black")
    ticks = min(10, peak)
    for tick in range(0, ticks + 1):  # y grid
        value = peak * tick / ticks
        _, y = xy(0, value)
        pen.line([left, y, width - right, y], fill=(230, 230, 230))
        pen.text((5, y - 6), f"{value:.0f}", fill="black", font=font)
    step_s = 60.0 if end_s > 300 else 10.0
    tick_s = 0.0
    while tick_s <= end_s:  # x ticks: minutes (or 10 s on a short run)
        x, _ = xy(tick_s, 0)
        pen.line([x, height - bottom, x, height - bottom + 5], fill="black")
        label = f"{tick_s / 60:.0f} min" if step_s == 60.0 else f"{tick_s:.0f} s"
        pen.text((x - 12, height - bottom + 8), label, fill="black", font=font)
        tick_s += step_s
    for at_s, what in timeline.events:
        kind = next((k for k in EVENT_COLORS if what.startswith(k)), "kill")
        x, _ = xy(at_s, 0)
        pen.line([x, top, x, height - bottom], fill=EVENT_COLORS[kind], width=1)
    series: dict[str, list[tuple[float, int | None]]] = {
        "live runs": [(s.at_s, s.live_runs) for s in samples],
        "queue depth": [(s.at_s, s.queue_depth) for s in samples],
        "pull requests": [(s.at_s, s.prs) for s in samples],
    }
    for name, points in series.items():
        segment: list[tuple[float, float]] = []
        for at_s, count in [*points, (end_s, None)]:
            if count is None:  # a gap: the database was not answering
                if len(segment) > 1:
                    pen.line(segment, fill=COLORS[name], width=2)
                segment = []
                continue
            segment.append(xy(at_s, count))
    legend_x = left
    for name, color in [*COLORS.items(), *[(f"{k} (event)", c) for k, c in EVENT_COLORS.items()]]:
        y = height - 25
        pen.rectangle([legend_x, y, legend_x + 14, y + 10], fill=color)
        pen.text((legend_x + 18, y - 1), name, fill="black", font=font)
        legend_x += 30 + 7 * len(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
