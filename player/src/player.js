/*
 * Xp2pPlayer: plays an xp2p http-flv stream in a <video> element, taking its chunks from other
 * viewers when the server's delivery tree says so, and from the server's chunk API otherwise
 * (docs/player.md; wire formats in docs/PROTOCOL.md sections 4 to 7).
 *
 *   signalling (signal.js) ──> tree position, digests, stream description
 *   scheduler (scheduler.js) ──> chunk N from the parent link (peer-link.js) or HTTP, verified
 *   media feed (loader.js) ──> mpegts.js ──> MediaSource ──> <video>
 *   chunk store ──> children's links
 */

import mpegts from 'mpegts.js';
import { decryptBody, hexToBytes, importStreamKey } from './crypto.js';
import { feedLoaderClass, MediaFeed } from './loader.js';
import { Arriving } from './forward.js';
import { PeerLink } from './peer-link.js';
import { ChunkScheduler, chooseStart, firstTimestamp, newestChunkMs } from './scheduler.js';
import { SignalClient } from './signal.js';
import { BusyMeter, catchUpRate, liveLatencyMillis, PlaybackStats } from './stats.js';
import { UploadQueue } from './upload-queue.js';

const KEEP_CHUNKS = 64;      // chunks kept for children: half a minute of the relay's default 500 ms chunks
const MAX_ARRIVING = 8;       // chunks still to come that children wait for (forward.js)
const STATS_EVERY_MS = 2000;
const CONTROL_EVERY_MS = 250;
const STARTUP_MAX_CHUNKS = 8;
const HTTP_TIMEOUT_MS = 8000; // one init or chunk request; the scheduler retries within its deadline
const DEFAULT_BASE = (() => {
  try {
    return new URL('.', import.meta.url).href;
  } catch (e) {
    return undefined;
  }
})();

function networkType() {
  const c = typeof navigator !== 'undefined' ? navigator.connection : undefined;
  const t = c && c.type;
  return ['wifi', 'ethernet', 'cellular'].includes(t) ? t : (t ? 'other' : 'unknown');
}

export class Xp2pPlayer extends EventTarget {
  /**
   * @param {object} o
   * @param {HTMLVideoElement} o.video
   * @param {string} o.stream the stream path, e.g. 'live/cam1.flv' (relative to the server)
   * @param {string} [o.xresid] the room, when it is not the path without '.flv'
   * @param {boolean} [o.upload] share with other viewers (default: yes, except on cellular)
   * @param {number} [o.slots] children this player may feed (default 8; the server gives fewer until it has measured the upload)
   * @param {string} [o.code] key-service code: the stream is fetched encrypted and decrypted here
   * @param {string} [o.key] the code's key (64 hex); looked up with GET code/{code} when absent
   * @param {string} [o.token] swarm join token (docs/PROTOCOL.md 6.3)
   * @param {string} [o.server] base URL of the xp2p context (default: where this module is served)
   * @param {number} [o.targetLatency] seconds behind live to aim for (default 3)
   * @param {(msg:string)=>void} [o.log]
   */
  constructor(o) {
    super();
    if (!o || !o.video || !o.stream) {
      throw new TypeError('Xp2pPlayer needs { video, stream }');
    }
    this.video = o.video;
    const path = String(o.stream).replace(/^\/+/, '');
    if (!path.endsWith('.flv')) {
      throw new TypeError(`stream must be a path ending in .flv, got '${o.stream}'`);
    }
    this.path = `/${path}`;
    this.room = o.xresid || path.slice(0, -4);
    this.base = new URL(o.server || DEFAULT_BASE || location.href, typeof location !== 'undefined' ? location.href : undefined);
    this.network = networkType();
    this.upload = o.upload === undefined ? this.network !== 'cellular' : !!o.upload;
    this.slots = o.slots ?? 8;
    this.code = o.code || null;
    this.keyHex = o.key || null;
    this.token = o.token || null;
    this.targetMs = Math.round((o.targetLatency ?? 3) * 1000);
    if (o.iceTransportPolicy !== undefined && o.iceTransportPolicy !== 'all' && o.iceTransportPolicy !== 'relay') {
      throw new TypeError(`iceTransportPolicy must be 'all' or 'relay', got '${o.iceTransportPolicy}'`);
    }
    this.iceTransportPolicy = o.iceTransportPolicy || 'all';
    this.logFn = o.log || (() => {});
    this.state = 'idle';
    this.peerId = null;
    this.parent = null;
    this.depth = 0;
    this.standby = [];
    this.children = [];
    this.desc = null;            // the stream description (joined.stream / stream message)
    this.init = null;
    this.up = null;              // PeerLink to the parent
    this.down = new Map();       // child id -> PeerLink
    this.store = new Map();      // seq -> verified chunk bytes
    this.arriving = new Map();   // seq -> Arriving: chunks still to come that children asked for
    this.announced = new Map();  // seq -> when its digest arrived
    this.lastAppended = null;    // {seq, announcedAt}
    this.uploadBytes = 0;
    this.forwardedEarly = 0;     // uploads begun before the chunk was complete here (cut-through)
    this.uploadMeter = new BusyMeter(10);
    this.uploads = new UploadQueue();
    this.delays = [];            // ms from a chunk's digest to its verified arrival, newest last
    this.sources = { peer: 0, server: 0 };
    this.playback = new PlaybackStats();
    this.timers = [];
    this.media = null;
    this.scheduler = null;
    this.bootstrapping = false;
    this.failures = 0;
    this.lastError = null;
    this.carried = {};           // counters of schedulers replaced by a media restart
    this.reportBase = null;      // totals at the latest join: reports count from there
  }

