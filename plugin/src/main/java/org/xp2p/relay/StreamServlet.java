package org.xp2p.relay;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.auth.StreamAuth;
import org.xp2p.log.WarnLimiter;
import org.xp2p.crypto.StreamCipher;
import org.xp2p.http.JsonResponse;
import org.xp2p.keys.KeyLookup;
import org.xp2p.keys.KeyStoreUnavailableException;

/**
 * {@code GET /{path}.flv}: the live stream, and with {@code xp2p=init} / {@code xp2p=chunk&seq=N}
 * the init segment and single chunks for peers (docs/PROTOCOL.md section 4).
 *
 * <p>Everything that can be refused is refused here, before any origin traffic: a path outside
 * the strict alphabet (400), a missing or unknown code (403), a key store that cannot answer (503).
 * The same code rules hold for the stream and for init/chunk answers, which are encrypted with the
 * code's key when one is given: otherwise {@code requireCode} could be bypassed chunk by chunk.
 *
 * <p>{@code HEAD} goes through the same checks and answers the status and headers a {@code GET}
 * would, without a body. It is handled here rather than by {@link HttpServlet}'s default (a
 * {@code GET} into a discarding response): on a stream that default became a viewer whose writes
 * never fail, so it and its origin pull lived for ever. A stream {@code HEAD} waits like a first
 * viewer for the stream to be live (or to fail) but becomes no viewer; a pull it started is left to
 * the idle rule like one whose last viewer left.
 */
