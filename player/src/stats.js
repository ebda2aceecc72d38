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
 * The best upload rate of recent seconds, as PROTOCOL section 7 asks peers to report it
 * (`uploadRate`): the server compares it with what this peer's children need and gives a parent
 * that cannot keep up fewer children. `sample(totalBytes, nowMs)` once a second; `max()` is the
 * highest bytes-per-second between consecutive samples of the last `windowSeconds`.
 */
export class RateMeter {
  constructor(windowSeconds = 10) {
    this.window = windowSeconds;
    this.rates = [];
    this.last = null;
  }

  sample(totalBytes, nowMs) {
    if (this.last && nowMs > this.last.at) {
      this.rates.push(((totalBytes - this.last.bytes) * 1000) / (nowMs - this.last.at));
      if (this.rates.length > this.window) this.rates.shift();
    }
    this.last = { bytes: totalBytes, at: nowMs };
  }

  max() {
    return this.rates.length ? Math.max(...this.rates) : 0;
  }
}
