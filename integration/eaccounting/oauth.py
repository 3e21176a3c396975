"""The OAuth2 authorization-code flow against Visma's identity server (docs/eaccounting-unknowns.md). No database here."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.utils import timezone

from .errors import EAccountingError, NeedsReconnect, OutcomeUnknown


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime


@dataclass
class AuthorizationRequest:
    url: str
    state: str
    code_verifier: str


def _identity(path):
    return settings.EACCOUNTING_IDENTITY_URL.rstrip("/") + path


def authorization_request(redirect_uri) -> AuthorizationRequest:
    """Where to send the person to sign in and pick a company (state and PKCE S256)."""
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "client_id": settings.EACCOUNTING_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": settings.EACCOUNTING_SCOPES,
        "state": state,
        "response_type": "code",
        "prompt": "select_account",
        "acr_values": settings.EACCOUNTING_ACR_VALUES,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return AuthorizationRequest(f"{_identity('/connect/authorize')}?{urlencode(query)}", state, verifier)


def _token_request(data) -> TokenSet:
    try:
        response = requests.post(
            _identity("/connect/token"),
            data=data,
            auth=(settings.EACCOUNTING_CLIENT_ID, settings.EACCOUNTING_CLIENT_SECRET),
            timeout=settings.EACCOUNTING_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise OutcomeUnknown(
            f"The eAccounting login server did not answer: {exc.__class__.__name__}"
        ) from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 400 and body.get("error") == "invalid_grant":
        raise NeedsReconnect(
            "eAccounting no longer accepts this connection (the authorization expired or was revoked). "
            "Connect eAccounting again.",
            status=400,
        )
    if response.status_code != 200 or "access_token" not in body:
        reason = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
        raise EAccountingError(
            f"The eAccounting login server refused the request: {reason}", status=response.status_code
        )
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token", ""),
        expires_at=timezone.now() + timedelta(seconds=int(body.get("expires_in", 3600))),
    )


def exchange_code(code, redirect_uri, code_verifier) -> TokenSet:
    return _token_request(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
    )


def refresh(refresh_token) -> TokenSet:
    """Redeem a refresh token. It is single-use: the answer carries the next one."""
    return _token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})


def revoke(refresh_token, access_token="") -> None:
    """End the connection's tokens at the identity server (RFC 7009, at the identity server's /connect/revocation).

    The refresh token goes first: revoking it ends the grant. The access token is sent as well, for a
    server that does not end a grant's access tokens with it. Raises OutcomeUnknown when the server
    did not answer and EAccountingError when it refused (RFC 7009 answers 200 even for a dead token)."""
    for token, hint in ((refresh_token, "refresh_token"), (access_token, "access_token")):
        if not token:
            continue
        try:
            response = requests.post(
                _identity("/connect/revocation"),
                data={"token": token, "token_type_hint": hint},
                auth=(settings.EACCOUNTING_CLIENT_ID, settings.EACCOUNTING_CLIENT_SECRET),
                timeout=settings.EACCOUNTING_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise OutcomeUnknown(
                f"The eAccounting login server did not answer: {exc.__class__.__name__}"
            ) from exc
        if response.status_code != 200:
            raise EAccountingError(
                f"The eAccounting login server refused the revocation: HTTP {response.status_code}",
                status=response.status_code,
            )
