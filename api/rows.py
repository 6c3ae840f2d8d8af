"""Model instances from hand-written SELECTs, for the two lookups every request
makes (the key, then the site).

Compiling those querysets (select_related over three tables plus role
subqueries) cost about 2 ms of Python per request on the benchmark machine, more
than the queries themselves; the SQL never changes, so it is written once here.
Django's own column converters are applied, so the instances are exactly what
the ORM would build, on SQLite and PostgreSQL alike."""

from django.db import connection


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


class RowLoader:
    """The columns of `model` under `alias`, and how to turn them back into an
    instance."""

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.width = len(self.fields)
        self.pk_index = self.fields.index(model._meta.pk)
        self._converters: dict[str, list] = {}

    @property
    def columns(self) -> str:
        return ", ".join(f"{quote(self.alias)}.{quote(field.column)}" for field in self.fields)

    def _converters_for(self, vendor_connection) -> list:
        key = vendor_connection.alias
        if key not in self._converters:
            converters = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                found = vendor_connection.ops.get_db_converters(column) + field.get_db_converters(
                    vendor_connection
                )
                if found:  # most columns need none; skip them per row
                    converters.append((index, found, column))
            self._converters[key] = converters
        return self._converters[key]

    def build(self, values, db_connection=connection):
        """An instance from this loader's slice of a row (None if the row's primary
        key is NULL, as for a LEFT JOIN that found nothing)."""
        values = list(values)
        if values[self.pk_index] is None:
            return None
        for index, converters, column in self._converters_for(db_connection):
            value = values[index]
            for converter in converters:
                value = converter(value, column, db_connection)
            values[index] = value
        return self.model.from_db(db_connection.alias, self.attnames, values)


def split_row(row, *loaders: RowLoader):
    """Cut a row into one slice per loader, and whatever follows."""
    parts, start = [], 0
    for loader in loaders:
        parts.append(row[start : start + loader.width])
        start += loader.width
    parts.append(row[start:])
    return parts
