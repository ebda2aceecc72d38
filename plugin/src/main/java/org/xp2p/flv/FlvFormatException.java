package org.xp2p.flv;

/**
 * The input is not a well-formed FLV stream. The message says what was wrong and where (byte
 * offset in the input, tag type, timestamp), so that an operator can tell a broken origin from a
 * relay bug without a packet capture.
 */
public final class FlvFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FlvFormatException(String message) {
        super(message);
    }
}
