"""An SMS gateway for tests that records what it sends."""

from __future__ import annotations

from nattvandring.messaging.gateways import ConsoleGateway, SendResult


class Recording(ConsoleGateway):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, str | None]] = []

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        self.sent.append((to, body, status_callback))
        return super().send(to=to, body=body, status_callback=status_callback)