final class StreamServlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(StreamServlet.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);

    private final transient RelayService relay;
    private final transient KeyLookup keys;
    private final transient RelayConfig config;
    private final transient StreamAuth auth;

    StreamServlet(RelayService relay, KeyLookup keys, RelayConfig config) {
        this(relay, keys, config, StreamAuth.none());
    }

    StreamServlet(RelayService relay, KeyLookup keys, RelayConfig config, StreamAuth auth) {
        this.relay = relay;
        this.auth = auth;
        this.keys = keys;
        this.config = config;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        serve(req, resp, false);
    }

    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        serve(req, resp, true);
    }

    private void serve(HttpServletRequest req, HttpServletResponse resp, boolean head) throws IOException {
        String rawPath = req.getRequestURI().substring(req.getContextPath().length());
        StreamAddress address;
        try {
            address = StreamAddress.parse(rawPath, req.getQueryString());
        } catch (StreamAddress.BadAddressException e) {
            LOG.debug("refused stream request {}: {}", rawPath, e.getMessage());
            sendError(resp, 400, e.getMessage());
            return;
        }
        String mode = req.getParameter("xp2p");
        if (mode != null && !mode.equals("init") && !mode.equals("chunk")) {
            sendError(resp, 400, "unknown xp2p mode '" + mode + "' (use init or chunk)");
            return;
        }
        // before anything that looks at the stream: the answer must not depend on whether it exists
        StreamAuth.Refusal refusal = auth.check(StreamAuth.Action.PLAY, address.streamId(), req.getRemoteAddr(),
                req.getParameter("code"), req.getParameter("token"));
        if (refusal != null) {
            LOG.debug("stream {}: refused {}: {}", address.streamId(), refusal.reason(), refusal.message());
            JsonResponse.error(resp, refusal.status(), refusal.reason(), refusal.message());
            return;
        }
        if (mode == null && config.origins().isEmpty()) {
            sendError(resp, 503, "no origin configured (xp2p.origin)");
            return;
        }
        Access access = access(address, req.getParameter("code"), resp);
        if (access == null) {
            return;
        }
        if ("init".equals(mode)) {
            serveInit(address, access.cipher(), resp, head);
        } else if ("chunk".equals(mode)) {
            serveChunk(address, req.getParameter("seq"), access.cipher(), resp, head);
        } else {
            AsyncContext async = req.startAsync();
            async.setTimeout(0);
            relay.watch(address, async, access.cipher(), head);
        }
    }

    /** The request may proceed; {@code cipher} is null for a plaintext answer. */
    private record Access(StreamCipher cipher) {
    }

    /** Checks {@code code} (and {@code requireCode}); null when refused, the answer already sent. */
    private Access access(StreamAddress address, String code, HttpServletResponse resp) {
        if (code == null) {
            if (config.requireCode()) {
                sendError(resp, 403, "this server requires a code for every stream");
                return null;
            }
            return new Access(null);
        }
        Optional<KeyLookup.Found> key;
        try {
            key = keys.lookup(code);
        } catch (KeyStoreUnavailableException e) {
            WARNS.warn("unavailable", "stream {}: key store unavailable: {}", address.streamId(), e.getMessage());
            sendError(resp, 503, "key store unavailable");
            return null;
        }
        if (key.isEmpty()) {
            sendError(resp, 403, "unknown or expired code");
            return null;
        }
        if (!key.get().allows(address.streamId())) {
            JsonResponse.error(resp, 403, "code_other_stream", "this code is for another stream");
            return null;
        }
        return new Access(new StreamCipher(key.get().key()));
    }

    private void serveInit(StreamAddress address, StreamCipher cipher, HttpServletResponse resp, boolean head)
            throws IOException {
        Optional<LiveStream> stream = relay.stream(address.streamId());
        Optional<byte[]> init = stream.flatMap(LiveStream::initSegment);
        if (init.isEmpty()) {
            sendError(resp, 404, "stream " + address.streamId() + " is not live on this node");
            return;
        }
        sendBytes(stream.get(), resp, init.get(), init.get().length, null, cipher, head);
    }

    private void serveChunk(StreamAddress address, String seqParam, StreamCipher cipher, HttpServletResponse resp,
            boolean head) throws IOException {
        long seq;
        try {
            seq = Long.parseLong(seqParam == null ? "" : seqParam);
        } catch (NumberFormatException e) {
            seq = -1;
        }
        if (seq < 0) {
            sendError(resp, 400, "seq must be a chunk sequence number (a whole number, 0 or more)");
            return;
        }
        Optional<LiveStream> stream = relay.stream(address.streamId());
        if (stream.isEmpty()) {
            sendError(resp, 404, "stream " + address.streamId() + " is not live on this node");
            return;
        }
        LiveStream.ChunkLookup chunk = stream.get().lookup(seq);
        if (chunk.state() == LiveStream.ChunkState.AVAILABLE) {
            Chunk c = chunk.chunk();
            sendBytes(stream.get(), resp, c.array(), c.size(), c.digest(), cipher, head);
        } else if (chunk.state() == LiveStream.ChunkState.NOT_YET) {
            resp.setHeader("Retry-After", "1");
            sendError(resp, 425, "chunk " + seq + " is not produced yet");
        } else {
            sendError(resp, 404, "chunk " + seq + " is outside the window");
        }
    }

    /**
     * A 200 init or chunk answer, encrypted as one record when {@code cipher} is given (the
     * digest headers stay over the plaintext, which is what peers verify). Runs on the request
     * thread, outside every stream lock: the bytes are the chunk's shared buffer and never change,
     * so a plaintext answer writes its first {@code length} bytes without copying them. For
     * {@code HEAD} only the headers go out (Content-Length that of the body a GET would get) and
     * nothing is counted as served.
     */
    private void sendBytes(LiveStream stream, HttpServletResponse resp, byte[] plain, int length, ChunkDigest digest,
            StreamCipher cipher, boolean head) throws IOException {
        byte[] body = cipher == null ? plain : cipher.sealWhole(plain, 0, length);
        int bodyLength = cipher == null ? length : body.length;
        resp.setStatus(200);
        if (cipher == null) {
            resp.setContentType("video/x-flv");
            resp.setHeader("Cache-Control", digest == null ? "no-store" : "public, max-age=60, immutable");
        } else {
            // a fresh salt per answer: the bytes differ every time, and a shared cache must not keep them
            resp.setContentType("application/octet-stream");
            resp.setHeader("X-Xp2p-Encryption", StreamCipher.CONTENT_ENCODING_NAME);
            resp.setHeader("Cache-Control", "no-store");
        }
        if (!config.corsOrigin().isEmpty()) {
            resp.setHeader("Access-Control-Allow-Origin", config.corsOrigin());
        }
        if (digest != null) {
            resp.setHeader("X-Xp2p-Epoch", Long.toString(digest.epoch()));
            resp.setHeader("X-Xp2p-Seq", Long.toString(digest.seq()));
            resp.setHeader("X-Xp2p-Sha256", digest.sha256());
            resp.setHeader("X-Xp2p-Keyframe", digest.keyframe() ? "1" : "0");
        }
        resp.setContentLength(bodyLength);
        if (head) {
            return;
        }
        resp.getOutputStream().write(body, 0, bodyLength);
        stream.served(bodyLength);
    }

    /** A JSON error answer {@code {"error":"<code>","message":"..."}}; the code follows the status. */
    static void sendError(HttpServletResponse resp, int status, String message) {
        JsonResponse.error(resp, status, StreamFailure.errorCode(status), message);
    }
}
