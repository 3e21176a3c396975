"""Rate limiting (sliding window per client[/company] and endpoint) and fault injection."""

import math
import socket
import time

from .http import ApiError, error_body, json_response


def _window_label(window):
    return "Minute" if float(window) == 60.0 else f"{float(window):g} Seconds"


def too_many(state, retry_in):
    limit = state.settings["rate_limit"]
    body = error_body(
        4010,
        f"API calls quota exceeded! maximum admitted {limit} per "
        f"{_window_label(state.settings['rate_window'])}. Try again in {retry_in} seconds.",
    )
    headers = {"Retry-After": str(retry_in)} if state.settings["rate_limit_retry_after"] else None
    return json_response(body, 429, headers)


def rate_limit(state, client_id, company_id, endpoint):
    """Admit the request or return a 429 response. Call with state.lock held."""
    window, limit = float(state.settings["rate_window"]), int(state.settings["rate_limit"])
    who = client_id if state.settings["rate_limit_key"] == "client" else f"{client_id}/{company_id}"
    bucket = state.buckets[(who, endpoint)]
    now = time.monotonic()
    while bucket and bucket[0] <= now - window:
        bucket.popleft()
    if len(bucket) >= limit:
        return too_many(state, max(1, math.ceil(bucket[0] + window - now)))
    bucket.append(now)
    return None


def _take(state, key):
    """Consume one from a countdown switch (int N) or report an always-on switch (True)."""
    v = state.settings.get(key)
    if v is True:
        return True
    if isinstance(v, int) and v > 0:
        state.settings[key] = v - 1
        return True
    return False


def injected_fault(state):
    """A forced 429 / 5xx response before the handler runs, or None. Call with the lock held."""
    if _take(state, "force_429"):
        return too_many(state, max(1, math.ceil(float(state.settings["rate_window"]))))
    if _take(state, "force_500") or (
        state.settings["error_rate"] and state.fault_rng.random() < state.settings["error_rate"]
    ):
        status = 500 if state.fault_rng.random() < 0.5 else 503
        code, msg = (
            (5000, "Internal server error.") if status == 500 else (5001, "Service temporarily unavailable.")
        )
        return json_response(error_body(code, msg), status)
    return None


def drop_after_commit(state, method):
    if method not in ("POST", "PUT", "DELETE"):
        return False
    if _take(state, "drop_after_commit_next"):
        return True
    rate = state.settings["drop_after_commit_rate"]
    return bool(rate) and state.fault_rng.random() < rate


def drop_token_response(state):
    return _take(state, "drop_token_response")


def latency(state):
    ms = state.settings["latency_ms"]
    if ms:
        time.sleep(ms / 1000.0)


class ConnectionDropped(ConnectionAbortedError):
    """Raised to make the WSGI server close the socket without an answer."""


def drop_connection(environ):
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionDropped("sandbox fault: connection dropped after commit")


__all__ = [
    "ApiError",
    "rate_limit",
    "injected_fault",
    "drop_after_commit",
    "drop_token_response",
    "latency",
    "drop_connection",
    "ConnectionDropped",
]
