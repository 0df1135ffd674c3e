"""`gutaudio serve` as a browser meets it: folder URLs, the redirect to the slash, a port in use.

Ranges, HEAD, content types and path traversal on a real build are in test_podcast_grade.py; here
a small hand-made output folder, with links that lead out of it, is served on a loopback port.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from gutaudio.cli import cli
from gutaudio.errors import GutaudioError
from gutaudio.serve import create_server

from .conftest import serving

FEED = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss version="2.0"><channel><title>Test Show</title></channel></rss>
"""
ARTICLE_PAGE = "<!DOCTYPE html>\n<title>Leaky Gut</title>\n<h1>Leaky gut \u2014 what is it?</h1>\n"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)
FOLLOWING = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str, method: str = "GET", *, follow: bool = False) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one request to the loopback server (errors included)."""
    opener = FOLLOWING if follow else DIRECT
    try:
        with opener.open(urllib.request.Request(url, method=method), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder: the show's page, an article's folder, and links that lead out of it."""
    root = tmp_path_factory.mktemp("serve")
    outside = root / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("<title>not part of the build</title>\n")
    folder = root / "output"
    (folder / "leaky-gut" / "chapters").mkdir(parents=True)
    (folder / "feed.xml").write_bytes(FEED)
    (folder / "index.html").write_text("<title>Test Show</title>\n", encoding="utf-8")
    (folder / "leaky-gut" / "index.html").write_text(ARTICLE_PAGE, encoding="utf-8")
    (folder / "leaky-gut" / "episode.mp3").write_bytes(bytes(range(256)) * 4)
    (folder / ".staging").mkdir()
    (folder / ".staging" / "index.html").write_text("<title>half made</title>\n")
    (folder / "linked-out").symlink_to(outside, target_is_directory=True)
    (folder / "leaky-gut" / "up").symlink_to(root, target_is_directory=True)
    return folder


@pytest.fixture(scope="module")
def server(output: Path) -> Iterator[str]:
    """`gutaudio serve` of that folder on a free loopback port."""
    with serving(output) as url:
        yield url


def test_a_folder_url_serves_the_folders_page(server: str, output: Path) -> None:
    status, headers, body = fetch(server + "leaky-gut/")
    assert status == 200
    assert body == (output / "leaky-gut" / "index.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    status, headers, body = fetch(server + "leaky-gut/", "HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) == (output / "leaky-gut" / "index.html").stat().st_size
    assert fetch(server)[2] == (output / "index.html").read_bytes()


@pytest.mark.parametrize(("path", "location"),
                         [("leaky-gut", "/leaky-gut/"), ("leaky-gut?from=feed", "/leaky-gut/?from=feed")])
def test_a_folder_url_without_its_slash_is_redirected_to_it(
        server: str, output: Path, path: str, location: str) -> None:
    for method in ("GET", "HEAD"):
        status, headers, _ = fetch(server + path, method)
        assert (status, headers["Location"]) == (301, location), method
    status, _, body = fetch(server + path, follow=True)
    assert (status, body) == (200, (output / "leaky-gut" / "index.html").read_bytes())


@pytest.mark.parametrize("path", [
    "leaky-gut/chapters/", "leaky-gut/chapters",  # a folder with no page: no listing, no redirect
    "linked-out/", "linked-out", "linked-out/index.html",  # a link that leads out of the build
    "leaky-gut/up/", "leaky-gut/up", "leaky-gut/up/outside/",
    "leaky-gut/../../outside/", "%2e%2e/outside/", "%2e%2e/outside", "leaky-gut/%2e%2e/%2e%2e/outside/",
    ".staging/", ".staging", "missing/", "leaky-gut%00/"])
def test_folder_urls_never_leave_the_output_folder(server: str, path: str) -> None:
    status, headers, body = fetch(server + path)
    assert status == 404, (path, status, headers.get("Location"))
    assert b"not part of the build" not in body and b"half made" not in body


def test_audio_in_an_article_folder_still_answers_ranges(server: str, output: Path) -> None:
    data = (output / "leaky-gut" / "episode.mp3").read_bytes()
    request = urllib.request.Request(server + "leaky-gut/episode.mp3", headers={"Range": "bytes=10-19"})
    with DIRECT.open(request, timeout=10) as response:
        assert (response.status, response.read()) == (206, data[10:20])


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another program is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_port_in_use_is_one_error_line(output: Path, taken_port: int) -> None:
    result = CliRunner(mix_stderr=False).invoke(cli, ["serve", str(output), "--port", str(taken_port)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: 127.0.0.1:{taken_port}: port already in use;"
                             " choose another with --port (0 picks a free one)\n")


def test_create_server_raises_the_projects_error_for_a_port_in_use(output: Path, taken_port: int) -> None:
    with pytest.raises(GutaudioError, match=f"^127.0.0.1:{taken_port}: port already in use;"):
        create_server(output, "127.0.0.1", taken_port)


def test_serving_a_folder_without_a_build_says_so(tmp_path: Path) -> None:
    result = CliRunner(mix_stderr=False).invoke(cli, ["serve", str(tmp_path), "--port", "0"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {tmp_path}: no feed.xml here; run gutaudio build first\n"
