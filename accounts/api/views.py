"""The accounts API: who am I, and my API tokens (create, list, revoke)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import (
    ApiTokenSerializer,
    MeSerializer,
    NewApiTokenSerializer,
    TokenRequestSerializer,
)
from accounts.models import ApiToken
from pcep_site.api import BAD_INPUT, COMMON_ERRORS, LIST_ERRORS, NOT_FOUND


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer, **COMMON_ERRORS}, tags=["account"])
    def get(self, request):
        """The authenticated user."""
        return Response(MeSerializer(request.user).data)


class TokenListView(ListAPIView):
    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return ApiToken.objects.for_user(self.request.user).order_by("-created_at", "-id")

    @extend_schema(responses={200: ApiTokenSerializer(many=True), **LIST_ERRORS}, tags=["account"])
    def get(self, request, *args, **kwargs):
        """Your API tokens, newest first (revoked ones included, marked inactive)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: NewApiTokenSerializer, 400: BAD_INPUT, **COMMON_ERRORS},
        examples=[OpenApiExample("A token for the LMS", value={"name": "School LMS"})],
        tags=["account"],
    )
    def post(self, request):
        """Create a token. Its secret is in this response only: store it now."""
        incoming = TokenRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        token, key = services.issue_api_token(
            user=request.user, name=incoming.validated_data["name"]
        )
        token.token = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    @extend_schema(responses={204: None, 404: NOT_FOUND, **COMMON_ERRORS}, tags=["account"])
    def delete(self, request, token_id: int):
        """Revoke one of your tokens; it stops working at once."""
        token = get_object_or_404(ApiToken.objects.for_user(request.user), pk=token_id)
        services.revoke_api_token(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