  get stopped() {
    return this.state === 'stopped';
  }

  log(msg) {
    this.logFn(`[xp2p ${this.peerId || '-'}] ${msg}`);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  setState(state) {
    if (this.state !== state) {
      this.state = state;
      this.emit('state', { state });
    }
  }

  fail(status, error, message) {
    this.lastError = { status, error, message };
    this.log(`error ${error}: ${message}`);
    this.emit('error', { status, error, message });
  }

  /** Joins the swarm and starts playback; resolves at the first frame, rejects on a fatal error. */
  start() {
    if (this.started) {
      return this.started;
    }
    this.started = new Promise((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
    });
    this.begin().catch((e) => this.fatal('failed', String(e && e.message ? e.message : e)));
    return this.started;
  }

  fatal(error, message, status = 0) {
    this.fail(status, error, message);
    this.setState('failed');
    this.rejectStart?.(Object.assign(new Error(message), { error, status }));
  }

  async begin() {
    this.playback = new PlaybackStats();
    this.setState('connecting');
    this.gen = 0;
    if (!mpegts.getFeatureList().mseLivePlayback) {
      throw new Error('this browser cannot play live FLV through Media Source Extensions');
    }
    if (this.code) {
      if (!this.keyHex) {
        const r = await fetch(new URL(`code/${encodeURIComponent(this.code)}`, this.base), { cache: 'no-store' });
        if (this.stopped) return;
        if (r.status !== 200) {
          this.fatal('bad_code', `the key service does not know code ${this.code} (HTTP ${r.status})`, r.status);
          return;
        }
        this.keyHex = (await r.json()).key;
      }
      this.key = await importStreamKey(hexToBytes(this.keyHex));
      if (this.stopped) return;
    }
    this.watchVideo();
    this.scheduler = this.newScheduler();
    const ws = new URL('xp2p/signal', this.base);
    ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
    this.signal = new SignalClient({
      url: ws.href,
      log: (m) => this.log(m),
      onOpen: () => this.join(),
      onMessage: (m) => this.onSignal(m),
      onClose: () => this.onSignalLost(),
    });
    this.signal.start();
    this.timers.push(setInterval(() => this.control(), CONTROL_EVERY_MS));
    this.timers.push(setInterval(() => this.report(), STATS_EVERY_MS));
    this.timers.push(setInterval(() => this.uploadMeter.sample(this.uploadBytes), 1000));
  }

  join() {
    this.reportBase = null; // no report until joined sets the new base
    const m = { type: 'join', room: this.room, stream: this.path, upload: this.upload, slots: this.slots, network: this.network };
    if (this.code) m.code = this.code;
    if (this.token) m.token = this.token;
    this.signal.send(m);
  }

  /** Signalling is down: keep playing over HTTP (the scheduler polls), and stop serving children. */
  onSignalLost() {
    this.setParentLink('server');
    for (const link of this.down.values()) link.close();
    this.down.clear();
    this.children = [];
  }

  stop() {
    if (this.state === 'stopped') {
      return;
    }
    this.report();
    this.setState('stopped');
    clearTimeout(this.retryJoin);
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.signal?.stop();
    this.scheduler?.stop();
    this.up?.close();
    for (const link of this.down.values()) link.close();
    this.down.clear();
    this.teardownMedia();
    this.rejectStart?.(new Error('stopped'));
  }

  /** The scheduler's counters, those of schedulers replaced by a media restart included. */
  counters() {
    const now = this.scheduler ? this.scheduler.stats : {};
    const all = { ...this.carried };
    for (const [k, v] of Object.entries(now)) all[k] = (all[k] || 0) + v;
    return all;
  }

  stats() {
    const s = this.counters();
    const latency = this.latency();
    return {
      state: this.state,
      p2pBytes: s.p2pBytes || 0,
      cdnBytes: (s.cdnBytes || 0) + (this.bootstrapBytes || 0),
      uploadBytes: this.uploadBytes,
      forwardedEarly: this.forwardedEarly,
      stalls: this.playback.stalls,
      stallMillis: this.playback.totalStallMillis(),
      longestStallMillis: this.playback.longestStall(),
      startupMillis: this.playback.startupMillis,
      latencyMillis: latency,
      parent: this.parent,
      depth: this.depth,
      children: this.children.slice(),
      peerId: this.peerId,
      upload: this.upload,
      network: this.network,
      parentFailures: s.parentFailures || 0,
      excusedLate: s.excusedLate || 0,
      rejected: s.rejected || 0,
      verified: s.verified || 0,
      skipped: s.skipped || 0,
      p2pChunks: s.p2pChunks || 0,
      cdnChunks: (s.cdnChunks || 0) + (this.bootstrapChunks || 0),
      sources: { ...this.sources },
      chunkDelays: this.delays.slice(),
      currentTime: this.video.currentTime,
      epoch: this.desc ? this.desc.epoch : null,
      lastSeq: this.lastAppended ? this.lastAppended.seq : null,
      error: this.lastError,
    };
  }

  /** Reports to the server (counters since the latest join, as PROTOCOL section 7 wants) and to listeners. */
  report() {
    const s = this.stats();
    const b = this.reportBase;
    if (b) {
      this.signal?.send({ type: 'stats', room: this.room, p2pBytes: s.p2pBytes - b.p2pBytes, cdnBytes: s.cdnBytes - b.cdnBytes,
        uploadBytes: s.uploadBytes - b.uploadBytes, stalls: s.stalls - b.stalls,
        uploadRate: Math.round(this.uploadMeter.rate()) });
    }
    this.emit('stats', s);
  }

  // ---- signalling --------------------------------------------------------------------------

  onSignal(m) {
    if (m.room !== undefined && m.room !== this.room) {
      return;
    }
    switch (m.type) {
      case 'joined': {
        const now = this.stats();
        this.reportBase = { p2pBytes: now.p2pBytes, cdnBytes: now.cdnBytes, uploadBytes: now.uploadBytes, stalls: now.stalls };
        this.peerId = m.peer;
        this.upload = m.upload;
        this.signal.markHealthy();
        this.setParentLink(null); // a new membership: the parent message that follows decides
        this.iceServers = Array.isArray(m.iceServers) ? m.iceServers : [];
        this.signal.setHeartbeat(Math.max(1, m.heartbeatSeconds || 15));
        this.log(`joined ${this.room} (upload ${m.upload}, slots ${m.slots})`);
        if (m.stream) this.onStream(m.stream);
        else if (this.state === 'connecting') this.setState('waiting');
        return undefined;
      }
      case 'stream': return this.onStream(m.stream);
      case 'stream-failed': return this.onStreamFailed(m);
      case 'parent':
        this.depth = m.depth;
        this.standby = m.standby || [];
        return this.setParentLink(m.parent);
      case 'children': return this.onChildren(m.children || []);
      case 'digest': return this.onDigest(m);
      case 'offer': return this.onOffer(m.from, m.data);
      case 'answer':
        if (this.up && this.up.id === m.from) this.up.answered(m.data).catch((e) => this.log(`answer: ${e}`));
        return undefined;
      case 'candidate': {
        const link = this.up && this.up.id === m.from ? this.up : this.down.get(m.from);
        link?.candidate(m.data);
        return undefined;
      }
      case 'error':
        this.log(`server refused ${m.ref || 'a message'}: ${m.code}: ${m.message}`);
        if (m.ref === 'join') {
          this.fatal(m.code, m.message);
          if (m.code === 'auth_required' || m.code === 'auth_failed') {
            this.signal.stop(); // retrying cannot help; the server closes the socket anyway
          }
        }
        return undefined;
      default:
        return undefined;
    }
  }

  onStreamFailed(m) {
    this.fail(m.status, m.error, m.message);
    this.failures++;
    if (!this.media) this.setState('waiting');
    // ask again later: leaving and joining starts a new pull attempt
    const wait = Math.min(30000, 2000 * 2 ** Math.min(this.failures - 1, 4));
    clearTimeout(this.retryJoin);
    this.retryJoin = setTimeout(() => {
      if (!this.stopped && this.signal.connected) {
        this.signal.send({ type: 'leave', room: this.room });
        this.join();
      }
    }, wait);
  }

  onStream(desc) {
    const previous = this.desc;
    this.desc = desc;
    this.failures = 0;
    clearTimeout(this.retryJoin);
    if (this.bootstrapping && previous && previous.epoch !== desc.epoch) {
      this.restartMedia(); // the bootstrap in progress may mix epochs: start over with this one
      return;
    }
    if (!previous || !this.media) {
      if (!this.bootstrapping && !this.media) this.bootstrap();
      return;
    }
    if (previous.epoch !== desc.epoch) {
      const continues = desc.lastSeq >= 0 && this.lastAppended && desc.lastSeq >= this.lastAppended.seq - 4;
      this.log(`new origin epoch ${desc.epoch} (${continues ? 'sequence continues' : 'stream restarted'})`);
      this.checkInit(continues);
    }
  }

  /** A new epoch: the chunks go on unless the codec configuration or the numbering changed. */
  async checkInit(continues) {
    const gen = this.gen;
    try {
      const init = await this.fetchInit();
      if (this.stopped || gen !== this.gen) return;
      const same = continues && this.init && init.byteLength === this.init.byteLength && init.every((b, i) => b === this.init[i]);
      if (!same) {
        this.log('codec configuration or numbering changed: restarting playback at the new epoch');
        this.restartMedia();
      }
    } catch (e) {
      if (this.stopped || gen !== this.gen) return;
      this.log(`new epoch: ${e.message}; restarting playback`);
      this.restartMedia();
    }
  }

  setParentLink(parent) {
    if (this.parent === parent) return;
    this.parent = parent;
    this.up?.close();
    this.up = null;
    if (parent && parent !== 'server') {
      this.up = this.newLink(parent, 'up');
      this.up.connect().catch((e) => this.log(`connect to parent ${parent}: ${e}`));
    }
    this.scheduler?.setParent(this.up);
    this.log(`parent ${parent} (depth ${this.depth})`);
  }

  onChildren(children) {
    this.children = children.slice();
    for (const [id, link] of this.down) {
      if (!children.includes(id)) {
        link.close();
        this.down.delete(id);
      }
    }
  }

  onOffer(from, data) {
    // only the peers the server placed below this one may connect
    if (!this.upload || !this.children.includes(from)) {
      this.log(`refused an offer from ${from}: not one of this peer's children`);
      return;
    }
    this.down.get(from)?.close();
    const link = this.newLink(from, 'down');
    this.down.set(from, link);
    link.accept(data).catch((e) => this.log(`offer from ${from}: ${e}`));
  }

  newLink(id, role) {
    return new PeerLink({
      id,
      role,
      iceServers: this.iceServers,
      iceTransportPolicy: this.iceTransportPolicy,
      log: (m) => this.log(m),
      signal: (type, data) => this.signal.send({ type, room: this.room, to: id, data }),
      serve: (seq) => this.serveChild(seq),
      onProgress: (seq, bytes, length) => this.arriving.get(seq)?.progress(bytes, length),
      onForwardEarly: () => { this.forwardedEarly++; },
      onUpload: (n) => { this.uploadBytes += n; },
      onBusy: (busy) => (busy ? this.uploadMeter.begin() : this.uploadMeter.end()),
      uploads: this.uploads,
      relays: () => this.children.length,
    });
  }

  onDigest(m) {
    this.announced.set(m.seq, performance.now());
    if (this.announced.size > 256) this.announced.delete(this.announced.keys().next().value);
    this.scheduler.digest(m);
    if (!this.media && !this.bootstrapping && this.desc) this.bootstrap();
  }

  // ---- chunks ------------------------------------------------------------------------------

  newScheduler() {
    return new ChunkScheduler({
      server: (seq, timeoutMs) => this.fetchChunk(seq, timeoutMs),
      bufferSeconds: () => this.bufferedAhead(),
      onChunk: (seq, bytes, info) => this.play(seq, bytes, info),
      onVerified: (seq, bytes) => this.keep(seq, bytes),
      onSkip: (seq, why) => {
        this.log(`chunk ${seq} skipped: ${why}`);
        this.dropArriving(seq);
      },
      onParentFailure: (parent, reason, seq, afterDigestMs) => {
        this.log(`parent ${parent} ${reason} on chunk ${seq}: reported, chunk taken over HTTP`);
        if (parent !== this.parent) return; // moved meanwhile: nothing to report
        const m = { type: 'stall', room: this.room, peer: parent, reason };
        if (afterDigestMs !== undefined) m.afterDigestMs = afterDigestMs;
        this.signal.send(m);
      },
    });
  }

  chunkUrl(seq) {
    return this.credentials(new URL(this.desc.chunk.replace('{seq}', String(seq)), this.base));
  }

  /** The code and signed-URL token go with every HTTP request (docs/PROTOCOL.md 2.1, 4). */
  credentials(u) {
    if (this.code) u.searchParams.set('code', this.code);
    if (this.token) u.searchParams.set('token', this.token);
    return u;
  }

  async fetchBody(url, timeoutMs = HTTP_TIMEOUT_MS) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.min(timeoutMs, HTTP_TIMEOUT_MS));
    let r;
    let wire;
    try {
      r = await fetch(url, { cache: 'no-store', signal: abort.signal });
      if (r.status !== 200) {
        return { status: r.status };
      }
      wire = new Uint8Array(await r.arrayBuffer());
    } finally {
      clearTimeout(timer);
    }
    const bytes = this.key ? await decryptBody(this.key, wire) : wire;
    return {
      status: 200, bytes, wireBytes: wire.byteLength,
      sha256: r.headers.get('X-Xp2p-Sha256'), keyframe: r.headers.get('X-Xp2p-Keyframe') === '1',
    };
  }

  fetchChunk(seq, timeoutMs) {
    return this.fetchBody(this.chunkUrl(seq), timeoutMs);
  }

  async fetchInit() {
    const r = await this.fetchBody(this.credentials(new URL(this.desc.init, this.base)));
    if (r.status !== 200) throw new Error(`init segment: HTTP ${r.status}`);
    this.bootstrapBytes = (this.bootstrapBytes || 0) + r.wireBytes;
    return r.bytes;
  }

  /** Init segment, then the newest keyframe chunk at least the target latency behind live, over HTTP. */
  async bootstrap() {
    this.bootstrapping = true;
    const gen = this.gen;
    const current = () => !this.stopped && gen === this.gen;
    try {
      const init = await this.fetchInit();
      if (!current()) return;
      let newest = Math.max(this.desc.lastSeq, this.scheduler.maxSeq);
      if (newest < 0) {
        this.setState('waiting');
        this.log('stream has no closed chunk yet; waiting for the first digest');
        return;
      }
      const got = [];
      for (let seq = newest; seq >= Math.max(0, this.desc.firstSeq ?? 0) && got.length < STARTUP_MAX_CHUNKS; seq--) {
        const r = await this.fetchChunk(seq);
        if (!current()) return;
        if (r.status !== 200) break;
        const expected = this.scheduler.digests.get(seq)?.sha256 ?? r.sha256;
        if (!expected || !(await this.scheduler.verify(r.bytes, expected))) {
          this.log(`startup chunk ${seq} does not match its digest: not played`);
          break;
        }
        this.bootstrapBytes += r.wireBytes;
        this.bootstrapChunks = (this.bootstrapChunks || 0) + 1;
        got.push({ seq, bytes: r.bytes, keyframe: r.keyframe, dts: firstTimestamp(r.bytes) });
        const i = chooseStart(got, this.targetMs, newestChunkMs(got));
        if (i >= 0 && got[0].dts + newestChunkMs(got) - got[i].dts >= this.targetMs) break;
      }
      const start = chooseStart(got, this.targetMs, newestChunkMs(got));
      if (start < 0) {
        this.log('no keyframe chunk in the window yet; waiting');
        return;
      }
      this.init = init;
      this.startMedia();
      this.media.feed.push(init);
      const now = performance.now();
      for (let i = start; i >= 0; i--) {
        this.sources.server++;
        this.keep(got[i].seq, got[i].bytes);
        this.media.feed.push(got[i].bytes);
        // the newest chunk ended at the live edge roughly when the join learned of it
        this.lastAppended = { seq: got[i].seq, announcedAt: this.announced.get(got[i].seq) ?? now - (i === 0 ? 500 : 0) };
      }
      this.log(`playing from chunk ${got[start].seq} (${start + 1} chunks behind the newest, over HTTP)`);
      this.scheduler.startAt(newest + 1, newest);
    } catch (e) {
      if (current()) this.fail(0, 'startup', e.message);
    } finally {
      if (gen === this.gen) this.bootstrapping = false;
    }
  }

  /** A verified chunk, in order: play it and keep it for children. */
  play(seq, bytes, info) {
    this.sources[info.source] = (this.sources[info.source] || 0) + 1;
    const announcedAt = this.announced.get(seq);
    if (announcedAt !== undefined) {
      // how long after the server announced the chunk it was ready to play: the hop delay
      this.delays.push(Math.round(performance.now() - announcedAt));
      if (this.delays.length > 120) this.delays.shift();
    }
    this.keep(seq, bytes);
    if (this.media) {
      this.media.feed.push(bytes);
      this.lastAppended = { seq, announcedAt: this.announced.get(seq) ?? performance.now() };
    }
  }

  keep(seq, bytes) {
    this.store.set(seq, bytes);
    while (this.store.size > KEEP_CHUNKS) this.store.delete(this.store.keys().next().value);
    const arriving = this.arriving.get(seq);
    if (arriving) {
      this.arriving.delete(seq);
      arriving.complete(bytes);
    }
  }

  /**
   * A child asks for `seq`: the chunk; or, when it is about to come, the chunk as it arrives
   * (forwarded cut-through, forward.js; its last frame only once verified); else null.
   */
  serveChild(seq) {
    const have = this.store.get(seq);
    if (have) return have;
    const newest = this.lastAppended ? this.lastAppended.seq : -1;
    if (seq <= newest || seq > Math.max(newest, this.scheduler.maxSeq) + 2) return null;
    let a = this.arriving.get(seq);
    if (!a) {
      a = new Arriving();
      this.arriving.set(seq, a);
      if (this.arriving.size > MAX_ARRIVING) this.dropArriving(this.arriving.keys().next().value);
    }
    return a;
  }

  dropArriving(seq) {
    const a = this.arriving.get(seq);
    if (a) {
      this.arriving.delete(seq);
      a.fail();
    }
  }

  // ---- media -------------------------------------------------------------------------------

  startMedia() {
    const feed = new MediaFeed();
    const player = mpegts.createPlayer({ type: 'flv', isLive: true, url: `xp2p:${this.room}` }, {
      enableWorker: false,
      enableStashBuffer: false,
      lazyLoad: false,
      autoCleanupSourceBuffer: true,
      autoCleanupMaxBackwardDuration: 30,
      autoCleanupMinBackwardDuration: 15,
      liveBufferLatencyChasing: false,
      customLoader: feedLoaderClass(mpegts, feed),
    });
    player.on(mpegts.Events.ERROR, (type, detail, info) => {
      this.fail(0, `media-${type}`, `${detail}: ${info && info.msg ? info.msg : JSON.stringify(info)}`);
    });
    player.attachMediaElement(this.video);
    player.load();
    this.media = { player, feed };
    const p = this.video.play();
    if (p && p.catch) {
      p.catch((e) => {
        if (e && e.name === 'NotAllowedError') {
          // the page must mute the video or start the player from a user gesture
          this.fail(0, 'autoplay-blocked', `the browser refused to start playback: ${e.message}`);
        } else {
          this.log(`video.play(): ${e.message}`);
        }
      });
    }
  }

  teardownMedia() {
    if (!this.media) return;
    try {
      this.media.player.pause();
      this.media.player.unload();
      this.media.player.detachMediaElement();
      this.media.player.destroy();
    } catch (e) {
      this.log(`media teardown: ${e}`);
    }
    this.media = null;
  }

  restartMedia() {
    if (this.stopped) return;
    this.gen++;
    this.bootstrapping = false;
    for (const seq of [...this.arriving.keys()]) this.dropArriving(seq);
    this.scheduler.stop();
    for (const [k, v] of Object.entries(this.scheduler.stats)) this.carried[k] = (this.carried[k] || 0) + v;
    this.teardownMedia();
    this.store.clear();
    this.lastAppended = null;
    this.scheduler = this.newScheduler();
    this.scheduler.setParent(this.up);
    this.bootstrap();
  }

  watchVideo() {
    const v = this.video;
    const first = () => {
      if (this.playback.firstFrameAt !== null || this.stopped) return;
      this.playback.firstFrame();
      this.setState('playing');
      this.log(`first frame after ${this.playback.startupMillis} ms`);
      this.resolveStart?.(this.stats());
    };
    if (v.requestVideoFrameCallback) {
      const onFrame = () => (this.media ? first() : v.requestVideoFrameCallback(onFrame));
      v.requestVideoFrameCallback(onFrame);
    }
    // hidden tabs paint no frames: playback starting counts as the first frame there
    v.addEventListener('playing', () => this.media && first(), { once: true });
    this.lastTime = 0;
    v.addEventListener('waiting', () => this.playback.waiting());
    v.addEventListener('playing', () => this.playback.progressing());
    v.addEventListener('timeupdate', () => {
      if (v.currentTime > this.lastTime) this.playback.progressing();
      this.lastTime = v.currentTime;
    });
  }

  bufferedAhead() {
    const b = this.video.buffered;
    return b.length ? Math.max(0, b.end(b.length - 1) - this.video.currentTime) : 0;
  }

  latency() {
    return liveLatencyMillis(this.bufferedAhead(), this.lastAppended ? this.lastAppended.announcedAt : null, performance.now());
  }

  /** Every 250 ms: scheduler housekeeping and the live-latency controller. */
  control() {
    this.scheduler?.tick();
    if (!this.media || this.playback.firstFrameAt === null) return;
    const v = this.video;
    const latency = this.latency();
    if (latency !== null && latency > this.targetMs + 10000 && v.buffered.length) {
      v.currentTime = Math.max(v.currentTime, v.buffered.end(v.buffered.length - 1) - this.targetMs / 1000);
      this.log(`${latency} ms behind live: jumped ahead`);
      return;
    }
    const rate = catchUpRate(latency, this.targetMs, v.playbackRate);
    if (rate !== v.playbackRate) v.playbackRate = rate;
    if (v.paused && !v.ended && this.state === 'playing' && this.bufferedAhead() > 0.5) {
      v.play().catch(() => {});
    }
  }
}
