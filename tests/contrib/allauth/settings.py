"""The test settings with django-allauth and mizan.contrib.allauth installed.

``make test`` runs ``tests/contrib/allauth`` in a pass of its own with these settings:
allauth's functions register once, at start-up, into the project's registry.
"""

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django.contrib.messages",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.dummy",
    "mizan.contrib.allauth",
    "tests.contrib.allauth.app",
]
MIDDLEWARE = [
    *MIDDLEWARE,
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]
ROOT_URLCONF = "tests.contrib.allauth.urls"
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
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_ADAPTER = "mizan.contrib.allauth.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key", "signup": "20/m/ip"}
SOCIALACCOUNT_PROVIDERS = {"dummy": {"APPS": [{"client_id": "mizan", "secret": "s"}]}}
LOGIN_REDIRECT_URL = "/"
