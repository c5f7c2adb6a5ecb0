import base64
import socket
import urllib.request

import pytest

from notices.pdf.render import ASSETS_DIR, render_letter
from portal.pdf.fetcher import RefusedURL, SafeURLFetcher
from tests.notices import make_context, pdftotext


@pytest.fixture
def no_network(monkeypatch):
    """Any socket connect or urllib open fails the test loudly."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise AssertionError(f"network access attempted: {address}")

    def refuse_urlopen(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("urllib used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse_urlopen)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse_urlopen)
    return attempts


def test_it_refuses_file_urls_outside_the_assets(no_network):
    fetcher = SafeURLFetcher(ASSETS_DIR)
    with pytest.raises(RefusedURL):
        fetcher("file:///etc/passwd")
    assert fetcher.refused == ["file:///etc/passwd"]


def test_it_refuses_path_traversal_out_of_the_assets():
    fetcher = SafeURLFetcher(ASSETS_DIR)
    for url in (
        f"{ASSETS_DIR.as_uri()}/../render.py",
        f"{ASSETS_DIR.as_uri()}/%2e%2e/render.py",
        "file://localhost/etc/passwd",
        "file://evil.example/share/x.png",
    ):
        with pytest.raises(RefusedURL):
            fetcher(url)


def test_it_refuses_symlinks_that_leave_the_assets(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "link.css").symlink_to(secret)
    with pytest.raises(RefusedURL):
        SafeURLFetcher(assets_dir=assets)((assets / "link.css").as_uri())


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "gopher://example.com/",
        "javascript:alert(1)",
    ],
)
def test_it_refuses_network_urls_without_touching_the_network(no_network, url):
    fetcher = SafeURLFetcher(ASSETS_DIR)
    with pytest.raises(RefusedURL):
        fetcher(url)
    assert no_network == []


def test_it_refuses_urllib_style_open_calls_too(no_network):
    with pytest.raises(RefusedURL):
        SafeURLFetcher(ASSETS_DIR).open(urllib.request.Request("http://example.com/"))
    assert no_network == []


def test_it_serves_files_from_the_assets_directory():
    response = SafeURLFetcher(ASSETS_DIR)((ASSETS_DIR / "letter.css").as_uri())
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_it_decodes_data_urls_in_process():
    png = b"\x89PNG\r\n\x1a\nfake"
    response = SafeURLFetcher(ASSETS_DIR)("data:image/png;base64," + base64.b64encode(png).decode())
    assert response.content_type == "image/png"
    assert response.read() == png


def test_a_hostile_body_renders_but_fetches_nothing(no_network):
    # Deliberately NOT sanitized: the fetcher is the second wall.
    body = (
        "<p>正文照常显示</p>"
        '<p><img src="file:///etc/passwd"><img src="http://example.com/x.png"></p>'
        '<link rel="stylesheet" href="https://evil.example/x.css">'
        '<link rel="attachment" href="file:///etc/hostname">'
        '<style>@import url("http://evil.example/i.css"); p { background: url(http://evil.example/bg.png) }</style>'
        '<div style="background-image: url(ftp://evil.example/a.png)">尾</div>'
    )
    fetcher = SafeURLFetcher(ASSETS_DIR)
    letter = render_letter(make_context(body_html=body), url_fetcher=fetcher)

    assert "正文照常显示" in "".join(pdftotext(letter.pdf).split())
    asked = set(fetcher.requested)
    for url in (
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://evil.example/x.css",
        "http://evil.example/i.css",
        "http://evil.example/bg.png",
        "ftp://evil.example/a.png",
        "file:///etc/hostname",
    ):
        assert url in asked, url
        assert url in fetcher.refused, url
    # Only our own data: images (seal) got through; nothing hit the network.
    assert all(url.startswith("data:") for url in asked - set(fetcher.refused))
    assert no_network == []
    assert b"root:x:0:0" not in letter.pdf


def test_a_fetcher_without_assets_reads_no_file_at_all():
    # The audit report and other PDFs built from inline HTML name no assets:
    # even the letter's own stylesheet is out of their reach.
    with pytest.raises(RefusedURL):
        SafeURLFetcher()((ASSETS_DIR / "letter.css").as_uri())
