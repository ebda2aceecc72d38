package org.xp2p.flv;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns an origin's http-flv byte stream into numbered chunks for the relay and the swarm.
 *
 * <p>A chunk is a run of whole FLV tags. One starts at every video keyframe and, inside long
 * GOPs, at the first video frame whose timestamp is at least {@code targetChunkMillis} after the
 * chunk start, so peers can exchange pieces of bounded duration. The first video frame of every
 * chunk carries an SEI {@link SeiMarker} (AVC and HEVC, legacy and Enhanced FLV); other codecs are
 * cut the same way but not marked. Markers already present in the input (a relay pulling from
 * another xp2p relay) are removed first, so every marker names a chunk of this chunker.
 * Metadata and sequence headers are never chunk starts: they feed the {@link InitSegment} and,
 * once chunks flow, are also forwarded in-band so that playing viewers see a configuration
 * change before the frames that need it. Tags before the first
 * video keyframe are dropped (nobody could decode them). A stream without video is cut on audio
 * tags by duration alone and carries no markers; a stream whose header announces video waits up
 * to {@link #VIDEO_WAIT_MILLIS} of audio for its first video tag before being treated so.
 *
 * <p>Every timestamp is shifted by {@code timestampOffsetMillis}. Not thread-safe: one feeder.
 *
 * <p>Untrusted input: every size is checked against {@link FlvLimits} and against the bytes that
 * remain before it is used (tag sizes by the reader, configuration records by
 * {@code ConfigRecord}, the NAL units of every frame by {@link Nal#checkTiling}), and a violation
 * is a {@link FlvFormatException} naming the tag's byte offset in the stream. After one, the
 * chunker is unusable: the caller drops the connection.
 */
public final class FlvChunker {
    /** Audio duration after which a stream announcing video but sending none is chunked as audio-only. */
    public static final long VIDEO_WAIT_MILLIS = 5000;

    private final ChunkerOptions options;
    private final FlvLimits limits;
    private final ChunkSink sink;
    private final FlvReader reader;
    private final InitSegment init = new InitSegment();
    private byte[] lastInit;
    private boolean originAudio;
    private boolean originVideo;
    private boolean audioSeen;
    private boolean videoSeen;
    private boolean started;
    private boolean audioOnly;
    private long firstAudioTs = -1;
    private long chunkStartTs;
    private long currentSeq = -1;
    private long nextSeq;
    private long lastTimestamp = -1;
    private VideoPacket.Codec configCodec = VideoPacket.Codec.OTHER;
    private int nalLengthSize = -1;
    private RuntimeException failure;

    public FlvChunker(ChunkerOptions options, ChunkSink sink) {
        this(options, sink, FlvLimits.DEFAULTS);
    }

    public FlvChunker(ChunkerOptions options, ChunkSink sink, FlvLimits limits) {
        this.options = options;
        this.limits = limits;
        this.sink = sink;
        this.nextSeq = options.firstSeq();
        this.reader = new FlvReader(new FlvReader.Listener() {
            @Override
            public void header(FlvReader.FlvHeader header) {
                originAudio = header.audio();
                originVideo = header.video();
            }

            @Override
            public void tag(FlvTag tag) {
                try {
                    onTag(tag);
                } catch (FlvFormatException e) {
                    // the reader counts the tag as consumed only after this returns: position() is its start
                    throw new FlvFormatException(FlvTag.typeName(tag.type()) + " tag at offset " + reader.position()
                            + " (timestamp " + tag.timestamp() + "): " + e.getMessage());
                }
            }
        }, limits.maxTagBytes());
    }

    /** Bytes of input consumed into complete tags so far: the offset of the next tag. */
    public long position() {
        return reader.position();
    }

    /** Consumes all of {@code data}; any split of the stream is fine. */
    public void feed(ByteBuffer data) {
        checkUsable();
        try {
            reader.feed(data);
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /** The input ended; a truncated last tag is reported as {@link FlvFormatException}. */
    public void end() {
        checkUsable();
        try {
            reader.end();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /** Sequence number the next chunk will get. */
    public long nextSeq() {
        return nextSeq;
    }

    /** Sequence number of the chunk being produced, -1 before the first. */
    public long currentSeq() {
        return currentSeq;
    }

    /** Highest timestamp (offset included) passed to {@link ChunkSink#tag}, -1 when none yet. */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    public boolean headerSeen() {
        return reader.headerSeen();
    }

    private void checkUsable() {
        if (failure != null) {
            throw new IllegalStateException("chunker stopped after an earlier error: " + failure.getMessage(), failure);
        }
    }

    private void onTag(FlvTag tag) {
        long ts = tag.timestamp() + options.timestampOffsetMillis();
        byte[] body = tag.body();
        switch (tag.type()) {
            case FlvTag.SCRIPT -> {
                if (InitSegment.isMetadata(body)) {
                    checkConfigSize("onMetaData", body);
                    init.metadata(body);
                    forwardConfig(tag, ts);
                } else if (started) {
                    emit(tag.type(), ts, body);
                }
            }
            case FlvTag.AUDIO -> onAudio(tag, ts);
            case FlvTag.VIDEO -> onVideo(tag, ts);
            default -> {
                // unknown tag types carry nothing a viewer can use
            }
        }
    }

    private void onAudio(FlvTag tag, long ts) {
        audioSeen = true;
        byte[] body = tag.body();
        if (InitSegment.isAudioConfig(body)) {
            checkConfigSize("audio sequence header", body);
            init.audioConfig(body);
            forwardConfig(tag, ts);
            return;
        }
        if (firstAudioTs < 0) {
            firstAudioTs = ts;
        }
        if (!started || audioOnly) {
            boolean noVideo = !videoSeen && (!originVideo || ts - firstAudioTs >= VIDEO_WAIT_MILLIS);
            if (!started && noVideo) {
                audioOnly = true;
                startChunk(true, ts);
            } else if (audioOnly && ts >= chunkStartTs + options.targetChunkMillis()) {
                startChunk(true, ts);
            }
        }
        if (started) {
            emit(FlvTag.AUDIO, ts, body);
        }
    }

    private void onVideo(FlvTag tag, long ts) {
        videoSeen = true;
        byte[] body = tag.body();
        VideoPacket packet = VideoPacket.parse(body);
        switch (packet.kind()) {
            case SEQUENCE_HEADER -> {
                checkConfigSize(packet.codec() + " sequence header", body);
                if (packet.dataOffset() > 0) {
                    ConfigRecord.check(packet.codec(), body, packet.dataOffset());
                }
                init.videoConfig(body);
                configCodec = packet.codec();
                nalLengthSize = VideoPacket.nalLengthSize(packet.codec(), body, packet.dataOffset());
                forwardConfig(tag, ts);
            }
            case FRAME -> {
                boolean nalSyntax = packet.markable() && packet.codec() == configCodec && nalLengthSize > 0;
                if (nalSyntax) {
                    // every frame, not only chunk starts: strip and the swarm read these lengths too
                    Nal.checkTiling(body, packet.dataOffset(), nalLengthSize);
                    body = SeiMarker.strip(body, packet, nalLengthSize);
                }
                boolean videoChunks = started && !audioOnly;
                if (packet.keyframe() || (videoChunks && ts >= chunkStartTs + options.targetChunkMillis())) {
                    if (nalSyntax) { // before chunkStart: a malformed frame announces nothing
                        body = mark(body, packet, tag.timestamp(), ts);
                    }
                    audioOnly = false;
                    startChunk(packet.keyframe(), ts);
                    emit(FlvTag.VIDEO, ts, body);
                } else if (videoChunks) {
                    emit(FlvTag.VIDEO, ts, body);
                }
            }
            default -> {
                if (started) {
                    emit(FlvTag.VIDEO, ts, body);
                }
            }
        }
    }

    private byte[] mark(byte[] body, VideoPacket packet, long originTs, long ts) {
        // the NAL units were checked on arrival; the caller names the tag's offset on any error
        return SeiMarker.insert(body, packet, nalLengthSize,
                new ChunkMark(SeiMarker.VERSION, options.epoch(), nextSeq, packet.keyframe(), ts));
    }

    private void checkConfigSize(String what, byte[] body) {
        if (body.length > limits.maxConfigBytes()) {
            throw new FlvFormatException(what + " of " + body.length + " bytes is above the limit of "
                    + limits.maxConfigBytes() + " (xp2p.relay.maxConfigBytes)");
        }
    }

    /** Metadata and sequence headers: refresh the init segment and, once chunks flow, forward in-band. */
    private void forwardConfig(FlvTag tag, long ts) {
        if (started) {
            publishInit();
            emit(tag.type(), ts, tag.body());
        }
    }

    private void startChunk(boolean keyframe, long ts) {
        publishInit();
        started = true;
        chunkStartTs = ts;
        currentSeq = nextSeq++;
        sink.chunkStart(currentSeq, keyframe, ts);
    }

    private void publishInit() {
        boolean audio = originAudio || audioSeen;
        boolean video = videoSeen || (originVideo && !audioOnly);
        byte[] bytes = init.build(audio, video);
        if (lastInit == null || (bytes != lastInit && !Arrays.equals(bytes, lastInit))) { // null first: see InitSegment
            lastInit = bytes;
            sink.initSegment(bytes);
        }
    }

    private void emit(int type, long ts, byte[] body) {
        if (ts > lastTimestamp) {
            lastTimestamp = ts;
        }
        sink.tag(FlvTag.serialize(type, ts, body, 0, body.length), type, ts);
    }
}
