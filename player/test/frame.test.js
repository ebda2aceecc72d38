import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame, encodeFrame, FRAME_PAYLOAD_BYTES, framesOf, MAX_FRAME_BYTES, Reassembler } from '../src/frame.js';

const hex = (b) => Buffer.from(b).toString('hex');

test('chunk 42 of 40000 bytes is the three frames of docs/PROTOCOL.md 6b.2', () => {
  const chunk = new Uint8Array(40000).map((_, i) => i & 0xff);
  const frames = [...framesOf(42, chunk)];
  assert.equal(frames.length, 3);
  assert.equal(hex(frames[0].subarray(0, 20)), '01000000000000000000002a0000000000009c40');
  assert.equal(hex(frames[1].subarray(0, 20)), '01000000000000000000002a00003fec00009c40');
  assert.equal(hex(frames[2].subarray(0, 20)), '01010000000000000000002a00007fd800009c40');
  assert.deepEqual(frames.map((f) => f.byteLength - 20), [16364, 16364, 7272]);
  assert.ok(frames.every((f) => f.byteLength <= MAX_FRAME_BYTES));
});

test('frames decode back to the chunk, interleaved with another chunk', () => {
  const a = new Uint8Array(50000).map((_, i) => (i * 7) & 0xff);
  const b = new Uint8Array(20000).map((_, i) => (i * 13) & 0xff);
  const fa = [...framesOf(1, a)];
  const fb = [...framesOf(2, b)];
  const r = new Reassembler();
  const done = [];
  for (const f of [fa[0], fb[0], fa[1], fa[2], fb[1], fa[3]]) {
    const whole = r.add(decodeFrame(f.buffer));
    if (whole) done.push(whole);
  }
  assert.deepEqual(done.map((d) => [d.seq, d.complete]), [[2, true], [1, true]]);
  assert.deepEqual(done[0].bytes, b);
  assert.deepEqual(done[1].bytes, a);
});

test('an empty chunk is one empty last frame', () => {
  const frames = [...framesOf(5, new Uint8Array(0))];
  assert.equal(frames.length, 1);
  const f = decodeFrame(frames[0]);
  assert.equal(f.last, true);
  assert.equal(f.total, 0);
});

test('malformed frames are dropped', () => {
  const good = encodeFrame(3, 0, 10, new Uint8Array(10), true);
  assert.ok(decodeFrame(good));
  const wrongVersion = good.slice();
  wrongVersion[0] = 2;
  assert.equal(decodeFrame(wrongVersion), null, 'other version');
  assert.equal(decodeFrame(good.subarray(0, 19)), null, 'shorter than the header');
  assert.equal(decodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1)), null, 'longer than 16384 bytes');
  assert.equal(decodeFrame(encodeFrame(3, 5, 10, new Uint8Array(6), true)), null, 'offset + n > total');
  const huge = encodeFrame(0, 0, 1, new Uint8Array(1), true);
  new DataView(huge.buffer).setBigUint64(4, 2n ** 63n);
  assert.equal(decodeFrame(huge), null, 'seq beyond what a number holds');
});

test('a frame that never completes its chunk is reported incomplete; partial chunks are bounded', () => {
  const r = new Reassembler({ maxChunks: 2, maxBytes: 1000 });
  const lastOnly = encodeFrame(9, 500, 600, new Uint8Array(100), true);
  assert.deepEqual(r.add(decodeFrame(lastOnly)).complete, false);
  assert.equal(r.add(decodeFrame(encodeFrame(1, 0, 2000, new Uint8Array(10), false))).bytes, null, 'over maxBytes');
  for (let seq = 10; seq < 20; seq++) {
    r.add(decodeFrame(encodeFrame(seq, 0, 100, new Uint8Array(10), false)));
  }
  assert.ok(r.parts.size <= 2);
  assert.equal(FRAME_PAYLOAD_BYTES, 16364);
});
