"""The measuring tools' own parts: waiting for a server that is still starting."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management.base import CommandError

from integration.benchmarks.harness import wait_until_answering

pytestmark = pytest.mark.slow


class _SlowThenReady(BaseHTTPRequestHandler):
    """Answers nothing in time for the first request (a server busy starting), then 200."""

    calls = 0

    def do_GET(self):
        type(self).calls += 1
        if type(self).calls == 1:
            time.sleep(6)  # longer than one attempt's read timeout
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_read_timeout_while_starting_is_waited_out():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowThenReady)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        wait_until_answering(f"http://127.0.0.1:{server.server_port}/", "the slow server", timeout=30)
        assert _SlowThenReady.calls >= 2
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_never_answers_fails_clearly_within_the_bound():
    with socket.socket() as listener:  # accepts connections (the backlog), never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(CommandError, match=r"the silent server did not answer .* within 2 s"):
            wait_until_answering(f"http://127.0.0.1:{port}/", "the silent server", timeout=2)
        assert (
            time.monotonic() - started < 10
        )  # the bound holds: no hanging on (a wide margin for busy machines)
