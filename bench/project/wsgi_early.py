"""The WSGI application behind mizan's early answer (``wrap_wsgi``)."""

from bench.project.wsgi import application as django_application
from mizan import wrap_wsgi

application = wrap_wsgi(django_application)
