import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Arriving, nextFrame, prefixMatches } from '../src/forward.js';
import { decodeFrame, FRAME_PAYLOAD_BYTES, framesOf, Reassembler } from '../src/frame.js';

// PeerLink creates its RTCPeerConnection in the constructor; these tests drive its DataChannel
// side only, through a fake channel, so the connection itself is an inert stand-in.
globalThis.RTCPeerConnection ??= class {
  close() {}
};
const { PeerLink } = await import('../src/peer-link.js');

const chunk = (n, salt = 0) => new Uint8Array(n).map((_, i) => (i * 31 + salt) & 0xff);

/** A DataChannel that accepts everything at once and records what was sent. */
function fakeChannel() {
  return {
    readyState: 'open',
    bufferedAmount: 0,
    sent: [],
    send(data) {
      this.sent.push(data);
    },
    addEventListener() {},
  };
}

/** The parent end of a link whose player answers `serve` with `src`; records busy time switches. */
function parentLink(src) {
  const busy = [];
  const link = new PeerLink({ id: 'child', role: 'down', signal: () => {}, serve: () => src, onBusy: (b) => busy.push(b) });
  link.dc = fakeChannel();
  return { link, busy };
}

const frames = (dc) => dc.sent.filter((d) => typeof d !== 'string').map((d) => decodeFrame(d));
const texts = (dc) => dc.sent.filter((d) => typeof d === 'string');
/** Polls `fn` until it holds, failing after `ms`. */
async function until(what, fn, ms = 2000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
/** One turn of the event loop: callbacks of promises already resolved have run (no timer is waited for). */
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Feeds `bytes` to `arriving` the way an up link does: in frames, reporting the in-order prefix. */
function receiver(arriving, bytes) {
  const r = new Reassembler();
  const all = [...framesOf(9, bytes)].map((f) => decodeFrame(f));
  let next = 0;
  return {
    deliver(count) {
      for (const end = Math.min(all.length, next + count); next < end; next++) {
        const whole = r.add(all[next]);
        if (!whole) {
          const p = r.progress(9);
          arriving.progress(p.bytes, p.length);
        }
      }
    },
    left: () => all.length - next,
  };
}

test('a parent forwards a chunk while it arrives, and its last frame only once verified', async () => {
  const bytes = chunk(5 * FRAME_PAYLOAD_BYTES + 1000);
  const a = new Arriving();
  const { link, busy } = parentLink(a);
  const up = receiver(a, bytes);
  const serving = link.fromChild(JSON.stringify({ get: 9 }));
  await flush();
  assert.equal(link.dc.sent.length, 0, 'nothing to forward before the first bytes');

  up.deliver(2);
  await until('two frames forwarded, then a wait that is not upload time',
    () => frames(link.dc).length === 2 && busy.at(-1) === false);
  assert.deepEqual(frames(link.dc).map((f) => f.offset), [0, FRAME_PAYLOAD_BYTES]);

  up.deliver(up.left()); // every byte has arrived, none of it verified yet
  await until('five frames forwarded', () => frames(link.dc).length === 5 && busy.at(-1) === false);
  await flush();
  assert.equal(frames(link.dc).length, 5);
  assert.ok(frames(link.dc).every((f) => !f.last), 'the frame with the last byte waits for verification');

  a.complete(bytes);
  await serving;
  const got = frames(link.dc);
  assert.equal(got.length, 6);
  assert.ok(got.at(-1).last);
  const child = new Reassembler();
  let whole = null;
  for (const f of got) whole = child.add(f) || whole;
  assert.equal(whole.complete, true);
  assert.deepEqual(whole.bytes, bytes);
  assert.deepEqual(texts(link.dc), []);
});

test('forwarded bytes that differ from the verified chunk end in missing, without the last frame', async () => {
  const good = chunk(3 * FRAME_PAYLOAD_BYTES + 10);
  const bad = chunk(good.byteLength, 1); // what a lying grandparent sent
  const a = new Arriving();
  const { link } = parentLink(a);
  const up = receiver(a, bad);
  const serving = link.fromChild(JSON.stringify({ get: 9 }));
  up.deliver(up.left());
  await until('three frames forwarded', () => frames(link.dc).length === 3);
  a.complete(good); // this player's copy failed and came again over HTTP
  await serving;
  assert.equal(frames(link.dc).length, 3);
  assert.ok(frames(link.dc).every((f) => !f.last));
  assert.deepEqual(texts(link.dc), ['{"missing":9}']);
});

test('a chunk that is verified before any byte was forwarded goes out whole', async () => {
  const bytes = chunk(2 * FRAME_PAYLOAD_BYTES);
  const a = new Arriving();
  const { link } = parentLink(a);
  const serving = link.fromChild(JSON.stringify({ get: 9 }));
  a.complete(bytes);
  await serving;
  const got = frames(link.dc);
  assert.deepEqual(got.map((f) => [f.offset, f.last]), [[0, false], [FRAME_PAYLOAD_BYTES, true]]);
});

test('a chunk this parent will not have is answered missing', async () => {
  const a = new Arriving();
  const { link } = parentLink(a);
  const up = receiver(a, chunk(4 * FRAME_PAYLOAD_BYTES));
  const serving = link.fromChild(JSON.stringify({ get: 9 }));
  up.deliver(1);
  await until('the first frame forwarded', () => frames(link.dc).length === 1);
  a.fail(); // skipped, or the player left the room
  await serving;
  assert.equal(frames(link.dc).length, 1);
  assert.deepEqual(texts(link.dc), ['{"missing":9}']);
});

test('a child drops frames it has of a chunk its parent then reports missing', async () => {
  const link = new PeerLink({ id: 'parent', role: 'up', signal: () => {} });
  link.dc = fakeChannel();
  link.resolveOpened(true);
  const req = link.request(9);
  await until('the request sent', () => link.dc.sent.length === 1);
  const parts = [...framesOf(9, chunk(3 * FRAME_PAYLOAD_BYTES))];
  link.fromParent(parts[0].buffer);
  assert.equal(link.reassembler.progress(9).length, FRAME_PAYLOAD_BYTES);
  link.fromParent(JSON.stringify({ missing: 9 }));
  assert.deepEqual(await req.promise, { reason: 'missing' });
  assert.equal(link.reassembler.progress(9), null);
});

test('nextFrame never hands out the last byte of an unverified chunk', () => {
  const bytes = chunk(2 * FRAME_PAYLOAD_BYTES);
  const a = new Arriving();
  a.progress(bytes, bytes.byteLength);
  assert.equal(nextFrame(1, a, 0).length, FRAME_PAYLOAD_BYTES);
  assert.equal(nextFrame(1, a, FRAME_PAYLOAD_BYTES), null, 'the second frame holds the last byte');
  a.complete(bytes);
  assert.equal(nextFrame(1, a, FRAME_PAYLOAD_BYTES).last, true);
  assert.equal(nextFrame(1, a, bytes.byteLength), null);
  // a new source (another parent) started again from byte 0: nothing more from the old buffer
  const b = new Arriving();
  const first = new Uint8Array(bytes);
  b.progress(first, bytes.byteLength);
  b.progress(new Uint8Array(bytes.byteLength), 10);
  assert.equal(nextFrame(1, b, FRAME_PAYLOAD_BYTES, first), null);
});

test('prefixMatches compares what was forwarded with the verified chunk', () => {
  const v = chunk(100);
  assert.ok(prefixMatches(null, v, 0));
  assert.ok(prefixMatches(new Uint8Array(v), v, 100));
  const w = new Uint8Array(v);
  w[50] ^= 1;
  assert.ok(prefixMatches(w, v, 50));
  assert.ok(!prefixMatches(w, v, 51));
  assert.ok(!prefixMatches(chunk(99), v, 10));
});
