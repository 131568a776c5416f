"""App config for exams."""

import mimetypes

from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "exams"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        # "Run this code" loads the vendored Pyodide (docs/run-code.md): browsers compile the
        # wasm while it downloads only when it is served as application/wasm, and import the
        # .mjs modules only with a JavaScript type. Django's static file views guess the type
        # from this table, which lacks both where the system has no mime.types file.
        mimetypes.add_type("application/wasm", ".wasm")
        mimetypes.add_type("text/javascript", ".mjs")
