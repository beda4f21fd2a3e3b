#!/bin/sh
# Installs, with apt-get, whatever zmmio's build and tests need and is missing.
# Idempotent: when every package is present it installs nothing and does not
# touch the network. Debian 12, run as root (or with sudo available).
set -eu

packages="cmake make gcc clang libclang-rt-14-dev zlib1g-dev
gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 binutils-mingw-w64-x86-64
binutils-mingw-w64-i686 libz-mingw-w64-dev wine wine64 xvfb xauth
sox espeak-ng imagemagick alsa-utils libasound2-plugins"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "setup: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
