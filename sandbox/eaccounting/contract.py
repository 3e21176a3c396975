"""Validate HTTP traffic against Visma's OpenAPI document (openapi-core 0.23), for sandbox and client tests.

    contract = load_contract()                  # cached: the spec loads once per process
    contract.check(resp)                        # a requests.Response; raises ContractError
    contract.check(resp, request=True)          # also validate the request that produced it
    session.hooks["response"].append(contract.hook())   # validate every /v2 response of a Session

URLs are mapped onto the spec's server https://eaccountingapi.vismaonline.com/v2 whatever host served
them; only paths containing /v2/ are checked. Statuses the operation does not declare (401, 403, 404, 405,
429, 5xx; the spec declares mostly 200/201/400) are checked against CommonExtendedBadRequest when they carry
a JSON body. `contract.seen` collects the (METHOD, path template) pairs validated so far.

The document is the committed contract, sandbox/contracts/eaccounting/openapi-v2.json: the operations
the sandbox serves and the schemas they use, derived from Visma's published document by
`python -m sandbox.contracts.refresh` (see sandbox/contracts/README.md).
"""

import functools
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from werkzeug.datastructures import Headers, ImmutableMultiDict

from sandbox.contracts import EACCOUNTING_OPENAPI as SPEC_PATH

SERVER = "https://eaccountingapi.vismaonline.com"


class ContractError(AssertionError):
    pass


class _Req:
    def __init__(self, method, url, body=None, content_type=None, headers=None):
        from openapi_core.datatypes import RequestParameters

        parts = urlsplit(url)
        path = parts.path[parts.path.index("/v2") :]
        self.host_url, self.path, self.method = SERVER, path, method.lower()
        self.body = body.encode() if isinstance(body, str) else body
        self.content_type = (content_type or "application/json").lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(parts.query, keep_blank_values=True)),
            header=Headers(dict(headers or {})),
            cookie=ImmutableMultiDict(),
        )


class _Resp:
    def __init__(self, status, data, content_type, headers=None):
        self.status_code, self.data = status, data or b""
        self.content_type = (content_type or ("application/json" if data else "")).split(";")[0].lower()
        self.headers = Headers(dict(headers or {}))


class Contract:
    def __init__(self, spec_path=SPEC_PATH):
        from openapi_core import Config, OpenAPI

        spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
        spec["paths"] = {p: item for p, item in spec["paths"].items() if item}
        self.raw = spec
        self.openapi = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
        self.seen = set()

    # -- core ---------------------------------------------------------------------------------
    def _template(self, method, path):
        from openapi_core.templating.paths.finders import APICallPathFinder

        finder = APICallPathFinder(self.openapi.spec)
        result = finder.find(method.lower(), SERVER + path)
        key = str(result.path)
        return key.split("#", 1)[-1].replace("~1", "/")

    def validate_response(self, method, url, status, data, content_type=None, req_body=None, headers=None):
        from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
        from openapi_core.templating.responses.exceptions import ResponseNotFound

        req = _Req(method, url, req_body)
        resp = _Resp(status, data, content_type, headers)
        try:
            self.openapi.validate_response(req, resp)
        except (ResponseNotFound, PathNotFound, OperationNotFound):
            self._undeclared(status, data)
            return
        except Exception as e:  # openapi-core's errors; re-raise with the details that matter
            raise ContractError(
                f"{method} {req.path} -> {status}: {_explain(e)}\nbody: {data[:800]!r}"
            ) from e
        if status >= 400:
            # some operations declare 401/403/404 without content; every error body is CommonExtendedBadRequest
            self._undeclared(status, data)
        try:
            self.seen.add((method.upper(), self._template(method, req.path)))
        except Exception:
            pass

    def validate_request(self, method, url, body=None, content_type="application/json", headers=None):
        req = _Req(method, url, body, content_type, headers)
        try:
            self.openapi.validate_request(req)
        except Exception as e:
            raise ContractError(f"request {method} {req.path}: {_explain(e)}") from e

    def _undeclared(self, status, data):
        if not data:
            return
        try:
            body = json.loads(data)
        except ValueError:
            raise ContractError(f"undeclared status {status} with a non-JSON body: {data[:200]!r}") from None
        self.validate_schema("CommonExtendedBadRequest", body)

    def validate_schema(self, name, instance):
        """Validate a JSON value against a component schema (OAS 3.1 dialect)."""
        from openapi_schema_validator import OAS31Validator

        schema = {"$ref": f"#/components/schemas/{name}", "components": self.raw["components"]}
        errors = sorted(OAS31Validator(schema).iter_errors(instance), key=str)
        if errors:
            raise ContractError(f"{name}: " + "; ".join(e.message for e in errors[:5]))

    # -- requests integration ---------------------------------------------------------------------
    def check(self, resp, request=False):
        """Validate a requests.Response (and optionally its request) if it is an API call."""
        url = resp.request.url
        if "/v2/" not in urlsplit(url).path and not urlsplit(url).path.endswith("/v2"):
            return resp
        body = resp.request.body
        if request:
            self.validate_request(
                resp.request.method, url, body, resp.request.headers.get("Content-Type"), resp.request.headers
            )
        self.validate_response(
            resp.request.method,
            url,
            resp.status_code,
            resp.content,
            resp.headers.get("Content-Type"),
            body,
            resp.headers,
        )
        return resp

    def hook(self, request=False):
        def _hook(resp, *args, **kwargs):
            self.check(resp, request=request)
            return resp

        return _hook


def _explain(e):
    parts = [f"{type(e).__name__}: {e}"]
    cause = e.__cause__ or e.__context__
    for sub in getattr(e, "schema_errors", None) or getattr(cause, "schema_errors", None) or []:
        parts.append(f"  - {list(sub.absolute_path)}: {sub.message}")
    return "\n".join(parts)


@functools.lru_cache(maxsize=1)
def load_contract(spec_path=SPEC_PATH):
    return Contract(spec_path)
