#!/usr/bin/env bash
# Put the Developer ID certificate (base64 .p12 in MACOS_CERTIFICATE_P12, its password in
# MACOS_CERTIFICATE_PASSWORD) into a temporary keychain that codesign can use without a
# prompt. Without the certificate it says so and changes nothing: the build then stays
# ad-hoc signed (packaging/macos/sign.py says the same at signing time).
set -euo pipefail

if [[ -z "${MACOS_CERTIFICATE_P12:-}" ]]; then
  prefix=""
  [[ "${GITHUB_ACTIONS:-}" == "true" ]] && prefix="::warning::"
  echo "${prefix}No Developer ID certificate (secret MACOS_CERTIFICATE_P12): the macOS build stays ad-hoc signed and will not be notarized."
  exit 0
fi
: "${MACOS_CERTIFICATE_PASSWORD:?MACOS_CERTIFICATE_PASSWORD must accompany MACOS_CERTIFICATE_P12}"

work=${RUNNER_TEMP:-$(mktemp -d)}
keychain="$work/wxdoctor-signing.keychain-db"
keychain_password=$(openssl rand -base64 24)
p12="$work/developer-id.p12"
trap 'rm -f "$p12"' EXIT

printf '%s' "$MACOS_CERTIFICATE_P12" | base64 --decode > "$p12"
security create-keychain -p "$keychain_password" "$keychain"
security set-keychain-settings -lut 21600 "$keychain"  # stays unlocked for the build
security unlock-keychain -p "$keychain_password" "$keychain"
security import "$p12" -k "$keychain" -P "$MACOS_CERTIFICATE_PASSWORD" -T /usr/bin/codesign
security set-key-partition-list -S apple-tool:,apple:,codesign: -s -k "$keychain_password" "$keychain" >/dev/null
# Searched first, then the existing ones (codesign finds the identity by name).
# shellcheck disable=SC2046
security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
security find-identity -v -p codesigning "$keychain"
