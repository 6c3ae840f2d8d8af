"""Plausible's router matches method and path together: `GET /sites/teams` is the
teams list, but `DELETE /sites/teams` is the site whose domain is "teams". Literal
routes here answer only the methods they implement and hand every other request
to the `:site_id` view, with the literal path as the site id."""

from django.views.decorators.csrf import csrf_exempt


def literal_route(view_class, *, fallback_class):
    literal_view = view_class.as_view()
    site_view = fallback_class.as_view()
    methods = {name.upper() for name in view_class.http_method_names if hasattr(view_class, name)}
    methods.discard("OPTIONS")

    @csrf_exempt
    def view(request, *args, **kwargs):
        if request.method in methods or request.method == "OPTIONS":
            return literal_view(request, *args, **kwargs)
        site_id = request.path_info.split("/api/v1/sites/", 1)[-1].strip("/")
        return site_view(request, site_id=site_id)

    # Schema generators (drf-spectacular) read these, as on DRF's own views.
    view.cls = view_class
    view.initkwargs = {}
    return view
