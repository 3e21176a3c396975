"""Typed errors from eAccounting, each with a message a person can act on."""

import re

RETRY_SECONDS = re.compile(r"Try again in (\d+) seconds", re.I)


class EAccountingError(Exception):
    """An error answer from eAccounting (CommonExtendedBadRequest body; docs/eaccounting-unknowns.md, *Errors*)."""

    def __init__(self, message, *, status=None, error_code=None, error_id=None, field_errors=()):
        self.status = status
        self.error_code = error_code
        self.error_id = error_id
        self.field_errors = list(field_errors)
        details = "; ".join(
            f"{e.get('Field') or 'request'}: {e.get('Message') or e.get('ErrorCode')}"
            for e in self.field_errors
        )
        text = message + (f" ({details})" if details else "")
        if error_id:
            text += f" [eAccounting error id {error_id}]"
        super().__init__(text)

    @classmethod
    def from_response(cls, response):
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = {k.lower(): v for k, v in body.items()} if isinstance(body, dict) else {}
        code = body.get("errorcode")
        message = body.get("developererrormessage") or f"eAccounting answered HTTP {response.status_code}"
        error_class = _CLASSES_BY_CODE.get(code) or _CLASSES_BY_STATUS.get(response.status_code, cls)
        if response.status_code >= 500 and error_class is cls:
            error_class = ServerError
        return error_class(
            message,
            status=response.status_code,
            error_code=code,
            error_id=body.get("errorid"),
            field_errors=body.get("errors") or (),
        )


class ValidationFailed(EAccountingError):
    """2000: the data does not pass eAccounting's validation; the field errors say what to fix."""


class Conflict(EAccountingError):
    """4000: e.g. an article with this number exists already."""


class LockedPeriod(EAccountingError):
    """4013 / 4026: the accounting period is locked; open it in eAccounting or change the date."""


class NotFound(EAccountingError):
    """404 / 3000: the record does not exist (any more)."""


class Unauthorized(EAccountingError):
    """401: the access token was refused."""


class Forbidden(EAccountingError):
    """403: the user or the app lacks access (module, scope or role)."""


class QueryRejected(EAccountingError):
    """6000 / 6001: eAccounting did not accept a $filter or query value."""


class RateLimited(EAccountingError):
    """429 / 4010: over the request quota; `retry_after` seconds to wait."""

    @property
    def retry_after(self):
        match = RETRY_SECONDS.search(str(self))
        return int(match.group(1)) if match else None


class ServerError(EAccountingError):
    """5xx: eAccounting failed; safe requests are retried, writes are looked up first."""


class OutcomeUnknown(EAccountingError):
    """A write whose answer never arrived: look the record up before trying again."""


class NeedsReconnect(EAccountingError):
    """The refresh token is no longer valid: a person must connect eAccounting again."""


_CLASSES_BY_CODE = {
    2000: ValidationFailed,
    4000: Conflict,
    4013: LockedPeriod,
    4026: LockedPeriod,
    3000: NotFound,
    4010: RateLimited,
    6000: QueryRejected,
    6001: QueryRejected,
}
_CLASSES_BY_STATUS = {401: Unauthorized, 403: Forbidden, 404: NotFound, 429: RateLimited}
