import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UploadQueue } from '../src/upload-queue.js';

test('uploads take turns, children that relay first, and a stuck upload loses its turn', async () => {
  const q = new UploadQueue(50);
  const order = [];
  const first = await q.acquire(0);
  const leaf = q.acquire(0).then((release) => { order.push('leaf'); return release; });
  const relay = q.acquire(2).then((release) => { order.push('relay'); return release; });
  assert.equal(q.length, 2);
  first();
  first(); // a second release is harmless
  const r = await relay;
  assert.deepEqual(order, ['relay'], 'the relay jumps the queue; the leaf still waits');
  // the relay never releases: after its turn (50 ms) the leaf goes
  const l = await leaf;
  assert.deepEqual(order, ['relay', 'leaf']);
  r();
  l();
  assert.equal(q.busy, false);
});
