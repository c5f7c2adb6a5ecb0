from django.core.management.base import BaseCommand, CommandError

from portal.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of evidence audit events; name the first broken row."

    def handle(self, *args, **options):
        report = audit_verify_chain()
        if not report.ok:
            row = report.broken_at
            where = f"row id={row.pk} ({row.at:%Y-%m-%d %H:%M:%S} {row.action} {row.object_repr})" if row else "the chain"
            raise CommandError(f"Audit chain broken at {where}: {report.reason}. {report.checked} events verified before it.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} evidence events verified."))
