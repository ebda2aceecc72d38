import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMillis } from '../src/signal.js';
import { catchUpRate, liveLatencyMillis, PlaybackStats } from '../src/stats.js';

test('a stall counts only after the first frame, and its length is measured', () => {
  let now = 0;
  const s = new PlaybackStats(() => now);
  s.waiting(); // before the first frame: startup, not a stall
  assert.equal(s.stalls, 0);
  now = 400;
  s.firstFrame();
  assert.equal(s.startupMillis, 400);
  now = 1000;
  s.waiting();
  s.waiting(); // the same stall
  now = 1300;
  assert.equal(s.longestStall(), 300, 'a stall in progress counts');
  s.progressing();
  now = 5000;
  s.waiting();
  now = 5100;
  s.progressing();
  assert.equal(s.stalls, 2);
  assert.equal(s.totalStallMillis(), 400);
  assert.equal(s.longestStall(), 300);
});

test('latency is the buffer ahead plus the age of the newest appended chunk', () => {
  assert.equal(liveLatencyMillis(1.5, 1000, 2200), 2700);
  assert.equal(liveLatencyMillis(1.5, null, 2200), null);
});

test('catch-up speeds up only when well behind and settles near the target', () => {
  assert.equal(catchUpRate(3000, 3000, 1), 1);
  assert.equal(catchUpRate(4400, 3000, 1), 1, 'inside the tolerance');
  assert.equal(catchUpRate(4600, 3000, 1), 1.1);
  assert.equal(catchUpRate(3400, 3000, 1.1), 1.1, 'keeps catching up until close to the target');
  assert.equal(catchUpRate(3200, 3000, 1.1), 1);
});

test('too close to live, playback slows until a late chunk can no longer stall it', () => {
  assert.equal(catchUpRate(1200, 3000, 1), 0.9);
  assert.equal(catchUpRate(2500, 3000, 1), 1, 'inside the tolerance');
  assert.equal(catchUpRate(2600, 3000, 0.9), 0.9, 'keeps falling back until close to the target');
  assert.equal(catchUpRate(2800, 3000, 0.9), 1);
});

test('signalling backoff grows, is jittered and capped', () => {
  assert.equal(backoffMillis(0, () => 0), 250);
  assert.equal(backoffMillis(0, () => 1), 500);
  assert.equal(backoffMillis(3, () => 1), 4000);
  assert.equal(backoffMillis(50, () => 1), 15000);
});

test('the upload meter reports throughput while uploading, whatever the number of children', async () => {
  const { BusyMeter } = await import('../src/stats.js');
  let now = 0;
  const m = new BusyMeter(3, () => now);
  assert.equal(m.rate(), 0, 'nothing measured yet');
  m.begin();            // one child: 250,000 B in 100 ms
  now = 100;
  m.end();
  now = 1000;
  m.sample(250_000);
  assert.equal(m.rate(), 2_500_000, 'idle time between chunks does not count');
  m.begin();            // two children at once: 500,000 B in 200 ms, overlapping uploads count once
  m.begin();
  now = 1100;
  m.end();
  now = 1200;
  m.end();
  now = 2000;
  m.sample(750_000);
  assert.equal(m.rate(), 2_500_000);
  now = 5000;
  m.sample(750_000);
  m.sample(750_000);
  m.sample(750_000);
  assert.equal(m.rate(), 0, 'nothing sent in the window');
});
