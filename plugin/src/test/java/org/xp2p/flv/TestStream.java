package org.xp2p.flv;

import java.io.ByteArrayOutputStream;

/** Builds synthetic FLV streams and tag bodies for edge cases the fixtures do not cover. */
final class TestStream {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TestStream(boolean audio, boolean video) {
        out.writeBytes(new byte[] {'F', 'L', 'V', 1, (byte) ((audio ? 4 : 0) | (video ? 1 : 0)), 0, 0, 0, 9, 0, 0, 0, 0});
    }

    TestStream tag(int type, long ts, byte[] body) {
        out.writeBytes(FlvTag.serialize(type, ts, body, 0, body.length));
        return this;
    }

    TestStream video(long ts, byte[] body) {
        return tag(FlvTag.VIDEO, ts, body);
    }

    TestStream audio(long ts, byte[] body) {
        return tag(FlvTag.AUDIO, ts, body);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static final byte[] SPS = {0x67, 0x42, (byte) 0xC0, 0x1E, (byte) 0xDA, 0x02, (byte) 0x80};
    static final byte[] PPS = {0x68, (byte) 0xCE, 0x3C, (byte) 0x80};
    static final byte[] IDR = {0x65, (byte) 0x88, (byte) 0x84, 0x00, 0x33, (byte) 0xFF};
    static final byte[] NON_IDR = {0x41, (byte) 0x9A, 0x02, 0x00};
    static final byte[] AUD = {0x09, (byte) 0xF0};

    /** AVC sequence header (legacy CodecID 7) with the given NAL length size. */
    static byte[] avcConfig(int lengthSize) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x17, 0, 0, 0, 0});
        b.writeBytes(new byte[] {1, 0x42, (byte) 0xC0, 0x1E, (byte) (0xFC | (lengthSize - 1)), (byte) 0xE1});
        b.write(0);
        b.write(SPS.length);
        b.writeBytes(SPS);
        b.write(1);
        b.write(0);
        b.write(PPS.length);
        b.writeBytes(PPS);
        return b.toByteArray();
    }

    /** Legacy AVC frame: FrameType/CodecID, AVCPacketType 1, SI24 cts, NAL units. */
    static byte[] avcFrame(boolean key, int cts, int lengthSize, byte[]... nals) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(key ? 0x17 : 0x27);
        b.write(1);
        b.write(cts >> 16);
        b.write(cts >> 8);
        b.write(cts);
        nals(b, lengthSize, nals);
        return b.toByteArray();
    }

    /** Enhanced FLV SequenceStart: IsExHeader, key frame, PacketType 0, FourCC, configuration record. */
    static byte[] enhancedConfig(String fourcc, byte[] legacyConfigBody) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80 | (1 << 4));
        b.writeBytes(fourcc.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.write(legacyConfigBody, 5, legacyConfigBody.length - 5);
        return b.toByteArray();
    }

    /** A script tag body: AMF0 string name followed by an opaque (not parsed) value. */
    static byte[] script(String name, int value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x02);
        b.write(name.length() >> 8);
        b.write(name.length());
        b.writeBytes(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.writeBytes(new byte[] {0x00, 0x40, 0x59, 0, 0, 0, 0, 0, (byte) value}); // AMF0 number
        return b.toByteArray();
    }

    /** Enhanced FLV video body: IsExHeader, FrameType, PacketType, FourCC, [SI24 cts], payload. */
    static byte[] enhanced(boolean key, int packetType, String fourcc, Integer cts, int lengthSize, byte[]... nals) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80 | ((key ? 1 : 2) << 4) | packetType);
        b.writeBytes(fourcc.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        if (cts != null) {
            b.write(cts >> 16);
            b.write(cts >> 8);
            b.write(cts);
        }
        nals(b, lengthSize, nals);
        return b.toByteArray();
    }

    static void nals(ByteArrayOutputStream b, int lengthSize, byte[]... nals) {
        for (byte[] nal : nals) {
            for (int i = lengthSize - 1; i >= 0; i--) {
                b.write(nal.length >>> (8 * i));
            }
            b.writeBytes(nal);
        }
    }

    /** AAC sequence header (AudioSpecificConfig AAC-LC 44.1 kHz stereo) and a raw AAC frame. */
    static final byte[] AAC_CONFIG = {(byte) 0xAF, 0, 0x12, 0x10};
    static final byte[] AAC_FRAME = {(byte) 0xAF, 1, 0x21, 0x10, 0x04, 0x60, (byte) 0x8C, 0x1C};
}
