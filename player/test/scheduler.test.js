import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Hex } from '../src/crypto.js';
import { ChunkScheduler, chooseStart, firstTimestamp, newestChunkMs, parentDeadline } from '../src/scheduler.js';

const chunk = (seq) => new TextEncoder().encode(`chunk-${seq}-`.repeat(50));
const FAST = { httpBudgetMs: 0, minParentMs: 60, maxParentMs: 60, blameAfterMs: 0, retry425Ms: 5, pollAfterMs: 40, serverDeadlineMs: 2000 };

async function digestOf(seq, keyframe = true) {
  const bytes = chunk(seq);
  return { seq, sha256: await sha256Hex(bytes), size: bytes.byteLength, keyframe };
}

/** A server that has chunks `from`..`to` (425 above, 404 below), counting requests. */
function server({ from = 0, to = 1e9, keyframes = () => true } = {}) {
  const s = async (seq) => {
    s.requests.push(seq);
    if (seq > to) return { status: 425 };
    if (seq < from) return { status: 404 };
    const bytes = chunk(seq);
    return { status: 200, bytes, sha256: await sha256Hex(bytes), keyframe: keyframes(seq) };
  };
  s.requests = [];
  return s;
}

/** A parent link whose behaviour per request is `answer(seq)`: bytes, a reason, or 'never'. */
function parent(answer) {
  const link = { id: 'P1', asked: [], cancelled: [] };
  link.request = (seq) => {
    link.asked.push(seq);
    const a = answer(seq);
    const promise = a === 'never' ? new Promise(() => {}) : Promise.resolve(typeof a === 'string' ? { reason: a } : { bytes: a });
    return { promise, cancel: () => link.cancelled.push(seq) };
  };
  return link;
}

function scheduler(o) {
  const got = [];
  const failures = [];
  const skips = [];
  const s = new ChunkScheduler({
    options: FAST,
    bufferSeconds: () => 2,
    onChunk: (seq, bytes, info) => got.push([seq, info.source]),
    onSkip: (seq) => skips.push(seq),
    onParentFailure: (id, reason, seq, afterDigestMs) => failures.push(afterDigestMs === undefined ? [id, reason, seq] : [id, reason, seq, afterDigestMs]),
    ...o,
  });
  return { s, got, failures, skips };
}

