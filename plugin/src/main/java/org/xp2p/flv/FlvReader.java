package org.xp2p.flv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental FLV demuxer: accepts the stream in pieces of any size (as they come off the network)
 * and reports the file header and every complete tag, in order, to a {@link Listener}.
 *
 * <p>It is strict on framing because a relay that loses sync would forward garbage to every
 * viewer: the signature, version, data offset, tag header reserved bits, stream id (always 0),
 * PreviousTagSize (always 11 + DataSize) and a maximum tag size are checked, and a violation
 * throws {@link FlvFormatException} naming the byte offset. Tag bodies are not interpreted here.
 * Not thread-safe: one feeder.
 */
public final class FlvReader {
    /** Default largest accepted tag body: far above any camera frame, bounds memory per stream. */
    public static final int DEFAULT_MAX_TAG_SIZE = 8 * 1024 * 1024;
    /** FLV header length for version 1. */
    public static final int FILE_HEADER_SIZE = 9;
    private static final int MAX_DATA_OFFSET = 1024;

    /** The FLV file header. */
    public record FlvHeader(int version, boolean audio, boolean video) {
    }

    /** Receives what the reader finds. */
    public interface Listener {
        void header(FlvHeader header);

        void tag(FlvTag tag);
    }

    private final Listener listener;
    private final int maxTagSize;
    private byte[] buf = new byte[16 * 1024];
    private int len;
    private long consumed;
    private boolean headerSeen;

    public FlvReader(Listener listener) {
        this(listener, DEFAULT_MAX_TAG_SIZE);
    }

    public FlvReader(Listener listener, int maxTagSize) {
        if (maxTagSize < 1 || maxTagSize > FlvTag.MAX_DATA_SIZE) {
            throw new IllegalArgumentException("maxTagSize must be in 1.." + FlvTag.MAX_DATA_SIZE + ", got " + maxTagSize);
        }
        this.listener = listener;
        this.maxTagSize = maxTagSize;
    }

    /** Reads a whole in-memory FLV file; convenient for tools and tests. */
    public static List<FlvTag> readAll(byte[] flv) {
        List<FlvTag> tags = new ArrayList<>();
        FlvReader reader = new FlvReader(new Listener() {
            @Override
            public void header(FlvHeader header) {
            }

            @Override
            public void tag(FlvTag tag) {
                tags.add(tag);
            }
        });
        reader.feed(ByteBuffer.wrap(flv));
        reader.end();
        return tags;
    }

    public boolean headerSeen() {
        return headerSeen;
    }

    /** Bytes of input consumed into complete units so far (header and whole tags). */
    public long position() {
        return consumed;
    }

