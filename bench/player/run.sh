#!/usr/bin/env bash
# Runs PlayerBench (player-bench.mjs) inside a network namespace made for it: WebRTC needs a
# non-loopback interface, and this one (a veth pair on 10.78.0.0/24) exists only there, so every
# byte stays on this machine. Needs root (or sudo), Chromium and the browser test's playwright-core
# (.ci/install), and a built host (mvn -B -q -DskipTests package).
#   bench/player/run.sh --pages 4,8,16 --window 30
set -euo pipefail
cd "$(dirname "$0")/../.."
NS=xp2p-bench
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
cleanup() { $SUDO ip netns del "$NS" 2>/dev/null || true; }
cleanup
trap cleanup EXIT
$SUDO ip netns add "$NS"
$SUDO ip -n "$NS" link set lo up
$SUDO ip -n "$NS" link add xp2p0 type veth peer name xp2p1
$SUDO ip -n "$NS" addr add 10.78.0.1/24 dev xp2p0
$SUDO ip -n "$NS" addr add 10.78.0.2/24 dev xp2p1
$SUDO ip -n "$NS" link set xp2p0 up
$SUDO ip -n "$NS" link set xp2p1 up
$SUDO ip -n "$NS" route add default dev xp2p0
$SUDO ip netns exec "$NS" node bench/player/player-bench.mjs "$@"
