"""`manage.py restore ARCHIVE`: check a backup archive against its manifest
and restore it. Stop the web and worker processes before restoring over the
live database; `--sqlite-path`, `--pg-database` and `--media-root` restore a
copy elsewhere instead (to look something up without touching the live one)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore the database and uploaded files from a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the live data.")
        parser.add_argument("--sqlite-path", type=Path, help="Restore the SQLite database to this file instead.")
        parser.add_argument("--pg-database", help="Restore into this (existing, empty) PostgreSQL database instead.")
        parser.add_argument("--media-root", type=Path, help="Restore uploaded files into this folder instead.")

    def handle(self, *args, **options):
        live = not (options["sqlite_path"] or options["pg_database"])
        if live and not options["yes"]:
            try:
                answer = input("This replaces the live database and files. Have the web and worker processes been stopped? [y/N] ")
            except (EOFError, OSError):  # no terminal to ask: a script must say --yes
                answer = ""
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing restored (answer y, or pass --yes).")
        try:
            manifest = backup_restore(
                path=options["archive"], sqlite_path=options["sqlite_path"],
                pg_database=options["pg_database"], media_root=options["media_root"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored the backup of {manifest['created_at']} ({', '.join(manifest['files'])}).")
