from django.apps import AppConfig


class MizanAllauthConfig(AppConfig):
    name = "mizan.contrib.allauth"
    label = "mizan_allauth"
    verbose_name = "mizan accounts (django-allauth)"

    def ready(self) -> None:
        from django.core import checks

        from mizan.contrib.allauth import forms, functions  # noqa: F401  (they register)
        from mizan.contrib.allauth.checks import check_setup

        checks.register(check_setup, checks.Tags.urls)
