"""A real local OpenID Connect provider for tests (PyPI ``oidc-provider-mock``, served over
HTTP in a thread), and tokens from it or forged by the test itself."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "belfort-portal"
CLIENT_SECRET = "test-client-secret"  # the mock takes any secret, but wants one


@dataclass
class MockProvider:
    issuer: str

    def set_user(self, sub: str, **claims: Any) -> None:
        response = httpx.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def id_token(self, sub: str, nonce: str = "n") -> str:
        """Signs ``sub`` in by the authorization code flow with PKCE (no browser) and returns
        the provider's ID token (a JWT whose ``aud`` is :data:`CLIENT_ID`)."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        params = {"response_type": "code", "client_id": CLIENT_ID, "scope": "openid profile",
                  "redirect_uri": "http://127.0.0.1/cb", "state": "s", "nonce": nonce,
                  "code_challenge": challenge.rstrip(b"=").decode(),
                  "code_challenge_method": "S256"}
        answer = httpx.post(f"{self.issuer}/oauth2/authorize", params=params, data={"sub": sub},
                            timeout=10)
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        token = httpx.post(f"{self.issuer}/oauth2/token", timeout=10, data={
            "grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "redirect_uri": "http://127.0.0.1/cb",
            "code_verifier": verifier})
        assert token.status_code == 200, token.text
        return str(token.json()["id_token"])


@contextmanager
def mock_provider() -> Iterator[MockProvider]:
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield MockProvider(f"http://localhost:{server.server_port}")


FORGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def forged(issuer: str, audience: str = CLIENT_ID, sub: str = "mallory", *,
           expires_in: float = 600, algorithm: str = "RS256", key: Any = None,
           headers: dict[str, Any] | None = None, **claims: Any) -> str:
    """A token the test signs itself (by default with a key the provider never published)."""
    now = int(time.time())
    body = {"iss": issuer, "aud": audience, "sub": sub, "iat": now, "exp": now + int(expires_in),
            **claims}
    return jwt.encode(body, FORGER_KEY if key is None else key, algorithm=algorithm,
                      headers=headers)


def unsigned(issuer: str, audience: str = CLIENT_ID, sub: str = "mallory") -> str:
    """``alg: none``: a token with no signature at all."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    now = int(time.time())
    header = part(b'{"alg":"none","typ":"JWT"}')
    body = part(('{"iss":"%s","aud":"%s","sub":"%s","exp":%d,"roles":["belfort-admin"]}'
                 % (issuer, audience, sub, now + 600)).encode())
    return f"{header}.{body}."
