#!/bin/sh
# Installs the Debian packages the build and the tests need, when any is missing.
PKGS="build-essential pkg-config libevtx-dev libbfio-dev libevtx-utils libsqlite3-dev sqlite3
zlib1g-dev libarchive-dev libarchive-tools libssl-dev python3 python3-evtx zip 7zip gzip bzip2 xz-utils
zstd time"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
