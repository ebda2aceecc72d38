package org.xp2p.flv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The xp2p chunk marker: an SEI NAL unit with one {@code user_data_unregistered} message (payload
 * type 5) whose UUID is ASCII {@code xp2p-chunk-sei-1}, inserted into the first video frame of
 * every chunk just before its first slice, where decoders and players accept and ignore it.
 * Layout byte for byte in docs/PROTOCOL.md section 3.
 *
 * <p>Why SEI: a marker inside the elementary stream survives any FLV/HLS/fMP4 remuxing a viewer
 * or peer does, so a peer can tell which chunk it holds from the bytes alone.
 */
public final class SeiMarker {
    /** The 16-byte UUID, ASCII "xp2p-chunk-sei-1". */
    public static final byte[] UUID = "xp2p-chunk-sei-1".getBytes(StandardCharsets.US_ASCII);
    /** Marker format version written by this code. */
    public static final int VERSION = 1;
    /** Bytes after the UUID: version, epoch, seq, flags, dts. */
    public static final int BODY_SIZE = 1 + 8 + 8 + 1 + 8;
    /** user_data_unregistered payloadSize: UUID + body = 42. */
    public static final int PAYLOAD_SIZE = 16 + BODY_SIZE;
    static final int USER_DATA_UNREGISTERED = 5;
    private static final int FLAG_KEYFRAME = 0x01;

    private SeiMarker() {
    }

    /** The 42 payload bytes (UUID and body), unescaped. */
    public static byte[] payload(ChunkMark mark) {
        byte[] p = new byte[PAYLOAD_SIZE];
        System.arraycopy(UUID, 0, p, 0, 16);
        p[16] = (byte) mark.version();
        putLong(p, 17, mark.epoch());
        putLong(p, 25, mark.seq());
        p[33] = (byte) (mark.keyframe() ? FLAG_KEYFRAME : 0);
        putLong(p, 34, mark.dtsMillis());
        return p;
    }

    /**
     * The complete SEI NAL unit (header, escaped sei_message, rbsp_trailing_bits), without any
     * length prefix or start code.
     */
    public static byte[] build(VideoPacket.Codec codec, ChunkMark mark) {
        if (codec == VideoPacket.Codec.OTHER) {
            throw new IllegalArgumentException("SEI markers exist only for AVC and HEVC");
        }
        ByteArrayOutputStream rbsp = new ByteArrayOutputStream(64);
        if (codec == VideoPacket.Codec.HEVC) {
            rbsp.write(Nal.HEVC_PREFIX_SEI << 1); // forbidden 0, type 39, layer id 0
            rbsp.write(1);                         // temporal id plus 1
        } else {
            rbsp.write(Nal.AVC_SEI);               // forbidden 0, nal_ref_idc 0, type 6
        }
        writeFfCoded(rbsp, USER_DATA_UNREGISTERED);
        writeFfCoded(rbsp, PAYLOAD_SIZE);
        rbsp.writeBytes(payload(mark));
        rbsp.write(0x80);                          // rbsp_stop_one_bit + alignment
        return Nal.escape(rbsp.toByteArray(), Nal.headerSize(codec));
    }

    /**
     * A copy of the video tag body {@code body} (a markable {@code packet}) with the marker NAL
     * unit inserted before the first slice, length-prefixed with {@code nalLengthSize} bytes.
     *
     * @throws FlvFormatException when the NAL units do not tile the body
     */
    public static byte[] insert(byte[] body, VideoPacket packet, int nalLengthSize, ChunkMark mark) {
        byte[] sei = build(packet.codec(), mark);
        if (nalLengthSize < 4 && sei.length >= 1L << (8 * nalLengthSize)) {
            throw new IllegalStateException("marker does not fit a " + nalLengthSize + "-byte NAL length");
        }
        int at = firstSliceOffset(body, packet, nalLengthSize);
        byte[] out = new byte[body.length + nalLengthSize + sei.length];
        System.arraycopy(body, 0, out, 0, at);
        int p = at;
        for (int i = nalLengthSize - 1; i >= 0; i--) {
            out[p++] = (byte) (sei.length >>> (8 * i));
        }
        System.arraycopy(sei, 0, out, p, sei.length);
        System.arraycopy(body, at, out, p + sei.length, body.length - at);
        return out;
    }

    /**
     * The body without the xp2p marker NAL units it carries, or the same array when it has none.
     * A relay pulling from another xp2p relay receives marked frames; their markers name the
     * other relay's chunks and must go before this relay marks its own. Lenient: a body whose NAL
     * units do not tile is returned unchanged (marking, which must be exact, reports it).
     */
    public static byte[] strip(byte[] body, VideoPacket packet, int nalLengthSize) {
        int seiType = packet.codec() == VideoPacket.Codec.HEVC ? Nal.HEVC_PREFIX_SEI : Nal.AVC_SEI;
        java.util.List<int[]> cuts = null;
        int p = packet.dataOffset();
        while (p < body.length) {
            int n = nalLength(body, p, nalLengthSize);
            if (!Nal.fits(p, nalLengthSize, n, body.length)) {
                return body;
            }
            int start = p + nalLengthSize;
            if (Nal.type(packet.codec(), body[start] & 0xFF) == seiType
                    && parseNal(packet.codec(), body, start, n).isPresent()) {
                if (cuts == null) {
                    cuts = new java.util.ArrayList<>();
                }
                cuts.add(new int[] {p, nalLengthSize + n});
            }
            p = start + n;
        }
        if (cuts == null) {
            return body;
        }
        int removed = cuts.stream().mapToInt(c -> c[1]).sum();
        byte[] out = new byte[body.length - removed];
        int from = 0;
        int o = 0;
        for (int[] c : cuts) {
            System.arraycopy(body, from, out, o, c[0] - from);
            o += c[0] - from;
            from = c[0] + c[1];
        }
        System.arraycopy(body, from, out, o, body.length - from);
        return out;
    }

