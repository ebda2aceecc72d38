package org.xp2p.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xp2p.store.JdbcSettings;

/** Secrets never reach a log line: masked by key name, and inside URLs. */
class SecretsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            jdbc:postgresql://h/db?user=u&password=s3cret                        | jdbc:postgresql://h/db?user=u&password=****
            jdbc:postgresql://h/db?password=s3cret&user=u                        | jdbc:postgresql://h/db?password=****&user=u
            jdbc:postgresql://h/db?user=u&password=s3cret&ssl=true               | jdbc:postgresql://h/db?user=u&password=****&ssl=true
            jdbc:postgresql://h/db?user=u&PASSWORD=s3cret                        | jdbc:postgresql://h/db?user=u&PASSWORD=****
            jdbc:postgresql://h/db?sslpassword=s3cret&sslmode=require            | jdbc:postgresql://h/db?sslpassword=****&sslmode=require
            jdbc:postgresql://u:s3cret@h:5432/db                                 | jdbc:postgresql://u:****@h:5432/db
            jdbc:postgresql://u:s3cret@h:5432/db?password=s3cret                 | jdbc:postgresql://u:****@h:5432/db?password=****
            jdbc:postgresql://u@h/db                                             | jdbc:postgresql://u@h/db
            jdbc:h2:tcp://h/keys;USER=sa;PASSWORD=s3cret;MODE=PostgreSQL         | jdbc:h2:tcp://h/keys;USER=sa;PASSWORD=****;MODE=PostgreSQL
            jdbc:h2:file:/d/xp2p;PASSWORD=s3cret                                 | jdbc:h2:file:/d/xp2p;PASSWORD=****
            jdbc:mysql://h/db?pwd=s3cret                                         | jdbc:mysql://h/db?pwd=****
            http://u:s3cret@origin:9188/live,http://o2:9188?token=s3cret         | http://u:****@origin:9188/live,http://o2:9188?token=****
            https://o/live?a=1&access_token=s3cret#frag                          | https://o/live?a=1&access_token=****#frag
            password=s3cret                                                      | password=****
            jdbc:h2:file:/d/xp2p;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0            | jdbc:h2:file:/d/xp2p;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0
            http://10.0.0.5:10030/code/                                          | http://10.0.0.5:10030/code/
            jdbc:postgresql://h/db?user=u&password=                              | jdbc:postgresql://h/db?user=u&password=
            """)
    void passwordsInUrlsAreMasked(String value, String logged) {
        assertEquals(logged, Secrets.maskUrls(value));
        assertFalse(Secrets.maskUrls(value).contains("s3cret"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            xp2p.jdbc.password      | s3cret                        | ****
            xp2p.key.secret         | 0123456789abcdef0123          | ****
            xp2p.swarm.tokenSecret  | s3cret                        | ****
            XP2P_JDBC_PASSWORD      | s3cret                        | ****
            xp2p.db.passwd          | s3cret                        | ****
            xp2p.api.token          | s3cret                        | ****
            xp2p.jdbc.url           | jdbc:postgresql://h/db?user=u&password=s3cret | jdbc:postgresql://h/db?user=u&password=****
            xp2p.jdbc.user          | xp2p                          | xp2p
            xp2p.idleSeconds        | 10                            | 10
            xp2p.origin             | http://127.0.0.1:9188         | http://127.0.0.1:9188
            """)
    void secretKeysAreMaskedWhole(String key, String value, String logged) {
        assertEquals(logged, Secrets.mask(key, value));
    }

    @Test
    void theLoggedConfigurationMasksKeysAndUrls() {
        Settings s = Settings.of(Map.of(
                "xp2p.jdbc.url", "jdbc:postgresql://h/db?user=u&password=s3cret",
                "xp2p.jdbc.password", "s3cret",
                "xp2p.swarm.tokenSecret", "s3cret-s3cret-s3cret"));
        JdbcSettings jdbc = JdbcSettings.from(s);
        s.string("xp2p.swarm.tokenSecret", null);
        Map<String, String> logged = s.effective();
        assertEquals("jdbc:postgresql://h/db?user=u&password=****", logged.get("xp2p.jdbc.url"));
        assertEquals("****", logged.get("xp2p.jdbc.password"));
        assertEquals("****", logged.get("xp2p.swarm.tokenSecret"));
        assertFalse(logged.toString().contains("s3cret"), logged.toString());
        assertEquals("jdbc:postgresql://h/db?user=u&password=****", jdbc.safeUrl());
        assertEquals("jdbc:postgresql://h/db?user=u&password=s3cret", jdbc.url(), "the pool still gets the real URL");
    }

    @Test
    void anInvalidSecretValueIsMaskedInTheError() {
        Settings s = Settings.of(Map.of("xp2p.jdbc.url", "jdbc:mysql://h/db?user=u&password=s3cret"));
        ConfigException e = assertThrows(ConfigException.class, () -> JdbcSettings.from(s));
        assertTrue(e.getMessage().startsWith("invalid configuration xp2p.jdbc.url='jdbc:mysql://h/db?user=u&password=****'"),
                e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }
}
