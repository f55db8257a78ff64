from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from mizan import wrap_asgi  # noqa: E402

application = wrap_asgi(django_application)
