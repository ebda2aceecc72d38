/*
 * Feeds mpegts.js from the swarm instead of an HTTP connection: the player pushes the init
 * segment and then verified chunks in order into a MediaFeed, and mpegts.js pulls them through a
 * custom loader (mpegts.js `customLoader`), as one endless FLV byte stream.
 */

export class MediaFeed {
  constructor() {
    this.queue = [];
    this.loader = null;
    this.bytes = 0;
  }

  /** Appends bytes to the stream the demuxer sees (whole FLV tags: init, then chunks in order). */
  push(bytes) {
    this.bytes += bytes.byteLength;
    if (this.loader) {
      this.loader.deliver(bytes);
    } else {
      this.queue.push(bytes);
    }
  }

  attach(loader) {
    this.loader = loader;
    for (const bytes of this.queue.splice(0)) {
      loader.deliver(bytes);
    }
  }

  detach(loader) {
    if (this.loader === loader) {
      this.loader = null;
    }
  }
}

/** A loader class bound to one feed (mpegts.js instantiates it itself, with no way to pass the feed). */
export function feedLoaderClass(mpegts, feed) {
  const { BaseLoader, LoaderStatus } = mpegts;
  return class Xp2pFeedLoader extends BaseLoader {
    static isSupported() {
      return true;
    }

    constructor() {
      super('xp2p-feed-loader');
      this._needStash = false;
      this.received = 0;
    }

    open() {
      this._status = LoaderStatus.kBuffering;
      feed.attach(this);
    }

    deliver(bytes) {
      if (this._status !== LoaderStatus.kBuffering || !this._onDataArrival) {
        return;
      }
      const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes.buffer : bytes.slice().buffer;
      const start = this.received;
      this.received += buffer.byteLength;
      this._onDataArrival(buffer, start, this.received);
    }

    abort() {
      this._status = LoaderStatus.kComplete;
      feed.detach(this);
    }

    destroy() {
      feed.detach(this);
      super.destroy();
    }
  };
}
