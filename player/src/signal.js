/*
 * The signalling WebSocket (docs/PROTOCOL.md section 6) with heartbeats and reconnection.
 * A dropped connection is reopened with exponential backoff and jitter (0.5 s doubling to 15 s);
 * every (re)open calls onOpen, where the player joins again. Playback does not depend on this
 * socket: while it is down the player pulls over HTTP.
 */

export function backoffMillis(attempt, random = Math.random) {
  const base = Math.min(15000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base / 2 + random() * base / 2);
}

export class SignalClient {
  constructor({ url, onOpen, onMessage, onClose, log }) {
    this.url = url;
    this.onOpen = onOpen;
    this.onMessage = onMessage;
    this.onClose = onClose || (() => {});
    this.log = log || (() => {});
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.heartbeat = null;
    this.retry = null;
    this.connected = false;
  }

  start() {
    this.open();
  }

  open() {
    if (this.stopped) {
      return;
    }
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.connected = true;
      this.onOpen();
    };
    ws.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch (err) {
        this.log(`signalling: not JSON: ${err}`);
        return;
      }
      this.onMessage(m);
    };
    ws.onclose = (e) => {
      this.connected = false;
      this.setHeartbeat(0);
      if (this.ws !== ws || this.stopped) {
        return;
      }
      const wait = backoffMillis(this.attempt++);
      this.log(`signalling closed (${e.code}${e.reason ? ` ${e.reason}` : ''}); reconnecting in ${wait} ms`);
      this.onClose(e.code, e.reason);
      this.retry = setTimeout(() => this.open(), wait);
    };
  }

  /**
   * The server accepted us (joined): the next drop retries quickly again. Not done on open, so a
   * server that accepts the socket and then refuses (full, auth) is retried with growing waits.
   */
  markHealthy() {
    this.attempt = 0;
  }

  /** Starts (or with 0 stops) the ping every `seconds`. */
  setHeartbeat(seconds) {
    clearInterval(this.heartbeat);
    this.heartbeat = seconds > 0 ? setInterval(() => this.send({ type: 'ping' }), seconds * 1000) : null;
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ v: 1, ...message }));
      return true;
    }
    return false;
  }

  stop() {
    this.stopped = true;
    this.setHeartbeat(0);
    clearTimeout(this.retry);
    if (this.ws) {
      this.ws.close(1000);
    }
  }
}
