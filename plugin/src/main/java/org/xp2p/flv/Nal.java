package org.xp2p.flv;

import java.io.ByteArrayOutputStream;

/**
 * The bits of H.264/H.265 NAL unit syntax the marker needs: unit types and emulation prevention
 * (ISO/IEC 14496-10 and 23008-2, 7.4.1). Decoders strip every {@code 0x03} that follows two zero
 * bytes, so a marker written without escaping is silently corrupted, and one whose bytes form a
 * start code would cut the access unit in two.
 */
public final class Nal {
    /** H.264 SEI nal_unit_type. */
    public static final int AVC_SEI = 6;
    /** H.265 PREFIX_SEI_NUT. */
    public static final int HEVC_PREFIX_SEI = 39;

    private Nal() {
    }

    /**
     * Whether a NAL unit of {@code n} bytes whose {@code lengthSize}-byte prefix starts at {@code at}
     * fits in a body ending at {@code end}. Written as a subtraction: {@code at + lengthSize + n}
     * overflows for a declared length near {@code 2^31} and would pass the check.
     */
    public static boolean fits(int at, int lengthSize, long n, int end) {
        return n >= 1 && n <= (long) end - at - lengthSize;
    }

    /**
     * Checks that the length-prefixed NAL units from {@code from} to the end of {@code body} tile it
     * exactly: each declared length at least 1 and within what remains.
     *
     * @throws FlvFormatException naming the body offset of the first unit that does not fit
     */
    public static void checkTiling(byte[] body, int from, int lengthSize) {
        int p = from;
        while (p < body.length) {
            long n = length(body, p, lengthSize);
            if (!fits(p, lengthSize, n, body.length)) {
                throw new FlvFormatException(n < 0
                        ? "video frame ends inside a " + lengthSize + "-byte NAL length prefix at body offset " + p
                        : "video frame has a NAL unit of length " + n + " at body offset " + p + " that does not fit its "
                                + body.length + "-byte tag (" + (body.length - p - lengthSize) + " bytes remain, NAL length size "
                                + lengthSize + ")");
            }
            p += lengthSize + (int) n;
        }
    }

    /** The {@code lengthSize}-byte big-endian length at {@code p}, or -1 when the prefix is cut off. */
    static long length(byte[] body, int p, int lengthSize) {
        if (lengthSize > body.length - p) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < lengthSize; i++) {
            n = (n << 8) | (body[p + i] & 0xFF);
        }
        return n;
    }

    /** nal_unit_type of a NAL unit whose first header byte is {@code b0}. */
    public static int type(VideoPacket.Codec codec, int b0) {
        return codec == VideoPacket.Codec.HEVC ? (b0 >> 1) & 0x3F : b0 & 0x1F;
    }

    /** NAL header length: 1 byte for H.264, 2 for H.265. */
    public static int headerSize(VideoPacket.Codec codec) {
        return codec == VideoPacket.Codec.HEVC ? 2 : 1;
    }

    /** Whether the type is a coded slice (VCL): H.264 1..5, H.265 0..31. */
    public static boolean isVcl(VideoPacket.Codec codec, int type) {
        return codec == VideoPacket.Codec.HEVC ? type <= 31 : type >= 1 && type <= 5;
    }

    /**
     * RBSP to NAL payload: inserts {@code 0x03} after every two zero bytes that are followed by a
     * byte {@code <= 0x03}. Bytes before {@code from} (the NAL header) are copied unchanged.
     */
    public static byte[] escape(byte[] rbsp, int from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rbsp.length + 8);
        out.write(rbsp, 0, from);
        int zeros = 0;
        for (int i = from; i < rbsp.length; i++) {
            int b = rbsp[i] & 0xFF;
            if (zeros >= 2 && b <= 3) {
                out.write(3);
                zeros = 0;
            }
            out.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return out.toByteArray();
    }

    /** NAL payload to RBSP: drops every {@code 0x03} that follows two zero bytes. */
    public static byte[] unescape(byte[] nal, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len);
        int zeros = 0;
        for (int i = off; i < off + len; i++) {
            int b = nal[i] & 0xFF;
            if (zeros >= 2 && b == 3) {
                zeros = 0;
                continue;
            }
            out.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return out.toByteArray();
    }
}
