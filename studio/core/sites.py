"""Keeps the Sites framework's one site in step with SITE_URL, so links and e-mails name this studio."""

from urllib.parse import urlsplit

from django.conf import settings

SITE_NAME = "Postframe"


def site_sync(**kwargs):
    """post_migrate: the site's domain is SITE_URL's host (and port), its name the product's."""
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1"
    Site.objects.update_or_create(id=settings.SITE_ID, defaults={"domain": domain, "name": SITE_NAME})
    Site.objects.clear_cache()
