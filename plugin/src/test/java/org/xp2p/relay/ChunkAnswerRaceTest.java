package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xp2p.config.Settings;

/**
 * {@code xp2p=chunk&seq=N} for a chunk that closes while the request is being answered: the
 * answer must come from one snapshot of the stream, 425 (not produced yet) or 200 (closed), never
 * 404 (outside the window), which a peer takes as "gone for good".
 */
class ChunkAnswerRaceTest {
    private final RelayConfig config = RelayConfig.from(Settings.of(Map.of()));
    private final RelayService relay = new RelayService(config, code -> Optional.empty(), new org.xp2p.ops.Xp2pMetrics());

    @AfterEach
    void close() {
        relay.close();
    }

    @Test
    void chunkClosingRightAfterTheLookupIsNotAnswered404() throws Exception {
        StreamAddress address = StreamAddress.parse("/live/s.flv", null);
        LiveStream stream = new LiveStream(address, relay, config);
        relay.register(stream);
        synchronized (stream.lock()) {
            stream.chunkStart(0, true, 0);
            stream.tag(new byte[] {1, 2, 3}, 9, 0);
        }
        // chunk 0 is open; it closes the moment the request's lookup has released the stream lock
        stream.afterChunkLookup = () -> {
            stream.afterChunkLookup = () -> { };
            synchronized (stream.lock()) {
                stream.chunkStart(1, true, 1000);
                stream.tag(new byte[] {4, 5, 6}, 9, 1000);
            }
        };

        int status = get(new StreamServlet(relay, code -> Optional.empty(), config), "/live/s.flv", "xp2p=chunk&seq=0");
        assertEquals(425, status, "chunk 0 was not yet produced when the request looked it up");

        // and once closed, it is served
        assertEquals(200, get(new StreamServlet(relay, code -> Optional.empty(), config), "/live/s.flv",
                "xp2p=chunk&seq=0"));
    }

    private static int get(StreamServlet servlet, String path, String query) throws Exception {
        Map<String, String> params = new java.util.HashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        HttpServletRequest req = (HttpServletRequest) Proxy.newProxyInstance(ChunkAnswerRaceTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, args) -> switch (m.getName()) {
                    case "getRequestURI" -> path;
                    case "getContextPath" -> "";
                    case "getQueryString" -> query;
                    case "getParameter" -> params.get((String) args[0]);
                    case "getMethod" -> "GET";
                    default -> null;
                });
        int[] status = {200};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener writeListener) {
            }

            @Override
            public void write(int b) {
                body.write(b);
            }
        };
        HttpServletResponse resp = (HttpServletResponse) Proxy.newProxyInstance(
                ChunkAnswerRaceTest.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class},
                (p, m, args) -> switch (m.getName()) {
                    case "setStatus" -> {
                        status[0] = (Integer) args[0];
                        yield null;
                    }
                    case "getOutputStream" -> out;
                    case "isCommitted" -> false;
                    default -> null;
                });
        servlet.doGet(req, resp);
        return status[0];
    }
}
