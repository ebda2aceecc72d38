package org.xp2p.flv;

/**
 * What the first bytes of a video tag body say, for both the legacy layout (CodecID 7 AVC, 12
 * HEVC) and Enhanced RTMP/FLV ({@code IsExHeader} bit, FourCC). Only what chunking and marking
 * need is decoded: is it a frame or configuration, is it a keyframe, which NAL syntax, and where
 * the length-prefixed NAL units start.
 *
 * @param codec       which NAL syntax the payload uses
 * @param kind        what the packet carries
 * @param keyframe    FrameType 1 (key frame)
 * @param enhanced    Enhanced FLV header ({@code IsExHeader} set)
 * @param fourcc      the Enhanced FourCC, or null for legacy tags
 * @param dataOffset  offset in the body of the NAL units (frames) or decoder configuration record
 *                    (sequence headers); -1 when the body is too short or the codec is unknown
 */
public record VideoPacket(Codec codec, Kind kind, boolean keyframe, boolean enhanced, String fourcc, int dataOffset) {
    /** NAL syntax of the payload. */
    public enum Codec {
        AVC, HEVC,
        /** anything else (VP6, AV1, VP9, ...): passed through, never marked */
        OTHER
    }

    /** What the packet carries. */
    public enum Kind {
        /** decoder configuration (AVCPacketType 0 / SequenceStart) */
        SEQUENCE_HEADER,
        /** coded picture(s): a frame that can start a chunk */
        FRAME,
        /** end of sequence, metadata, command frames, multitrack...: not a frame */
        OTHER
    }

    static final int LEGACY_AVC = 7;
    static final int LEGACY_HEVC = 12;
    static final int FRAME_TYPE_KEY = 1;
    static final int FRAME_TYPE_COMMAND = 5;

    /** Parses a video tag body; never throws (a too-short body is {@code OTHER}). */
    public static VideoPacket parse(byte[] body) {
        if (body.length < 1) {
            return new VideoPacket(Codec.OTHER, Kind.OTHER, false, false, null, -1);
        }
        int b0 = body[0] & 0xFF;
        if ((b0 & 0x80) != 0) {
            return parseEnhanced(body, b0);
        }
        int frameType = b0 >> 4;
        int codecId = b0 & 0x0F;
        boolean key = frameType == FRAME_TYPE_KEY;
        if (frameType == FRAME_TYPE_COMMAND) {
            return new VideoPacket(codecOf(codecId), Kind.OTHER, false, false, null, -1);
        }
        if (codecId != LEGACY_AVC && codecId != LEGACY_HEVC) {
            return new VideoPacket(Codec.OTHER, Kind.FRAME, key, false, null, -1);
        }
        Codec codec = codecOf(codecId);
        if (body.length < 5) {
            return new VideoPacket(codec, Kind.OTHER, key, false, null, -1);
        }
        Kind kind = switch (body[1]) {
            case 0 -> Kind.SEQUENCE_HEADER;
            case 1 -> Kind.FRAME;
            default -> Kind.OTHER;
        };
        return new VideoPacket(codec, kind, key, false, null, 5);
    }

    private static VideoPacket parseEnhanced(byte[] body, int b0) {
        int frameType = (b0 >> 4) & 0x07;
        int packetType = b0 & 0x0F;
        boolean key = frameType == FRAME_TYPE_KEY;
        if (body.length < 5) {
            return new VideoPacket(Codec.OTHER, Kind.OTHER, key, true, null, -1);
        }
        String fourcc = new String(body, 1, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
        Codec codec = switch (fourcc) {
            case "avc1" -> Codec.AVC;
            case "hvc1" -> Codec.HEVC;
            default -> Codec.OTHER;
        };
        if (frameType == FRAME_TYPE_COMMAND) {
            return new VideoPacket(codec, Kind.OTHER, false, true, fourcc, -1);
        }
        return switch (packetType) {
            case 0 -> new VideoPacket(codec, Kind.SEQUENCE_HEADER, key, true, fourcc, 5);
            case 1 -> new VideoPacket(codec, Kind.FRAME, key, true, fourcc, body.length >= 8 ? 8 : -1);
            case 3 -> new VideoPacket(codec, Kind.FRAME, key, true, fourcc, 5);
            // 2 SequenceEnd, 4 Metadata, 5 MPEG2TSSequenceStart: configuration, not pictures
            case 2, 4, 5 -> new VideoPacket(codec, Kind.OTHER, key, true, fourcc, -1);
            // Multitrack, ModEx and future types: opaque pictures, cut on keyframes but never marked
            default -> new VideoPacket(Codec.OTHER, Kind.FRAME, key, true, fourcc, -1);
        };
    }

    private static Codec codecOf(int codecId) {
        return codecId == LEGACY_AVC ? Codec.AVC : codecId == LEGACY_HEVC ? Codec.HEVC : Codec.OTHER;
    }

    /** Whether a chunk marker can be inserted into this packet. */
    public boolean markable() {
        return kind == Kind.FRAME && codec != Codec.OTHER && dataOffset > 0;
    }

    /**
     * NAL length-prefix size declared by a decoder configuration record starting at {@code off}
     * in {@code body}: AVCDecoderConfigurationRecord byte 4, HEVCDecoderConfigurationRecord byte
     * 21, low 2 bits, plus one. Returns -1 when the record is too short.
     */
    public static int nalLengthSize(Codec codec, byte[] body, int off) {
        int at = off + (codec == Codec.AVC ? 4 : 21);
        if (off < 0 || codec == Codec.OTHER || at >= body.length) {
            return -1;
        }
        return (body[at] & 0x03) + 1;
    }
}
