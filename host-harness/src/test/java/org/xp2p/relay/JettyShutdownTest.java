package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.testkit.Poll.await;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.testkit.ContainerChecks;
import org.xp2p.testkit.JettyBase;
import org.xp2p.testkit.ReplayOrigin;

/**
 * Issue 10's shutdown hole in a stock Jetty 12 distribution with the xp2p module, stopped the way
 * an operator stops it (SIGTERM): a watching viewer's response must end on a tag boundary with a
 * complete chunked response. It takes both halves: the module enables Jetty's {@code graceful}
 * module (without a stop timeout Jetty closes its connectors at once), and the plugin's shutdown
 * hook ends the viewers while Jetty waits for them.
 */
class JettyShutdownTest {
    @TempDir
    Path tmp;
    private JettyBase jetty;
    private ReplayOrigin origin;

    @AfterEach
    void stop() {
        if (jetty != null) {
            jetty.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void sigtermEndsViewersOnATagBoundary() throws Exception {
        origin = ContainerChecks.origin();
        jetty = new JettyBase(tmp.resolve("base"));
        jetty.copyTree(JettyBase.moduleArchive());
        jetty.addModules("http,xp2p");
        Files.writeString(jetty.base().resolve("start.d/xp2p.ini"), "\nxp2p.origin=" + origin.baseUri() + "\n",
                StandardOpenOption.APPEND);
        URI ctx = jetty.start(List.of(), List.of());

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (Socket s = new Socket(ctx.getHost(), ctx.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + ctx.getPath() + "/live/cam1.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread reader = new Thread(() -> {
                try (InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        synchronized (got) {
                            got.write(buf, 0, n);
                        }
                    }
                } catch (java.io.IOException e) {
                    // reset: the assertions say what arrived
                }
            });
            reader.start();
            await("the viewer to receive media", 20_000, () -> {
                synchronized (got) {
                    return got.size() > 100_000;
                }
            });
            jetty.stopGracefully();
            reader.join(10_000);
        }
        byte[] all;
        synchronized (got) {
            all = got.toByteArray();
        }
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        assertTrue(text.startsWith("HTTP/1.1 200"), text.substring(0, Math.min(300, text.length())));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String log = jetty.output();
        String tail = log.substring(Math.max(0, log.length() - 4000));
        assertTrue(OriginFaultTest.dechunk(all, headEnd + 4, body),
                "a complete chunked response, not a cut connection (" + all.length + " bytes); Jetty said:\n" + tail);
        assertTrue(OriginFaultTest.wholeTags(body.toByteArray()), "the stream ends on a tag boundary");
        // the relay's two shutdown lines are not asserted here: they are written from a JVM shutdown
        // hook, and java.util.logging's own hook may close its handlers first (ShutdownTest checks them)
        jetty.assertOutputContains(",sto=5000]"); // the graceful module the xp2p module enables
    }
}
