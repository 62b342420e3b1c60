#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's chromium (/usr/bin/chromium) with playwright-core;
# no browser is ever downloaded. Installs it from Debian's packages when missing (needs root).
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "installing Debian chromium for the browser tests"
if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=""; fi
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
[ -x /usr/bin/chromium ] || { echo "could not install chromium (apt-get install chromium)" >&2; exit 1; }
