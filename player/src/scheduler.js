/*
 * Where each chunk comes from, and in which order playback gets it. Pure logic over injected
 * fetchers and clocks (no DOM, no WebRTC), so Node's test runner drives it with fakes.
 *
 * Rules (docs/player.md):
 * - playback gets chunks strictly in sequence from the start chunk; a chunk that cannot be had
 *   (outside the server's window) is skipped and playback resumes at the next keyframe chunk;
 * - a chunk is asked of the parent peer only when its digest is known (nothing unverifiable is
 *   played or forwarded); the parent gets a deadline computed from the media still buffered, so
 *   the HTTP fallback always has time to finish before the buffer runs dry;
 * - a parent that delivers late, delivers bytes that do not match the digest, or cannot be reached
 *   is reported once (onParentFailure); "missing" (the parent has no such chunk) is not a failure.
 *   A late report says how long after the digest the deadline ended, so that the server can tell
 *   a parent that failed from one that was merely far from the root for a child with little buffered;
 * - a deadline missed sooner than blameAfterMs after the digest is reported only when the same parent
 *   missed the previous chunk too: one such miss says little (a parent deep in the tree needs most of
 *   2 s), and every report moves the child, which costs a new link and churns a large room.
 */

import { sha256Hex } from './crypto.js';

export const DEFAULTS = Object.freeze({
  httpBudgetMs: 700,      // kept back from the buffer for the HTTP fallback
  minParentMs: 250,       // never give a parent less (it needs one hop)
  maxParentMs: 4000,      // never wait longer on a parent, however much is buffered: a parent that needs
                          // 4 s for a 1 s chunk is not keeping up, and the fallback lands within 5 s of the digest
  blameAfterMs: 2000,     // a deadline missed before this long after the digest is reported only when the
                          // parent missed the previous chunk too (docs/PROTOCOL.md 6b.3)
  maxInFlight: 3,         // chunks fetched at once (only when behind)
  serverDeadlineMs: 15000, // give up on one chunk over HTTP after this long (then skip it)
  retry425Ms: 120,        // poll interval while the server has not closed the chunk yet
  pollAfterMs: 2500,      // no digest for this long: poll the server for the next chunk
});

/** Milliseconds a parent may take for a chunk, given the seconds of media buffered ahead. */
export function parentDeadline(bufferSeconds, opts = DEFAULTS) {
  const ms = bufferSeconds * 1000 - opts.httpBudgetMs;
  return Math.round(Math.min(opts.maxParentMs, Math.max(opts.minParentMs, ms)));
}

/** Timestamp (ms) of the first FLV tag of a chunk: UI24 plus the extended UI8 (section 3.4). */
export function firstTimestamp(chunk) {
  if (!chunk || chunk.byteLength < 11) {
    return null;
  }
  return ((chunk[7] << 24) >>> 0) + (chunk[4] << 16) + (chunk[5] << 8) + chunk[6];
}

/**
 * The chunk to start playback from, given chunks read backwards from the newest (each
 * {seq, keyframe, dts}): the newest keyframe chunk at least `targetMs` behind the live edge,
 * else the oldest keyframe chunk offered. Returns the index in `newestFirst` or -1.
 */
/**
 * The newest chunk's duration, taken as the one before it (the relay's chunks are of about equal
 * length, xp2p.relay.chunkMillis); 1000 ms until two are known.
 */
export function newestChunkMs(newestFirst) {
  return newestFirst.length > 1 && newestFirst[0].dts > newestFirst[1].dts ? newestFirst[0].dts - newestFirst[1].dts : 1000;
}

