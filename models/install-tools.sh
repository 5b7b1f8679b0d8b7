#!/usr/bin/env bash
# Installs what the doorbell model check needs (Debian packages spin and gcc) when either is missing.
# Called by models/check.sh, .ci/run and the model tests, so `dotnet test` works on a fresh machine.
set -u
if command -v spin >/dev/null && command -v gcc >/dev/null; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "install-tools: spin and gcc are missing; run as root or: apt-get install spin gcc"; exit 1; fi
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq spin gcc >/dev/null; } ||
  { echo "install-tools: could not install spin and gcc (apt-get install spin gcc)"; exit 1; }
