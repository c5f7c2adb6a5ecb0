#!/usr/bin/env bash
# Debian packages Atrium needs: WeasyPrint's libraries and fast font
# subsetting (libharfbuzz-subset0: without it a Chinese page takes ~10 s),
# CJK fonts, poppler for PDF checks in tests, gettext for translations,
# chromium for browser tests and a colour emoji font for their screenshots
# (the admin's ✅ marks), postgresql-client for backups (pg_dump).
# Installs when run as root; otherwise prints the line. ATRIUM_SYSTEM_DEPS=runtime
# (the Dockerfile) leaves out chromium and the emoji font, which only the
# browser tests use.
set -euo pipefail
PKGS="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-wqy-zenhei poppler-utils gettext chromium fonts-noto-color-emoji postgresql-client"
[ "${ATRIUM_SYSTEM_DEPS:-}" = "runtime" ] && PKGS=${PKGS/chromium fonts-noto-color-emoji /}
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
  echo "Installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "Atrium needs these Debian packages. Run as root, then run make again:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
