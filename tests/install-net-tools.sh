#!/usr/bin/env bash
# Installs what the network tests and bench ping-demo need (Debian packages iproute2, iputils-ping and tshark, which
# brings text2pcap and editcap) when any of their tools is missing. Called by .ci/run and by the tests themselves,
# so `dotnet test` works on a fresh machine.
set -u
missing=""
for tool in ip ping tshark text2pcap editcap; do command -v "$tool" >/dev/null || missing="$missing $tool"; done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-net-tools:$missing missing; run as root or: apt-get install iproute2 iputils-ping tshark"; exit 1
fi
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 iputils-ping tshark >/dev/null; } ||
  { echo "install-net-tools: could not install iproute2 iputils-ping tshark (for:$missing)"; exit 1; }
