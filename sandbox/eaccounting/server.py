"""Run the sandbox with werkzeug's threaded server."""

from werkzeug.serving import make_server

from .. import serving
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


def start_in_thread(port=0, settings=None, app=None, host="127.0.0.1", quiet=True):
    """Start in a daemon thread; returns (server, base_url). server.app is the SandboxApp; stop with server.shutdown()."""
    return serving.start_in_thread(
        app or create_app(settings), name="eaccounting-sandbox", port=port, host=host, quiet=quiet
    )
