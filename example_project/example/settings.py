"""The example project: embedded defaults (SQLite, LocMem) so `make demo` needs nothing else."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "mizan-example-not-secret"
# MIZAN_EXAMPLE_DEBUG=0 runs it as production would (make fuzz does).
DEBUG = os.environ.get("MIZAN_EXAMPLE_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "example.urls"
WSGI_APPLICATION = "example.wsgi.application"
ASGI_APPLICATION = "example.asgi.application"  # `runserver` (daphne's) serves WebSockets too
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

INSTALLED_APPS = [
    "daphne",  # first: its runserver replaces Django's, serving ASGI and WebSockets
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "allauth",
    "allauth.account",
    "mizan",
    "mizan.contrib.allauth",  # sign-up, login, … as mizan forms: accountSignupSubmit, …
    "demo",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above the session and CSRF middleware, so it sees the cookies they set.
    "mizan.middleware.ViewPathCacheMiddleware",
    # Above the session middleware: invalidations apply again once the session is saved.
    "mizan.middleware.InvalidationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Accounts (mizan.contrib.allauth): emails are printed by the server; their links go to the
# demo's own pages (MIZAN["ACCOUNT_URLS"]), which submit the key through mizan.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
ACCOUNT_ADAPTER = "mizan.contrib.allauth.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("MIZAN_EXAMPLE_DB", BASE_DIR / "db.sqlite3"),
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# MIZAN_EXAMPLE_CACHE=redis://... keeps mizan's cache (and its generation tokens) in Redis,
# shared by every process, as production would (the end-to-end edge tests do).
if cache_url := os.environ.get("MIZAN_EXAMPLE_CACHE"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": cache_url,
            "KEY_PREFIX": os.environ.get("MIZAN_EXAMPLE_CACHE_PREFIX", "mizan-example"),
        }
    }
STATIC_URL = "static/"
LOGIN_URL = "/admin/login/"

# A React dev server on another origin may call the API (see docs/guides/frontend.md, CORS).
CORS_ALLOWED_ORIGINS = ["http://localhost:5173", "http://127.0.0.1:5173"]
CORS_ALLOW_CREDENTIALS = True
CSRF_TRUSTED_ORIGINS = CORS_ALLOWED_ORIGINS

# One process needs nothing more than memory; MIZAN_EXAMPLE_REDIS=redis://... switches to
# Redis, so several server processes (and `manage.py shell`) reach the same subscribers.
if redis_url := os.environ.get("MIZAN_EXAMPLE_REDIS"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [redis_url],
                "prefix": os.environ.get("MIZAN_EXAMPLE_REDIS_PREFIX", "mizan-example"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

MIZAN = {
    "GRAPHIQL": True,
    "INTROSPECTION": True,
    # The dev server on port 5173 may open WebSockets too (browsers skip CORS for them).
    "CHANNELS_ALLOWED_ORIGINS": CORS_ALLOWED_ORIGINS,
    "ACCOUNT_URLS": {
        "verify_email": "/account/verify-email/{key}/",
        "reset_password": "/account/reset-password/{key}/",
    },
}

# Trusted documents a front-end build wrote (GraphQL codegen's persisted-documents JSON):
# each is served at q/<OperationName>/ like mizan's own operations.
if os.environ.get("MIZAN_EXAMPLE_DOCUMENTS"):
    MIZAN["PERSISTED_DOCUMENTS"] = os.environ["MIZAN_EXAMPLE_DOCUMENTS"]

# `make edge` serves the project behind Varnish and names it here, so invalidations made
# outside a request through Varnish (the shell, a task, a request to the origin) purge it too.
if os.environ.get("MIZAN_EDGE_VARNISH"):
    MIZAN["PURGERS"] = [
        {"BACKEND": "mizan.edge.purgers.Varnish", "SERVERS": [os.environ["MIZAN_EDGE_VARNISH"]]}
    ]
