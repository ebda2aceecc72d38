package org.xp2p.flv;

/**
 * Structural check of an AVC or HEVC decoder configuration record (ISO/IEC 14496-15 5.3.3 and
 * 8.3.3): every length it declares must fit in the bytes that follow it.
 *
 * <p>Why check a record the relay does not decode: its NAL length size decides how every later
 * frame is cut into NAL units and marked, its parameter sets are handed to every viewer in the
 * init segment and to Annex B conversion, and a record whose counts run past its end would make
 * each of those read beyond the tag. Trailing bytes (high-profile extensions) are allowed.
 */
final class ConfigRecord {
    private static final int AVC_FIXED = 6;
    private static final int HEVC_FIXED = 23;

    private ConfigRecord() {
    }

    /**
     * @param off where the record starts in {@code body}
     * @throws FlvFormatException naming the record offset of the first length that does not fit
     */
    static void check(VideoPacket.Codec codec, byte[] body, int off) {
        if (codec == VideoPacket.Codec.AVC) {
            checkAvc(body, off);
        } else if (codec == VideoPacket.Codec.HEVC) {
            checkHevc(body, off);
        }
    }

    private static void checkAvc(byte[] b, int off) {
        need(b, off, off, AVC_FIXED, "AVC decoder configuration record");
        int p = off + 5;
        int sps = b[p++] & 0x1F;
        p = sets(b, off, p, sps, "AVC SPS");
        need(b, off, p, 1, "AVC PPS count");
        int pps = b[p++] & 0xFF;
        sets(b, off, p, pps, "AVC PPS");
    }

    private static void checkHevc(byte[] b, int off) {
        need(b, off, off, HEVC_FIXED, "HEVC decoder configuration record");
        int p = off + 22;
        int arrays = b[p++] & 0xFF;
        for (int i = 0; i < arrays; i++) {
            need(b, off, p, 3, "HEVC parameter set array " + i);
            int count = ((b[p + 1] & 0xFF) << 8) | (b[p + 2] & 0xFF);
            p = sets(b, off, p + 3, count, "HEVC parameter set array " + i);
        }
    }

    private static int sets(byte[] b, int off, int p, int count, String what) {
        for (int i = 0; i < count; i++) {
            need(b, off, p, 2, what + " " + i + " length");
            int n = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
            need(b, off, p + 2, n, what + " " + i);
            p += 2 + n;
        }
        return p;
    }

    private static void need(byte[] b, int off, int at, int n, String what) {
        if (n > b.length - at) {
            throw new FlvFormatException(what + " at record offset " + (at - off) + " needs " + n + " bytes, "
                    + Math.max(0, b.length - at) + " remain in the " + (b.length - off) + "-byte record");
        }
    }
}
