"""Database expressions the ORM lacks, written for both backends the product runs on."""

from django.db.models import FloatField, Func


class EpochSeconds(Func):
    """Seconds since 1970-01-01 UTC of a datetime, computed by the database.

    Reading thousands of datetimes costs a parse per value in Python; a number does not.
    """

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores datetimes on SQLite as UTC text, which julianday() reads.
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM %(expressions)s)::double precision",
            **extra_context,
        )
