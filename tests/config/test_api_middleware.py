"""The admin's session, authentication and message middleware do not run
on /api/ paths (nothing there uses them) and run unchanged everywhere else."""

import pytest
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.http import HttpResponse
from django.test import RequestFactory

from api import middleware

factory = RequestFactory()
WRAPPED = {
    middleware.SessionMiddleware: ("session", sessions_middleware.SessionMiddleware),
    middleware.AuthenticationMiddleware: ("user", auth_middleware.AuthenticationMiddleware),
    middleware.MessageMiddleware: ("_messages", messages_middleware.MessageMiddleware),
}


def run(middleware_class, request):
    seen = {}

    def view(request):
        seen.update(vars(request))
        return HttpResponse("ok")

    chain = middleware.SessionMiddleware(middleware_class(view))
    if middleware_class is middleware.SessionMiddleware:
        chain = middleware_class(view)
    chain(request)
    return seen


@pytest.mark.parametrize("wrapped", WRAPPED, ids=lambda cls: cls.__name__)
class TestOnApiPaths:
    def test_they_do_not_run(self, wrapped):
        attribute, _ = WRAPPED[wrapped]
        assert attribute not in run(wrapped, factory.get("/api/v1/sites"))

    def test_they_run_elsewhere(self, wrapped):
        attribute, _ = WRAPPED[wrapped]
        assert attribute in run(wrapped, factory.get("/admin/"))

    def test_they_are_still_what_the_admin_checks_for(self, wrapped):
        _, original = WRAPPED[wrapped]
        assert issubclass(wrapped, original)
