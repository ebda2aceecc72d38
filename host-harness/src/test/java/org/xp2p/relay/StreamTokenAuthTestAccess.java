package org.xp2p.relay;

/** Lets tests in other packages make tokens the way {@link StreamTokenAuthTest} does. */
public final class StreamTokenAuthTestAccess {
    private StreamTokenAuthTestAccess() {
    }

    public static String token(String secret, String stream, long expiry) throws Exception {
        return StreamTokenAuthTest.token(secret, stream, expiry);
    }
}
