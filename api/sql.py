"""All of the project's hand-written SQL: the two lookups every request makes,
in one statement (the key with its user, team and the user's role there; the
site the request names with its team, tracker configuration and the caller's
roles on it).

Why not the ORM: compiling those querysets (select_related over three tables
plus role subqueries) cost about 2 ms of Python per request on the benchmark
machine, more than the queries themselves. The statements never change, so
each shape is built once (`functools.cache`).

Why it cannot drift: every table and column name comes from model metadata
(`_meta.db_table`, `_meta.get_field(name).column`), and values are always bound.
Instances are built with Django's own column converters, so they are exactly
what the ORM would build, on SQLite and PostgreSQL alike; tests/test_sql.py
compares each model's instance with the ORM's, field by field, and checks that
every identifier in every statement is a table or column of the models read.

Plumbing: imports no app. The selectors that own the models pass them in
(apikeys.selectors for keys, sites.selectors for sites)."""

from functools import cache

from django.db import connection


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model) -> str:
    return quote(model._meta.db_table)


def column(model, field_name: str, alias: str) -> str:
    """`alias.column` of `model`'s field `field_name` ("pk" for the primary key)."""
    field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
    return f"{quote(alias)}.{quote(field.column)}"


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
    def table(self) -> str:
        return f"{table(self.model)} {quote(self.alias)}"

    @property
    def columns(self) -> str:
        return ", ".join(f"{quote(self.alias)}.{quote(field.column)}" for field in self.fields)

    def col(self, field_name: str) -> str:
        return column(self.model, field_name, self.alias)

    def _converters_for(self, vendor_connection) -> list:
        key = vendor_connection.alias
        if key not in self._converters:
            converters = []
            for index, field in enumerate(self.fields):
                col = field.get_col(self.alias)
                found = vendor_connection.ops.get_db_converters(col) + field.get_db_converters(
                    vendor_connection
                )
                if found:  # most columns need none; skip them per row
                    converters.append((index, found, col))
            self._converters[key] = converters
        return self._converters[key]

    def build(self, values, db_connection=connection):
        """An instance from this loader's slice of a row (None if the row's primary
        key is NULL, as for a LEFT JOIN that found nothing)."""
        values = list(values)
        if values[self.pk_index] is None:
            return None
        for index, converters, col in self._converters_for(db_connection):
            value = values[index]
            for converter in converters:
                value = converter(value, col, db_connection)
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


def role_subquery(membership, alias: str, **equal_to: str) -> str:
    """`(SELECT role FROM <membership> WHERE <field> = <sql> AND … LIMIT 1)`: a
    member's role, from a membership model with a `role` field."""
    conditions = " AND ".join(
        f"{column(membership, field, alias)} = {sql}" for field, sql in equal_to.items()
    )
    return (
        f"(SELECT {column(membership, 'role', alias)} "  # noqa: S608
        f"FROM {table(membership)} {quote(alias)} WHERE {conditions} LIMIT 1)"
    )


# --- The key lookup (apikeys.selectors) -----------------------------------------


@cache
def key_lookup_sql(
    keys: RowLoader,
    users: RowLoader,
    teams: RowLoader,
    membership,
    extra_columns: str | None = None,
    extra_joins: str | None = None,
) -> str:
    """The key (by its `key_hash`, bound last), its user, its team and the user's
    role there; with a joined read's columns and joins, also what it reads."""
    role = role_subquery(membership, "m", team=keys.col("team"), user=keys.col("user"))
    extra_columns = f", {extra_columns}" if extra_columns else ""
    extra_joins = f" {extra_joins}" if extra_joins else ""
    return (
        f"SELECT {keys.columns}, {users.columns}, {teams.columns}, {role}"  # noqa: S608
        f"{extra_columns} "
        f"FROM {keys.table} "
        f"INNER JOIN {users.table} ON {users.col('pk')} = {keys.col('user')} "
        f"LEFT OUTER JOIN {teams.table} ON {teams.col('pk')} = {keys.col('team')}"
        f"{extra_joins} "
        f"WHERE {keys.col('key_hash')} = %s LIMIT 1"
    )


# --- The site a request names (sites.selectors) ----------------------------------


@cache
def site_columns_sql(
    sites: RowLoader,
    site_teams: RowLoader,
    trackers: RowLoader,
    membership,
    guest_membership,
    user_id_sql: str,
) -> str:
    """The site, its team, its tracker configuration, then the user's role in the
    team and their guest role on the site; `user_id_sql` is a column or `%s`."""
    team_role = role_subquery(membership, "m", team=sites.col("team"), user=user_id_sql)
    guest_role = role_subquery(guest_membership, "g", site=sites.col("pk"), user=user_id_sql)
    return f"{sites.columns}, {site_teams.columns}, {trackers.columns}, {team_role}, {guest_role}"


@cache
def site_in_team_columns_sql(
    sites: RowLoader, trackers: RowLoader, guest_membership, user_id_sql: str
) -> str:
    """The site, its tracker configuration and the user's guest role on it: for a
    caller who already holds the site's team and their role there (a team key)."""
    guest_role = role_subquery(guest_membership, "g", site=sites.col("pk"), user=user_id_sql)
    return f"{sites.columns}, {trackers.columns}, {guest_role}"


def _first_pk(rows: RowLoader, condition: str) -> str:
    """The first primary key (lowest) of the rows matching `condition`."""
    return (
        f"(SELECT {rows.col('pk')} FROM {rows.table} "  # noqa: S608 (names from model metadata)
        f"WHERE {condition} ORDER BY {rows.col('pk')} LIMIT 1)"
    )


@cache
def site_joins_sql(
    sites: RowLoader,
    site_teams: RowLoader | None,
    trackers: RowLoader,
    by: str,
) -> str:
    """LEFT JOINs that attach the named site (NULLs when there is none) to any row,
    so the key lookup can fetch it in the same statement; its team too, unless
    `site_teams` is None. By "domain" it binds the domain, the domain again and
    the previous-domain cutoff; by "key", the site key."""
    named = RowLoader(sites.model, "n")
    if by == "domain":
        # The site whose current domain it is, else the one that had it until
        # lately. Claims make two matches impossible (and both columns are
        # unique); should one slip through, the current domain still wins.
        # PostgreSQL and SQLite evaluate COALESCE's second lookup only when the
        # first finds nothing: a read by current domain is one index probe.
        current = _first_pk(named, f"{named.col('domain')} = %s")
        previous = _first_pk(
            named,
            f"{named.col('domain_changed_from')} = %s AND {named.col('domain_changed_at')} > %s",
        )
        found = f"COALESCE({current}, {previous})"
    else:
        found = _first_pk(named, f"{named.col('site_key')} = %s")
    team_join = ""
    if site_teams is not None:
        team_join = (
            f"LEFT OUTER JOIN {site_teams.table} ON {site_teams.col('pk')} = {sites.col('team')} "
        )
    return (
        f"LEFT OUTER JOIN {sites.table} ON {sites.col('pk')} = {found} "  # noqa: S608
        f"{team_join}"
        f"LEFT OUTER JOIN {trackers.table} ON {trackers.col('site')} = {sites.col('pk')}"
    )


@cache
def site_alone_sql(columns_sql: str, joins_sql: str) -> str:
    """The named site without a key: the same columns and joins on one row."""
    return f"SELECT {columns_sql} FROM (SELECT 1) one {joins_sql}"  # noqa: S608
