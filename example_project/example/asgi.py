import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
django_application = get_asgi_application()  # sets Django up before mizan's channels import

from mizan import wrap_asgi  # noqa: E402

application = wrap_asgi(django_application)
