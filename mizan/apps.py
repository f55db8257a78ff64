from django.apps import AppConfig
from django.core.signals import setting_changed


class MizanConfig(AppConfig):
    name = "mizan"
    verbose_name = "mizan"

    def ready(self) -> None:
        # Wired here, never on import: importing a mizan module has no side effects.
        from mizan.channels.checks import register_checks as register_channel_checks
        from mizan.channels.live import connect as connect_live
        from mizan.checks import register_checks
        from mizan.conf import mizan_settings
        from mizan.edge.purgers import dispatch

        register_checks()
        register_channel_checks()  # the plug-in's own; they import nothing of Channels
        setting_changed.connect(mizan_settings.reload, dispatch_uid="mizan.conf")
        dispatch.connect()
        connect_live()  # live contexts' invalidations to the channel layer
