#!/usr/bin/env bash
# Make the system libraries WeasyPrint needs to print the annual report as a PDF
# (Pango with its FreeType backend, HarfBuzz's subsetter, and fontconfig, which Pango
# pulls in) available for the tests. Idempotent: does nothing when they are there. No
# system fonts are needed: the report embeds the packaged Noto Sans SC.
#
# Without these libraries `make demo` still succeeds: the run writes report.html and
# says in its log and in run.json that the PDF was not made, and why.
set -euo pipefail

LIBS=(libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0 libharfbuzz-subset.so.0 libfontconfig.so.1)
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1)

missing() {
    local cache
    cache="$(/sbin/ldconfig -p 2>/dev/null || ldconfig -p)"
    for lib in "${LIBS[@]}"; do
        grep -q "$lib" <<<"$cache" || echo "$lib"
    done
}

if [ -z "$(missing)" ]; then
    echo "ci_weasyprint: Pango, HarfBuzz and fontconfig present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
echo "ci_weasyprint: installing ${PACKAGES[*]} (apt-get)"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null

if [ -n "$(missing)" ]; then
    echo "ci_weasyprint: installed, but still missing: $(missing | tr '\n' ' ')" >&2
    exit 1
fi
echo "ci_weasyprint: Pango, HarfBuzz and fontconfig installed"
