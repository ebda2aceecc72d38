package org.xp2p.host;

/** STUB (live-relay issue): the built-in demo origin. */
final class Demo {
    private Demo() {
    }

    static AutoCloseable start(Host.Builder builder) {
        throw new UnsupportedOperationException("--demo arrives with the live-relay issue");
    }
}
