#!/usr/bin/env bash
# Wrap wxdoctor.app in a compressed disk image with an /Applications link, so users
# drag the app across and are done.
#   packaging/macos/make_dmg.sh dist/wxdoctor.app dist/wxdoctor-0.1.0-macos-arm64.dmg 0.1.0
set -euo pipefail

app=${1:?usage: make_dmg.sh APP DMG [VERSION]}
dmg=${2:?usage: make_dmg.sh APP DMG [VERSION]}
version=${3:-}
[[ -d "$app" ]] || { echo "make_dmg.sh: no app bundle at $app" >&2; exit 1; }
# shellcheck source=packaging/macos/retry.sh
source "$(dirname "$0")/retry.sh"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# ditto keeps symlinks, extended attributes and code signatures of the bundle intact.
ditto "$app" "$stage/$(basename "$app")"
ln -s /Applications "$stage/Applications"

create_dmg() {
  rm -f "$dmg"  # a failed attempt may leave a partial image behind
  # UDZO: zlib-compressed read-only image, opens on every supported macOS.
  hdiutil create \
    -volname "wxdoctor${version:+ $version}" \
    -srcfolder "$stage" \
    -fs HFS+ \
    -format UDZO \
    -imagekey zlib-level=9 \
    -ov \
    "$dmg"
}

retry 5 create_dmg
retry 3 hdiutil verify "$dmg"
echo "built $dmg"
