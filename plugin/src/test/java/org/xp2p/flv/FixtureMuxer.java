package org.xp2p.flv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-scope muxer: wraps a raw HEVC Annex B stream (no B-frames) into FLV, once with the legacy
 * CodecID 12 layout and once as Enhanced FLV {@code hvc1} (keyframes as CodedFrames with an SI24
 * composition time, other frames as CodedFramesX), because Debian's ffmpeg 5.1 writes neither.
 * Run by make-fixtures.sh: {@code FixtureMuxer in.hevc fps legacy.flv enhanced.flv}.
 */
public final class FixtureMuxer {
    private FixtureMuxer() {
    }

    public static void main(String[] args) throws IOException {
        List<List<byte[]>> units = accessUnits(Files.readAllBytes(Path.of(args[0])));
        int fps = Integer.parseInt(args[1]);
        Files.write(Path.of(args[2]), mux(units, fps, false));
        Files.write(Path.of(args[3]), mux(units, fps, true));
    }

    static byte[] mux(List<List<byte[]>> units, int fps, boolean enhanced) {
        TestStream s = new TestStream(false, true);
        byte[] record = hevcConfig(units.get(0));
        ByteArrayOutputStream seq = new ByteArrayOutputStream();
        if (enhanced) {
            seq.write(0x80 | (1 << 4)); // IsExHeader, key frame, SequenceStart
            seq.writeBytes("hvc1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } else {
            seq.writeBytes(new byte[] {0x1C, 0, 0, 0, 0});
        }
        seq.writeBytes(record);
        s.video(0, seq.toByteArray());
        for (int i = 0; i < units.size(); i++) {
            List<byte[]> au = units.get(i);
            boolean key = au.stream().anyMatch(n -> type(n) >= 16 && type(n) <= 23);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            if (enhanced) {
                int packetType = key ? 1 : 3;
                b.write(0x80 | ((key ? 1 : 2) << 4) | packetType);
                b.writeBytes("hvc1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                if (packetType == 1) {
                    b.writeBytes(new byte[] {0, 0, 0});
                }
            } else {
                b.writeBytes(new byte[] {(byte) (key ? 0x1C : 0x2C), 1, 0, 0, 0});
            }
            TestStream.nals(b, 4, au.toArray(new byte[0][]));
            s.video(i * 1000L / fps, b.toByteArray());
        }
        return s.bytes();
    }

    static int type(byte[] nal) {
        return (nal[0] >> 1) & 0x3F;
    }

    /** Splits Annex B into access units (H.265 7.4.2.4.4: parameter sets/prefix SEI/AUD or a first slice begin one). */
    static List<List<byte[]>> accessUnits(byte[] annexB) {
        List<List<byte[]>> units = new ArrayList<>();
        List<byte[]> current = new ArrayList<>();
        boolean hasVcl = false;
        for (byte[] nal : nals(annexB)) {
            int t = type(nal);
            boolean vcl = t <= 31;
            boolean startsAu = (t >= 32 && t <= 35) || t == 39 || (t >= 41 && t <= 44) || (t >= 48 && t <= 55)
                    || (vcl && (nal[2] & 0x80) != 0);
            if (startsAu && hasVcl) {
                units.add(current);
                current = new ArrayList<>();
                hasVcl = false;
            }
            current.add(nal);
            hasVcl |= vcl;
        }
        if (!current.isEmpty()) {
            units.add(current);
        }
        return units;
    }

    static List<byte[]> nals(byte[] b) {
        List<byte[]> out = new ArrayList<>();
        int start = -1;
        int i = 0;
        while (i + 2 < b.length) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
                if (start >= 0) {
                    out.add(trim(b, start, i));
                }
                i += 3;
                start = i;
            } else {
                i++;
            }
        }
        if (start >= 0) {
            out.add(trim(b, start, b.length));
        }
        return out;
    }

    private static byte[] trim(byte[] b, int from, int to) {
        while (to > from && b[to - 1] == 0) {
            to--;
        }
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    /** HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) from the VPS/SPS/PPS of the first access unit. */
    static byte[] hevcConfig(List<byte[]> firstAu) {
        byte[] sps = firstAu.stream().filter(n -> type(n) == 33).findFirst().orElseThrow();
        byte[] rbsp = Nal.unescape(sps, 2, sps.length - 2);
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.write(1);                       // configurationVersion
        r.write(rbsp, 1, 12);             // general profile_tier_level: space/tier/idc, compat, constraints, level
        r.writeBytes(new byte[] {(byte) 0xF0, 0, (byte) 0xFC, (byte) 0xFD, (byte) 0xF8, (byte) 0xF8, 0, 0});
        r.write(0x0F);                    // 1 temporal layer, nested, lengthSizeMinusOne 3
        List<byte[]> sets = firstAu.stream().filter(n -> type(n) >= 32 && type(n) <= 34).toList();
        r.write(3);
        for (int t = 32; t <= 34; t++) {
            int type = t;
            List<byte[]> ofType = sets.stream().filter(n -> type(n) == type).toList();
            r.write(0x80 | type);         // array_completeness 1
            r.write(0);
            r.write(ofType.size());
            for (byte[] n : ofType) {
                r.write(n.length >> 8);
                r.write(n.length);
                r.writeBytes(n);
            }
        }
        return r.toByteArray();
    }
}
