"""`make run` checks HOST:PORT before starting anything, and links point there (scripts/run.sh)."""

import socket
import subprocess
from pathlib import Path

RUN_SH = Path(__file__).resolve().parents[2] / "scripts" / "run.sh"


def _check(host: str, port) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f'source "{RUN_SH}"; check_port {host} {port}'],
                          capture_output=True, text=True, timeout=30)


def test_a_taken_port_stops_make_run_with_a_sentence_saying_what_to_do():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _check("127.0.0.1", port)
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"make run PORT={port + 1}" in result.stderr


def test_a_free_port_passes():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = _check("127.0.0.1", port)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_port_that_is_not_a_number_or_a_host_that_is_not_here_is_explained():
    assert "is not a port number" in _check("127.0.0.1", "eighty").stderr
    unknown = _check("192.0.2.77", 8000)  # TEST-NET-1: never an address of this machine
    assert unknown.returncode != 0
    assert "HOST=192.0.2.77 is not an address of this machine" in unknown.stderr


def test_links_in_emails_point_where_make_run_serves():
    def url(host, port):
        return subprocess.run(["bash", "-c", f'source "{RUN_SH}"; portal_url {host} {port}'],
                              capture_output=True, text=True, timeout=30, check=True).stdout.strip()

    assert url("127.0.0.1", 8765) == "http://127.0.0.1:8765"
    assert url("0.0.0.0", 8001) == "http://127.0.0.1:8001"  # noqa: S104 - every interface, reached here
    assert url("::1", 8000) == "http://[::1]:8000"
    script = RUN_SH.read_text()
    assert 'export WAGTAILADMIN_BASE_URL=${WAGTAILADMIN_BASE_URL:-$url}' in script
