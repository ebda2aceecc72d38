/*
 * xp2p reference peer: joins a room over the signalling WebSocket (docs/PROTOCOL.md section 6),
 * pulls chunks over HTTP while its parent is the server (section 4.2) and over an RTCDataChannel
 * while its parent is another peer (section 6b), verifies every chunk with SHA-256 against the
 * digest the server published, serves its children from its own chunk store, and reports its
 * counters (section 7). It plays nothing: it exists to show and test the swarm, not as a player.
 *
 * Dependency-free ES module. Usage:
 *   import { Xp2pPeer } from './xp2p-peer.js';
 *   const peer = new Xp2pPeer({ room: 'live/demo', upload: true, slots: 4 });
 *   peer.start();          // window.xp2pPeer mirrors peer.state
 *   peer.stop();
 */

/** Largest DataChannel message (section 6b): small enough for every WebRTC stack. */
export const MAX_FRAME_BYTES = 16384;
/** Bytes of the binary frame header (section 6b). */
export const FRAME_HEADER_BYTES = 20;
const FRAME_VERSION = 1;
const FLAG_LAST = 1;
/** Chunks kept for children: about a minute of a typical camera stream. */
const KEEP_CHUNKS = 64;
/** How long a child waits for its parent before it reports a stall and asks the server. */
const PEER_TIMEOUT_MS = 5000;
/** How long a parent holds a request for a chunk it has not got yet. */
const HOLD_MS = 8000;
const STATS_INTERVAL_MS = 2000;
const SEND_HIGH_WATER = 1 << 20;
const SEND_LOW_WATER = 256 << 10;

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(bytes) {
  return hex(await crypto.subtle.digest('SHA-256', bytes));
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Encodes one binary frame of chunk {@code seq} (section 6b). */
export function encodeFrame(seq, offset, total, payload, last) {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint8(0, FRAME_VERSION);
  view.setUint8(1, last ? FLAG_LAST : 0);
  view.setUint16(2, 0);
  view.setBigUint64(4, BigInt(seq));
  view.setUint32(12, offset);
  view.setUint32(16, total);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Decodes a binary frame, or returns null when it breaks section 6b. */
export function decodeFrame(buffer) {
  if (buffer.byteLength < FRAME_HEADER_BYTES || buffer.byteLength > MAX_FRAME_BYTES) {
    return null;
  }
  const view = new DataView(buffer);
  if (view.getUint8(0) !== FRAME_VERSION) {
    return null;
  }
  const frame = {
    last: (view.getUint8(1) & FLAG_LAST) !== 0,
    seq: Number(view.getBigUint64(4)),
    offset: view.getUint32(12),
    total: view.getUint32(16),
    payload: new Uint8Array(buffer, FRAME_HEADER_BYTES),
  };
  return frame.offset + frame.payload.byteLength <= frame.total ? frame : null;
}

export class Xp2pPeer {
  constructor({ room, upload = false, slots = 4, base = location.href, log = () => {} }) {
    this.room = room;
    this.upload = upload;
    this.slots = slots;
    this.base = new URL('.', base);
    this.log = log;
    this.ws = null;
    this.timers = [];
    this.iceServers = [];
    this.chunkUrl = null;
    this.epoch = null;
    this.digests = new Map();   // seq -> {sha256, size}
    this.store = new Map();     // seq -> Uint8Array, verified
    this.nextSeq = null;        // next chunk this peer needs
    this.maxSeq = -1;           // newest chunk announced by a digest
    this.waiters = new Map();   // seq -> [resolve] of children's requests held for a chunk
    this.upstream = null;       // link to the parent peer
    this.downstream = new Map(); // child peer id -> link
    this.pumping = false;
    this.stopped = false;
    this.state = {
      room, upload, status: 'idle', peerId: null, parent: null, depth: 0, children: [],
      chunks: 0, p2pBytes: 0, cdnBytes: 0, uploadBytes: 0, verified: 0, rejected: 0, stalls: 0,
      p2pChunks: 0, cdnChunks: 0, lastSeq: null, upstream: 'none', downstream: 0, error: null,
    };
    if (typeof window !== 'undefined') {
      window.xp2pPeer = this.state;
    }
  }

  start() {
    const url = new URL('xp2p/signal', this.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.state.status = 'connecting';
    this.ws = new WebSocket(url);
    this.ws.onopen = () => this.send({ type: 'join', room: this.room, upload: this.upload, slots: this.slots });
    this.ws.onmessage = (e) => this.onSignal(e.data);
    this.ws.onclose = (e) => {
      this.state.status = this.stopped ? 'stopped' : `closed (${e.code})`;
      this.clearTimers();
    };
    return this;
  }

  stop() {
    if (this.stopped) {
      return;
    }
    this.sendStats();
    this.stopped = true;
    this.closeLink(this.upstream);
    this.upstream = null;
    for (const link of this.downstream.values()) {
      this.closeLink(link);
    }
    this.downstream.clear();
    this.clearTimers();
    if (this.ws) {
      this.ws.close(1000);
    }
  }

  clearTimers() {
    this.timers.forEach(clearInterval);
    this.timers = [];
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ v: 1, ...message }));
    }
  }

  sendStats() {
    const s = this.state;
    this.send({ type: 'stats', room: this.room, p2pBytes: s.p2pBytes, cdnBytes: s.cdnBytes, uploadBytes: s.uploadBytes, stalls: s.stalls });
  }

  onSignal(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch (e) {
      this.log(`bad signalling message: ${e}`);
      return;
    }
    switch (m.type) {
      case 'joined': return this.onJoined(m);
      case 'parent': return this.onParent(m);
      case 'children': return this.onChildren(m);
      case 'digest': return this.onDigest(m);
      case 'offer': return this.onOffer(m.from, m.data);
      case 'answer': return this.onAnswer(m.from, m.data);
      case 'candidate': return this.onCandidate(m.from, m.data);
      case 'error':
        this.state.error = `${m.code}: ${m.message}`;
        this.log(`server error ${m.code} (${m.ref || '-'}): ${m.message}`);
        return undefined;
      default: return undefined;
    }
  }

  onJoined(m) {
    const s = this.state;
    s.peerId = m.peer;
    s.status = 'joined';
    s.upload = m.upload;
    this.iceServers = Array.isArray(m.iceServers) ? m.iceServers : [];
    if (m.stream) {
      this.chunkUrl = new URL(m.stream.chunk, this.base).href;
      this.epoch = m.stream.epoch;
      if (m.stream.lastSeq >= 0) {
        this.nextSeq = m.stream.lastSeq;
        this.maxSeq = m.stream.lastSeq;
      }
    } else {
      // not relayed yet: the default mapping of section 2 (xresid = path without .flv)
      this.chunkUrl = new URL(`${this.room}.flv?xp2p=chunk&seq={seq}`, this.base).href;
    }
    const heartbeat = Math.max(1, m.heartbeatSeconds || 15) * 1000;
    this.timers.push(setInterval(() => this.send({ type: 'ping' }), heartbeat));
    this.timers.push(setInterval(() => this.sendStats(), STATS_INTERVAL_MS));
    this.log(`joined ${this.room} as ${m.peer}`);
  }

  onParent(m) {
    const previous = this.state.parent;
    this.state.parent = m.parent;
    this.state.depth = m.depth;
    if (previous !== m.parent) {
      this.log(`parent: ${m.parent} (depth ${m.depth})`);
      this.closeLink(this.upstream);
      this.upstream = null;
      this.state.upstream = 'none';
      if (m.parent !== 'server') {
        this.connectUpstream(m.parent);
      }
    }
    this.pump();
  }

  onChildren(m) {
    this.state.children = m.children.slice();
    for (const [id, link] of this.downstream) {
      if (!m.children.includes(id)) {
        this.closeLink(link);
        this.downstream.delete(id);
      }
    }
    this.state.downstream = this.downstream.size;
  }

  onDigest(m) {
    if (this.epoch !== null && m.epoch !== this.epoch) {
      this.log(`epoch ${this.epoch} -> ${m.epoch}: chunk store cleared`);
      this.digests.clear();
      this.store.clear();
      this.nextSeq = null;
      this.maxSeq = -1;
    }
    this.epoch = m.epoch;
    this.digests.set(m.seq, { sha256: m.sha256, size: m.size });
    for (const seq of this.digests.keys()) {
      if (this.digests.size <= KEEP_CHUNKS * 2) {
        break;
      }
      this.digests.delete(seq);
    }
    this.maxSeq = Math.max(this.maxSeq, m.seq);
    if (this.nextSeq === null) {
      this.nextSeq = m.seq;
    }
    this.pump();
  }

  /** Fetches chunks nextSeq..maxSeq in order, one at a time, from the current parent. */
  async pump() {
    if (this.pumping || this.stopped || this.state.parent === null) {
      return;
    }
    this.pumping = true;
    try {
      while (!this.stopped && this.nextSeq !== null && this.nextSeq <= this.maxSeq) {
        const seq = this.nextSeq;
        if (!this.store.has(seq)) {
          // a chunk announced before this peer joined has no digest here: only the server is trusted for it
          const fromServer = this.state.parent === 'server' || !this.digests.has(seq);
          const ok = fromServer ? await this.fromServer(seq) : await this.fromParent(seq);
          if (!ok && this.state.parent === 'server' && seq === this.nextSeq) {
            // neither the server has it (out of the window): jump to the newest chunk
            this.nextSeq = Math.max(seq + 1, this.maxSeq);
            continue;
          }
        }
        if (seq === this.nextSeq) {
          this.nextSeq = seq + 1;
        }
      }
    } catch (e) {
      this.log(`pump: ${e}`);
    } finally {
      this.pumping = false;
    }
  }

  async fromServer(seq) {
    for (let attempt = 0; attempt < 20 && !this.stopped; attempt++) {
      const response = await fetch(this.chunkUrl.replace('{seq}', String(seq)), { cache: 'no-store' });
      if (response.status === 425) {
        await delay(250);
        continue;
      }
      if (response.status !== 200) {
        this.log(`chunk ${seq}: HTTP ${response.status}`);
        return false;
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      this.state.cdnBytes += bytes.byteLength;
      const expected = this.digests.get(seq)?.sha256 || response.headers.get('X-Xp2p-Sha256');
      if (await this.keep(seq, bytes, expected)) {
        this.state.cdnChunks++;
        return true;
      }
      return false;
    }
    return false;
  }

  /** Asks the parent peer; on a bad chunk or silence reports a stall and asks the server. */
  async fromParent(seq) {
    const link = this.upstream;
    const result = link ? await link.request(seq) : { reason: 'unreachable' };
    if (result.bytes) {
      const digest = this.digests.get(seq);
      if (digest && await this.keep(seq, result.bytes, digest.sha256)) {
        this.state.p2pChunks++;
        return true;
      }
      result.reason = 'stalled';
      this.log(`chunk ${seq} from ${link.id} failed verification`);
    }
    if (result.reason !== 'missing' && link && link === this.upstream) {
      this.state.stalls++;
      this.send({ type: 'stall', room: this.room, peer: link.id, reason: result.reason });
    }
    return this.fromServer(seq);
  }

  /** Verifies and stores a chunk; wakes children waiting for it. */
  async keep(seq, bytes, expectedSha) {
    const actual = await sha256Hex(bytes);
    if (!expectedSha || actual !== expectedSha.toLowerCase()) {
      this.state.rejected++;
      return false;
    }
    this.state.verified++;
    this.store.set(seq, bytes);
    for (const old of this.store.keys()) {
      if (this.store.size <= KEEP_CHUNKS) {
        break;
      }
      this.store.delete(old);
    }
    this.state.chunks = this.store.size;
    this.state.lastSeq = seq;
    const waiting = this.waiters.get(seq);
    if (waiting) {
      this.waiters.delete(seq);
      waiting.forEach((wake) => wake(bytes));
    }
    return true;
  }

  // ---- WebRTC ------------------------------------------------------------------------------

  newLink(id, role) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const link = { id, role, pc, dc: null, remoteSet: false, candidates: [], requests: new Map(), parts: new Map() };
    pc.onicecandidate = (e) => {
      if (e.candidate) {
        this.send({ type: 'candidate', room: this.room, to: id, data: e.candidate.toJSON() });
      }
    };
    pc.onconnectionstatechange = () => {
      if (role === 'up' && link === this.upstream) {
        this.state.upstream = pc.connectionState;
      }
      if (pc.connectionState === 'failed' && role === 'up' && link === this.upstream && !this.stopped) {
        this.state.stalls++;
        this.send({ type: 'stall', room: this.room, peer: id, reason: 'unreachable' });
      }
    };
    return link;
  }

  async connectUpstream(id) {
    const link = this.newLink(id, 'up');
    this.upstream = link;
    this.state.upstream = 'connecting';
    link.opened = new Promise((resolve) => {
      link.dc = link.pc.createDataChannel('xp2p', { ordered: true });
      link.dc.binaryType = 'arraybuffer';
      link.dc.onopen = () => resolve(true);
      link.dc.onclose = () => resolve(false);
    });
    link.dc.onmessage = (e) => this.onUpstreamMessage(link, e.data);
    link.request = (seq) => this.request(link, seq);
    const offer = await link.pc.createOffer();
    await link.pc.setLocalDescription(offer);
    this.send({ type: 'offer', room: this.room, to: id, data: { type: offer.type, sdp: offer.sdp } });
  }

  /** Sends {"get":seq} and resolves with {bytes} or {reason}. */
  async request(link, seq) {
    const open = await Promise.race([link.opened, delay(PEER_TIMEOUT_MS).then(() => false)]);
    if (!open || link.dc.readyState !== 'open') {
      return { reason: 'unreachable' };
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        link.requests.delete(seq);
        link.parts.delete(seq);
        resolve({ reason: 'stalled' });
      }, PEER_TIMEOUT_MS + HOLD_MS);
      link.requests.set(seq, (result) => {
        clearTimeout(timer);
        link.requests.delete(seq);
        resolve(result);
      });
      link.dc.send(JSON.stringify({ get: seq }));
    });
  }

  onUpstreamMessage(link, data) {
    if (typeof data === 'string') {
      let m;
      try {
        m = JSON.parse(data);
      } catch (e) {
        return;
      }
      const done = link.requests.get(m.missing);
      if (done) {
        done({ reason: 'missing' });
      }
      return;
    }
    const frame = decodeFrame(data);
    if (!frame) {
      this.log(`bad frame from ${link.id}`);
      return;
    }
    this.state.p2pBytes += frame.payload.byteLength;
    let part = link.parts.get(frame.seq);
    if (!part || part.bytes.byteLength !== frame.total) {
      part = { bytes: new Uint8Array(frame.total), received: 0 };
      link.parts.set(frame.seq, part);
    }
    part.bytes.set(frame.payload, frame.offset);
    part.received += frame.payload.byteLength;
    if (frame.last) {
      link.parts.delete(frame.seq);
      const done = link.requests.get(frame.seq);
      if (done) {
        done(part.received === frame.total ? { bytes: part.bytes } : { reason: 'stalled' });
      }
    }
  }

  async onOffer(from, data) {
    if (!this.state.upload || this.stopped) {
      return;
    }
    this.closeLink(this.downstream.get(from));
    const link = this.newLink(from, 'down');
    this.downstream.set(from, link);
    this.state.downstream = this.downstream.size;
    link.pc.ondatachannel = (e) => {
      link.dc = e.channel;
      link.dc.binaryType = 'arraybuffer';
      link.dc.bufferedAmountLowThreshold = SEND_LOW_WATER;
      link.dc.onmessage = (ev) => this.onChildRequest(link, ev.data);
    };
    await link.pc.setRemoteDescription(data);
    await this.flushCandidates(link);
    const answer = await link.pc.createAnswer();
    await link.pc.setLocalDescription(answer);
    this.send({ type: 'answer', room: this.room, to: from, data: { type: answer.type, sdp: answer.sdp } });
  }

  async onAnswer(from, data) {
    const link = this.upstream;
    if (link && link.id === from && !link.remoteSet) {
      await link.pc.setRemoteDescription(data);
      await this.flushCandidates(link);
    }
  }

  async onCandidate(from, data) {
    const link = this.upstream && this.upstream.id === from ? this.upstream : this.downstream.get(from);
    if (!link) {
      return;
    }
    if (link.remoteSet) {
      await link.pc.addIceCandidate(data).catch((e) => this.log(`candidate from ${from}: ${e}`));
    } else {
      link.candidates.push(data);
    }
  }

  async flushCandidates(link) {
    link.remoteSet = true;
    for (const c of link.candidates.splice(0)) {
      await link.pc.addIceCandidate(c).catch((e) => this.log(`candidate from ${link.id}: ${e}`));
    }
  }

  async onChildRequest(link, data) {
    if (typeof data !== 'string') {
      return;
    }
    let seq;
    try {
      seq = JSON.parse(data).get;
    } catch (e) {
      return;
    }
    if (!Number.isSafeInteger(seq) || seq < 0) {
      return;
    }
    let bytes = this.store.get(seq);
    if (!bytes && seq > (this.state.lastSeq ?? -1) && seq <= this.maxSeq + 2) {
      // not here yet but about to be: hold the request rather than send the child elsewhere
      bytes = await new Promise((resolve) => {
        const list = this.waiters.get(seq) || [];
        list.push(resolve);
        this.waiters.set(seq, list);
        setTimeout(() => resolve(null), HOLD_MS);
      });
    }
    if (!bytes) {
      if (link.dc.readyState === 'open') {
        link.dc.send(JSON.stringify({ missing: seq }));
      }
      return;
    }
    await this.sendChunk(link, seq, bytes);
  }

  async sendChunk(link, seq, bytes) {
    const step = MAX_FRAME_BYTES - FRAME_HEADER_BYTES;
    for (let offset = 0; offset < bytes.byteLength || offset === 0; offset += step) {
      const payload = bytes.subarray(offset, Math.min(bytes.byteLength, offset + step));
      const last = offset + step >= bytes.byteLength;
      while (link.dc.readyState === 'open' && link.dc.bufferedAmount > SEND_HIGH_WATER) {
        await new Promise((resolve) => {
          link.dc.addEventListener('bufferedamountlow', resolve, { once: true });
          setTimeout(resolve, 1000);
        });
      }
      if (link.dc.readyState !== 'open') {
        return;
      }
      link.dc.send(encodeFrame(seq, offset, bytes.byteLength, payload, last));
      this.state.uploadBytes += payload.byteLength;
      if (last) {
        break;
      }
    }
  }

  closeLink(link) {
    if (!link) {
      return;
    }
    for (const done of link.requests.values()) {
      done({ reason: 'unreachable' });
    }
    link.requests.clear();
    try {
      link.pc.close();
    } catch (e) {
      // already closed
    }
  }
}
