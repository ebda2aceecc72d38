import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feedLoaderClass, MediaFeed } from '../src/loader.js';

// the two members of mpegts.js the loader uses, as mpegts.js defines them
const LoaderStatus = { kIdle: 0, kConnecting: 1, kBuffering: 2, kError: 3, kComplete: 4 };
class BaseLoader {
  constructor(type) { this._type = type; this._status = LoaderStatus.kIdle; this._onDataArrival = null; }
  set onDataArrival(cb) { this._onDataArrival = cb; }
  get needStashBuffer() { return this._needStash; }
  destroy() { this._onDataArrival = null; }
}

test('bytes pushed before mpegts.js opens the loader arrive first, in order, with running offsets', () => {
  const feed = new MediaFeed();
  feed.push(new Uint8Array([1, 2, 3]));
  feed.push(new Uint8Array([4, 5]));
  const Loader = feedLoaderClass({ BaseLoader, LoaderStatus }, feed);
  const loader = new Loader();
  assert.equal(loader.needStashBuffer, false);
  const got = [];
  loader.onDataArrival = (buffer, start, received) => got.push([Array.from(new Uint8Array(buffer)), start, received]);
  loader.open();
  feed.push(new Uint8Array([9, 8, 7, 6]).subarray(1, 3)); // a view: only its own bytes go out
  assert.deepEqual(got, [[[1, 2, 3], 0, 3], [[4, 5], 3, 5], [[8, 7], 5, 7]]);
  loader.abort();
  feed.push(new Uint8Array([0]));
  assert.equal(got.length, 3, 'nothing after abort');
  assert.equal(feed.bytes, 8);
});
