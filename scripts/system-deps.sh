#!/bin/sh
# Qt needs a few system libraries (and a font, or text draws as boxes), and the desktop-entry test
# validates with desktop-file-validate. Install the missing ones on Debian/Ubuntu when we can
# (root or passwordless sudo); elsewhere, say what is missing.
missing=""
for lib in libGL.so.1 libEGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing="$missing $lib"
done
fc-list 2>/dev/null | grep -qi dejavu || missing="$missing fonts"
command -v desktop-file-validate >/dev/null 2>&1 || missing="$missing desktop-file-validate"
[ -z "$missing" ] && exit 0
pkgs="libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core desktop-file-utils"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi
  if [ "$SUDO" != none ]; then
    $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq --no-install-recommends $pkgs >/dev/null && exit 0
  fi
fi
echo "Qt and the tests may need system packages for:$missing (Debian: apt-get install $pkgs)" >&2
exit 0