    /** Offset of the length prefix of the first VCL NAL unit, or the body end when there is none. */
    private static int firstSliceOffset(byte[] body, VideoPacket packet, int lengthSize) {
        int p = packet.dataOffset();
        while (p < body.length) {
            int n = nalLength(body, p, lengthSize);
            if (!Nal.fits(p, lengthSize, n, body.length)) {
                throw new FlvFormatException("video frame has a NAL unit of length " + n + " at body offset " + p
                        + " that does not fit its " + body.length + "-byte tag (NAL length size " + lengthSize + ")");
            }
            if (Nal.isVcl(packet.codec(), Nal.type(packet.codec(), body[p + lengthSize] & 0xFF))) {
                return p;
            }
            p += lengthSize + n;
        }
        return body.length;
    }

    /**
     * Finds the marker in a serialized video tag (11-byte header + body [+ PreviousTagSize]),
     * trying the NAL length sizes 4, 2, 1, 3 until one tiles the body exactly.
     */
    public static Optional<ChunkMark> find(byte[] tag) {
        for (int size : new int[] {4, 2, 1, 3}) {
            Optional<ChunkMark> m = find(tag, size);
            if (m.isPresent()) {
                return m;
            }
        }
        return Optional.empty();
    }

    /** Finds the marker in a serialized video tag whose NAL units use {@code nalLengthSize}-byte prefixes. */
    public static Optional<ChunkMark> find(byte[] tag, int nalLengthSize) {
        if (tag.length < FlvTag.HEADER_SIZE || (tag[0] & 0x1F) != FlvTag.VIDEO) {
            return Optional.empty();
        }
        int size = ((tag[1] & 0xFF) << 16) | ((tag[2] & 0xFF) << 8) | (tag[3] & 0xFF);
        if (FlvTag.HEADER_SIZE + size > tag.length) {
            return Optional.empty();
        }
        return findInBody(Arrays.copyOfRange(tag, FlvTag.HEADER_SIZE, FlvTag.HEADER_SIZE + size), nalLengthSize);
    }

    /** Finds the marker in a video tag body; empty when absent or when the NAL units do not tile the body. */
    public static Optional<ChunkMark> findInBody(byte[] body, int nalLengthSize) {
        VideoPacket packet = VideoPacket.parse(body);
        if (!packet.markable()) {
            return Optional.empty();
        }
        int p = packet.dataOffset();
        Optional<ChunkMark> found = Optional.empty();
        while (p < body.length) {
            int n = nalLength(body, p, nalLengthSize);
            if (!Nal.fits(p, nalLengthSize, n, body.length)) {
                return Optional.empty();
            }
            if (found.isEmpty()) {
                found = parseNal(packet.codec(), body, p + nalLengthSize, n);
            }
            p += nalLengthSize + n;
        }
        return found;
    }

    /** Parses one NAL unit (no prefix); returns the marker when it is an SEI carrying one. */
    public static Optional<ChunkMark> parseNal(VideoPacket.Codec codec, byte[] buf, int off, int len) {
        int header = Nal.headerSize(codec);
        if (len <= header || off < 0 || len > buf.length - off) {
            return Optional.empty();
        }
        int type = Nal.type(codec, buf[off] & 0xFF);
        if (type != (codec == VideoPacket.Codec.HEVC ? Nal.HEVC_PREFIX_SEI : Nal.AVC_SEI)) {
            return Optional.empty();
        }
        byte[] rbsp = Nal.unescape(buf, off + header, len - header);
        int p = 0;
        while (p < rbsp.length && (rbsp[p] & 0xFF) != 0x80) {
            int payloadType = 0;
            while (p < rbsp.length && (rbsp[p] & 0xFF) == 0xFF) {
                payloadType += 255;
                p++;
            }
            if (p >= rbsp.length) {
                return Optional.empty();
            }
            payloadType += rbsp[p++] & 0xFF;
            int payloadSize = 0;
            while (p < rbsp.length && (rbsp[p] & 0xFF) == 0xFF) {
                payloadSize += 255;
                p++;
            }
            if (p >= rbsp.length) {
                return Optional.empty();
            }
            payloadSize += rbsp[p++] & 0xFF;
            if (p + payloadSize > rbsp.length) {
                return Optional.empty();
            }
            if (payloadType == USER_DATA_UNREGISTERED && payloadSize >= PAYLOAD_SIZE
                    && Arrays.equals(rbsp, p, p + 16, UUID, 0, 16)) {
                return Optional.of(new ChunkMark(rbsp[p + 16] & 0xFF, getLong(rbsp, p + 17), getLong(rbsp, p + 25),
                        (rbsp[p + 33] & FLAG_KEYFRAME) != 0, getLong(rbsp, p + 34)));
            }
            p += payloadSize;
        }
        return Optional.empty();
    }

    static int nalLength(byte[] body, int p, int lengthSize) {
        long n = Nal.length(body, p, lengthSize);
        return n > Integer.MAX_VALUE ? -1 : (int) n;
    }

    private static void writeFfCoded(ByteArrayOutputStream out, int v) {
        while (v >= 255) {
            out.write(0xFF);
            v -= 255;
        }
        out.write(v);
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + 7 - i] = (byte) (v >>> (8 * i));
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