export function chooseStart(newestFirst, targetMs, chunkMs = 1000) {
  if (newestFirst.length === 0) {
    return -1;
  }
  const edge = newestFirst[0].dts + chunkMs;
  let fallback = -1;
  for (let i = 0; i < newestFirst.length; i++) {
    const c = newestFirst[i];
    if (!c.keyframe) {
      continue;
    }
    fallback = i;
    if (edge - c.dts >= targetMs) {
      return i;
    }
  }
  return fallback;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ChunkScheduler {
  /**
   * @param {object} o
   * @param {(seq:number)=>Promise<{status:number,bytes?:Uint8Array,sha256?:string,keyframe?:boolean}>} o.server
   * @param {()=>number} o.bufferSeconds media buffered ahead of playback
   * @param {(seq:number,bytes:Uint8Array,info:{source:string,keyframe:boolean})=>void} o.onChunk in order
   * @param {(parentId:string,reason:string,seq:number,afterDigestMs?:number)=>void} o.onParentFailure
   *   afterDigestMs: for a missed deadline, when it ended, in ms after the chunk's digest arrived
   */
  constructor(o) {
    this.opts = { ...DEFAULTS, ...(o.options || {}) };
    this.server = o.server;
    this.bufferSeconds = o.bufferSeconds || (() => 0);
    this.onChunk = o.onChunk;
    this.onSkip = o.onSkip || (() => {});
    this.onParentFailure = o.onParentFailure || (() => {});
    this.now = o.now || (() => Date.now());
    this.verify = o.verify || (async (bytes, sha) => (await sha256Hex(bytes)) === String(sha).toLowerCase());
    this.parent = null;       // {id, request(seq) -> {promise, cancel}}, or null: the server
    this.digests = new Map(); // seq -> {sha256, size, keyframe}
    this.next = null;         // next seq playback gets
    this.launched = null;     // next seq to start fetching
    this.maxSeq = -1;         // newest seq known to exist
    this.jobs = new Map();
    this.ready = new Map();
    this.needKeyframe = false;
    this.lastDigestAt = this.now();
    this.failedParents = new WeakSet();
    this.lateStreak = new WeakMap(); // link -> deadlines it missed in a row
    this.onVerified = o.onVerified || (() => {});
    this.stopped = false;
    this.stats = { p2pBytes: 0, cdnBytes: 0, p2pChunks: 0, cdnChunks: 0, rejected: 0, parentFailures: 0, excusedLate: 0, missing: 0, skipped: 0, verified: 0 };
  }

  /** Playback continues with `seq`; `knownMax` is the newest chunk known to exist (or -1). */
  startAt(seq, knownMax = -1) {
    this.next = seq;
    this.launched = seq;
    this.maxSeq = Math.max(this.maxSeq, knownMax);
    this.pump();
  }

  digest(d) {
    this.digests.set(d.seq, { sha256: d.sha256, size: d.size, keyframe: !!d.keyframe, at: this.now() });
    if (this.digests.size > 256) {
      this.digests.delete(this.digests.keys().next().value);
    }
    this.maxSeq = Math.max(this.maxSeq, d.seq);
    this.lastDigestAt = this.now();
    this.pump();
  }

  setParent(link) {
    this.parent = link;
  }

  /** Timer hook: with no digest for a while (signalling down), poll the server for the next chunk. */
  tick() {
    if (this.stopped || this.next === null) {
      return;
    }
    if (this.jobs.size === 0 && this.launched > this.maxSeq && this.now() - this.lastDigestAt > this.opts.pollAfterMs) {
      this.maxSeq = this.launched;
      this.lastDigestAt = this.now();
      this.pump();
    }
  }

  stop() {
    this.stopped = true;
    for (const job of this.jobs.values()) {
      job.cancel();
    }
    this.jobs.clear();
  }

  pump() {
    if (this.stopped || this.launched === null) {
      return;
    }
    while (this.jobs.size < this.opts.maxInFlight && this.launched <= this.maxSeq) {
      const seq = this.launched++;
      const job = { cancelled: false, cancel: () => { job.cancelled = true; job.onCancel?.(); } };
      this.jobs.set(seq, job);
      this.fetchChunk(seq, job).then((result) => {
        this.jobs.delete(seq);
        if (!job.cancelled && !this.stopped) {
          this.ready.set(seq, result);
          this.drain();
        }
        this.pump();
      });
    }
  }

  drain() {
    while (this.next !== null && this.ready.has(this.next)) {
      const seq = this.next;
      const r = this.ready.get(seq);
      this.ready.delete(seq);
      this.next = seq + 1;
      if (!r.bytes) {
        this.stats.skipped++;
        this.needKeyframe = true;
        this.onSkip(seq, r.why);
        continue;
      }
      if (this.needKeyframe && !r.keyframe) {
        this.stats.skipped++;
        this.onSkip(seq, 'waiting for a keyframe chunk');
        continue;
      }
      this.needKeyframe = false;
      this.onChunk(seq, r.bytes, { source: r.source, keyframe: r.keyframe });
    }
  }

  async fetchChunk(seq, job) {
    try {
      const digest = this.digests.get(seq);
      const link = this.parent;
      let got = null;
      if (link && digest) {
        got = await this.fromParent(link, seq, digest, job);
      }
      if (!got) {
        got = await this.fromServer(seq, job);
      }
      if (got.bytes && !job.cancelled) {
        this.onVerified(seq, got.bytes); // children may have it before it is played
      }
      return got;
    } catch (e) {
      return { bytes: null, why: String(e && e.message ? e.message : e) };
    }
  }

  async fromParent(link, seq, digest, job) {
    const buffered = this.bufferSeconds();
    // the parent's time ends maxParentMs after the digest, not after the request: a chunk asked for
    // late (three others in flight) still lands, over HTTP if need be, within about 5 s of its digest
    const sinceDigest = this.now() - digest.at;
    const budget = Math.max(this.opts.minParentMs, Math.min(parentDeadline(buffered, this.opts), this.opts.maxParentMs - sinceDigest));
    // with less buffered than the fallback needs (startup, after a stall) the parent only gets the
    // floor, one hop's time: missing it says nothing about the parent, so it is not reported
    const starved = buffered * 1000 - this.opts.httpBudgetMs < this.opts.minParentMs;
    const req = link.request(seq);
    let timer;
    job.onCancel = () => req.cancel();
    const late = new Promise((resolve) => { timer = setTimeout(() => resolve({ reason: 'late' }), budget); });
    const r = await Promise.race([req.promise, late]);
    clearTimeout(timer);
    if (job.cancelled) {
      return null;
    }
    if (r.bytes) {
      this.stats.p2pBytes += r.bytes.byteLength;
      if (await this.verify(r.bytes, digest.sha256)) {
        this.stats.verified++;
        this.stats.p2pChunks++;
        this.lateStreak.delete(link);
        return { bytes: r.bytes, source: 'peer', keyframe: digest.keyframe };
      }
      this.stats.rejected++;
      this.parentFailed(link, 'stalled', seq);
      return null;
    }
    if (r.reason === 'missing') {
      this.stats.missing++;
      return null;
    }
    req.cancel();
    if (r.reason === 'cancelled' || (r.reason === 'late' && (starved || (link.isOpen && !link.isOpen())))) {
      // closed on purpose, or still connecting: the server fills in; a channel that never opens
      // is reported as unreachable by the link itself
      return null;
    }
    if (r.reason === 'unreachable') {
      this.parentFailed(link, 'unreachable', seq);
      return null;
    }
    const afterDigestMs = Math.max(0, Math.round(sinceDigest + budget));
    const streak = (this.lateStreak.get(link) || 0) + 1;
    this.lateStreak.set(link, streak);
    if (streak < 2 && afterDigestMs < this.opts.blameAfterMs) {
      this.stats.excusedLate++;
      return null;
    }
    this.parentFailed(link, 'stalled', seq, afterDigestMs);
    return null;
  }

  parentFailed(link, reason, seq, afterDigestMs) {
    this.stats.parentFailures++;
    if (!this.failedParents.has(link)) {
      this.failedParents.add(link);
      this.onParentFailure(link.id, reason, seq, afterDigestMs);
    }
  }

  async fromServer(seq, job) {
    const deadline = this.now() + this.opts.serverDeadlineMs;
    let badBodies = 0;
    let wait = this.opts.retry425Ms;
    while (!job.cancelled && !this.stopped && this.now() < deadline) {
      let r;
      try {
        r = await this.server(seq, Math.max(1000, deadline - this.now()));
      } catch (e) {
        r = { status: 0, error: e };
      }
      if (job.cancelled || this.stopped) {
        return { bytes: null, why: 'cancelled' };
      }
      if (r.status === 200) {
        this.stats.cdnBytes += r.wireBytes ?? r.bytes.byteLength;
        const digest = this.digests.get(seq);
        const expected = digest ? digest.sha256 : r.sha256;
        if (expected && await this.verify(r.bytes, expected)) {
          this.stats.verified++;
          this.stats.cdnChunks++;
          return { bytes: r.bytes, source: 'server', keyframe: digest ? digest.keyframe : !!r.keyframe };
        }
        this.stats.rejected++;
        if (++badBodies >= 2) {
          return { bytes: null, why: `chunk ${seq} from the server does not match its digest` };
        }
        continue;
      }
      if (r.status === 404 || r.status === 403 || r.status === 400) {
        return { bytes: null, why: `chunk ${seq}: HTTP ${r.status}` };
      }
      // 425 (not closed yet), 5xx, network error: try again shortly
      await sleep(r.status === 425 ? this.opts.retry425Ms : wait);
      wait = Math.min(wait * 2, 2000);
    }
    return { bytes: null, why: `chunk ${seq}: no answer from the server in time` };
  }
}
