"""What staff see in the admin when a service refuses a write for want of a
dependency (apikeys.stamps refuses changes to keys, users and teams while Redis
is unreachable): the page they came from, with the refusal as an error message,
not a server error page. Each view runs in a transaction of its own here (the
changelist's actions too), so nothing of a refused write is kept, and a refusal
deep in a cascade does not leave the request's connection in a broken one."""

from django.contrib import messages
from django.db import router, transaction
from django.http import HttpResponseRedirect

from api.errors import ServiceError


class ServiceErrorsAsMessages:
    """A ModelAdmin mixin, placed before admin.ModelAdmin."""

    def changeform_view(self, request, *args, **kwargs):
        return self._refusals_as_messages(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._refusals_as_messages(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):  # actions, list_editable
        return self._refusals_as_messages(request, super().changelist_view, *args, **kwargs)

    def _refusals_as_messages(self, request, view, *args, **kwargs):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return view(request, *args, **kwargs)
        except ServiceError as exc:
            if not exc.dependency_outage:
                raise
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
