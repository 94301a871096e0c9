#!/bin/sh
# Install this Casebook bundle for the current user: ./install.sh
# System-wide (as root): PREFIX=/usr/local ./install.sh      Remove: ./install.sh --uninstall
# Puts the bundle in $PREFIX/lib/casebook, the command in $PREFIX/bin/casebook, and the
# launcher, AppStream metadata, MIME type (.casebook) and icons under $PREFIX/share.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
APP_ID=org.casebook.Casebook
SHARED="applications/$APP_ID.desktop metainfo/$APP_ID.metainfo.xml mime/packages/$APP_ID.xml
icons/hicolor/scalable/apps/$APP_ID.svg"
for size in 16 32 48 64 128 256; do
  SHARED="$SHARED icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done

refresh() {
  command -v update-mime-database >/dev/null && update-mime-database "$PREFIX/share/mime" || true
  command -v update-desktop-database >/dev/null && update-desktop-database "$PREFIX/share/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$PREFIX/lib/casebook"
  rm -f "$PREFIX/bin/casebook"
  for f in $SHARED; do rm -f "$PREFIX/share/$f"; done
  refresh
  echo "Casebook removed from $PREFIX"
  exit 0
fi

mkdir -p "$PREFIX/lib" "$PREFIX/bin"
if [ "$HERE" != "$PREFIX/lib/casebook" ]; then
  rm -rf "$PREFIX/lib/casebook"
  cp -a "$HERE" "$PREFIX/lib/casebook"
fi
ln -sf "$PREFIX/lib/casebook/casebook" "$PREFIX/bin/casebook"
for f in $SHARED; do
  mkdir -p "$(dirname "$PREFIX/share/$f")"
  cp "$HERE/share/$f" "$PREFIX/share/$f"
done
# The launcher runs `casebook`: name the installed one, whether or not $PREFIX/bin is on PATH.
sed -i "s|^Exec=casebook |Exec=$PREFIX/bin/casebook |; s|^TryExec=casebook$|TryExec=$PREFIX/bin/casebook|" \
  "$PREFIX/share/applications/$APP_ID.desktop"
refresh
echo "Casebook installed in $PREFIX (command: $PREFIX/bin/casebook)"
