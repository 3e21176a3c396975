"""WordPress REST API error: ``{"code", "message", "data": {"status", ...}}``."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **data: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data

    def body(self) -> dict:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}


def invalid_param(name: str, reason: str) -> ApiError:
    return ApiError(400, "rest_invalid_param", f"Invalid parameter(s): {name}", params={name: reason})


def invalid_id(kind: str = "product") -> ApiError:
    return ApiError(404, f"woocommerce_rest_{kind}_invalid_id", "Invalid ID.")
