#!/usr/bin/env bash
# System libraries that pip cannot bring, installed once by `make setup` (Debian/Ubuntu):
#   - Pango and HarfBuzz subsetting: WeasyPrint prints letters to PDF with them;
#   - Noto CJK fonts: letters in Chinese, Japanese and Korean (DejaVu covers the rest);
#   - PostgreSQL: `make test` runs the store tests on a throwaway server it starts from
#     /usr/lib/postgresql/<version>/bin (tests/postgres.py); any installed version will do;
#   - Chromium: the console's browser tests drive Debian's headless Chromium through
#     Playwright (`executable_path`), so Playwright never downloads a browser of its own.
# Nothing is installed when everything is already there; without apt-get, it says what to
# install and fails, so a missing font never shows up later as boxes in a letter.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core
  postgresql chromium)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for package in "${PACKAGES[@]}"; do
  if [ "$package" = postgresql ]; then
    # The tests need a server's binaries, not this metapackage: a versioned package
    # (postgresql-16 from apt.postgresql.org, say) is just as good.
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && continue
  fi
  installed "$package" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Herald needs these system packages (or their equivalents): ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have empty package lists: refresh them only when the install fails.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
