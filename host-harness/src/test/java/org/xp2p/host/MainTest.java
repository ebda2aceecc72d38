package org.xp2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line of the original server, mapped onto xp2p.* keys; and --demo playing. */
class MainTest {
    @TempDir
    Path tmp;

    @Test
    void everyFlagBecomesItsConfigurationKey() {
        Main main = new Main();
        new CommandLine(main).parseArgs("-u", "http://127.0.0.1:9188", "-k", "http://127.0.0.1:10030/code/",
                "-p", "16081", "-t", "7", "--data", tmp.toString(), "--config", tmp.resolve("x.properties").toString());
        Map<String, String> settings = main.hostBuilder().settings();
        assertEquals("http://127.0.0.1:9188", settings.get("xp2p.origin"));
        assertEquals("http://127.0.0.1:10030/code/", settings.get("xp2p.keyBase"));
        assertEquals("7", settings.get("xp2p.idleSeconds"));
        assertEquals(tmp.toAbsolutePath().toString(), settings.get("xp2p.data"));
        assertEquals(tmp.resolve("x.properties").toAbsolutePath().toString(), settings.get("xp2p.config"));
        assertEquals(16081, main.port);
        assertEquals("127.0.0.1", main.bind);
    }

    @Test
    void helpListsTheOriginalFlags() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("-h"));
        for (String flag : new String[] {"-u", "-k", "-p", "-t", "-d", "-v", "-h", "--demo", "--data", "--config", "--war", "--host"}) {
            assertTrue(out.toString().contains(flag), "help mentions " + flag + ":\n" + out);
        }
    }

    @Test
    void anInvalidValueStopsStartupNamingTheKey() throws Exception {
        Main main = new Main();
        new CommandLine(main).parseArgs("-p", "0", "-t", "999999", "--data", tmp.toString());
        try {
            main.hostBuilder().build().start();
            throw new AssertionError("startup must fail");
        } catch (Exception e) {
            String message = Main.rootMessage(e);
            assertTrue(message.contains("xp2p.idleSeconds") && message.contains("999999"), message);
        }
    }

    @Test
    void demoServesAPlayableStreamOutOfTheBox() throws Exception {
        Main main = new Main();
        new CommandLine(main).parseArgs("-p", "0", "--data", tmp.toString(), "--demo");
        Host.Builder builder = main.hostBuilder();
        try (AutoCloseable origin = Demo.start(builder); Host host = builder.build().start()) {
            HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(host.baseUri() + "/live/demo.flv")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            try (java.io.InputStream in = r.body()) {
                byte[] head = in.readNBytes(200_000);
                assertEquals('F', head[0]);
                assertEquals(200_000, head.length, "the demo keeps streaming");
            }
        }
    }
}