    /** Consumes all remaining bytes of {@code data}, reporting every unit completed by them. */
    public void feed(ByteBuffer data) {
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        if (len + n > buf.length) {
            int cap = Math.max(buf.length * 2, len + n);
            buf = java.util.Arrays.copyOf(buf, cap);
        }
        data.get(buf, len, n);
        len += n;
        int pos = 0;
        while (true) {
            int used = headerSeen ? parseTag(pos) : parseHeader(pos);
            if (used == 0) {
                break;
            }
            pos += used;
            consumed += used;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, len - pos);
            len -= pos;
        }
        if (buf.length > 256 * 1024 && len < buf.length / 4) {
            buf = java.util.Arrays.copyOf(buf, Math.max(64 * 1024, len));
        }
    }

    /** The input ended: anything left over is a truncated header or tag. */
    public void end() {
        if (!headerSeen) {
            throw new FlvFormatException("stream ended after " + len + " bytes, before the FLV header was complete");
        }
        if (len > 0) {
            throw new FlvFormatException("stream truncated: " + len + " bytes of an incomplete tag at offset "
                    + consumed + describePartial());
        }
    }

    private String describePartial() {
        if (len >= FlvTag.HEADER_SIZE) {
            return " (" + FlvTag.typeName(buf[0] & 0x1F) + " tag, DataSize " + ui24(1) + ")";
        }
        return "";
    }

    private int parseHeader(int pos) {
        int avail = len - pos;
        int check = Math.min(avail, 3);
        for (int i = 0; i < check; i++) {
            if (buf[pos + i] != "FLV".charAt(i)) {
                throw new FlvFormatException("not an FLV stream: first bytes are " + hex(pos, check)
                        + ", expected 46 4c 56 ('FLV')");
            }
        }
        if (avail < FILE_HEADER_SIZE) {
            return 0;
        }
        int version = buf[pos + 3] & 0xFF;
        if (version != 1) {
            throw new FlvFormatException("unsupported FLV version " + version + " (expected 1)");
        }
        int flags = buf[pos + 4] & 0xFF;
        long dataOffset = ui32(pos + 5);
        if (dataOffset < FILE_HEADER_SIZE || dataOffset > MAX_DATA_OFFSET) {
            throw new FlvFormatException("bad FLV header DataOffset " + dataOffset + " (expected 9)");
        }
        int total = (int) dataOffset + FlvTag.TRAILER_SIZE;
        if (avail < total) {
            return 0;
        }
        headerSeen = true;
        listener.header(new FlvHeader(version, (flags & 0x04) != 0, (flags & 0x01) != 0));
        return total;
    }

    private int parseTag(int pos) {
        int avail = len - pos;
        if (avail < FlvTag.HEADER_SIZE) {
            return 0;
        }
        int b0 = buf[pos] & 0xFF;
        long at = consumed;
        if ((b0 & 0x20) != 0) {
            throw new FlvFormatException("tag at offset " + at + " has the Filter bit set (encrypted FLV is not supported)");
        }
        if ((b0 & 0xC0) != 0) {
            throw new FlvFormatException("tag at offset " + at + " has reserved bits set in its first byte 0x"
                    + Integer.toHexString(b0) + ": corrupt stream or lost sync");
        }
        int type = b0 & 0x1F;
        int size = ui24(pos + 1);
        if (size > maxTagSize) {
            throw new FlvFormatException(FlvTag.typeName(type) + " tag at offset " + at + " declares DataSize " + size
                    + " bytes, above the limit of " + maxTagSize);
        }
        int streamId = ui24(pos + 8);
        if (streamId != 0) {
            throw new FlvFormatException(FlvTag.typeName(type) + " tag at offset " + at + " has StreamID " + streamId
                    + " (must be 0): corrupt stream or lost sync");
        }
        int total = FlvTag.HEADER_SIZE + size + FlvTag.TRAILER_SIZE;
        if (avail < total) {
            return 0;
        }
        long prev = ui32(pos + FlvTag.HEADER_SIZE + size);
        if (prev != FlvTag.HEADER_SIZE + size) {
            throw new FlvFormatException(FlvTag.typeName(type) + " tag at offset " + at + " is followed by PreviousTagSize "
                    + prev + ", expected " + (FlvTag.HEADER_SIZE + size) + " (11 + DataSize " + size + ")");
        }
        long timestamp = ((long) (buf[pos + 7] & 0xFF) << 24) | ui24(pos + 4);
        byte[] body = java.util.Arrays.copyOfRange(buf, pos + FlvTag.HEADER_SIZE, pos + FlvTag.HEADER_SIZE + size);
        listener.tag(new FlvTag(type, timestamp, body));
        return total;
    }

    private int ui24(int at) {
        return ((buf[at] & 0xFF) << 16) | ((buf[at + 1] & 0xFF) << 8) | (buf[at + 2] & 0xFF);
    }

    private long ui32(int at) {
        return ((long) (buf[at] & 0xFF) << 24) | ((buf[at + 1] & 0xFF) << 16) | ((buf[at + 2] & 0xFF) << 8) | (buf[at + 3] & 0xFF);
    }

    private String hex(int at, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", buf[at + i] & 0xFF));
        }
        return sb.toString();
    }
}
