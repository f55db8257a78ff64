from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import demo.chat
        import demo.mizan_clients  # noqa: F401  (registers the server functions)
