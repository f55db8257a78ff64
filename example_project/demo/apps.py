from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing them registers the server functions, the forms and the chat channel.
        from demo import chat, mizan_clients, mizan_forms  # noqa: F401
