/*
 * One WebRTC link to another peer (docs/PROTOCOL.md section 6b). The child end ("up": towards the
 * parent) opens the connection and a single DataChannel and asks for chunks; the parent end
 * ("down") answers from the player's chunk store. Signalling goes out through `signal(type, data)`.
 */

import { Reassembler, decodeFrame, FRAME_HEADER_BYTES } from './frame.js';
import { Arriving, nextFrame, prefixMatches } from './forward.js';

const OPEN_TIMEOUT_MS = 5000;
const SEND_HIGH_WATER = 1 << 20;
const SEND_LOW_WATER = 256 << 10;
const MAX_CHILD_REQUESTS = 8;
const DRAIN_WAIT_MS = 10_000;
const DRAIN_POLL_MS = 20;
const HOLD_MS = 8000;        // how long a chunk still to come is waited for before answering missing
const STARVED_POLL_MS = 250; // a forwarding upload looks again this often while no new bytes came

export class PeerLink {
  /**
   * @param {object} o
   * @param {string} o.id the remote peer id
   * @param {'up'|'down'} o.role
   * @param {Array} o.iceServers
   * @param {'all'|'relay'} [o.iceTransportPolicy] 'relay': connect only through TURN
   * @param {(type:string,data:object)=>void} o.signal sends offer/answer/candidate to the remote peer
   * @param {(seq:number)=>Uint8Array|Arriving|null|Promise} [o.serve] parent end: the chunk, the chunk still arriving
   *   (forwarded as it comes, forward.js), or null when missing
   * @param {(seq:number,bytes:Uint8Array,length:number)=>void} [o.onProgress] child end: `length` bytes of
   *   chunk `seq` have arrived in order (before it is complete or verified)
   * @param {(seq:number)=>void} [o.onForwardEarly] parent end: an upload of chunk `seq` began before this
   *   player had verified it (cut-through)
   * @param {(bytes:number)=>void} [o.onUpload]
   * @param {(busy:boolean)=>void} [o.onBusy] true when an upload starts, false when its bytes have left
   * @param {{acquire:(priority:number)=>Promise<Function>}} [o.uploads] the player's upload queue (upload-queue.js)
   * @param {()=>number} [o.relays] child end: how many children this player feeds (sent with each request)
   * @param {(link:PeerLink,state:string)=>void} [o.onState]
   * @param {(msg:string)=>void} [o.log]
   */
  constructor(o) {
    this.id = o.id;
    this.role = o.role;
    this.signal = o.signal;
    this.serve = o.serve;
    this.onProgress = o.onProgress || (() => {});
    this.onForwardEarly = o.onForwardEarly || (() => {});
    this.onUpload = o.onUpload || (() => {});
    this.onBusy = o.onBusy || (() => {});
    this.uploads = o.uploads || { acquire: async () => () => {} };
    this.relays = o.relays || (() => 0);
    this.onState = o.onState || (() => {});
    this.log = o.log || (() => {});
    this.pc = new RTCPeerConnection({ iceServers: o.iceServers || [], iceTransportPolicy: o.iceTransportPolicy || 'all' });
    this.dc = null;
    this.remoteSet = false;
    this.candidates = [];
    this.requests = new Map(); // seq -> resolve
    this.serving = new Set();  // seqs a child asked for that are being answered
    this.reassembler = new Reassembler();
    this.closed = false;
    this.state = 'new';
    this.opened = new Promise((resolve) => { this.resolveOpened = resolve; });
    this.pc.onicecandidate = (e) => {
      if (e.candidate) {
        this.signal('candidate', e.candidate.toJSON());
      }
    };
    this.pc.onconnectionstatechange = () => {
      this.state = this.pc.connectionState;
      if (this.state === 'failed' || this.state === 'closed') {
        this.fail('unreachable');
      }
      this.onState(this, this.state);
    };
  }

  /** Child end: create the channel and send the offer. */
  async connect() {
    this.attach(this.pc.createDataChannel('xp2p', { ordered: true }));
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.signal('offer', { type: offer.type, sdp: offer.sdp });
    setTimeout(() => this.resolveOpened(false), OPEN_TIMEOUT_MS);
  }

