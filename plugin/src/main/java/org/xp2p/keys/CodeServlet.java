package org.xp2p.keys;

import org.xp2p.common.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.log.WarnLimiter;
import org.xp2p.common.StreamId;
import org.xp2p.http.JsonResponse;

/**
 * The key service's HTTP face, mapped at {@code /code} and {@code /code/*} (docs/PROTOCOL.md §1).
 *
 * <p>{@code POST /code} issues a key (when this node issues keys at all), {@code GET /code/{code}}
 * returns one. Every answer, errors included, is a small JSON object with {@code no-store}: keys
 * must not land in caches, and clients get a machine-readable reason instead of a container error
 * page or a stack trace.
 */
final class CodeServlet extends HttpServlet {
    static final String SECRET_HEADER = "X-Xp2p-Secret";
    private static final Logger LOG = LoggerFactory.getLogger(CodeServlet.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);

    private final transient KeyLookup lookup;
    private final transient JdbcKeyStore issuer;
    private final transient IssueRateLimiter limiter;
    private final byte[] secret;
    private final List<String> allowedOrigins;

    /** @param issuer null when keys come from {@code xp2p.keyBase} and this node issues none */
    CodeServlet(KeyLookup lookup, JdbcKeyStore issuer, IssueRateLimiter limiter, Optional<String> secret,
                List<String> allowedOrigins) {
        this.lookup = lookup;
        this.issuer = issuer;
        this.limiter = limiter;
        this.secret = secret.map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.allowedOrigins = allowedOrigins;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            dispatch(req, resp);
        } catch (RuntimeException e) {
            // a bug, not a client error: log it with its trace, answer JSON without one
            LOG.error("xp2p keys: {} {} failed", req.getMethod(), req.getRequestURI(), e);
            if (!resp.isCommitted()) {
                resp.reset();
                error(resp, 500, "internal", "internal error; see the server log");
            }
        }
    }

    private void dispatch(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        if (path == null) {
            if (issuer == null) {
                methodNotAllowed(resp, "", "this node issues no keys: they come from xp2p.keyBase");
            } else if (!"POST".equals(req.getMethod())) {
                methodNotAllowed(resp, "POST", "use POST /code to get a new code and key");
            } else {
                issue(req, resp);
            }
            return;
        }
        if (!"GET".equals(req.getMethod())) {
            methodNotAllowed(resp, "GET", "use GET /code/{code} to read a key");
            return;
        }
        find(path.substring(1), resp);
    }

    private void issue(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long retryAfter = limiter.acquire(req.getRemoteAddr());
        if (retryAfter > 0) {
            resp.setHeader("Retry-After", Long.toString(retryAfter));
            error(resp, 429, "rate_limited", "too many new codes from this address; retry after " + retryAfter + " s");
            return;
        }
        if (!allowedOrigins.isEmpty()) {
            String origin = req.getHeader("Origin");
            if (origin == null || !allowedOrigins.contains(origin.toLowerCase(Locale.ROOT))) {
                LOG.debug("xp2p keys: refused POST /code from {} with Origin {}", req.getRemoteAddr(), origin);
                error(resp, 403, "origin_not_allowed", "the Origin header must be one of xp2p.key.allowedOrigins");
                return;
            }
            resp.setHeader("Access-Control-Allow-Origin", origin);
            resp.setHeader("Vary", "Origin");
        }
        if (secret != null) {
            String given = req.getHeader(SECRET_HEADER);
            if (given == null || !MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
                LOG.debug("xp2p keys: refused POST /code from {}: missing or wrong {}", req.getRemoteAddr(), SECRET_HEADER);
                error(resp, 403, "bad_secret", "missing or wrong " + SECRET_HEADER + " header");
                return;
            }
        }
        String stream = req.getParameter("xresid");
        if (stream != null && !StreamId.isValid(stream)) {
            error(resp, 400, "bad_request", "xresid must be a stream id: " + StreamId.RULES);
            return;
        }
        IssuedKey key;
        try {
            key = issuer.issue(stream);
        } catch (KeyStoreUnavailableException e) {
            unavailable(resp, "POST /code", e);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", key.code().value());
        body.put("expire", key.expires().getEpochSecond());
        body.put("key", key.keyHex());
        if (stream != null) {
            body.put("xresid", stream);
        }
        json(resp, 200, body);
        LOG.debug("xp2p keys: issued code {} to {}, expires {}", key.code(), req.getRemoteAddr(), key.expires());
    }

    private void find(String code, HttpServletResponse resp) throws IOException {
        if (KeyCode.parse(code).isEmpty()) {
            error(resp, 404, "not_found", "malformed code: a code is a UUID like 123e4567-e89b-12d3-a456-426614174000");
            return;
        }
        Optional<KeyLookup.Found> key;
        try {
            key = lookup.lookup(code);
        } catch (KeyStoreUnavailableException e) {
            unavailable(resp, "GET /code/" + code, e);
            return;
        }
        if (key.isEmpty()) {
            error(resp, 404, "not_found", "unknown or expired code");
            return;
        }
        // a bound code names its stream, so a node using this one as its key base (-k) keeps the binding
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", HexFormat.of().formatHex(key.get().key()));
        if (key.get().stream() != null) {
            body.put("xresid", key.get().stream());
        }
        json(resp, 200, body);
    }

    private static void unavailable(HttpServletResponse resp, String what, KeyStoreUnavailableException e)
            throws IOException {
        WARNS.warn("unavailable", "xp2p keys: {} failed, key store unavailable: {}", what, e.getMessage());
        resp.setHeader("Retry-After", "5");
        error(resp, 503, "unavailable", "the key store is unavailable; retry later");
    }

    private static void methodNotAllowed(HttpServletResponse resp, String allow, String message) throws IOException {
        resp.setHeader("Allow", allow);
        error(resp, 405, "method_not_allowed", message);
    }

    private static void error(HttpServletResponse resp, int status, String error, String message) throws IOException {
        JsonResponse.send(resp, status, Json.httpError(error, message));
    }

    private static void json(HttpServletResponse resp, int status, Map<String, ?> body) throws IOException {
        JsonResponse.send(resp, status, Json.flat(body));
    }
}
