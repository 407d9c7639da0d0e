#!/bin/sh
# Make Debian's Chromium available for the browser tests, when this machine allows it.
# Never fails: if Chromium cannot be installed, the browser tests skip and say why.
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get)..."
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/border-bargains-apt.log 2>&1; then
    echo "chromium installed."
  else
    echo "Could not install chromium (see /tmp/border-bargains-apt.log); browser tests will be skipped."
  fi
else
  echo "Chromium not found and this user cannot apt-get install it; browser tests will be skipped."
  echo "To run them: sudo apt-get install chromium"
fi
exit 0
