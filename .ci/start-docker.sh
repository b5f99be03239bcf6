#!/usr/bin/env bash
# Make a Docker daemon available for the image tests: install Debian's
# docker.io (and debootstrap, which builds the stand-in base image), start
# dockerd if it is not answering, and wait until it does. Idempotent, and
# fast when everything is already there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if docker info >/dev/null 2>&1 && command -v debootstrap >/dev/null 2>&1; then
    exit 0
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
    # No init system here: start the daemon ourselves, detached from this shell.
    nohup dockerd >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
fi

if ! docker info >/dev/null 2>&1; then
    echo "error: dockerd did not come up within 60 s; its log follows." >&2
    tail -n 40 /var/log/dockerd.log >&2 || true
    exit 1
fi
