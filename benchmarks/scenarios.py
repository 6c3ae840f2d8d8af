"""What each scenario sends: (method, path, body, headers as WSGI keys). Shared by
the load runner (wrk) and the in-process query counter, so both measure the same
requests. `"fresh"` as a body means a new domain per request."""

READ_DOMAIN = "site0.bench"
PAGE, DEEP_PAGES = 100, 50


def scenario_requests(seed_data: dict) -> dict:
    """(method, path, body, headers) of each scenario, shared with the load runner."""
    ours = {"HTTP_AUTHORIZATION": f"Bearer {seed_data['key']}"}
    domain = seed_data["read_domain"]
    requests = {
        "baseline": ("GET", f"/bench/baseline/{domain}", None, {}),
        "peer": (
            "GET",
            f"/bench/peer/{domain}",
            None,
            {"HTTP_AUTHORIZATION": f"Api-Key {seed_data['peer_key']}"},
        ),
        "ours_read": ("GET", f"/api/v1/sites/{domain}", None, ours),
        "ours_list_first": ("GET", "/api/v1/sites", None, ours),
        "ours_find_or_create": (
            "PUT",
            "/api/v1/sites/shared-links",
            {"site_id": domain, "name": seed_data["link_name"]},
            ours,
        ),
        "ours_create": ("POST", "/api/v1/sites", "fresh", ours),
    }
    if seed_data.get("deep_cursor"):
        requests["ours_list_deep"] = (
            "GET",
            f"/api/v1/sites?after={seed_data['deep_cursor']}",
            None,
            ours,
        )
    return requests
