"""`manage.py rotate_provider_keys`: re-encrypt every stored provider key with the first Fernet key."""

from django.core.management.base import BaseCommand, CommandError

from studio.teams.crypto import KeyStoreError
from studio.teams.services import provider_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored provider key with the first key in POSTFRAME_FERNET_KEYS. Put the new Fernet key "
        "first, keep the old ones after it, run this, then remove the old ones."
    )

    def handle(self, *args, **options):
        try:
            rotated = provider_keys_rotate()
        except KeyStoreError as exc:
            raise CommandError(str(exc)) from exc
        noun = "key" if rotated == 1 else "keys"
        self.stdout.write(self.style.SUCCESS(f"Rotated {rotated} provider {noun} to the first Fernet key."))
