package org.xp2p.testkit;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorded FLV split into its header, its leading config tags (metadata and sequence headers)
 * and its media tags, so {@link ReplayOrigin} can loop it with continuous timestamps.
 *
 * @param header     FLV header plus PreviousTagSize0 (13 bytes)
 * @param configTags leading script tags and sequence headers, sent once per connection
 * @param mediaTags  every other tag, each a whole serialized tag with its PreviousTagSize
 * @param durationMillis timestamp span of the media tags plus one frame, the loop period
 */
public record FlvFile(byte[] header, List<byte[]> configTags, List<byte[]> mediaTags, long durationMillis) {

    public static FlvFile parse(byte[] flv) {
        if (flv.length < 13 || flv[0] != 'F' || flv[1] != 'L' || flv[2] != 'V') {
            throw new IllegalArgumentException("not an FLV file");
        }
        ByteBuffer b = ByteBuffer.wrap(flv);
        int headerSize = b.getInt(5);
        byte[] header = new byte[headerSize + 4];
        b.get(0, header);
        List<byte[]> config = new ArrayList<>();
        List<byte[]> media = new ArrayList<>();
        int at = headerSize + 4;
        long first = -1;
        long last = 0;
        while (at + 11 <= flv.length) {
            int type = flv[at] & 0x1f;
            int size = ((flv[at + 1] & 0xff) << 16) | ((flv[at + 2] & 0xff) << 8) | (flv[at + 3] & 0xff);
            int total = 11 + size + 4;
            if (at + total > flv.length) {
                break;
            }
            byte[] tag = new byte[total];
            System.arraycopy(flv, at, tag, 0, total);
            if (media.isEmpty() && isConfig(type, tag)) {
                config.add(tag);
            } else {
                long ts = timestamp(tag);
                first = first < 0 ? ts : first;
                last = Math.max(last, ts);
                media.add(tag);
            }
            at += total;
        }
        long frame = 40;
        return new FlvFile(header, List.copyOf(config), List.copyOf(media), last - Math.max(first, 0) + frame);
    }

    private static boolean isConfig(int type, byte[] tag) {
        if (type == 18) {
            return true;
        }
        if (tag.length < 11 + 2 + 4) {
            return false;
        }
        int first = tag[11] & 0xff;
        if (type == 9) {
            boolean exHeader = (first & 0x80) != 0;
            return exHeader ? (first & 0x0f) == 0 : (tag[12] & 0xff) == 0;
        }
        // AAC sequence header: SoundFormat 10, AACPacketType 0
        return type == 8 && (first >> 4) == 10 && (tag[12] & 0xff) == 0;
    }

    public static long timestamp(byte[] tag) {
        return ((tag[4] & 0xffL) << 16) | ((tag[5] & 0xffL) << 8) | (tag[6] & 0xffL) | ((tag[7] & 0xffL) << 24);
    }

    /** A copy of {@code tag} with its timestamp replaced (extended byte included). */
    public static byte[] withTimestamp(byte[] tag, long ts) {
        byte[] copy = tag.clone();
        copy[4] = (byte) (ts >> 16);
        copy[5] = (byte) (ts >> 8);
        copy[6] = (byte) ts;
        copy[7] = (byte) (ts >> 24);
        return copy;
    }
}
