package org.xp2p.flv;

import java.util.ArrayList;
import java.util.List;

/**
 * A from-scratch reading of a serialized video tag, sharing no code with the library: checks
 * sizes, walks the length-prefixed NAL units, unescapes SEI payloads and reports where an xp2p
 * marker sits. Used to verify the chunker's output independently of SeiMarker.find.
 */
final class Independent {
    record Nal(int type, byte[] raw) {
    }

    record Found(long epoch, long seq, int flags, long dts, int version, int nalIndex, int firstVclIndex) {
    }

    private Independent() {
    }

    /** Checks DataSize and PreviousTagSize of a serialized tag; returns the body. */
    static byte[] body(byte[] tag) {
        int size = ((tag[1] & 0xFF) << 16) | ((tag[2] & 0xFF) << 8) | (tag[3] & 0xFF);
        if (tag.length != 11 + size + 4) {
            throw new AssertionError("tag length " + tag.length + " != 11 + DataSize " + size + " + 4");
        }
        long prev = ((long) (tag[11 + size] & 0xFF) << 24) | ((tag[12 + size] & 0xFF) << 16)
                | ((tag[13 + size] & 0xFF) << 8) | (tag[14 + size] & 0xFF);
        if (prev != 11 + size) {
            throw new AssertionError("PreviousTagSize " + prev + " != " + (11 + size));
        }
        byte[] body = new byte[size];
        System.arraycopy(tag, 11, body, 0, size);
        return body;
    }

    static long timestamp(byte[] tag) {
        return ((long) (tag[7] & 0xFF) << 24) | ((tag[4] & 0xFF) << 16) | ((tag[5] & 0xFF) << 8) | (tag[6] & 0xFF);
    }

    static List<Nal> nals(byte[] body, int from, int lengthSize, boolean hevc) {
        List<Nal> out = new ArrayList<>();
        int p = from;
        while (p < body.length) {
            int n = 0;
            for (int i = 0; i < lengthSize; i++) {
                n = (n << 8) | (body[p + i] & 0xFF);
            }
            p += lengthSize;
            if (n <= 0 || p + n > body.length) {
                throw new AssertionError("NAL length " + n + " overruns body at " + p);
            }
            byte[] raw = new byte[n];
            System.arraycopy(body, p, raw, 0, n);
            int type = hevc ? (raw[0] >> 1) & 0x3F : raw[0] & 0x1F;
            out.add(new Nal(type, raw));
            p += n;
        }
        return out;
    }

    /** Removes emulation prevention bytes: a 03 after two zero bytes of input. */
    static byte[] unescape(byte[] raw, int from) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int zeroRun = 0;
        for (int i = from; i < raw.length; i++) {
            int b = raw[i] & 0xFF;
            if (zeroRun == 2 && b == 3) {
                zeroRun = 0;
                continue;
            }
            out.write(b);
            zeroRun = b == 0 ? Math.min(zeroRun + 1, 2) : 0;
        }
        return out.toByteArray();
    }

    /** Escaped bytes must never contain 00 00 0x with x <= 2, nor 00 00 03 followed by x > 3. */
    static void assertProperlyEscaped(byte[] raw) {
        for (int i = 2; i < raw.length; i++) {
            if (raw[i - 2] == 0 && raw[i - 1] == 0 && (raw[i] & 0xFF) <= 2) {
                throw new AssertionError("start-code emulation 00 00 0" + raw[i] + " at " + (i - 2));
            }
        }
    }

    /**
     * Finds an xp2p marker in a video tag with the given NAL length size; null when absent.
     * The body offset of the NAL units is derived from the tag's own header bits.
     */
    static Found marker(byte[] tag, int lengthSize) {
        byte[] body = body(tag);
        int b0 = body[0] & 0xFF;
        boolean hevc;
        int from;
        if ((b0 & 0x80) != 0) {
            String fourcc = new String(body, 1, 4, java.nio.charset.StandardCharsets.US_ASCII);
            hevc = fourcc.equals("hvc1");
            from = (b0 & 0x0F) == 1 ? 8 : 5;
        } else {
            hevc = (b0 & 0x0F) == 12;
            from = 5;
        }
        List<Nal> nals = nals(body, from, lengthSize, hevc);
        int firstVcl = -1;
        for (int i = 0; i < nals.size(); i++) {
            int t = nals.get(i).type();
            if (hevc ? t <= 31 : t >= 1 && t <= 5) {
                firstVcl = i;
                break;
            }
        }
        int seiType = hevc ? 39 : 6;
        int header = hevc ? 2 : 1;
        for (int i = 0; i < nals.size(); i++) {
            Nal nal = nals.get(i);
            if (nal.type() != seiType) {
                continue;
            }
            assertProperlyEscaped(nal.raw());
            byte[] rbsp = unescape(nal.raw(), header);
            // single message expected: type 5, size 42, UUID, 26 bytes, then 0x80
            if (rbsp.length < 2 + 42 || rbsp[0] != 5 || rbsp[1] != 42) {
                continue;
            }
            if (!new String(rbsp, 2, 16, java.nio.charset.StandardCharsets.US_ASCII).equals("xp2p-chunk-sei-1")) {
                continue;
            }
            if (rbsp.length != 2 + 42 + 1 || (rbsp[44] & 0xFF) != 0x80) {
                throw new AssertionError("marker SEI not terminated by rbsp trailing bits");
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(rbsp, 18, 26);
            int version = b.get() & 0xFF;
            long epoch = b.getLong();
            long seq = b.getLong();
            int flags = b.get() & 0xFF;
            long dts = b.getLong();
            return new Found(epoch, seq, flags, dts, version, i, firstVcl);
        }
        return null;
    }
}
