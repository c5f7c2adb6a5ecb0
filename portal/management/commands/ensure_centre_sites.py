from django.core.management.base import BaseCommand

from portal.pages.site import centre_site_ensure
from tenants.models import Centre


class Command(BaseCommand):
    help = "Give every centre its home page, editor/reviewer/tenant groups and review workflow (idempotent)."

    def handle(self, *args, **options):
        for centre in Centre.objects.order_by("code"):
            home = centre_site_ensure(centre)
            self.stdout.write(f"{centre.code}: {home.url}")
