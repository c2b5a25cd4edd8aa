#!/bin/sh
# build.sh OUT: builds what the container image holds, as the image's files
# under OUT: the runner binary at usr/local/bin/runner and the scripts at
# etc/runner/scripts, nothing else. The Containerfile runs this script, and
# so does CI (.ci/run), so the image's build steps are checked on machines
# without a container engine.
#
# The binary is static (no cgo) and carries the time zone database
# (timetzdata), so it needs nothing from the image but CA certificates.
set -eu
out=${1:?usage: deploy/build.sh OUT}
cd "$(dirname "$0")/.."
mkdir -p "$out/usr/local/bin" "$out/etc/runner"
CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags='-s -w' -o "$out/usr/local/bin/runner" .
rm -rf "$out/etc/runner/scripts"
cp -R scripts "$out/etc/runner/scripts"
# The result must run: print its version.
"$out/usr/local/bin/runner" version