  /** Parent end: answer the child's offer. */
  async accept(offer) {
    this.pc.ondatachannel = (e) => this.attach(e.channel);
    await this.pc.setRemoteDescription(offer);
    await this.flushCandidates();
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.signal('answer', { type: answer.type, sdp: answer.sdp });
  }

  async answered(answer) {
    if (!this.remoteSet && !this.closed) {
      await this.pc.setRemoteDescription(answer);
      await this.flushCandidates();
    }
  }

  async candidate(c) {
    if (this.closed) {
      return;
    }
    if (this.remoteSet) {
      await this.pc.addIceCandidate(c).catch((e) => this.log(`candidate from ${this.id}: ${e}`));
    } else if (this.candidates.length < 64) {
      this.candidates.push(c);
    }
  }

  async flushCandidates() {
    this.remoteSet = true;
    for (const c of this.candidates.splice(0)) {
      await this.pc.addIceCandidate(c).catch((e) => this.log(`candidate from ${this.id}: ${e}`));
    }
  }

  attach(dc) {
    this.dc = dc;
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = SEND_LOW_WATER;
    dc.onopen = () => this.resolveOpened(true);
    dc.onclose = () => { this.resolveOpened(false); this.fail('unreachable'); };
    dc.onmessage = (e) => (this.role === 'up' ? this.fromParent(e.data) : this.fromChild(e.data));
  }

  /** Child end: asks for chunk `seq`. Returns {promise, cancel}; the promise gives {bytes} or {reason}. */
  request(seq) {
    let settle;
    let settled = false;
    const promise = new Promise((resolve) => { settle = resolve; });
    const finish = (result) => {
      settled = true;
      settle(result);
    };
    const done = (result) => {
      if (this.requests.get(seq) === done) {
        this.requests.delete(seq);
      }
      finish(result);
    };
    this.opened.then((open) => {
      if (settled) {
        return; // cancelled while the channel was opening: ask for nothing
      }
      if (!open || !this.dc || this.dc.readyState !== 'open') {
        finish({ reason: this.closed ? 'cancelled' : 'unreachable' });
        return;
      }
      this.requests.set(seq, done);
      this.dc.send(JSON.stringify({ get: seq, children: this.relays() }));
    });
    return {
      promise,
      cancel: () => {
        if (this.requests.get(seq) === done) {
          this.requests.delete(seq);
        }
        this.reassembler.forget(seq);
        finish({ reason: 'cancelled' });
      },
    };
  }

  fromParent(data) {
    if (typeof data === 'string') {
      let m;
      try {
        m = JSON.parse(data);
      } catch (e) {
        return;
      }
      const answer = this.requests.get(m && m.missing);
      if (answer) {
        this.reassembler.forget(m.missing); // frames already forwarded by a parent that gave up
        answer({ reason: 'missing' });
      }
      return;
    }
    const frame = decodeFrame(data);
    if (!frame) {
      this.log(`dropped a malformed frame from ${this.id}`);
      return;
    }
    if (!this.requests.has(frame.seq)) {
      return; // cancelled or never asked for: not counted, not kept
    }
    const whole = this.reassembler.add(frame);
    if (whole) {
      this.requests.get(whole.seq)?.(whole.complete ? { bytes: whole.bytes } : { reason: 'stalled' });
    } else {
      const p = this.reassembler.progress(frame.seq);
      if (p) {
        this.onProgress(frame.seq, p.bytes, p.length);
      }
    }
  }

