"""The Django project every HTTP variant runs in: same settings, same middleware."""