const until = async (what, fn, ms = 3000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('the parent deadline leaves the HTTP budget out of the buffer, within bounds', () => {
  const o = { httpBudgetMs: 700, minParentMs: 250, maxParentMs: 6000 };
  assert.equal(parentDeadline(2, o), 1300);
  assert.equal(parentDeadline(0.5, o), 250);
  assert.equal(parentDeadline(60, o), 6000);
  // the SDK's own bound: a chunk that falls back to HTTP still lands within 5 s of its digest
  assert.equal(parentDeadline(60), 4000);
  assert.equal(parentDeadline(3), 2300);
});

test('start chunk: the newest keyframe chunk at least the target behind the live edge', () => {
  const chunks = [{ seq: 9, keyframe: true, dts: 9000 }, { seq: 8, keyframe: false, dts: 8000 },
    { seq: 7, keyframe: true, dts: 7000 }, { seq: 6, keyframe: true, dts: 6000 }];
  assert.equal(chooseStart(chunks, 1000), 0);
  assert.equal(chooseStart(chunks, 2500), 2, 'skips the non-keyframe chunk');
  assert.equal(chooseStart(chunks, 3500), 3);
  assert.equal(chooseStart(chunks, 9999), 3, 'else the oldest keyframe chunk');
  assert.equal(chooseStart([{ seq: 1, keyframe: false, dts: 0 }], 1000), -1);
});

test('start chunk: the live edge is the newest chunk plus its measured duration, not a second', () => {
  // 500 ms chunks, each starting at a keyframe: 3 s behind the edge at 5000 ms is chunk 4, at 2000 ms
  const chunks = [];
  for (let seq = 9; seq >= 0; seq--) chunks.push({ seq, keyframe: true, dts: seq * 500 });
  assert.equal(newestChunkMs(chunks), 500);
  assert.equal(chooseStart(chunks, 3000, newestChunkMs(chunks)), 5, 'index 5 = chunk 4');
  assert.equal(chooseStart(chunks, 3000), 4, 'a second assumed: chunk 5, only 2.5 s behind the edge');
  assert.equal(newestChunkMs(chunks.slice(0, 1)), 1000, 'one chunk: no measure yet');
});

test('first tag timestamp reads the extended byte', () => {
  const tag = new Uint8Array(11);
  tag.set([0x09, 0, 0, 10, 0x12, 0x34, 0x56, 0x01], 0);
  assert.equal(firstTimestamp(tag), 0x01123456);
});

test('chunks from the parent are verified and played in order, even when fetched out of order', async () => {
  const srv = server();
  const link = parent((seq) => chunk(seq));
  const slow = link.request;
  // chunk 10 arrives last
  link.request = (seq) => {
    const r = slow(seq);
    return seq === 10 ? { ...r, promise: r.promise.then((x) => new Promise((ok) => setTimeout(() => ok(x), 30))) } : r;
  };
  const { s, got, failures } = scheduler({ server: srv, options: { ...FAST, minParentMs: 500, maxParentMs: 500 } });
  s.setParent(link);
  s.startAt(10, 9);
  const digests = [];
  for (const seq of [10, 11, 12]) digests.push(await digestOf(seq));
  digests.forEach((d) => s.digest(d));
  await until('3 chunks', () => got.length === 3);
  assert.deepEqual(got, [[10, 'peer'], [11, 'peer'], [12, 'peer']]);
  assert.deepEqual(srv.requests, []);
  assert.deepEqual(failures, []);
  assert.equal(s.stats.p2pChunks, 3);
});

test('a tampered chunk from the parent is refused, reported once, and taken from the server', async () => {
  const srv = server();
  const link = parent((seq) => { const b = chunk(seq); b[3] ^= 1; return b; });
  const { s, got, failures } = scheduler({ server: srv });
  s.setParent(link);
  s.startAt(0);
  for (const seq of [0, 1]) s.digest(await digestOf(seq));
  await until('2 chunks', () => got.length === 2);
  assert.deepEqual(got, [[0, 'server'], [1, 'server']]);
  // both chunks are fetched at once: which one fails verification first depends on timing
  assert.equal(failures.length, 1, 'one report per parent');
  assert.deepEqual(failures[0].slice(0, 2), ['P1', 'stalled']);
  assert.ok([0, 1].includes(failures[0][2]), `the report names a tampered chunk: ${failures[0]}`);
  assert.equal(s.stats.rejected, 2);
  assert.equal(s.stats.parentFailures, 2);
});

test('a parent that does not answer before its deadline is reported stalled; the server fills in', async () => {
  const srv = server();
  const link = parent(() => 'never');
  const { s, got, failures } = scheduler({ server: srv });
  s.setParent(link);
  s.startAt(5);
  const d = await digestOf(5);
  const t0 = Date.now(); // before the request starts its deadline timer
  s.digest(d);
  await until('the chunk', () => got.length === 1);
  assert.ok(Date.now() - t0 >= 55, 'waited for the parent first');
  assert.deepEqual(got, [[5, 'server']]);
  assert.deepEqual(failures.map((f) => f.slice(0, 3)), [['P1', 'stalled', 5]]);
  assert.ok(failures[0][3] >= 60 && failures[0][3] < 1000, `the report says when the deadline ended after the digest: ${failures[0]}`);
  assert.deepEqual(link.cancelled, [5], 'the late request is cancelled');
});

test('a parent that misses the floor deadline of a child with nothing buffered is not reported', async () => {
  const srv = server();
  const link = parent(() => 'never');
  const { s, got, failures } = scheduler({ server: srv, bufferSeconds: () => 0 });
  s.setParent(link);
  s.startAt(5);
  s.digest(await digestOf(5));
  await until('the chunk', () => got.length === 1);
  assert.deepEqual(got, [[5, 'server']]);
  assert.deepEqual(failures, [], 'a starved child gives its parent one hop: missing it is no evidence');
  assert.deepEqual(link.cancelled, [5], 'the late request is still cancelled');
});

test('a late report gives the deadline\'s end after the digest; a tampered chunk\'s report gives none', async () => {
  let t = 0;
  const link = parent((seq) => (seq === 5 ? 'never' : chunk(seq)));
  const { s, got, failures } = scheduler({
    server: server(), bufferSeconds: () => 10, now: () => t,
    options: { ...FAST, maxParentMs: 2010, blameAfterMs: 2000 },
  });
  s.setParent(link);
  s.digest(await digestOf(5));
  t = 1950; // asked 1.95 s after the digest: the parent has the 60 ms left of maxParentMs
  s.startAt(5);
  await until('the chunk over HTTP', () => got.length === 1);
  assert.deepEqual(failures, [['P1', 'stalled', 5, 2010]], 'a deadline ending 2 s or later after the digest: reported at the first miss');

  const bad = parent((seq) => { const b = chunk(seq); b[0] ^= 1; return b; });
  const other = scheduler({ server: server() });
  other.s.setParent(bad);
  other.s.startAt(0);
  other.s.digest(await digestOf(0));
  await until('chunk 0 over HTTP', () => other.got.length === 1);
  assert.deepEqual(other.failures, [['P1', 'stalled', 0]], 'bad bytes are no matter of time');
});

test('a deadline that ends soon after the digest is reported only when the parent misses the next chunk too', async () => {
  const answers = { 5: 'never', 6: chunk(6), 7: 'never', 8: 'never' };
  const link = parent((seq) => answers[seq]);
  // deadlines end 60 ms after the digest, far sooner than blameAfterMs: one miss is no evidence
  const { s, got, failures } = scheduler({ server: server(), options: { ...FAST, blameAfterMs: 2000 } });
  s.setParent(link);
  s.startAt(5);
  s.digest(await digestOf(5));
  await until('chunk 5', () => got.length === 1);
  s.digest(await digestOf(6));
  await until('chunk 6', () => got.length === 2);
  s.digest(await digestOf(7));
  await until('chunk 7', () => got.length === 3);
  assert.deepEqual(failures, [], 'a miss, a delivery, a miss: each excused');
  assert.equal(s.stats.excusedLate, 2);
  s.digest(await digestOf(8));
  await until('chunk 8', () => got.length === 4);
  assert.deepEqual(got, [[5, 'server'], [6, 'peer'], [7, 'server'], [8, 'server']]);
  assert.equal(failures.length, 1, 'the second miss in a row is reported');
  assert.deepEqual(failures[0].slice(0, 3), ['P1', 'stalled', 8]);
  assert.ok(failures[0][3] < 2000, `and says its deadline ended early: ${failures[0]}`);
});

test('a chunk asked for long after its digest gives the parent only what is left of maxParentMs', async () => {
  let t = 0;
  const srv = server();
  const link = parent(() => 'never');
  const { s, got } = scheduler({
    server: srv, bufferSeconds: () => 10, now: () => t,
    options: { ...FAST, httpBudgetMs: 700, minParentMs: 250, maxParentMs: 4000 },
  });
  s.setParent(link);
  s.digest(await digestOf(5));
  t = 3800; // the digest came 3.8 s ago: 10 s buffered alone would give the parent 4 s more
  s.startAt(5);
  await until('the chunk over HTTP after the 250 ms floor, well before 4 s', () => got.length === 1, 2500);
  assert.deepEqual(got, [[5, 'server']]);
  assert.deepEqual(link.asked, [5]);
});

test('"missing" is not a failure; "unreachable" is', async () => {
  const missing = scheduler({ server: server() });
  missing.s.setParent(parent(() => 'missing'));
  missing.s.startAt(0);
  missing.s.digest(await digestOf(0));
  await until('missing chunk', () => missing.got.length === 1);
  assert.deepEqual(missing.failures, []);
  assert.equal(missing.s.stats.missing, 1);

  const gone = scheduler({ server: server() });
  gone.s.setParent(parent(() => 'unreachable'));
  gone.s.startAt(0);
  gone.s.digest(await digestOf(0));
  await until('unreachable chunk', () => gone.got.length === 1);
  assert.deepEqual(gone.failures, [['P1', 'unreachable', 0]]);
});

test('without a digest the parent is never asked; the server answers, checked against its header', async () => {
  const srv = server();
  const link = parent((seq) => chunk(seq));
  const { s, got } = scheduler({ server: srv });
  s.setParent(link);
  s.startAt(3, 4);
  await until('2 chunks', () => got.length === 2);
  assert.deepEqual(link.asked, []);
  assert.deepEqual(got, [[3, 'server'], [4, 'server']]);
});

test('425 (not closed yet) is retried; a chunk out of the window is skipped up to the next keyframe chunk', async () => {
  const srv = server({ from: 2, to: 6, keyframes: (seq) => seq !== 3 });
  const { s, got, skips } = scheduler({ server: srv });
  s.startAt(1, 5); // 1 is gone (404), 2 is a keyframe chunk
  await until('chunks 2 to 5', () => got.length === 4);
  assert.deepEqual(got.map((g) => g[0]), [2, 3, 4, 5], 'chunk 3 follows a keyframe chunk: it plays');
  assert.deepEqual(skips, [1]);
  const wait = scheduler({ server: server({ to: -1 }) });
  wait.s.startAt(0, 0);
  await until('some 425 retries', () => wait.s.server.requests.length >= 3);
  assert.deepEqual(wait.got, []);
  wait.s.stop();
});

test('after a skip, chunks that are not keyframe chunks are dropped until one is', async () => {
  const srv = server({ from: 1, keyframes: (seq) => seq === 4 });
  const { s, got, skips } = scheduler({ server: srv });
  s.startAt(0, 4);
  await until('chunk 4', () => got.length === 1);
  assert.deepEqual(got, [[4, 'server']]);
  assert.deepEqual(skips, [0, 1, 2, 3]);
});

test('with no digest for a while (signalling down) the server is polled for the next chunk', async () => {
  const srv = server({ to: 8 });
  const { s, got } = scheduler({ server: srv });
  s.startAt(7, 6);
  await new Promise((r) => setTimeout(r, 60));
  s.tick();
  await until('chunk 7', () => got.length === 1);
  await new Promise((r) => setTimeout(r, 60));
  s.tick();
  await until('chunk 8', () => got.length === 2);
  assert.deepEqual(got, [[7, 'server'], [8, 'server']]);
  s.stop();
});

test('a link closed on purpose, or still connecting at the deadline, is not reported', async () => {
  const closed = scheduler({ server: server() });
  closed.s.setParent(parent(() => 'cancelled'));
  closed.s.startAt(0);
  closed.s.digest(await digestOf(0));
  await until('chunk over HTTP', () => closed.got.length === 1);
  assert.deepEqual(closed.failures, []);

  const connecting = scheduler({ server: server() });
  const link = parent(() => 'never');
  link.isOpen = () => false;
  connecting.s.setParent(link);
  connecting.s.startAt(0);
  connecting.s.digest(await digestOf(0));
  await until('chunk over HTTP', () => connecting.got.length === 1);
  assert.deepEqual(connecting.got, [[0, 'server']]);
  assert.deepEqual(connecting.failures, [], 'the link reports unreachable itself if it never opens');
});

test('a verified chunk is offered to children before it is played', async () => {
  const verified = [];
  const srv = server();
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  // chunk 0 is late everywhere until the test lets it through: no timing decides this test
  const slowServer = async (seq) => (seq === 0 ? held.then(() => srv(seq)) : srv(seq));
  const link = parent((seq) => (seq === 0 ? 'missing' : chunk(seq)));
  const { s, got } = scheduler({ server: slowServer, onVerified: (seq) => verified.push(seq) });
  s.setParent(link);
  s.startAt(0);
  for (const seq of [0, 1]) s.digest(await digestOf(seq));
  await until('chunk 1 verified', () => verified.includes(1));
  assert.deepEqual(got, [], 'chunk 0 is still on its way: nothing played yet');
  release();
  await until('both played', () => got.length === 2);
  assert.deepEqual(got.map((g) => g[0]), [0, 1]);
});
