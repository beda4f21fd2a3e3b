#!/bin/sh
# Installs, with apt-get, whatever zmmio's build, tests and demo need and is
# missing. Idempotent and quiet: when every package is present it prints
# nothing, installs nothing and does not touch the network (two dpkg-query
# calls). Debian 12 (amd64), as root (or with sudo). Never reads standard
# input.
#
# 32-bit Wine (the windows-x86 preset's tests): the i386 architecture is
# added to dpkg (`dpkg --add-architecture i386`) before wine32:i386 and the
# 32-bit ALSA plugins (the `file` plugin the audio capture uses) are
# installed.
set -eu

packages="cmake ninja-build make gcc clang libclang-rt-14-dev zlib1g-dev
gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 binutils-mingw-w64-x86-64
binutils-mingw-w64-i686 libz-mingw-w64-dev wine wine64 libasound2
libasound2-plugins alsa-utils xvfb xauth imagemagick sox espeak-ng
util-linux xdotool
llvm pkgconf dpkg-dev groff-base"
# llvm: llvm-dlltool makes zmmio.lib (the MSVC import library); pkgconf and
# dpkg-dev (dpkg-shlibdeps): the release packages and their consumer tests.
# Packages of the i386 architecture, named with it.
packages_i386="wine32:i386 libasound2-plugins:i386"

# shellcheck disable=SC2086 # word splitting of the list is intended
installed=" $(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $packages 2>/dev/null |
              awk '$2 == "ii" { printf "%s ", $1 }') " || true
missing=""
for p in $packages; do
    case "$installed" in
    *" $p "*) ;;
    *) missing="$missing $p" ;;
    esac
done
# shellcheck disable=SC2086
installed_i386=" $(dpkg-query -W -f='${Package}:${Architecture} ${db:Status-Abbrev}\n' \
                   $packages_i386 2>/dev/null |
                   awk '$2 == "ii" { printf "%s ", $1 }') " || true
for p in $packages_i386; do
    case "$installed_i386" in
    *" $p "*) ;;
    *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "setup: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
case "$missing" in
*:i386*)
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        echo "setup: adding the i386 architecture (dpkg --add-architecture i386)" >&2
        $SUDO dpkg --add-architecture i386
    fi
    ;;
esac
$SUDO apt-get update -q >/dev/null </dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null </dev/null
echo "setup: done" >&2
