"""Server-sent events: the ``text/event-stream`` format, interpreted as the HTML standard says.

https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
Lines come from httpx (``Response.aiter_lines`` splits on CRLF, LF and CR, as the format
allows); this module only turns fields into events. ``id`` persists across events (it is the
``Last-Event-ID`` to send on reconnection) and ``retry`` sets the reconnection delay.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSentEvent:
    event: str
    """The event type; ``message`` when the stream named none."""
    data: str
    id: str


class EventStreamParser:
    """Feeds lines, yields events; keeps the last event id and the server's retry delay."""

    def __init__(self) -> None:
        self.last_event_id = ""
        self.retry_ms: int | None = None
        self._event = ""
        self._data: list[str] = []

    def feed(self, line: str) -> ServerSentEvent | None:
        """One line without its terminator; an event when the line ends one."""
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment (keep-alive)
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self.last_event_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry_ms = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        event, data = self._event or "message", self._data
        self._event, self._data = "", []
        if not data:
            return None  # the standard: an empty data buffer dispatches nothing
        return ServerSentEvent(event, "\n".join(data), self.last_event_id)
