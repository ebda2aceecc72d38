#!/usr/bin/env bash
# Regenerates the demo recording that `xp2p-host --demo` and the relay benchmark replay as a live
# stream: 8 s of H.264 (640x360, 25 fps, keyframe every second, ~2 Mbit/s CBR) + AAC in FLV.
# Output is committed; rerun only to change it.
set -euo pipefail
out="$(cd "$(dirname "$0")/../resources/xp2p-demo" && pwd)/demo.flv"
ffmpeg -v error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=25" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100" \
  -t 8 -c:v libx264 -preset veryfast -profile:v main -g 25 -keyint_min 25 -sc_threshold 0 \
  -b:v 2M -minrate 2M -maxrate 2M -bufsize 1M -x264-params nal-hrd=cbr \
  -c:a aac -b:a 64k -ar 44100 -f flv "$out"
ls -l "$out"