  async fromChild(data) {
    if (typeof data !== 'string' || data.length > 256) {
      return;
    }
    let seq;
    let priority;
    try {
      const m = JSON.parse(data);
      seq = m.get;
      priority = Number.isSafeInteger(m.children) && m.children > 0 ? Math.min(m.children, 64) : 0;
    } catch (e) {
      return;
    }
    if (!Number.isSafeInteger(seq) || seq < 0 || this.serving.has(seq) || this.serving.size >= MAX_CHILD_REQUESTS) {
      return; // a duplicate, or more outstanding requests than any honest child makes
    }
    this.serving.add(seq);
    try {
      let src = await this.serve(seq); // an application's own serve may still answer a promise
      // a chunk still to come takes an upload turn only once its bytes begin to arrive
      if (src instanceof Arriving && !(await src.started(HOLD_MS))) {
        src = null;
      }
      if (!this.dc || this.dc.readyState !== 'open') {
        return;
      }
      if (!src || src.failed) {
        this.missing(seq);
        return;
      }
      const release = await this.uploads.acquire(priority);
      try {
        await this.send(seq, src);
      } finally {
        release();
      }
    } finally {
      this.serving.delete(seq);
    }
  }

  missing(seq) {
    if (this.dc && this.dc.readyState === 'open') {
      this.dc.send(JSON.stringify({ missing: seq }));
    }
  }

  /**
   * Sends chunk `seq` from `src`: the verified chunk, or an Arriving one forwarded cut-through
   * (forward.js) whose last frame leaves only once this player verified its own copy. The upload
   * meter counts only the time there were bytes to send, not the waits for the next to arrive,
   * so forwarding does not make this peer look slower than its uplink.
   */
  async send(seq, src) {
    let sent = 0;
    let forwarded = null; // the unverified buffer frames were taken from
    let busy = false;
    let checked = false; // what was forwarded unverified has been compared with the verified chunk
    const giveUp = Date.now() + HOLD_MS;
    try {
      for (;;) {
        if (this.dc.readyState !== 'open') {
          return;
        }
        if (src instanceof Arriving && !checked) {
          if (src.failed || (src.verified && !prefixMatches(forwarded, src.verified, sent))) {
            this.missing(seq); // the child falls back to HTTP; this is not a parent failure
            return;
          }
          checked = !!src.verified;
        }
        const next = nextFrame(seq, src, sent, forwarded);
        if (!next) {
          if (src instanceof Uint8Array || src.verified) {
            break; // all sent
          }
          if (Date.now() >= giveUp) {
            this.missing(seq);
            return;
          }
          if (busy) {
            this.onBusy(false);
            busy = false;
          }
          await src.changed(STARVED_POLL_MS);
          continue;
        }
        if (!busy) {
          this.onBusy(true);
          busy = true;
        }
        while (this.dc.readyState === 'open' && this.dc.bufferedAmount > SEND_HIGH_WATER) {
          await this.drained();
        }
        if (this.dc.readyState !== 'open') {
          return;
        }
        if (src instanceof Arriving && !src.verified && !forwarded) {
          forwarded = src.bytes;
          this.onForwardEarly(seq);
        }
        this.dc.send(next.frame);
        this.onUpload(next.frame.byteLength - FRAME_HEADER_BYTES);
        sent += next.length;
        if (next.last) {
          break;
        }
      }
      // the upload meter times the transfer, not the queueing: the chunk has left once the
      // channel's buffer is empty (no event fires at 0 while the low-water mark is higher)
      const until = Date.now() + DRAIN_WAIT_MS;
      while (this.dc.readyState === 'open' && this.dc.bufferedAmount > 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      }
    } finally {
      if (busy) {
        this.onBusy(false);
      }
    }
  }

  /** Until the send buffer falls to the low-water mark, or a second at most (the event may never come). */
  drained() {
    return new Promise((resolve) => {
      const timer = setTimeout(done, 1000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.dc.addEventListener('bufferedamountlow', done, { once: true });
    });
  }

  /** The DataChannel is open now. */
  isOpen() {
    return !!this.dc && this.dc.readyState === 'open';
  }

  fail(reason) {
    for (const done of [...this.requests.values()]) {
      done({ reason });
    }
    this.requests.clear();
  }

  close() {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.resolveOpened(false);
    this.fail('cancelled'); // closed on purpose (parent changed): not the parent's failure
    try {
      this.pc.close();
    } catch (e) {
      // already closed
    }
  }
}
