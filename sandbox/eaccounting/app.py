"""create_app(settings) -> SandboxApp: the WSGI app serving /connect, /v2 and /_sandbox."""

import json

from werkzeug.wrappers import Request, Response

from . import api, control, faults, identity, schemas
from .seed import seed_demo
from .state import DEFAULT_SETTINGS, State, check_choices

APP_KEYS = {"demo": True, "demo_articles": 50, "seed": 1}


class SandboxApp:
    """WSGI callable; `.state` is the live State (lock it when touching it directly)."""

    def __init__(self, settings=None):
        settings = dict(settings or {})
        self.app_settings = {k: settings.pop(k, v) for k, v in APP_KEYS.items()}
        unknown = [k for k in settings if k not in DEFAULT_SETTINGS]
        if unknown:
            raise KeyError(f"unknown sandbox settings: {unknown}")
        self.initial_settings = settings
        self.state = State(settings)
        schemas.STRICT["on"] = self.state.settings["strict_emit"]
        if self.app_settings["demo"]:
            seed_demo(self.state, articles=self.app_settings["demo_articles"], seed=self.app_settings["seed"])

    def reset(self, settings=None, demo=True, articles=None):
        check_choices(settings or {})
        with self.state.lock:
            self.state.settings = dict(DEFAULT_SETTINGS, **self.initial_settings, **(settings or {}))
            self.state.clear()
            if demo:
                seed_demo(
                    self.state,
                    articles=articles if articles is not None else self.app_settings["demo_articles"],
                    seed=self.app_settings["seed"],
                )

    def __call__(self, environ, start_response):
        request = Request(environ)
        path = request.path
        if request.method not in ("GET", "HEAD"):
            with self.state.lock:
                self.state.changed()
        if path.startswith("/_sandbox"):
            return control.handle(self, request)(environ, start_response)
        entry = self._log(request)
        drop = False
        if path.startswith("/v2/") or path == "/v2":
            try:
                response = api.handle(self.state, request)
            except faults.ConnectionDropped:
                entry["status"] = "dropped"
                faults.drop_connection(environ)
        elif path == "/.well-known/openid-configuration":
            response = identity.discovery(self.state, request.host_url.rstrip("/"))
        elif path.startswith("/connect/"):
            response, drop = self._identity(request)
        else:
            response = Response("Not found", status=404)
        entry["status"] = response.status_code
        if drop:
            entry["status"] = "dropped"
            with self.state.lock:
                self.state.counters["faults"]["token answer dropped"] += 1
            faults.drop_connection(environ)
        return response(environ, start_response)

    def _identity(self, request):
        routes = {
            ("GET", "/connect/authorize"): identity.authorize,
            ("POST", "/connect/authorize/login"): identity.login,
            ("POST", "/connect/authorize/company"): identity.pick_company,
            ("POST", "/connect/revocation"): identity.revocation,
        }
        with self.state.lock:
            if (request.method, request.path) == ("POST", "/connect/token"):
                return identity.token(self.state, request)
            fn = routes.get((request.method, request.path))
            if fn is None:
                return Response("Not found", status=404), False
            return fn(self.state, request), False

    def _log(self, request):
        body = None
        if request.mimetype == "application/json":
            try:
                body = json.loads(request.get_data(cache=True) or b"null")
            except ValueError:
                body = request.get_data(cache=True).decode(errors="replace")
        form = None
        if request.mimetype == "application/x-www-form-urlencoded":
            form = {k: ("***" if k in ("client_secret", "password") else v) for k, v in request.form.items()}
        entry = {
            "time": self.state.now_str(),
            "method": request.method,
            "path": request.path,
            "query": request.args.to_dict(),
            "json": body,
            "form": form,
            "status": None,
        }
        with self.state.lock:
            self.state.log_request(entry)
        return entry


def create_app(settings=None):
    """Settings: any key of state.DEFAULT_SETTINGS plus demo (bool), demo_articles (int), seed (int)."""
    return SandboxApp(settings)
