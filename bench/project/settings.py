"""One Django project for every variant: Django's own default middleware, DEBUG off."""

import os

SECRET_KEY = "mizan-bench"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.project.urls"
WSGI_APPLICATION = "bench.project.wsgi.application"
ASGI_APPLICATION = "bench.project.asgi.application"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "mizan",
    "bench.project.apps.BenchConfig",
]

# What `django-admin startproject` generates: every variant pays for the same stack.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above the session middleware: invalidations apply again once the session is saved.
    "mizan.middleware.InvalidationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
LOGGING = {"version": 1, "disable_existing_loggers": False}

# `MIZAN_BENCH_REDIS=<url>`: the cache on Redis, under a key prefix of this run's own.
if os.environ.get("MIZAN_BENCH_REDIS"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["MIZAN_BENCH_REDIS"],
            "KEY_PREFIX": f"mizan-bench-{os.getpid()}",
        }
    }
