package org.xp2p.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Settings;

class KeySettingsTest {
    @Test
    void defaults() {
        KeySettings s = KeySettings.from(Settings.of(Map.of()));
        assertEquals(Duration.ofSeconds(1800), s.ttl());
        assertEquals(60, s.ratePerMinute());
        assertEquals(20, s.burst());
        assertEquals(Optional.empty(), s.secret());
        assertEquals(List.of(), s.allowedOrigins());
        assertEquals(Optional.empty(), s.keyBase());
        assertEquals(Duration.ofSeconds(60), s.cacheTime());
        assertEquals(10_000, s.cacheSize());
        assertEquals(Duration.ofMillis(2000), s.remoteTimeout());
        assertEquals(Duration.ofSeconds(60), s.purgeInterval());
        assertEquals(1000, s.purgeBatch());
    }

    @Test
    void explicitValues() {
        KeySettings s = KeySettings.from(Settings.of(Map.of("xp2p.key.ttlSeconds", "60",
                "xp2p.key.allowedOrigins", "https://A.example, http://b.example:8080",
                "xp2p.keyBase", "http://10.0.0.5:10030/code/", "xp2p.key.secret", "0123456789abcdef")));
        assertEquals(Duration.ofSeconds(60), s.ttl());
        assertEquals(List.of("https://a.example", "http://b.example:8080"), s.allowedOrigins());
        assertEquals(Optional.of(URI.create("http://10.0.0.5:10030/code/")), s.keyBase());
        assertEquals(Optional.of("0123456789abcdef"), s.secret());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "xp2p.key.ttlSeconds|abc|invalid configuration xp2p.key.ttlSeconds='abc': must be a whole number from 1 to 31536000",
        "xp2p.key.ttlSeconds|0|invalid configuration xp2p.key.ttlSeconds='0': must be a whole number from 1 to 31536000",
        "xp2p.key.ratePerMinute|-1|invalid configuration xp2p.key.ratePerMinute='-1': must be a whole number from 0 to 1000000",
        "xp2p.key.burst|0|invalid configuration xp2p.key.burst='0': must be a whole number from 1 to 1000000",
        "xp2p.key.secret|short|invalid configuration xp2p.key.secret='****': must be at least 16 characters (or unset to accept POST /code without a secret)",
        "xp2p.key.allowedOrigins|https://ok.example/path|invalid configuration xp2p.key.allowedOrigins='https://ok.example/path': each entry must be an origin like https://viewer.example.com or http://127.0.0.1:8080 (scheme, host, optional port; no path)",
        "xp2p.key.allowedOrigins|*|invalid configuration xp2p.key.allowedOrigins='*': each entry must be an origin like https://viewer.example.com or http://127.0.0.1:8080 (scheme, host, optional port; no path)",
        "xp2p.keyBase|ftp://k.example/code/|invalid configuration xp2p.keyBase='ftp://k.example/code/': must be an absolute http:// or https:// URL with a host and no user info, query or fragment",
        "xp2p.keyBase.cacheSeconds|-1|invalid configuration xp2p.keyBase.cacheSeconds='-1': must be a whole number from 0 to 86400",
        "xp2p.keyBase.cacheSize|0|invalid configuration xp2p.keyBase.cacheSize='0': must be a whole number from 1 to 10000000",
        "xp2p.keyBase.timeoutMillis|5|invalid configuration xp2p.keyBase.timeoutMillis='5': must be a whole number from 100 to 60000",
        "xp2p.key.purgeSeconds|0|invalid configuration xp2p.key.purgeSeconds='0': must be a whole number from 1 to 86400",
        "xp2p.key.purgeBatch|x|invalid configuration xp2p.key.purgeBatch='x': must be a whole number from 1 to 100000",
    })
    void invalidValuesNameKeyValueAndWhatIsAllowed(String key, String value, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> KeySettings.from(Settings.of(Map.of(key, value))));
        assertEquals(message, e.getMessage());
        assertFalse(key.endsWith("secret") && e.getMessage().contains(value), "secrets are not echoed");
    }
}
