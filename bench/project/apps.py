from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench.project"
    label = "bench"

    def ready(self) -> None:
        from bench.project import functions  # noqa: F401  (registers echo with mizan)
