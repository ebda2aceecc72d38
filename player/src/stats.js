/*
 * Playback statistics from the video element alone: a stall is the element waiting for data
 * after the first frame (not a parent failing: those are counted by the scheduler under their
 * own name), and latency is how far playback is behind the live edge.
 */

export class PlaybackStats {
  constructor(now = () => performance.now()) {
    this.now = now;
    this.startedAt = now();
    this.firstFrameAt = null;
    this.stalls = 0;
    this.stallMillis = 0;
    this.stallSince = null;
    this.longestStallMillis = 0;
  }

  firstFrame() {
    if (this.firstFrameAt === null) {
      this.firstFrameAt = this.now();
    }
  }

  get startupMillis() {
    return this.firstFrameAt === null ? null : Math.round(this.firstFrameAt - this.startedAt);
  }

  /** The element ran out of data (`waiting` after the first frame). */
  waiting() {
    if (this.firstFrameAt !== null && this.stallSince === null) {
      this.stalls++;
      this.stallSince = this.now();
    }
  }

  /** Playback moves again. */
  progressing() {
    if (this.stallSince !== null) {
      const stall = this.now() - this.stallSince;
      this.stallMillis += stall;
      this.longestStallMillis = Math.max(this.longestStallMillis, stall);
      this.stallSince = null;
    }
  }

  /** The longest single stall so far, the one in progress included. */
  longestStall() {
    return Math.round(Math.max(this.longestStallMillis, this.stallSince === null ? 0 : this.now() - this.stallSince));
  }

  totalStallMillis() {
    return Math.round(this.stallMillis + (this.stallSince === null ? 0 : this.now() - this.stallSince));
  }
}

/**
 * Milliseconds behind the live edge: the media buffered ahead of playback, plus the time since
 * the newest appended chunk was announced (it ended at the live edge when its digest was sent).
 */
export function liveLatencyMillis(bufferedAheadSeconds, announcedAt, now) {
  if (announcedAt === null || announcedAt === undefined) {
    return null;
  }
  return Math.max(0, Math.round(bufferedAheadSeconds * 1000 + (now - announcedAt)));
}

/**
 * Playback rate for the latency controller: catch up (faster) while too far behind; fall back
 * (slower) while so close to live that a late chunk would stall playback, as after a start on a
 * stream that had only one chunk; else 1.
 */
export function catchUpRate(latencyMs, targetMs, currentRate,
  { behindMs = 1500, aheadMs = 1000, settleMs = 300, fast = 1.1, slow = 0.9 } = {}) {
  if (latencyMs === null) {
    return 1;
  }
  if (latencyMs > targetMs + behindMs) {
    return fast;
  }
  if (currentRate > 1 && latencyMs > targetMs + settleMs) {
    return currentRate;
  }
  if (latencyMs < targetMs - aheadMs) {
    return slow;
  }
  if (currentRate < 1 && latencyMs < targetMs - settleMs) {
    return currentRate;
  }
  return 1;
}

/**
 * Upload throughput while uploading, as PROTOCOL section 7 asks peers to report it (`uploadRate`):
 * bytes sent to children over the time at least one upload was running, over the last
 * `windowSeconds`. Unlike an average it does not depend on how many children this peer has, so
 * the server can tell from one child how many more it could feed. `begin()`/`end()` around each
 * upload (they nest), `sample(totalBytes)` once a second with the bytes uploaded so far, `rate()`
 * for the report: 0 when nothing was sent in the window (the server keeps its previous measurement).
 */
export class BusyMeter {
  constructor(windowSeconds = 10, now = () => performance.now()) {
    this.window = windowSeconds;
    this.now = now;
    this.active = 0;
    this.since = 0;
    this.busy = 0;
    this.samples = [];
    this.last = { bytes: 0, busy: 0 };
  }

  begin() {
    if (this.active++ === 0) {
      this.since = this.now();
    }
  }

  end() {
    if (this.active > 0 && --this.active === 0) {
      this.busy += this.now() - this.since;
    }
  }

  busyMillis() {
    return this.busy + (this.active > 0 ? this.now() - this.since : 0);
  }

  sample(totalBytes) {
    const busy = this.busyMillis();
    this.samples.push({ bytes: totalBytes - this.last.bytes, busy: busy - this.last.busy });
    if (this.samples.length > this.window) this.samples.shift();
    this.last = { bytes: totalBytes, busy };
  }

  rate() {
    let bytes = 0;
    let busy = 0;
    for (const s of this.samples) {
      bytes += s.bytes;
      busy += s.busy;
    }
    return busy < 1 ? 0 : (bytes * 1000) / busy;
  }
}
