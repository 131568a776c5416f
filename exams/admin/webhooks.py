"""Admin for integration webhooks: endpoints (staff with the model permissions edit them) and
the read-only delivery log with its "retry now" action.

An endpoint's secret is shown once, in the message after it is created or replaced, and
masked everywhere else; the list never shows it.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from exams import webhooks
from exams.models import WebhookDelivery, WebhookEndpoint, WebhookEvent, generate_webhook_secret
from pcep_site.admin import ReadOnlyAdminMixin


class WebhookEndpointForm(forms.ModelForm):
    # A URL typed without a scheme is taken as https (Django 6's default), never plain http.
    url = WebhookEndpoint._meta.get_field("url").formfield(assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[WebhookEvent.ATTEMPT_FINISHED],
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "is_active", "events")


class WebhookEndpointAddForm(WebhookEndpointForm):
    class Meta(WebhookEndpointForm.Meta):
        fields = (*WebhookEndpointForm.Meta.fields, "secret")
        # Typed, not echoed back into the page on a form error.
        widgets = {"secret": forms.PasswordInput(attrs={"autocomplete": "new-password"})}


class WebhookEndpointChangeForm(WebhookEndpointForm):
    replace_secret = forms.BooleanField(
        required=False,
        help_text="Generate a new secret (shown once, after saving). "
        "The receiver must be given it: requests are signed with the new one at once.",
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "is_active", "event_names", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = ("masked_secret", "created_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = WebhookEndpointChangeForm if obj else WebhookEndpointAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return WebhookEndpointAddForm.Meta.fields
        return (*WebhookEndpointForm.Meta.fields, "masked_secret", "replace_secret", "created_at")

    @admin.display(description="events")
    def event_names(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.display(description="secret")
    def masked_secret(self, endpoint: WebhookEndpoint) -> str:
        # Enough to tell two secrets apart, not enough to sign with.
        return f"••••••••{endpoint.secret[-4:]}"

    def save_model(self, request, obj, form, change) -> None:
        shown_secret = not change and not obj.secret
        if change and form.cleaned_data.get("replace_secret"):
            obj.secret = generate_webhook_secret()
            shown_secret = True
        super().save_model(request, obj, form, change)
        if shown_secret:
            self.message_user(
                request,
                f"Signing secret of “{obj.name}”: {obj.secret} — give it to the receiver now; "
                "it is not shown again.",
                messages.WARNING,
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "endpoint", "event")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"
    fields = (
        "id",
        "endpoint",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
        "payload_json",
    )
    readonly_fields = fields
    actions = ["retry_selected_now"]

    @admin.display(description="payload")
    def payload_json(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2, sort_keys=True))

    def has_retry_permission(self, request) -> bool:
        # Sending again is an operator's act: it takes the model's change permission, which
        # the log otherwise never uses (its pages are read-only for everyone).
        return request.user.has_perm("exams.change_webhookdelivery")

    @admin.action(description="Retry selected deliveries now", permissions=["retry"])
    def retry_selected_now(self, request, queryset) -> None:
        queued = webhooks.retry_now(deliveries=queryset)
        skipped = queryset.count() - queued
        self.message_user(
            request,
            f"{queued} delivery(ies) being sent again; reload to see how it went."
            + (f" {skipped} already delivered, left alone." if skipped else ""),
            messages.SUCCESS,
        )
