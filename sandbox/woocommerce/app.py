"""The WSGI application: ``create_app(settings) -> SandboxApp`` (exposes ``.state``)."""

from __future__ import annotations

import json
import time
from typing import Any

from werkzeug.wrappers import Request, Response

from . import api, control, seed, wcauth
from .errors import ApiError
from .faults import Faults, drop_connection
from .state import ShopState
from .webhooks import Dispatcher

JSON_TYPE = "application/json; charset=UTF-8"
SECRET_PARAMS = ("consumer_secret", "oauth_signature")


def _json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, headers=headers or {}, content_type=JSON_TYPE
    )


def _fields(body: Any, fields: str | None) -> Any:
    """WordPress's global ``_fields`` parameter: keep only the named top-level fields."""
    if not fields:
        return body
    wanted = [f.strip().split(".")[0] for f in fields.split(",") if f.strip()]
    pick = lambda d: {k: v for k, v in d.items() if k in wanted} if isinstance(d, dict) else d  # noqa: E731
    return [pick(x) for x in body] if isinstance(body, list) else pick(body)


class SandboxApp:
    def __init__(self, settings: dict | None = None):
        self.state = ShopState(settings)
        self.faults = Faults(self.state.settings.get("faults"), counters=self.state.counters)
        self.state.faults = self.faults
        self.dispatcher = Dispatcher(self.state)
        self.state.webhooks_dispatcher = self.dispatcher
        self._install(self.state.settings.get("seed"))

    def _install(self, seed_args: Any) -> None:
        seed.install_defaults(self.state)
        if seed_args:
            seed.seed_shop(self.state, **(seed_args if isinstance(seed_args, dict) else {}))

    def reset(self, seed_args: Any = None, settings: dict | None = None) -> None:
        """Forget all data (keys from settings["keys"] are re-created), faults and clock."""
        s = self.state
        self.dispatcher.wait_idle(2.0)  # let deliveries of the old data finish first
        with s.lock:
            if settings:
                s.settings.update(settings)
            s.reset_data()
            s.clock_offset = 0.0
            self.faults.reset(s.settings.get("faults"))
            self.faults.counters = s.counters
            self._install(seed_args)

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: dict, start_response):
        request = Request(environ)
        # root_url includes SCRIPT_NAME, so a shop mounted under /shops/<name> (multishop.py) puts the
        # prefix into every URL it builds; for a single shop SCRIPT_NAME is empty and this is the host URL.
        base = request.root_url.rstrip("/")
        self.state.seen_host = base
        base = self.state.base_url(base)
        path = request.path
        if path.startswith("/_sandbox"):
            response = self._control(request, base)
        elif path.startswith("/wc-auth/v1/"):
            response = self._wcauth(request)
            self._log(request, None, response.status_code)
        elif path.startswith("/wp-json"):
            response = self._rest(request, base, environ)
        else:
            response = Response(
                "<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>Oops! That page "
                "can&rsquo;t be found.</h1></body></html>",
                status=404,
                content_type="text/html; charset=UTF-8",
            )
        return response(environ, start_response)

    def _control(self, request: Request, base: str) -> Response:
        try:
            body, status = control.handle(self, request, base)
        except ApiError as e:
            return _json_response(e.body(), e.status)
        return _json_response(body, status)

    def _wcauth(self, request: Request) -> Response:
        name = request.path[len("/wc-auth/v1/") :].strip("/")
        if name == "authorize":
            return wcauth.authorize(self.state, request)
        if name == "access_granted":
            return wcauth.access_granted(self.state, request)
        if name == "access_denied":
            return wcauth.access_denied(self.state, request)
        return Response("Not found", status=404)

    def _rest(self, request: Request, base: str, environ: dict) -> Response:
        self.state.bump("requests")
        early = self.faults.before(request)
        if early is not None:
            self._log(request, self._body_for_log(request), early.status_code, fault=True)
            return early
        body: Any = None
        try:
            raw = request.get_data(cache=True)
            if raw and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                body = request.form.to_dict()
            elif raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.") from None
            ctx = api.dispatch(self.state, request, base, body)
            response = _json_response(_fields(ctx.body, request.args.get("_fields")), ctx.status, ctx.headers)
        except ApiError as e:
            response = _json_response(e.body(), e.status)
        if response.status_code < 400 and self.faults.drop_after_write(request):
            self._log(request, body, response.status_code, dropped=True)
            drop_connection(environ)
            return Response(b"", status=response.status_code)
        self._log(request, body, response.status_code)
        return response

    @staticmethod
    def _body_for_log(request: Request) -> Any:
        try:
            return json.loads(request.get_data(cache=True) or b"null")
        except ValueError:
            return None

    def _log(self, request: Request, body: Any, status: int, **extra: Any) -> None:
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            auth_kind, ck = "basic", auth.username
        elif request.args.get("consumer_key"):
            auth_kind, ck = "query", request.args.get("consumer_key")
        else:
            auth_kind, ck = None, None
        query = {}
        for k in request.args:
            vals = request.args.getlist(k)
            val: Any = vals[0] if len(vals) == 1 else vals
            query[k] = "***" if k in SECRET_PARAMS else val
        entry = {
            "time": time.time(),
            "method": request.method,
            "path": request.path,
            "query": query,
            "json": body,
            "status": status,
            "auth": auth_kind,
            "consumer_key": ck,
            "content_type": request.content_type,
            "user_agent": request.user_agent.string,
        }
        entry.update(extra)
        self.state.log_request(entry)


def create_app(settings: dict | None = None) -> SandboxApp:
    """A fresh sandbox shop. ``settings``: see ``state.DEFAULT_SETTINGS``."""
    return SandboxApp(settings)
