from django.apps import AppConfig


class MizanConfig(AppConfig):
    name = "mizan"
    verbose_name = "mizan"

    def ready(self) -> None:
        from mizan import checks  # noqa: F401  (registers the system checks)
        from mizan.edge.purgers import dispatch  # noqa: F401  (connects the CDN purgers)
