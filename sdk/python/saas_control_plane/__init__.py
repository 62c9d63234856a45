"""Python client of the SaaS control plane's REST API (standard library only).

    from saas_control_plane import Client, ApiError

    client = Client("http://localhost:3000")
    client.login(email="ada@example.com", password="...")
    tenant = client.tenants.create(name="Acme", subdomain="acme")      # 202, pending
    client.tenants.wait(tenant["id"], "active", on_progress=print)     # follows status with backoff
    for t in client.paginate("/api/v1/tenants", page_size=100):        # every page, via `next`
        print(t["slug"])
"""

from .client import ApiError, Client, OperationFailed

__all__ = ["ApiError", "Client", "OperationFailed"]
__version__ = "0.1.0"
