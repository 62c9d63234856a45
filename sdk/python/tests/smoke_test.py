"""The Python SDK against a running platform (CI runs it from test/e2e/python-sdk.e2e-spec.ts).

    SAAS_URL=http://localhost:3000 SAAS_ADMIN_EMAIL=... SAAS_ADMIN_PASSWORD=... python3 sdk/python/tests/smoke_test.py
"""

import os
import sys
import threading
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from saas_control_plane import ApiError, Client  # noqa: E402

URL = os.environ["SAAS_URL"]
ADMIN = {"email": os.environ["SAAS_ADMIN_EMAIL"], "password": os.environ["SAAS_ADMIN_PASSWORD"]}
RUN = uuid.uuid4().hex[:6]
PASSWORD = "Python-Sdk-Password-42"


class PythonSdkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.admin = Client(URL)
        cls.admin.login(**ADMIN)
        cls.email = f"py-{RUN}@example.com"
        cls.admin.request("POST", "/api/v1/users", body={"email": cls.email, "password": PASSWORD, "full_name": "Py User", "tier": "premium", "email_verified": True})

    def test_login_with_username_and_one_refresh_for_many_threads(self):
        first = Client(URL)
        tokens = first.login(username=self.email, password=PASSWORD)
        rotated = []
        client = Client(URL, tokens={"access_token": "stale.token", "refresh_token": tokens["refresh_token"]}, on_tokens=rotated.append)
        seen = []
        threads = [threading.Thread(target=lambda: seen.append(client.request("GET", "/api/v1/auth/me")["email"])) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(seen, [self.email] * 4)
        self.assertEqual(len(rotated), 1)

    def test_tenant_create_wait_paginate_errors_and_idempotency(self):
        client = Client(URL)
        client.login(email=self.email, password=PASSWORD)
        key = f"py-create-{RUN}"
        created = client.tenants.create(idempotency_key=key, name="Py Corp", subdomain=f"py-{RUN}")
        self.assertEqual(created["status"], "pending")
        again = client.tenants.create(idempotency_key=key, name="Py Corp", subdomain=f"py-{RUN}")
        self.assertEqual(again["id"], created["id"])
        progress = []
        final = client.tenants.wait(created["id"], "active", timeout=60, on_progress=progress.append)
        self.assertEqual(final["progress"], 100)
        self.assertEqual(progress[-1]["status"], "active")
        second = client.tenants.create(name="Py Second", subdomain=f"py2-{RUN}")
        client.tenants.wait(second["id"], "active", timeout=60)
        ids = sorted(t["id"] for t in client.paginate("/api/v1/tenants", page_size=1))
        self.assertEqual(ids, sorted([created["id"], second["id"]]))
        with self.assertRaises(ApiError) as missing:
            client.tenants.get("00000000-0000-4000-8000-000000000000")
        self.assertEqual((missing.exception.status, missing.exception.code), (404, "TENANT_NOT_FOUND"))
        with self.assertRaises(ApiError) as invalid:
            client.tenants.create(name="x")
        self.assertEqual(invalid.exception.code, "VALIDATION_FAILED")
        self.assertIn("name", [e["field"] for e in invalid.exception.field_errors])
        for tenant in (created, second):
            client.tenants.delete(tenant["id"])
            client.tenants.wait(tenant["id"], "deleted", timeout=60)

    def test_api_key(self):
        client = Client(URL)
        client.login(email=self.email, password=PASSWORD)
        key = client.request("POST", "/api/v1/api-keys", body={"name": "py"})
        by_key = Client(URL, api_key=key["key"])
        self.assertEqual(by_key.request("GET", "/api/v1/auth/me")["email"], self.email)
        with self.assertRaises(ApiError) as refused:
            Client(URL, api_key="sk_nothing_here").request("GET", "/api/v1/auth/me")
        self.assertEqual(refused.exception.status, 401)


if __name__ == "__main__":
    unittest.main(verbosity=2)
