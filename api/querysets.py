"""A queryset whose bulk writes are heard, for tables whose changes something
outside the database must learn of (apikeys.stamps: the principal caches).

`Model.save()` and `delete()` send post_save and post_delete, and so does
`QuerySet.delete()` for a model with receivers; `QuerySet.update()` (and
`bulk_update()`, which calls it) and `bulk_create()` send nothing. This queryset
sends `rows_changing` before an update, with the rows it is about to change and
the new values, and `rows_created` after a bulk create, with the new objects.
`Model.save()` updates through `_update()`, not `update()`, so a save is not
heard twice. Relations' `add()` create through rows with `bulk_create()` on the
through model's default manager, so they are heard too.

Imports no app: a model opts in with `objects = SignallingQuerySet.as_manager()`
(or a manager built `from_queryset` it)."""

from django.db import models
from django.dispatch import Signal

# sender: the model; queryset: the rows about to be updated; values: update()'s
# keyword arguments. Sent inside update(), before the UPDATE statement, so a
# receiver that raises leaves the rows as they were.
rows_changing = Signal()
# sender: the model; objects: what bulk_create() just inserted.
rows_created = Signal()


class SignallingQuerySet(models.QuerySet):
    def update(self, **values):
        rows_changing.send(sender=self.model, queryset=self, values=values)
        return super().update(**values)

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        rows_created.send(sender=self.model, objects=created)
        return created

    bulk_create.alters_data = True
