"""`manage.py verify_audit`: is the evidence chain as Atrium wrote it?

The first line is the verdict; the exit status is non-zero on any problem.
`--checkpoint` then anchors the verified head outside the database (and
timestamps it when ATRIUM_AUDIT_TSA_URL is set), as the periodic task does."""

from django.core.management.base import BaseCommand, CommandError

from portal.audit_verify import audit_checkpoint, audit_verify_chain


class Command(BaseCommand):
    help = "Verify the evidence chain (hashes, MACs, head, anchors, timestamps); name the first event that differs."

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", action="store_true",
                            help="After a clean verification, anchor the head outside the database (starting the "
                                 "anchor file if there is none) and timestamp it.")

    def handle(self, *args, **options):
        if options["checkpoint"]:
            result = audit_checkpoint(start_anchors=True)
            report = result.report
        else:
            result, report = None, audit_verify_chain()
        if not report.ok:
            # CommandError prints to stderr and exits 1; the verdict is its first line.
            raise CommandError("\n".join([*report.lines(), f"  {report.checked} events verified before it."]))
        lines = report.lines()
        if result is not None:
            if result.anchored:
                lines.append(f"  checkpoint: anchored at length {report.length}")
            if result.timestamp:
                lines.append(f"  checkpoint: timestamp token {result.timestamp}")
            if result.error:
                lines.append(f"  checkpoint: {result.error}")
        self.stdout.write(lines[0], self.style.SUCCESS)
        for line in lines[1:]:
            self.stdout.write(line)
        if result is not None and result.error:
            raise CommandError(result.error)
