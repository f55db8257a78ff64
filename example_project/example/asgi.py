import os

from django.core.asgi import get_asgi_application

from mizan import wrap_asgi

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
application = wrap_asgi(get_asgi_application())
