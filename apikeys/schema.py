"""How the OpenAPI description (drf-spectacular) shows the two authentication
classes of this app; registered when the app is ready (apikeys.apps)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = ["bearerAuth", "apiKeyHeader"]

    def get_security_requirement(self, auto_schema):
        # Either header will do: two alternatives, not one requirement for both.
        return [{name: []} for name in self.name]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "`Authorization: Bearer <64-character API key>`",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "description": "The same API key in the `X-API-Key` header.",
            },
        ]


class StaffBasicAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.staff_authentication.StaffBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "HTTP basic auth (`Authorization: Basic ...`) of an active staff "
            "user with the permission to issue or revoke keys. The 401 challenge is "
            '`StaffBasic realm="staff"`, a scheme browsers do not prompt for.',
        }
