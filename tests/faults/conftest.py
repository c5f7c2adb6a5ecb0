"""The fault suite: real Celery workers killed with SIGKILL in the middle of
their work, then replaced (`make test-faults`; marker `faults`, given to every
test under tests/faults/ by tests/conftest.py).

A kill must land *during* the work, every run. The work is held there by the
servers outside Atrium that it waits on — a timestamp authority, a mail
server — run here on 127.0.0.1 behind a `Gate`: the test lets requests through,
closes the gate, waits until the worker's next request is held at it, and
kills the worker then. Nothing of Atrium's own is mocked or slowed.

Recovery is what the sweeps do. `beat` plays celery beat: it queues a sweep to
the broker every few seconds for the worker to run, with thresholds the worker
reads from its environment (`start_worker(ATRIUM_STAMPING_STUCK_MINUTES="0.1")`).
Each test prints its figures (`figures`) in the run's summary.
"""

from __future__ import annotations

import datetime as dt
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.fixtures.worker import Worker, tasks_to_the_broker

FIGURES: list[str] = []


class Gate:
    """Requests pass while it is open; closed, each waits until `open()` and is
    then dropped unanswered (the server hung, the client gave up)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._closed = False
        self.passed = 0
        self.held = 0

    def close(self) -> None:
        with self._cond:
            self._closed = True

    def open(self) -> None:
        with self._cond:
            self._closed = False
            self._cond.notify_all()

    def through(self) -> bool:
        """Called by a server for each request: True to answer it."""
        with self._cond:
            if not self._closed:
                self.passed += 1
                return True
            self.held += 1
            self._cond.wait_for(lambda: not self._closed, timeout=300)
            return False


@pytest.fixture(autouse=True)
def _empty_queue():
    """Each test starts with nothing queued: the sweeps a test queued after its
    last check, or the duplicates they made, are not the next test's work."""
    from portal.celery import app

    app.control.purge()


def _tsa_identity():
    """A throwaway timestamping certificate and key (pyHanko's
    DummyTimeStamper signs RFC 3161 replies with them)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Atrium Fault Suite TSA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return (asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            asn1_keys.PrivateKeyInfo.load(key_der))


@pytest.fixture
def tsa() -> Iterator[ThreadingHTTPServer]:
    """An RFC 3161 timestamp authority over HTTP on 127.0.0.1 behind `tsa.gate`;
    the centre's letter template points at `tsa.url`."""
    from asn1crypto import tsp
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    stamper = DummyTimeStamper(*_tsa_identity())
    gate = Gate()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            if not gate.through():
                self.close_connection = True
                return
            reply = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.gate = gate
    server.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    gate.open()
    server.shutdown()
    server.server_close()


@dataclass
class Mailbox:
    """What the fake mail server accepted: one (recipients, subject) a message."""

    gate: Gate = field(default_factory=Gate)
    accepted: list[tuple[list[str], str]] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0

    def worker_env(self) -> dict[str, str]:
        return {"EMAIL_BACKEND": "smtp", "EMAIL_HOST": self.host, "EMAIL_PORT": str(self.port),
                "EMAIL_USE_TLS": "0", "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}


def _subject(raw: bytes) -> str:
    return str(make_header(decode_header(message_from_bytes(raw).get("Subject", ""))))


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """A mail server on 127.0.0.1 speaking just enough SMTP for Django's
    backend. A message is accepted (250, counted) when its DATA ends and the
    gate is open; held at a closed gate, it is never accepted."""
    box = Mailbox()

    class Session(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self):
            self.reply("220 fault-suite ESMTP")
            recipients: list[str] = []
            while line := self.rfile.readline():
                verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250 fault-suite")
                elif verb == "MAIL":
                    recipients = []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 go ahead")
                    raw = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                    if not box.gate.through():
                        return  # hung up without accepting it
                    box.accepted.append((sorted(recipients), _subject(raw)))
                    self.reply("250 accepted")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 OK")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Session)
    server.daemon_threads = True
    box.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield box
    box.gate.open()
    server.shutdown()
    server.server_close()


def beat(worker: Worker, task, *, every: float, until: Callable[[], object], timeout: float = 240,
         what: str = "recovery") -> None:
    """Play celery beat: queue `task` to the broker every `every` seconds, for
    `worker` to run, until `until()` holds."""
    deadline = time.monotonic() + timeout
    while not until():
        with tasks_to_the_broker():
            task.delay()
        next_tick = time.monotonic() + every
        while time.monotonic() < next_tick:
            if until():
                return
            worker.assert_alive()
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; worker log:\n{worker.log()}")
            time.sleep(0.1)


@pytest.fixture
def figures(request) -> Callable[[str], None]:
    """`figures("recovery 12.3 s ...")`: printed under the test's name in the
    run's summary, "fault suite figures"."""

    def record(line: str) -> None:
        FIGURES.append(f"{request.node.name}: {line}")

    return record


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("fault suite figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
