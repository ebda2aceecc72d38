/*
 * Binary frames of the peer-to-peer chunk transfer (docs/PROTOCOL.md section 6b): a chunk travels
 * as frames of at most 16384 bytes, each a 20-byte header and a slice of the chunk. Pure functions
 * and one small reassembler, so both ends and the Node tests share exactly one codec.
 */

/** Largest DataChannel message: small enough for every WebRTC stack. */
export const MAX_FRAME_BYTES = 16384;
export const FRAME_HEADER_BYTES = 20;
export const FRAME_PAYLOAD_BYTES = MAX_FRAME_BYTES - FRAME_HEADER_BYTES;
const VERSION = 1;
const FLAG_LAST = 1;

/** Encodes one frame of chunk `seq`. */
export function encodeFrame(seq, offset, total, payload, last) {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint8(0, VERSION);
  view.setUint8(1, last ? FLAG_LAST : 0);
  view.setUint16(2, 0);
  view.setBigUint64(4, BigInt(seq));
  view.setUint32(12, offset);
  view.setUint32(16, total);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Every frame of a chunk, in order (an empty chunk is one empty last frame). */
export function* framesOf(seq, bytes) {
  let offset = 0;
  do {
    const end = Math.min(bytes.byteLength, offset + FRAME_PAYLOAD_BYTES);
    yield encodeFrame(seq, offset, bytes.byteLength, bytes.subarray(offset, end), end >= bytes.byteLength);
    offset = end;
  } while (offset < bytes.byteLength);
}

/** Decodes a frame (ArrayBuffer or Uint8Array), or returns null when it breaks section 6b. */
export function decodeFrame(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength < FRAME_HEADER_BYTES || bytes.byteLength > MAX_FRAME_BYTES) {
    return null;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== VERSION) {
    return null;
  }
  const seq = view.getBigUint64(4);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) {
    return null;
  }
  const frame = {
    last: (view.getUint8(1) & FLAG_LAST) !== 0,
    seq: Number(seq),
    offset: view.getUint32(12),
    total: view.getUint32(16),
    payload: bytes.subarray(FRAME_HEADER_BYTES),
  };
  return frame.offset + frame.payload.byteLength <= frame.total ? frame : null;
}

/**
 * Puts chunks back together from frames. Bounded: at most `maxChunks` partial chunks of at most
 * `maxBytes` each, so a hostile parent cannot make a child allocate without limit.
 */
export class Reassembler {
  constructor({ maxChunks = 4, maxBytes = 16 << 20 } = {}) {
    this.maxChunks = maxChunks;
    this.maxBytes = maxBytes;
    this.parts = new Map();
  }

  /** Adds a decoded frame; returns {seq, bytes, complete} when it was the chunk's last frame, else null. */
  add(frame) {
    if (frame.total > this.maxBytes) {
      return { seq: frame.seq, bytes: null, complete: false };
    }
    let part = this.parts.get(frame.seq);
    if (!part || part.bytes.byteLength !== frame.total) {
      if (this.parts.size >= this.maxChunks) {
        this.parts.delete(this.parts.keys().next().value);
      }
      part = { bytes: new Uint8Array(frame.total), received: 0, contiguous: 0 };
      this.parts.set(frame.seq, part);
    }
    part.bytes.set(frame.payload, frame.offset);
    part.received += frame.payload.byteLength;
    if (frame.offset === part.contiguous) {
      part.contiguous += frame.payload.byteLength;
    }
    if (!frame.last) {
      return null;
    }
    this.parts.delete(frame.seq);
    return { seq: frame.seq, bytes: part.bytes, complete: part.received === frame.total };
  }

  /** The chunk received so far, in order from its start: {bytes (the whole buffer), length}, or null. */
  progress(seq) {
    const part = this.parts.get(seq);
    return part ? { bytes: part.bytes, length: part.contiguous } : null;
  }

  forget(seq) {
    this.parts.delete(seq);
  }
}
