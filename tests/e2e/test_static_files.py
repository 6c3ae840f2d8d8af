"""The admin and the API docs work under gunicorn with production settings whether
or not `collectstatic` was run: a forgotten step is not a 500 on /admin/login/."""

import re
import urllib.request

import pytest

from tests.servers import gunicorn_server

pytestmark = pytest.mark.e2e

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.parametrize("collect_static", [False, True], ids=["not-collected", "collected"])
def test_the_admin_and_the_docs_and_their_assets_are_served(tmp_path, collect_static):
    with gunicorn_server(tmp_path, workers=1, collect_static=collect_static) as server:
        for page in ("/admin/login/", "/api/docs/"):
            status, html = fetch(server.url + page)
            assert status == 200, page
            assets = ASSET.findall(html)
            assert assets, page
            for asset in assets:
                asset_status, _ = fetch(server.url + asset)
                assert asset_status == 200, asset
