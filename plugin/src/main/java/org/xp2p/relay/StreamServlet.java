package org.xp2p.relay;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.crypto.StreamCipher;
import org.xp2p.http.JsonResponse;
import org.xp2p.keys.KeyLookup;
import org.xp2p.keys.KeyStoreUnavailableException;

/**
 * {@code GET /{path}.flv}: the live stream, and with {@code xp2p=init} / {@code xp2p=chunk&seq=N}
 * the init segment and single chunks for peers that missed one (docs/PROTOCOL.md section 4).
 *
 * <p>Everything that can be refused is refused here, before any origin traffic: a path outside
 * the strict alphabet (400), a missing or unknown code (403), a key store that cannot answer (503).
 */
final class StreamServlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(StreamServlet.class);

    private final transient RelayService relay;
    private final transient KeyLookup keys;
    private final transient RelayConfig config;

    StreamServlet(RelayService relay, KeyLookup keys, RelayConfig config) {
        this.relay = relay;
        this.keys = keys;
        this.config = config;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
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
        if ("init".equals(mode)) {
            serveInit(address, resp);
        } else if ("chunk".equals(mode)) {
            serveChunk(address, req.getParameter("seq"), resp);
        } else if (mode != null) {
            sendError(resp, 400, "unknown xp2p mode '" + mode + "' (use init or chunk)");
        } else {
            serveStream(address, req, resp);
        }
    }

    private void serveStream(StreamAddress address, HttpServletRequest req, HttpServletResponse resp) {
        if (config.origins().isEmpty()) {
            sendError(resp, 503, "no origin configured (xp2p.origin)");
            return;
        }
        StreamCipher cipher = null;
        String code = req.getParameter("code");
        if (code != null) {
            Optional<byte[]> key;
            try {
                key = keys.find(code);
            } catch (KeyStoreUnavailableException e) {
                LOG.warn("stream {}: key store unavailable: {}", address.streamId(), e.getMessage());
                sendError(resp, 503, "key store unavailable");
                return;
            }
            if (key.isEmpty()) {
                sendError(resp, 403, "unknown or expired code");
                return;
            }
            cipher = new StreamCipher(key.get());
        } else if (config.requireCode()) {
            sendError(resp, 403, "this server requires a code for every stream");
            return;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        relay.watch(address, async, cipher);
    }

    private void serveInit(StreamAddress address, HttpServletResponse resp) throws IOException {
        Optional<byte[]> init = relay.stream(address.streamId()).flatMap(LiveStream::initSegment);
        if (init.isEmpty()) {
            sendError(resp, 404, "stream " + address.streamId() + " is not live on this node");
            return;
        }
        sendBytes(resp, init.get(), null);
    }

    private void serveChunk(StreamAddress address, String seqParam, HttpServletResponse resp) throws IOException {
        long seq;
        try {
            seq = Long.parseLong(seqParam == null ? "" : seqParam);
        } catch (NumberFormatException e) {
            sendError(resp, 400, "seq must be a chunk sequence number");
            return;
        }
        Optional<LiveStream> stream = relay.stream(address.streamId());
        if (stream.isEmpty()) {
            sendError(resp, 404, "stream " + address.streamId() + " is not live on this node");
            return;
        }
        Optional<Chunk> chunk = stream.get().chunk(seq);
        if (chunk.isPresent()) {
            sendBytes(resp, chunk.get().bytes(), chunk.get().digest());
        } else if (seq >= stream.get().nextClosedSeq()) {
            resp.setHeader("Retry-After", "1");
            sendError(resp, 425, "chunk " + seq + " is not produced yet");
        } else {
            sendError(resp, 404, "chunk " + seq + " is outside the window");
        }
    }

    private void sendBytes(HttpServletResponse resp, byte[] bytes, ChunkDigest digest) throws IOException {
        resp.setStatus(200);
        resp.setContentType("video/x-flv");
        resp.setHeader("Cache-Control", digest == null ? "no-store" : "public, max-age=60, immutable");
        if (!config.corsOrigin().isEmpty()) {
            resp.setHeader("Access-Control-Allow-Origin", config.corsOrigin());
        }
        if (digest != null) {
            resp.setHeader("X-Xp2p-Epoch", Long.toString(digest.epoch()));
            resp.setHeader("X-Xp2p-Seq", Long.toString(digest.seq()));
            resp.setHeader("X-Xp2p-Sha256", digest.sha256());
            resp.setHeader("X-Xp2p-Keyframe", digest.keyframe() ? "1" : "0");
        }
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /** A JSON error answer {@code {"error":"<code>","message":"..."}}; the code follows the status. */
    static void sendError(HttpServletResponse resp, int status, String message) {
        JsonResponse.error(resp, status, switch (status) {
            case 400 -> "bad_request";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 425 -> "not_yet";
            case 502 -> "bad_origin";
            case 504 -> "origin_timeout";
            default -> "unavailable";
        }, message);
    }
}
