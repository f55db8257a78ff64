import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.project.settings")
application = get_wsgi_application()

from bench.project.models import create_and_seed  # noqa: E402  (Django is set up above)

create_and_seed()
