package org.xp2p.keys;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xp2p.host.Host;

/**
 * A bad database or key-service value stops the deployment with a message naming key and value
 * (one case per kind of check here; plugin tests cover every key).
 */
class KeyConfigHostTest {
    @TempDir
    Path data;

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "xp2p.key.ttlSeconds|abc|'abc'",
        "xp2p.key.secret|short|must be at least 16 characters",
        "xp2p.key.allowedOrigins|https://ok.example,viewer.example|'viewer.example'",
        "xp2p.keyBase|ftp://keys.example/code/|'ftp://keys.example/code/'",
        "xp2p.jdbc.url|jdbc:mysql://127.0.0.1/xp2p|'jdbc:mysql://127.0.0.1/xp2p'",
        "xp2p.jdbc.maxPoolSize|1000|'1000'",
    })
    void invalidValueStopsStartup(String key, String value, String expected) {
        Host host = Host.builder().port(0).setting("xp2p.data", data).setting(key, value).build();
        Exception e = assertThrows(Exception.class, host::start);
        String messages = messages(e);
        assertTrue(messages.contains("invalid configuration " + key + "="), messages);
        assertTrue(messages.contains(expected), messages);
    }

    @Test
    void unwritableDataDirectoryStopsStartup() throws Exception {
        Path file = Files.writeString(data.resolve("not-a-dir"), "x");
        Host host = Host.builder().port(0).setting("xp2p.data", file.resolve("sub")).build();
        String messages = messages(assertThrows(Exception.class, host::start));
        assertTrue(messages.contains("invalid configuration xp2p.data='" + file.resolve("sub") + "'"), messages);
    }

    @Test
    void unreachableDatabaseStopsStartupNamingTheUrl() {
        Host host = Host.builder().port(0).setting("xp2p.data", data)
                .setting("xp2p.jdbc.url", "jdbc:postgresql://127.0.0.1:1/xp2p")
                .setting("xp2p.jdbc.password", "hunter2")
                .setting("xp2p.jdbc.connectionTimeoutMillis", 1000).build();
        String messages = messages(assertThrows(Exception.class, host::start));
        assertTrue(messages.contains("cannot connect to jdbc:postgresql://127.0.0.1:1/xp2p"), messages);
        assertTrue(!messages.contains("hunter2"), messages);
    }

    static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            b.append(t).append('\n');
        }
        return b.toString();
    }
}
