import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.project.settings")
django_application = get_asgi_application()

from bench.project.models import create_and_seed  # noqa: E402  (Django is set up above)
from mizan import wrap_asgi  # noqa: E402

create_and_seed()
application = wrap_asgi(django_application)
