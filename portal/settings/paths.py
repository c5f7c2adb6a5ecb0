"""Where Atrium is and where it keeps its files (var/: the embedded
database, media, logs, the filesystem broker), for base.py and storage.py."""

from pathlib import Path

from .env import env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("ATRIUM_VAR_DIR", str(BASE_DIR / "var")))
