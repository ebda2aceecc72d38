package org.xp2p.flv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a viewer needs before the first chunk it plays: the FLV header, PreviousTagSize0 and the
 * latest onMetaData, video sequence header and audio sequence header tags, each with timestamp 0.
 * Holds the latest of each as the stream goes by; {@link #build} serializes the current state.
 */
public final class InitSegment {
    // the null checks before Arrays.equals look redundant: Jazzer's comparison hook (0.24.0) crashes
    // the JVM on Arrays.equals(null, array), and this class is on the fuzzed path
    private static final byte[] ON_METADATA = "onMetaData".getBytes(StandardCharsets.US_ASCII);
    private static final int AAC = 10;
    private static final int AUDIO_EX_HEADER = 9;

    private byte[] metadata;
    private byte[] videoConfig;
    private byte[] audioConfig;
    /** The last build and its flags: the chunker asks at every chunk start, the answer rarely changes. */
    private byte[] built;
    private int builtFlags = -1;

    /** Whether a script tag body is onMetaData (AMF0 string "onMetaData" first). */
    public static boolean isMetadata(byte[] body) {
        return body.length >= 3 + ON_METADATA.length && body[0] == 0x02
                && (((body[1] & 0xFF) << 8) | (body[2] & 0xFF)) == ON_METADATA.length
                && Arrays.equals(body, 3, 3 + ON_METADATA.length, ON_METADATA, 0, ON_METADATA.length);
    }

    /**
     * Whether an audio tag body is decoder configuration: an AAC sequence header (SoundFormat 10,
     * AACPacketType 0) or an Enhanced audio SequenceStart (SoundFormat 9, AudioPacketType 0).
     */
    public static boolean isAudioConfig(byte[] body) {
        if (body.length < 1) {
            return false;
        }
        int format = (body[0] & 0xFF) >> 4;
        if (format == AUDIO_EX_HEADER) {
            return (body[0] & 0x0F) == 0;
        }
        return format == AAC && body.length >= 2 && body[1] == 0;
    }

    /** Records the latest onMetaData body; true when it differs from the previous one. */
    public boolean metadata(byte[] body) {
        boolean changed = metadata == null || !Arrays.equals(metadata, body);
        metadata = body;
        if (changed) {
            built = null;
        }
        return changed;
    }

    /** Records the latest video sequence header body; true when it differs from the previous one. */
    public boolean videoConfig(byte[] body) {
        boolean changed = videoConfig == null || !Arrays.equals(videoConfig, body);
        videoConfig = body;
        if (changed) {
            built = null;
        }
        return changed;
    }

    /** Records the latest audio sequence header body; true when it differs from the previous one. */
    public boolean audioConfig(byte[] body) {
        boolean changed = audioConfig == null || !Arrays.equals(audioConfig, body);
        audioConfig = body;
        if (changed) {
            built = null;
        }
        return changed;
    }

    /** The serialized init segment with the given FLV header flags; the same array while nothing changed. */
    public byte[] build(boolean audio, boolean video) {
        int flags = (audio ? 0x04 : 0) | (video ? 0x01 : 0);
        if (built == null || flags != builtFlags) {
            built = serialize(audio, video);
            builtFlags = flags;
        }
        return built;
    }

    private byte[] serialize(boolean audio, boolean video) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.writeBytes(new byte[] {'F', 'L', 'V', 1, (byte) ((audio ? 0x04 : 0) | (video ? 0x01 : 0)), 0, 0, 0, 9, 0, 0, 0, 0});
        if (metadata != null) {
            out.writeBytes(FlvTag.serialize(FlvTag.SCRIPT, 0, metadata, 0, metadata.length));
        }
        if (videoConfig != null) {
            out.writeBytes(FlvTag.serialize(FlvTag.VIDEO, 0, videoConfig, 0, videoConfig.length));
        }
        if (audioConfig != null) {
            out.writeBytes(FlvTag.serialize(FlvTag.AUDIO, 0, audioConfig, 0, audioConfig.length));
        }
        return out.toByteArray();
    }
}
