from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo.models import Note
from demo.views import APP


class Command(BaseCommand):
    help = "Create the demo user (demo / demo) with a note, and say what to open."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, port: str, **options: Any) -> None:
        user, created = get_user_model().objects.get_or_create(
            username="demo", defaults={"is_staff": True}
        )
        if created:
            user.email = "demo@example.com"
            user.set_password("demo")
            user.save()
            Note.objects.create(owner=user, text="Welcome to mizan.")
        # Verified, so that logging in through mizan's allauth forms (the React app's) is not
        # held at `pending: "verify_email"` (ACCOUNT_EMAIL_VERIFICATION is mandatory here).
        EmailAddress.objects.get_or_create(
            user=user,
            email=user.email or "demo@example.com",
            defaults={"verified": True, "primary": True},
        )
        app = (
            f"  React app: http://127.0.0.1:{port}/app/\n"
            if APP.is_file()
            else "  React app: not built (it needs Node.js >= 20.19 and npm; then make demo)\n"
        )
        self.stdout.write(
            f"\nmizan demo is starting on http://127.0.0.1:{port}/\n"
            + app
            + f"  GraphiQL:  http://127.0.0.1:{port}/api/mizan/graphql/\n"
            f"  Forms:     http://127.0.0.1:{port}/forms/\n"
            f"  Log in:    http://127.0.0.1:{port}/admin/login/?next=/  (demo / demo)\n"
            f"  Chat:      http://127.0.0.1:{port}/chat/?room=lobby  (in two tabs)\n"
            f"  Try:       curl -s http://127.0.0.1:{port}/api/mizan/graphql/ "
            "-H 'Content-Type: application/json' "
            '-d \'{"query": "mutation { echo(text: \\"hi\\") { message } }"}\'\n'
        )
