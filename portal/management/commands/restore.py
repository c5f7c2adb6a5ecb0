"""`manage.py restore ARCHIVE`: check a backup archive against its manifest
and restore it. Stop the web and worker processes before restoring over the
live database; `--sqlite-path`, `--pg-database` and `--media-root` restore a
copy elsewhere instead (to look something up without touching the live one).
`--from-bucket` takes ARCHIVE as the name of a copy in the backup bucket
(where media is on S3) and fetches it first.

The manifest must carry a valid MAC by ATRIUM_AUDIT_KEY. `--accept-unsigned`
restores an archive made before manifests were authenticated, loudly: its
manifest could have been rewritten by anyone who could write the backups."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore
from portal.backup_bucket import backup_fetched


class Command(BaseCommand):
    help = "Restore the database and uploaded files from a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--from-bucket", action="store_true",
                            help="ARCHIVE is the name of a copy in the backup bucket (e.g. atrium-20261201T023000Z.tar).")
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the live data.")
        parser.add_argument("--sqlite-path", type=Path, help="Restore the SQLite database to this file instead.")
        parser.add_argument("--pg-database", help="Restore into this (existing, empty) PostgreSQL database instead.")
        parser.add_argument("--media-root", type=Path, help="Restore uploaded files into this folder instead.")
        parser.add_argument("--accept-unsigned", action="store_true",
                            help="Restore an archive whose manifest has no MAC (made before manifests were "
                                 "authenticated). Only for an archive whose origin you know.")

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
            if options["from_bucket"]:
                with backup_fetched(str(options["archive"])) as fetched:
                    manifest = self._restore(fetched, options)
            else:
                manifest = self._restore(options["archive"], options)
        except (BackupError, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        if not manifest["authenticated"]:
            self.stderr.write(self.style.WARNING(
                f"WARNING: the manifest of {options['archive']} is NOT AUTHENTICATED (no MAC): its date and file list "
                "are only as trustworthy as the place the archive was kept."
            ))
        self.stdout.write(f"Restored the backup of {manifest['created_at']} ({', '.join(manifest['files'])}).")
        self.stdout.write(f"Evidence anchors: {manifest['anchors']}.")
        if live:
            self.stdout.write(
                "Run `manage.py verify_audit` now. Evidence events recorded after this backup are reported missing "
                "where anchors or timestamps remember them: that is what the restore lost. Keep that anchor file "
                "(it records the loss); to go on, move it aside and run `manage.py verify_audit --checkpoint`."
            )

    def _restore(self, path, options) -> dict:
        return backup_restore(
            path=path, sqlite_path=options["sqlite_path"], pg_database=options["pg_database"],
            media_root=options["media_root"], accept_unsigned=options["accept_unsigned"],
        )
