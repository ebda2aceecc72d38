/*
 * One upload at a time, the most useful first. A parent that sends a chunk to all its children at
 * once gives each a share of its uplink, so every child has the chunk only when the last byte of
 * every copy has left: each hop of the tree costs children x chunk / uplink. Sent one after the
 * other, the first child is done after chunk / uplink, and children that feed children of their
 * own go first (they say how many in their request), so the chunk runs down the tree at the
 * uplink's speed and only leaves wait for their turn.
 */

export class UploadQueue {
  /** @param {number} turnMs longest turn: an upload stuck on a dead or slow child lets the next start */
  constructor(turnMs = 2000) {
    this.turnMs = turnMs;
    this.busy = false;
    this.waiting = [];
  }

  /**
   * Resolves when it is this upload's turn, with a `release` function to call when it is done
   * (calling it again, or after the turn expired, does nothing).
   * @param {number} priority higher first (the child's own children); ties in arrival order
   */
  acquire(priority = 0) {
    return new Promise((resolve) => {
      const entry = { priority, resolve };
      if (!this.busy) {
        this.busy = true;
        this.grant(entry);
        return;
      }
      let at = this.waiting.length;
      while (at > 0 && this.waiting[at - 1].priority < priority) {
        at--;
      }
      this.waiting.splice(at, 0, entry);
    });
  }

  grant(entry) {
    let released = false;
    const release = () => {
      if (released) {
        return;
      }
      released = true;
      clearTimeout(timer);
      const next = this.waiting.shift();
      if (next) {
        this.grant(next);
      } else {
        this.busy = false;
      }
    };
    const timer = setTimeout(release, this.turnMs);
    entry.resolve(release);
  }

  /** Uploads waiting for their turn. */
  get length() {
    return this.waiting.length;
  }
}
