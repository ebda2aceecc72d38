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

test('the upload rate reported is the best second of the window', async () => {
  const { RateMeter } = await import('../src/stats.js');
  const m = new RateMeter(3);
  assert.equal(m.max(), 0, 'nothing measured yet');
  m.sample(0, 0);
  m.sample(100_000, 1000);
  m.sample(400_000, 2000); // 300,000 B/s
  m.sample(450_000, 3000);
  assert.equal(m.max(), 300_000);
  m.sample(500_000, 4000);
  m.sample(550_000, 5000); // the 300,000 second has left the 3-second window
  assert.equal(m.max(), 50_000);
  m.sample(650_000, 5500); // half a second: 200,000 B/s
  assert.equal(m.max(), 200_000);
});
