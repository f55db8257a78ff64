from django.apps import AppConfig


class AllauthTestAppConfig(AppConfig):
    name = "tests.contrib.allauth.app"
    label = "allauth_test_app"

    def ready(self) -> None:
        from tests.contrib.allauth.app import functions  # noqa: F401
