package org.xp2p.flv;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts FLV video tags (AVC or HEVC, legacy or Enhanced) into an Annex B byte stream: every
 * NAL unit behind a {@code 00 00 00 01} start code, and the parameter sets of the latest sequence
 * header in front of every keyframe. This is what raw-stream decoders ({@code ffmpeg -f h264 /
 * -f hevc}, hardware decoders, WebCodecs in annexb mode) take, so peers and tools can check a
 * marked stream without an FLV demuxer. Not thread-safe.
 */
public final class AnnexB {
    private static final byte[] START_CODE = {0, 0, 0, 1};

    private final List<byte[]> parameterSets = new ArrayList<>();
    private int lengthSize = -1;

    /** Converts a whole tag list (other tag types are skipped). */
    public static byte[] convert(List<FlvTag> tags) {
        AnnexB a = new AnnexB();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (FlvTag t : tags) {
            if (t.type() == FlvTag.VIDEO) {
                out.writeBytes(a.convert(t.body()));
            }
        }
        return out.toByteArray();
    }

    /**
     * Annex B bytes for one video tag body: nothing for a sequence header (its parameter sets are
     * kept for the next keyframe), the NAL units of a frame, nothing for anything else.
     *
     * @throws FlvFormatException when a configuration record or the NAL framing is malformed
     */
    public byte[] convert(byte[] body) {
        VideoPacket p = VideoPacket.parse(body);
        if (p.codec() == VideoPacket.Codec.OTHER || p.dataOffset() < 0) {
            return new byte[0];
        }
        if (p.kind() == VideoPacket.Kind.SEQUENCE_HEADER) {
            readConfig(p.codec(), body, p.dataOffset());
            return new byte[0];
        }
        if (p.kind() != VideoPacket.Kind.FRAME) {
            return new byte[0];
        }
        if (lengthSize < 0) {
            throw new FlvFormatException("video frame before any sequence header: NAL length size unknown");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64);
        if (p.keyframe()) {
            for (byte[] ps : parameterSets) {
                out.writeBytes(START_CODE);
                out.writeBytes(ps);
            }
        }
        int at = p.dataOffset();
        while (at < body.length) {
            int n = SeiMarker.nalLength(body, at, lengthSize);
            if (!Nal.fits(at, lengthSize, n, body.length)) {
                throw new FlvFormatException("NAL unit of length " + n + " at body offset " + at + " overruns the "
                        + body.length + "-byte video tag");
            }
            out.writeBytes(START_CODE);
            out.write(body, at + lengthSize, n);
            at += lengthSize + n;
        }
        return out.toByteArray();
    }

    private void readConfig(VideoPacket.Codec codec, byte[] b, int off) {
        parameterSets.clear();
        ConfigRecord.check(codec, b, off);
        lengthSize = VideoPacket.nalLengthSize(codec, b, off);
        try {
            if (codec == VideoPacket.Codec.AVC) {
                int p = off + 5;
                int sps = b[p++] & 0x1F;
                p = readSets(b, p, sps);
                int pps = b[p++] & 0xFF;
                readSets(b, p, pps);
            } else {
                int p = off + 22;
                int arrays = b[p++] & 0xFF;
                for (int i = 0; i < arrays; i++) {
                    p++; // completeness + NAL type
                    int count = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
                    p = readSets(b, p + 2, count);
                }
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new FlvFormatException(codec + " decoder configuration record of " + (b.length - off) + " bytes is truncated");
        }
    }

    private int readSets(byte[] b, int p, int count) {
        for (int i = 0; i < count; i++) {
            int n = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
            if (n > b.length - p - 2) {
                throw new ArrayIndexOutOfBoundsException(p + 2 + n);
            }
            parameterSets.add(java.util.Arrays.copyOfRange(b, p + 2, p + 2 + n));
            p += 2 + n;
        }
        return p;
    }
}
