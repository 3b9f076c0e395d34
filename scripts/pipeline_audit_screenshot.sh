#!/usr/bin/env bash
# Renders an audit HTML report in headless Chromium and saves a PNG, to check that the
# report displays correctly in a real browser.
#   bash scripts/pipeline_audit_screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]
# Needs chromium (Debian: apt-get install chromium).
set -euo pipefail
html=${1:?usage: pipeline_audit_screenshot.sh REPORT.html OUT.png [WxH]}
png=${2:?usage: pipeline_audit_screenshot.sh REPORT.html OUT.png [WxH]}
size=${3:-1200x1400}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "chromium not found (apt-get install chromium)" >&2
  exit 2
fi
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
out=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --screenshot="$out" --window-size="${size/x/,}" "file://$abs" >/dev/null 2>&1
test -s "$out" && echo "$out"
