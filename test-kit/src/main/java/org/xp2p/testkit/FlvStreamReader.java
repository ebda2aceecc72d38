package org.xp2p.testkit;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A test's own reader of an http-flv response: header, then whole tags. Deliberately separate
 * from the plugin's parser so tests check the relay's output independently.
 */
public final class FlvStreamReader implements AutoCloseable {
    /** One tag as received: type, timestamp, and its whole serialized bytes (with PreviousTagSize). */
    public record Tag(int type, long timestamp, byte[] bytes) {
        public int bodyByte(int i) {
            return bytes[11 + i] & 0xff;
        }

        public boolean isVideo() {
            return type == 9;
        }

        /** Keyframe video frame that is not a sequence header (legacy and enhanced FLV). */
        public boolean isKeyframe() {
            if (!isVideo()) {
                return false;
            }
            int b = bodyByte(0);
            if ((b & 0x80) != 0) {
                return ((b >> 4) & 0x07) == 1 && (b & 0x0f) != 0;
            }
            return (b >> 4) == 1 && bodyByte(1) != 0;
        }

        public boolean isVideoFrame() {
            if (!isVideo()) {
                return false;
            }
            int b = bodyByte(0);
            return (b & 0x80) != 0 ? (b & 0x0f) == 1 || (b & 0x0f) == 3 : bodyByte(1) == 1;
        }
    }

    private final DataInputStream in;
    private final byte[] header;

    public FlvStreamReader(InputStream in) throws IOException {
        this.in = new DataInputStream(in);
        this.header = new byte[13];
        this.in.readFully(header);
        if (header[0] != 'F' || header[1] != 'L' || header[2] != 'V') {
            throw new IOException("response is not FLV");
        }
    }

    public byte[] header() {
        return header;
    }

    /** The next tag, or null at a clean end of stream. */
    public Tag next() throws IOException {
        byte[] head = new byte[11];
        try {
            in.readFully(head);
        } catch (EOFException e) {
            return null;
        }
        int size = ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
        byte[] bytes = new byte[11 + size + 4];
        System.arraycopy(head, 0, bytes, 0, 11);
        in.readFully(bytes, 11, size + 4);
        long ts = ((head[4] & 0xffL) << 16) | ((head[5] & 0xffL) << 8) | (head[6] & 0xffL) | ((head[7] & 0xffL) << 24);
        int prev = ((bytes[11 + size] & 0xff) << 24) | ((bytes[12 + size] & 0xff) << 16)
                | ((bytes[13 + size] & 0xff) << 8) | (bytes[14 + size] & 0xff);
        if (prev != 11 + size) {
            throw new IOException("PreviousTagSize " + prev + " does not match tag size " + (11 + size));
        }
        return new Tag(head[0] & 0x1f, ts, bytes);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
