"""A local SMTP server for the messaging benchmark, in its own process (so the sender
being timed doesn't share a CPU-bound interpreter with it): STARTTLS required, counts
messages. Prints its port; on end of stdin prints the count and exits.

    python bench/smtp_sink.py CERT KEY"""

from __future__ import annotations

import logging
import socket
import ssl
import sys

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.count += 1
        return "250 OK"


def main() -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    print(port, flush=True)
    sys.stdin.read()
    controller.stop()
    print(counter.count, flush=True)


if __name__ == "__main__":
    main()
