"""The served OpenAPI description and its reader (Swagger UI from our own static
files, no CDN), with DEBUG off as in production."""

import json
import re

import pytest
import yaml

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/sites", "get"),
    ("/api/v1/sites", "post"),
    ("/api/v1/sites/teams", "get"),
    ("/api/v1/sites/{site_id}", "get"),
    ("/api/v1/sites/{site_id}", "put"),
    ("/api/v1/sites/{site_id}", "delete"),
    ("/api/v1/sites/goals", "get"),
    ("/api/v1/sites/goals", "put"),
    ("/api/v1/sites/goals/{goal_id}", "delete"),
    ("/api/v1/sites/custom-props", "get"),
    ("/api/v1/sites/custom-props", "put"),
    ("/api/v1/sites/custom-props/{property}", "delete"),
    ("/api/v1/sites/guests", "get"),
    ("/api/v1/sites/guests", "put"),
    ("/api/v1/sites/guests/{email}", "delete"),
    ("/api/v1/sites/shared-links", "put"),
    ("/api/v2/auth/keys", "post"),
    ("/api/v2/auth/keys/revoke", "post"),
    ("/api/v1/analytics/sites", "get"),
    ("/api/v1/analytics/sites", "post"),
    ("/api/v1/analytics/sites/{key}", "get"),
    ("/api/v1/analytics/sites/{key}", "patch"),
    ("/api/v1/analytics/sites/{key}", "delete"),
    ("/api/health", "get"),
    ("/api/health/live", "get"),
}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema):
    return {
        (path, method): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }


def test_every_endpoint_is_described(schema):
    assert set(operations(schema)) == OPERATIONS


def test_both_key_schemes_are_alternatives(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    assert (schemes["apiKeyHeader"]["in"], schemes["apiKeyHeader"]["name"]) == (
        "header",
        "X-API-Key",
    )
    teams = operations(schema)[("/api/v1/sites/teams", "get")]
    assert teams["security"] == [{"bearerAuth": []}, {"apiKeyHeader": []}]
    for path in ("/api/v2/auth/keys", "/api/v2/auth/keys/revoke"):
        staff_operation = operations(schema)[(path, "post")]
        assert staff_operation["security"] == [{"basicAuth": []}]
        assert list(staff_operation["requestBody"]["content"]) == ["application/json"]
        assert {"401", "415", "429", "503"} <= set(staff_operation["responses"])
    assert (schemes["basicAuth"]["type"], schemes["basicAuth"]["scheme"]) == ("http", "basic")


def test_no_staff_operation_takes_a_key_in_its_path(schema):
    staff_paths = {path for path, _method in operations(schema) if path.startswith("/api/v2/auth/")}
    assert staff_paths == {"/api/v2/auth/keys", "/api/v2/auth/keys/revoke"}


def test_errors_and_rate_limit_headers_are_documented(schema):
    for (path, method), operation in operations(schema).items():
        if path.startswith("/api/health"):
            continue  # probes: no key, no limits, no error envelope
        responses = operation["responses"]
        envelope = "ResourceError" if path.startswith("/api/v1/analytics/") else "Error"
        for code in ("400", "401", "404"):
            assert responses[code]["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{envelope}"
            }, (path, method, code)
        if path.startswith("/api/v1/"):
            success = responses.get("200") or responses["201"]
            assert {"RateLimit", "RateLimit-Policy"} <= set(success["headers"])
            assert "Retry-After" in responses["429"]["headers"]


def test_the_http_servers_own_refusals_are_documented_everywhere(schema):
    """gunicorn refuses an overlong request line (414) or header (431) before the
    app runs; its body is not JSON, so the description promises no content."""
    for (path, method), operation in operations(schema).items():
        for status, limit in [("414", "4094"), ("431", "8190")]:
            refusal = operation["responses"][status]
            assert "content" not in refusal, (path, method, status)
            assert limit in refusal["description"]
    # the enum hook still runs beside ours
    assert "GoalTypeEnum" in schema["components"]["schemas"]


def test_each_dialect_documents_its_own_error_envelope(schema):
    ops = operations(schema)
    resource = ops[("/api/v1/analytics/sites", "post")]["responses"]
    assert "201" in resource and "422" in resource
    ref = resource["422"]["content"]["application/json"]["schema"]["$ref"]
    envelope = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert list(envelope["properties"]) == ["error"]
    plausible = ops[("/api/v1/sites", "post")]["responses"]["400"]
    assert plausible["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_parameters_are_exact(schema):
    goals = operations(schema)[("/api/v1/sites/goals", "get")]
    names = {(p["name"], p["in"], p.get("required", False)) for p in goals["parameters"]}
    assert names == {
        ("site_id", "query", True),
        ("limit", "query", False),
        ("after", "query", False),
        ("before", "query", False),
    }
    put_goal = operations(schema)[("/api/v1/sites/goals", "put")]
    body = put_goal["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    goal_request = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert goal_request["properties"]["goal_type"]["$ref"].endswith("GoalTypeEnum")
    assert set(goal_request["required"]) == {"site_id", "goal_type"}


def test_json_and_the_plesk_style_address_serve_the_same_description(client, schema):
    as_json = client.get("/api/schema/?format=json")
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(as_json.content)["paths"].keys() == schema["paths"].keys()
    swagger = client.get("/api/v2/swagger.yml")
    assert swagger.status_code == 200
    assert yaml.safe_load(swagger.content)["paths"].keys() == schema["paths"].keys()


def test_the_docs_page_uses_our_own_static_files(client, settings):
    assert settings.DEBUG is False
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets, html[:500]
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    assert "cdn" not in html.lower()


def test_the_description_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.")
