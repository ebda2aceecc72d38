/*
 * Cut-through forwarding (docs/PROTOCOL.md section 6b.4). A parent that is itself still receiving
 * a chunk does not make its children wait for the whole of it: each hop would add the chunk's
 * full transfer time, and a chunk crossing three slow uplinks arrives seconds after its digest.
 * It forwards frames as they arrive and holds back only the frame that carries the chunk's last
 * byte until its own copy has matched the digest. The child still verifies the whole chunk, and
 * cannot complete it without that last frame, so nothing unverified is ever played; a parent
 * whose copy turns out bad (or that got the rest elsewhere and finds the prefix it forwarded
 * differs) answers `missing`, and its child fetches over HTTP without blaming it.
 */

import { FRAME_PAYLOAD_BYTES, encodeFrame } from './frame.js';

/** A chunk on its way to this player, as its children may take it before it is complete. */
export class Arriving {
  constructor() {
    this.bytes = null;    // the receive buffer (the whole chunk's size), shared, never copied
    this.length = 0;      // bytes received in order from its start
    this.verified = null; // the chunk once it matched its digest
    this.failed = false;
    this.waiters = [];
  }

  /** More of the chunk arrived: `length` bytes of `bytes` from its start. */
  progress(bytes, length) {
    if (this.verified || this.failed) {
      return;
    }
    // a new buffer means another source (a new parent) began again from byte 0: what was already
    // forwarded from the old one is checked against the verified chunk before the rest is sent
    this.bytes = bytes;
    this.length = length;
    this.wake();
  }

  complete(bytes) {
    this.verified = bytes;
    this.wake();
  }

  /** This player will not have the chunk (skipped, or it left the room). */
  fail() {
    if (this.verified) {
      return;
    }
    this.failed = true;
    this.wake();
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  /** Something can be sent, or will never be. */
  get moving() {
    return this.length > 0 || !!this.verified || this.failed;
  }

  /** Resolves when the chunk starts arriving (or is verified, or failed), or after `ms` at most. */
  async started(ms) {
    const until = Date.now() + ms;
    while (!this.moving && Date.now() < until) {
      await this.changed(until - Date.now());
    }
    return this.moving;
  }

  /** Resolves on the next change, or after `ms`. */
  changed(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * The next frame to send of chunk `seq` after `sent` bytes, as {frame, length, last}, or null
 * when nothing can be sent yet (or, from the verified chunk, nothing is left). From the verified
 * chunk (`src` a Uint8Array, or an Arriving once verified): any frame, the last one flagged. From
 * the bytes still arriving in `buffer`: only whole frames that stop short of the chunk's last byte.
 */
export function nextFrame(seq, src, sent, buffer = null) {
  const whole = src instanceof Uint8Array ? src : src.verified;
  if (whole) {
    if (sent > whole.byteLength || (sent === whole.byteLength && sent > 0)) {
      return null;
    }
    const end = Math.min(whole.byteLength, sent + FRAME_PAYLOAD_BYTES);
    const last = end >= whole.byteLength;
    return { frame: encodeFrame(seq, sent, whole.byteLength, whole.subarray(sent, end), last), length: end - sent, last };
  }
  const bytes = buffer || src.bytes;
  if (!bytes || bytes !== src.bytes) {
    return null; // nothing yet, or the source started again: the rest waits for the verified chunk
  }
  const end = sent + FRAME_PAYLOAD_BYTES;
  if (end > Math.min(src.length, bytes.byteLength - 1)) {
    return null;
  }
  return { frame: encodeFrame(seq, sent, bytes.byteLength, bytes.subarray(sent, end), false), length: FRAME_PAYLOAD_BYTES, last: false };
}

/** True when the first `sent` bytes forwarded from `src` before it was verified are the verified chunk's. */
export function prefixMatches(forwarded, verified, sent) {
  if (sent === 0) {
    return true;
  }
  if (!forwarded || forwarded.byteLength !== verified.byteLength || sent > verified.byteLength) {
    return false;
  }
  for (let i = 0; i < sent; i++) {
    if (forwarded[i] !== verified[i]) {
      return false;
    }
  }
  return true;
}
