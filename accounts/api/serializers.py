"""Serializers of the accounts API: the caller and their API tokens."""

from rest_framework import serializers

from accounts.models import ApiToken, User


class MeSerializer(serializers.ModelSerializer):
    is_instructor = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "date_joined", "is_instructor"]
        read_only_fields = fields

    def get_is_instructor(self, user: User) -> bool:
        from exams.api.permissions import is_instructor

        return is_instructor(user)


class ApiTokenSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"]
        read_only_fields = fields


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret: shown this once only.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class TokenRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for.")
