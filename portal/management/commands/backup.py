"""`manage.py backup`: write a backup archive now (the nightly task does the
same on schedule)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and uploaded files into one checked archive."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Folder for the archive (default: ATRIUM_BACKUP_DIR).")
        parser.add_argument("--keep", type=int, help="How many archives to keep (default: ATRIUM_BACKUP_KEEP).")

    def handle(self, *args, **options):
        try:
            result = backup_create(directory=options["dir"], keep=options["keep"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result.path}")
        if result.bucket_copy:
            self.stdout.write(f"  copied to the backup bucket as {result.bucket_copy}")
        for name, facts in result.manifest["files"].items():
            self.stdout.write(f"  {name}  {facts['size']} bytes  sha256 {facts['sha256']}")
