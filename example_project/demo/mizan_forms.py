"""The demo's forms: a contact form and a profile ModelForm, served as schema, validate, submit.

Try them at /forms/ (demo/templates/demo/forms.html renders both from their schema).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from pydantic import BaseModel

from demo.models import ContactMessage, Profile
from mizan.forms import MizanFormMeta, MizanFormMixin


class ContactReceipt(BaseModel):
    """What you get back for a message sent."""

    reference: str
    reply_within_days: int


class ContactForm(MizanFormMixin, forms.Form):
    """Write to the demo's team."""

    # Five messages a minute per visitor (per user when logged in): enough for a person,
    # not for a script. Validating while typing is not counted.
    mizan = MizanFormMeta(name="contact", title="Contact Us", rate="5/m")

    name = forms.CharField(max_length=80)
    email = forms.EmailField()
    topic = forms.ChoiceField(
        choices=[("general", "General question"), ("billing", "Billing"), ("press", "Press")]
    )
    order_number = forms.IntegerField(
        required=False, min_value=1, help_text="Needed for billing questions."
    )
    message = forms.CharField(widget=forms.Textarea, min_length=10, max_length=2000)
    attachment = forms.FileField(required=False, help_text="Optional, up to 10 MB.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("topic") == "billing" and not cleaned.get("order_number"):
            self.add_error("order_number", "Billing questions need an order number.")
        if "http://" in (cleaned.get("message") or "") or "https://" in (
            cleaned.get("message") or ""
        ):
            raise ValidationError("Please leave links out of your message.", code="links")
        return cleaned

    def on_submit_success(self, request: HttpRequest) -> ContactReceipt:
        attachment = self.cleaned_data.get("attachment")
        stored = ContactMessage.objects.create(
            name=self.cleaned_data["name"],
            email=self.cleaned_data["email"],
            topic=self.cleaned_data["topic"],
            order_number=self.cleaned_data.get("order_number"),
            message=self.cleaned_data["message"],
            attachment_name=attachment.name if attachment else "",
        )
        days = 1 if stored.topic == "billing" else 3
        return ContactReceipt(reference=f"C-{stored.pk:05d}", reply_within_days=days)


class ProfileForm(MizanFormMixin, forms.ModelForm):
    """Your public profile: create it once, then update it by its id."""

    mizan = MizanFormMeta(name="profile", title="Your profile", auth=True, update=True)

    class Meta:
        model = Profile
        fields = ["handle", "display_name", "bio"]
        widgets = {"bio": forms.Textarea}

    @classmethod
    def get_queryset(cls, request: HttpRequest) -> Any:
        # Only your own profile can be named by id.
        return Profile.objects.filter(owner=request.user)

    def on_submit_success(self, request: HttpRequest) -> dict[str, Any]:
        if self.instance.pk is None:
            if Profile.objects.filter(owner=request.user).exists():
                raise ValidationError(
                    "You already have a profile: update it with its id.", code="exists"
                )
            self.instance.owner = request.user  # type: ignore[assignment]
        profile = self.save()
        return {"id": profile.pk, "handle": profile.handle}
