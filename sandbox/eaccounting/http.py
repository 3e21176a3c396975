"""JSON responses and the CommonExtendedBadRequest error shape."""

import json
import uuid

from werkzeug.wrappers import Response


class ApiError(Exception):
    """An eAccounting-style error: HTTP status + ErrorCode + message (+ field errors)."""

    def __init__(self, status, code, message, errors=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors, self.headers = errors, headers or {}

    def body(self):
        return error_body(self.code, self.message, self.errors)


def error_body(code, message, errors=None):
    body = {"ErrorCode": code, "DeveloperErrorMessage": message, "ErrorId": str(uuid.uuid4())}
    if errors is not None:
        body["Errors"] = errors
    return body


def validation_error(errors, message="Validation failed. See Errors for details."):
    return ApiError(400, 2000, message, errors)


def not_found(what):
    return ApiError(404, 3000, f"{what} was not found.")


def json_response(data, status=200, headers=None):
    body = "" if data is None else json.dumps(data, ensure_ascii=False)
    resp = Response(body, status=status, headers=headers)
    if data is not None:
        resp.content_type = "application/json; charset=utf-8"
    return resp


def read_json(request):
    """Parse the JSON body; ApiError 2000 when it is not JSON."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(
            400,
            2000,
            "The request body is not valid JSON.",
            [{"Field": None, "ErrorCode": "InvalidJson", "Message": "Invalid JSON."}],
        ) from None
