from django.conf import settings
from django.db import models


class Note(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    text = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]


class ContactMessage(models.Model):
    """What the contact form (demo/mizan_forms.py) stores."""

    name = models.CharField(max_length=80)
    email = models.EmailField()
    topic = models.CharField(max_length=20)
    order_number = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField()
    attachment_name = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)


class Profile(models.Model):
    """A user's public profile, edited through the profile ModelForm."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    handle = models.SlugField(
        max_length=30, unique=True, help_text="Your public name: letters, digits, - and _."
    )
    display_name = models.CharField(max_length=80)
    bio = models.TextField(blank=True, max_length=500)

    def __str__(self) -> str:
        return self.handle
