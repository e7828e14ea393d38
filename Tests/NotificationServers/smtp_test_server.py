#!/usr/bin/env python3
"""A real SMTP server on loopback for the notification tests, built on aiosmtpd.

Every message it accepts is written to --out as message-NNNN.json (written to a temporary name and
renamed, so a reader never sees half a file) holding the envelope, the raw message in base64 and the
headers and body as Python's e-mail parser reads them. It can be told to answer the first N DATA
commands with 451 (try again later) and to refuse recipients ending in a given suffix with 550.
It writes --out/ready, holding its port, once it accepts connections, and stops on SIGTERM or SIGINT.
With --port 0 it picks a free port itself, and picks again if another process takes that port
between the pick and the bind.
"""
import argparse
import base64
import email
import email.header
import email.policy
import errno
import json
import os
import signal
import socket
import threading

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, out, transient_failures, refused_suffix):
        self.out = out
        self.transient_failures = transient_failures
        self.refused_suffix = refused_suffix
        self.accepted = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refused_suffix and address.endswith(self.refused_suffix):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.transient_failures > 0:
                self.transient_failures -= 1
                return "451 4.3.0 try again later"
            self.accepted += 1
            number = self.accepted
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "raw": base64.b64encode(raw).decode("ascii"),
            "headers": {
                name: str(email.header.make_header(email.header.decode_header(parsed[name])))
                for name in ("Date", "Message-ID", "From", "To", "Subject", "MIME-Version", "Content-Type")
                if parsed[name] is not None
            },
            "body": parsed.get_content(),
        }
        temporary = os.path.join(self.out, f".message-{number:04d}.tmp")
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.rename(temporary, os.path.join(self.out, f"message-{number:04d}.json"))
        return "250 OK"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(handler, requested_port):
    """Starts the server on requested_port, or on a free port when it is 0; returns it and the port."""
    for _ in range(20):
        port = requested_port or free_port()
        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            # aiosmtpd waits 5 s by default for its server thread; a test machine running the whole
            # suite on two cores can take longer than that.
            ready_timeout=60,
        )
        try:
            controller.start()
            return controller, port
        except OSError as error:
            if requested_port or error.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE, "no free port found in 20 tries")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--transient-failures", type=int, default=0)
    parser.add_argument("--refused-suffix", default="")
    arguments = parser.parse_args()

    handler = Handler(arguments.out, arguments.transient_failures, arguments.refused_suffix)
    controller, port = start(handler, arguments.port)
    stop = threading.Event()
    # A parent may have started this process with these signals blocked; unblock them first.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # Written whole under another name first, so a reader never sees the file without its port.
    temporary = os.path.join(arguments.out, ".ready.tmp")
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(str(port))
    os.rename(temporary, os.path.join(arguments.out, "ready"))
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
