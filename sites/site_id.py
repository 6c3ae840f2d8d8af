"""How a Plausible-dialect request names its site: `site_id`, which may come in
the path, the query string or the body (api.params merges them). Before the
caller is known only the URL may be read, so these judge the URL alone; the
merged value is judged once the body is parsed (sites.base_views)."""

from api.params import present


def site_id_in_url(request, path_kwargs: dict) -> str | None:
    """`site_id` as the path or the query string gives it, read before the caller
    is known and so without parsing anything: the path's value, else the query
    string's one plain `site_id`. None when neither gives a usable one (absent,
    repeated, or spelled `site_id[...]`: `request_params` decides those later)."""
    if "site_id" in path_kwargs:
        value = path_kwargs["site_id"]
        return value if isinstance(value, str) and value else None
    values = request.query_params.getlist("site_id")
    if len(values) == 1 and values[0]:
        return values[0]
    return None


def url_mentions_site_id(request, path_kwargs: dict) -> bool:
    """Whether the path or query string carries a non-empty `site_id` in any
    spelling, so that its absence can be reported without reading the body."""
    if present(path_kwargs.get("site_id")):
        return True
    return any(
        (name == "site_id" or name.startswith("site_id[")) and any(values)
        for name, values in request.query_params.lists()
    )
