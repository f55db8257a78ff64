"""Accounts through mizan: django-allauth's flows as mizan functions and forms.

Install ``django-mizan[allauth]``, then::

    INSTALLED_APPS = [..., "allauth", "allauth.account", "mizan", "mizan.contrib.allauth"]
    MIDDLEWARE = [..., "allauth.account.middleware.AccountMiddleware"]
    ACCOUNT_ADAPTER = "mizan.contrib.allauth.adapter.AccountAdapter"

Every name starts with ``account.`` (GraphQL ``accountLogin…``), so none can clash
with a project's own ``login``. The forms are allauth's own inputs served as mizan
forms (schema, validate, submit); the flows are allauth's (its adapter, signals,
rate limits, emails). See the "Accounts" guide.
"""
