"""What every REST API endpoint shares: the error envelope, pagination and throttles."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import exceptions, pagination, serializers, status, throttling
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.services import TokenError
from exams.errors import ATTEMPT_FINISHED, ExamsError

# Domain error codes that are a conflict with the resource's state, not bad input.
CONFLICT_CODES = {ATTEMPT_FINISHED, "already_answered"}


def error_body(*, code: str, message: str, field: str | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def _first_message(detail) -> tuple[str | None, str, str]:
    """(field, message, code) of the first problem in a DRF validation detail."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner_field, message, code = _first_message(value)
            if field == "non_field_errors":
                field = None
            return (f"{field}.{inner_field}" if field and inner_field else field or inner_field,
                    message, code)  # fmt: skip
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return None, str(detail), getattr(detail, "code", "invalid")


def exception_handler(error, context):
    """Every error, domain or framework, as {"error": {"code", "message", "field"}}."""
    if isinstance(error, (ExamsError, TokenError)):
        status_code = (
            status.HTTP_409_CONFLICT
            if error.code in CONFLICT_CODES
            else status.HTTP_400_BAD_REQUEST
        )
        return Response(
            error_body(code=error.code, message=error.message, field=error.field),
            status=status_code,
        )
    if isinstance(error, Http404):
        error = exceptions.NotFound()
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied()
    response = drf_exception_handler(error, context)
    if response is None:
        return None  # a real bug: Django's 500 handling and logging take over
    if isinstance(error, exceptions.ValidationError):
        field, message, code = _first_message(error.detail)
        response.data = error_body(
            code="invalid" if code in ("invalid", None) else code,
            message=message,
            field=field,
            fields=error.detail if isinstance(error.detail, dict) else None,
        )
    else:
        detail = error.detail if isinstance(error, exceptions.APIException) else str(error)
        code = detail.code if hasattr(detail, "code") else "error"
        response.data = error_body(code=str(code), message=str(detail))
    return response


class Pagination(pagination.PageNumberPagination):
    """Every list: `?page=N&page_size=M` (at most 100), with count, next and previous."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Each API token has its own budget, apart from its user's other tokens and session."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "pk"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class UserRateThrottle(throttling.UserRateThrottle):
    """All of one user's requests together (session and tokens), and anonymous ones by IP."""


ERROR_SCHEMA = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "field": serializers.CharField(allow_null=True),
                "fields": serializers.DictField(required=False, allow_null=True),
            },
        )
    },
)


def error_response(description: str, *, code: str, message: str, field=None) -> OpenApiResponse:
    """An error response for the schema, with an example of its envelope."""
    return OpenApiResponse(
        response=ERROR_SCHEMA,
        description=description,
        examples=[OpenApiExample(code, value=error_body(code=code, message=message, field=field))],
    )


# The errors every authenticated endpoint can return.
COMMON_ERRORS = {
    401: error_response(
        "No or an invalid token, and no session.",
        code="not_authenticated",
        message="Authentication credentials were not provided.",
    ),
    429: error_response(
        "Too many requests; the Retry-After header says when to try again.",
        code="throttled",
        message="Request was throttled. Expected available in 12 seconds.",
    ),
}
NOT_FOUND = error_response("No such object (or not yours).", code="not_found", message="Not found.")
BAD_INPUT = error_response(
    "The input breaks a rule; nothing was changed.",
    code="invalid",
    message="This field is required.",
    field="name",
)
FORBIDDEN = error_response(
    "Your role may not do this.",
    code="permission_denied",
    message="You do not have permission to perform this action.",
)

# List endpoints also refuse a page past the end (404) and a malformed filter (400).
LIST_ERRORS = {
    400: error_response(
        "A filter or page parameter is malformed.",
        code="invalid",
        message="Select a valid choice. That choice is not one of the available choices.",
        field="mode",
    ),
    404: error_response("No such page.", code="not_found", message="Invalid page."),
    **COMMON_ERRORS,
}


@csrf_exempt  # it changes nothing, and must answer in the envelope whatever the cookies
def unknown_endpoint(request, path: str = "") -> JsonResponse:
    """Any other URL under /api/v1/ (or one whose id is not a number): a 404 in the envelope,
    never Django's HTML page."""
    return JsonResponse(
        error_body(code="not_found", message="No such endpoint or object."), status=404
    )
