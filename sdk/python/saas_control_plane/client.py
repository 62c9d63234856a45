"""The client: auth with rotation-aware refresh, pagination, idempotency keys, waiting, typed errors."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, Iterator, Optional

_AUTH_PATHS = ("/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/register")


class ApiError(Exception):
    """A non-2xx answer: ``status``, the stable ``code`` and the whole RFC 9457 ``problem``."""

    def __init__(self, status: int, problem: Dict[str, Any]):
        self.status = status
        self.problem = problem
        self.code = str(problem.get("code") or f"HTTP_{status}")
        self.detail = str(problem.get("detail") or "")
        super().__init__(f"{status} {self.code}: {self.detail}")

    @property
    def field_errors(self):
        return self.problem.get("errors") or []


class OperationFailed(Exception):
    """A waited-for operation that ended in a failed state."""

    def __init__(self, status: str, reason: Optional[str]):
        self.status = status
        self.reason = reason
        super().__init__(f"the operation ended {status}" + (f": {reason}" if reason else ""))


class Client:
    """One platform. Authenticate with ``login`` (tokens are refreshed on a 401, once for all
    threads) or an ``api_key``. ``on_tokens`` is called with every new token pair."""

    def __init__(
        self,
        base_url: str,
        api_key: Optional[str] = None,
        tokens: Optional[Dict[str, str]] = None,
        on_tokens: Optional[Callable[[Dict[str, str]], None]] = None,
        timeout: float = 30.0,
        idempotency_keys: bool = True,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.tokens = dict(tokens) if tokens else None
        self.on_tokens = on_tokens
        self.timeout = timeout
        self.idempotency_keys = idempotency_keys
        self._refresh_lock = threading.Lock()
        self.tenants = _Tenants(self)

    # ---------------------------------------------------------------- auth

    def login(self, password: str, email: Optional[str] = None, username: Optional[str] = None) -> Dict[str, Any]:
        body: Dict[str, Any] = {"password": password}
        if email is not None:
            body["email"] = email
        else:
            body["username"] = username
        answer = self.request("POST", "/api/v1/auth/login", body=body)
        self._set_tokens(answer)
        return answer

    def refresh(self, stale_access_token: Optional[str] = None) -> None:
        """Rotates the refresh token; a token another thread already rotated is not refreshed twice."""
        with self._refresh_lock:
            if stale_access_token and self.tokens and self.tokens.get("access_token") != stale_access_token:
                return
            if not self.tokens or not self.tokens.get("refresh_token"):
                raise ApiError(401, {"code": "UNAUTHORIZED", "detail": "No refresh token: log in again."})
            answer = self.request("POST", "/api/v1/auth/refresh", body={"refresh_token": self.tokens["refresh_token"]})
            self._set_tokens(answer)

    def _set_tokens(self, answer: Dict[str, Any]) -> None:
        self.tokens = {"access_token": answer["access_token"], "refresh_token": answer.get("refresh_token")}
        if self.on_tokens:
            self.on_tokens(dict(self.tokens))

    # ---------------------------------------------------------------- requests

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: Optional[Dict[str, Any]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        """One API call; 2xx → the decoded JSON (or None), anything else → ApiError."""
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        if params:
            query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        headers = {"accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        is_auth = any(p in url for p in _AUTH_PATHS)
        if method == "POST" and not is_auth and (idempotency_key or self.idempotency_keys):
            headers["idempotency-key"] = idempotency_key or str(uuid.uuid4())
        used = self._authorize(headers, is_auth)
        status, payload = self._send(method, url, data, headers)
        if status == 401 and not is_auth and not self.api_key and self.tokens and self.tokens.get("refresh_token"):
            self.refresh(used)
            self._authorize(headers, is_auth)
            status, payload = self._send(method, url, data, headers)
        if status >= 400:
            raise ApiError(status, payload if isinstance(payload, dict) else {"detail": str(payload)})
        return payload

    def _authorize(self, headers: Dict[str, str], is_auth: bool) -> Optional[str]:
        if is_auth:
            return None
        if self.api_key:
            headers["x-api-key"] = self.api_key
            return None
        if self.tokens:
            headers["authorization"] = f"Bearer {self.tokens['access_token']}"
            return self.tokens["access_token"]
        return None

    def _send(self, method: str, url: str, data: Optional[bytes], headers: Dict[str, str]):
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                raw = res.read()
                return res.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                return err.code, json.loads(raw)
            except ValueError:
                return err.code, {"code": f"HTTP_{err.code}", "detail": raw.decode(errors="replace")[:500]}

    # ---------------------------------------------------------------- pagination

    def paginate(self, path: str, **params: Any) -> Iterator[Dict[str, Any]]:
        """Every item of a list, following ``next`` until the last page."""
        page = self.request("GET", path, params=params or None)
        while True:
            for item in page["results"]:
                yield item
            if not page.get("next"):
                return
            page = self.request("GET", page["next"])


class _Tenants:
    def __init__(self, client: Client):
        self._c = client

    def list(self, **params: Any) -> Dict[str, Any]:
        return self._c.request("GET", "/api/v1/tenants", params=params or None)

    def get(self, tenant_id: str) -> Dict[str, Any]:
        return self._c.request("GET", f"/api/v1/tenants/{tenant_id}")

    def status(self, tenant_id: str) -> Dict[str, Any]:
        return self._c.request("GET", f"/api/v1/tenants/{tenant_id}/status")

    def create(self, idempotency_key: Optional[str] = None, **fields: Any) -> Dict[str, Any]:
        return self._c.request("POST", "/api/v1/tenants", body=fields, idempotency_key=idempotency_key)

    def delete(self, tenant_id: str) -> Dict[str, Any]:
        return self._c.request("DELETE", f"/api/v1/tenants/{tenant_id}")

    def wait(self, tenant_id: str, want: str = "active", timeout: float = 300.0, on_progress=None) -> Dict[str, Any]:
        """Polls the status with backoff until it is ``want``; ``error`` raises OperationFailed."""
        deadline = time.monotonic() + timeout
        delay, last = 0.2, None
        while True:
            status = self.status(tenant_id)
            seen = (status["status"], status.get("progress"), status.get("step"))
            if on_progress and seen != last:
                on_progress(status)
            last = seen
            if status["status"] == want:
                return status
            if status["status"] == "error" and want != "error":
                raise OperationFailed(status["status"], status.get("error"))
            if time.monotonic() > deadline:
                raise TimeoutError(f"tenant {tenant_id} is still {status['status']} after {timeout} s")
            time.sleep(delay)
            delay = min(2.0, delay * 1.5)
