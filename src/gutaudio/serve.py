"""Serve a finished build over HTTP with byte ranges, so podcast apps can subscribe and seek.

Werkzeug adds "; charset=utf-8" to text types by itself.
"""

from __future__ import annotations

import errno
import logging
import posixpath
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import etree
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.serving import ThreadedWSGIServer
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from .errors import OutputError, ServeError
from .feed import ATOM
from .layout import CHAPTERS_JSON, FEED_NAME, PAGE_NAME

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4b": "audio/x-m4a",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".txt": "text/plain",
    ".html": "text/html",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".json": "application/json",
}
SPECIAL_TYPES = {FEED_NAME: "application/rss+xml",
                 CHAPTERS_JSON: "application/json+chapters"}


def rebase_feed(feed: bytes, public_url: str) -> bytes:
    """Point every URL of the build inside a feed at public_url instead of its base URL."""
    root = etree.fromstring(feed)
    self_link = root.find(f"channel/{{{ATOM}}}link[@rel='self']")
    if self_link is None or not self_link.get("href", "").endswith(FEED_NAME):
        return feed
    base = self_link.get("href", "").removesuffix(FEED_NAME)
    for element in root.iter():
        for key, value in element.attrib.items():
            if value.startswith(base):
                element.set(key, public_url + value.removeprefix(base))
        if element.text and element.text.strip().startswith(base):
            element.text = public_url + element.text.strip().removeprefix(base)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class BuildApp:
    """A WSGI app serving one output folder: the feed rebased, everything else with ranges."""

    def __init__(self, output: Path, public_url: str) -> None:
        """Serve output/ as if it were published at public_url."""
        if not (output / FEED_NAME).is_file():
            raise OutputError(f"{output}: no feed.xml here; run gutaudio build first")
        self.output = output.resolve()
        self.public_url = public_url if public_url.endswith("/") else public_url + "/"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Answer one request."""
        request = Request(environ)
        try:
            response = self.respond(request)
        except HTTPException as e:
            response = e.get_response(environ)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        """Map a request to a file of the build, never to anything outside it."""
        if request.method not in ("GET", "HEAD"):
            return Response("Method Not Allowed\n", status=405, headers={"Allow": "GET, HEAD"})
        path = request.path.lstrip("/")
        if self.inside(path).is_dir():
            page = posixpath.join(path, PAGE_NAME)
            if not self.inside(page).is_file():
                raise NotFound()  # a folder without a page: no listings
            if path and not path.endswith("/"):
                return to_folder(path, request)
            path = page
        self.inside(path)
        name = path.rsplit("/", 1)[-1]
        kind = SPECIAL_TYPES.get(name) or CONTENT_TYPES.get(Path(name).suffix.lower(),
                                                            "application/octet-stream")
        if path == FEED_NAME:
            data = rebase_feed((self.output / FEED_NAME).read_bytes(), self.public_url)
            response = Response(data, content_type=f"{kind}; charset=utf-8")
            return response.make_conditional(request, accept_ranges=True,
                                              complete_length=len(data))
        response = send_from_directory(self.output, path, request.environ, mimetype=kind,
                                       conditional=True, max_age=0)
        response.headers["Accept-Ranges"] = "bytes"
        return response

    def inside(self, path: str) -> Path:
        """Where a URL path leads in the build, or NotFound if it is hidden or leads out of it."""
        if "\0" in path or any(part.startswith(".") for part in path.split("/")):
            raise NotFound()  # hidden staging folders, and names no file can have
        target = (self.output / path).resolve()
        if not target.is_relative_to(self.output):
            raise NotFound()  # links that lead out of the build
        return target


def to_folder(path: str, request: Request) -> Response:
    """Redirect a folder's URL without its slash to the URL with it (301), keeping the query."""
    location = "/" + quote(path) + "/"  # from the root: "//host" must not become another site
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return Response(f"Moved to {location}\n", status=301, headers={"Location": location},
                    content_type="text/plain; charset=utf-8")


def public_address(host: str, port: int) -> str:
    """The URL clients should use: the host itself, or this machine's name for 0.0.0.0."""
    if host in ("0.0.0.0", "::"):
        try:
            host = socket.gethostbyname(socket.gethostname())
        except OSError:
            host = socket.gethostname()
    return f"http://{host}:{port}/"


@contextmanager
def _listening(host: str, port: int) -> Iterator[None]:
    """Turn an OSError from opening the server's socket into a ServeError saying why."""
    try:
        yield
    except OSError as e:
        raise ServeError(cannot_listen(host, port, e)) from e


class _BuildServer(ThreadedWSGIServer):
    """Werkzeug's threaded server, except that a socket it cannot open is a ServeError.

    Werkzeug prints an OSError from binding or listening and exits; it lets a ServeError pass.
    """

    def server_bind(self) -> None:
        """Bind as Werkzeug does."""
        with _listening(self.host, self.port):
            super().server_bind()

    def server_activate(self) -> None:
        """Listen as Werkzeug does."""
        with _listening(self.host, self.port):
            super().server_activate()


def cannot_listen(host: str, port: int, error: OSError) -> str:
    """Why a server cannot listen on host:port, and what to do about it, in one line."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return f"{address}: port already in use; choose another with --port (0 picks a free one)"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{address}: not an address of this machine; choose another with --host"
    return f"{address}: cannot listen: {error.strerror or error}"


def create_server(output: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadedWSGIServer:
    """Make (but do not start) a threaded HTTP server for a build; port 0 picks a free port."""
    app = BuildApp(output, "http://placeholder/")
    with _listening(host, port):  # the socket itself may not open (no IPv6, say)
        server = _BuildServer(host, port, app)
    app.public_url = public_address(host, server.server_port)
    return server
