package org.xp2p.flv;

/**
 * One FLV tag as read from a stream: type, full timestamp (UI24 + extended byte, unsigned) and
 * body. The body array is owned by the tag; do not mutate it.
 */
public record FlvTag(int type, long timestamp, byte[] body) {
    public static final int AUDIO = 8;
    public static final int VIDEO = 9;
    public static final int SCRIPT = 18;
    /** Tag header length: type, UI24 size, UI24 timestamp, UI8 extended timestamp, UI24 stream id. */
    public static final int HEADER_SIZE = 11;
    /** Length of the UI32 PreviousTagSize that follows every tag. */
    public static final int TRAILER_SIZE = 4;
    /** Largest body the 24-bit DataSize field can express. */
    public static final int MAX_DATA_SIZE = 0xFFFFFF;

    /** This tag with its own timestamp, serialized. */
    public byte[] serialize() {
        return serialize(type, timestamp, body, 0, body.length);
    }

    /**
     * Serializes a tag: 11-byte header, {@code len} body bytes, UI32 PreviousTagSize = 11 + len.
     * The timestamp is written as its low 24 bits plus the extended (bits 24-31) byte.
     */
    public static byte[] serialize(int type, long timestamp, byte[] body, int off, int len) {
        if (len > MAX_DATA_SIZE) {
            throw new IllegalArgumentException("tag body of " + len + " bytes exceeds the FLV maximum " + MAX_DATA_SIZE);
        }
        byte[] out = new byte[HEADER_SIZE + len + TRAILER_SIZE];
        writeHeader(out, 0, type, len, timestamp);
        System.arraycopy(body, off, out, HEADER_SIZE, len);
        writeUi32(out, HEADER_SIZE + len, HEADER_SIZE + len);
        return out;
    }

    static void writeHeader(byte[] out, int at, int type, int dataSize, long timestamp) {
        out[at] = (byte) type;
        writeUi24(out, at + 1, dataSize);
        writeUi24(out, at + 4, (int) (timestamp & 0xFFFFFF));
        out[at + 7] = (byte) (timestamp >>> 24);
        writeUi24(out, at + 8, 0);
    }

    static void writeUi24(byte[] out, int at, int v) {
        out[at] = (byte) (v >>> 16);
        out[at + 1] = (byte) (v >>> 8);
        out[at + 2] = (byte) v;
    }

    static void writeUi32(byte[] out, int at, long v) {
        out[at] = (byte) (v >>> 24);
        out[at + 1] = (byte) (v >>> 16);
        out[at + 2] = (byte) (v >>> 8);
        out[at + 3] = (byte) v;
    }

    /** Type name for messages. */
    static String typeName(int type) {
        return switch (type) {
            case AUDIO -> "audio";
            case VIDEO -> "video";
            case SCRIPT -> "script";
            default -> "type-" + type;
        };
    }

    @Override
    public String toString() {
        return "FlvTag[" + typeName(type) + ", ts=" + timestamp + ", " + body.length + " bytes]";
    }
}
