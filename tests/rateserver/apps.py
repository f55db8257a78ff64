from django.apps import AppConfig


class RateServerConfig(AppConfig):
    name = "tests.rateserver"
    label = "rateserver"

    def ready(self) -> None:
        from tests.rateserver import functions  # noqa: F401  (registers them)
