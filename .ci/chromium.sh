# Sourced by .ci/run after `npm ci`: make sure Debian's Chromium is there for the demo's browser
# tests (playwright-core drives it; we never download Playwright's own browsers).
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium (apt) for the demo's browser tests"
  _candor_sudo=""
  if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then _candor_sudo="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $_candor_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $_candor_sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
  unset _candor_sudo
fi
echo "== chromium: $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null || echo 'not available')"
