"""The fault suite: real Celery workers killed with SIGKILL in the middle of
their work, then replaced (`make test-faults`; marker `faults`, given to every
test under tests/faults/ by tests/conftest.py).

A kill must land *during* the work, every run. The work is held there by the
servers outside Atrium that it waits on — a timestamp authority, a mail
server (tests/fixtures/tsa.py, smtp.py) — run here on 127.0.0.1 behind a
`Gate` (tests/fixtures/gate.py): the test lets requests through,
closes the gate, waits until the worker's next request is held at it, and
kills the worker then. Or by the disk it reads: a file in media storage on a
file system that stops answering (`stalled_file`, same module: a named pipe
at the file's path, so the worker's read waits in the kernel; the test puts
the real bytes back once the worker is killed). Nothing of Atrium's own is
mocked or slowed.

Recovery is what the sweeps do. `beat` plays celery beat: it queues a sweep to
the broker every few seconds for the worker to run, with thresholds the worker
reads from its environment (`start_worker(ATRIUM_STAMPING_STUCK_MINUTES="0.1")`).
Each test prints its figures (`figures`) in the run's summary.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer

import pytest

from tests.fixtures.smtp import smtp_server  # noqa: F401 - fixture (the mail server, with its gate)
from tests.fixtures.tsa import timestamp_server
from tests.fixtures.worker import Worker, tasks_to_the_broker

FIGURES: list[str] = []


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
    """The timestamp authority (tests/fixtures/tsa.py) with a throwaway
    identity, behind `tsa.gate`; the centre's letter template points at
    `tsa.url`."""
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    with timestamp_server(DummyTimeStamper(*_tsa_identity())) as server:
        yield server


def beat(worker: Worker, task, *, every: float, until: Callable[[], object], timeout: float = 240,
         what: str = "recovery") -> None:
    """Play celery beat: queue `task` to the broker every `every` seconds, for
    `worker` to run, until `until()` holds."""
    deadline = time.monotonic() + timeout
    while not until():
        with tasks_to_the_broker():
            task.delay()
        next_tick = time.monotonic() + every
        worker.wait_for(lambda tick=next_tick: until() or time.monotonic() >= tick, timeout=timeout, what=what,
                        deadline=deadline)


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
