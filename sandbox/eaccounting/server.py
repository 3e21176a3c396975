"""Run the sandbox with werkzeug's threaded server."""

import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_app


def serve(host="127.0.0.1", port=8101, settings=None, app=None):
    app = app or create_app(settings)
    server = make_server(host, port, app, threaded=True)
    print(f"eAccounting sandbox on http://{host}:{server.server_port}  (login {_login(app)})", flush=True)
    server.serve_forever()


def _login(app):
    return (
        "demo@example.com / demo, client silta-demo / silta-demo-secret"
        if app.app_settings["demo"]
        else "no demo user"
    )


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def start_in_thread(port=0, settings=None, app=None, host="127.0.0.1", quiet=True):
    """Start in a daemon thread; returns (server, base_url). server.app is the SandboxApp; stop with server.shutdown()."""
    app = app or create_app(settings)
    server = make_server(host, port, app, threaded=True, request_handler=QuietHandler if quiet else None)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="eaccounting-sandbox")
    thread.start()
    return server, f"http://{host}:{server.server_port}"
