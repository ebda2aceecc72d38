package org.xp2p.keys;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The plugin's own key store: table {@code xp2p_keys} (schema V1) in the plugin's database.
 *
 * <p>Expiry is decided here with the injected {@link Clock}, never by the database clock, so a
 * lookup cannot return an expired key even before the purger has deleted its row, and tests can
 * move time. Every SQL failure becomes {@link KeyStoreUnavailableException}: callers answer 503.
 */
public final class JdbcKeyStore implements KeyLookup {
    /** 256-bit keys: AES-256 for the stream cipher. */
    public static final int KEY_BYTES = 32;

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();

    public JdbcKeyStore(DataSource dataSource, Clock clock, Duration ttl) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Creates, stores and returns a new code and key valid for the configured TTL. */
    public IssuedKey issue() {
        return issue(null);
    }

    /**
     * Like {@link #issue()}, for one stream only (schema V3 column {@code stream_id}).
     *
     * @param stream a checked stream id, or null for a code valid for any stream
     */
    public IssuedKey issue(String stream) {
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        KeyCode code = KeyCode.random();
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO xp2p_keys (code, stream_key, created_at, expires_at, stream_id) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, code.value());
            ps.setBytes(2, key);
            ps.setLong(3, now.toEpochMilli());
            ps.setLong(4, expires.toEpochMilli());
            ps.setString(5, stream);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new KeyStoreUnavailableException("cannot store a new key (" + e.getMessage() + ")", e);
        }
        return new IssuedKey(code, key, expires, stream);
    }

    @Override
    public Optional<byte[]> find(String rawCode) {
        return lookup(rawCode).map(Found::key);
    }

    @Override
    public Optional<Found> lookup(String rawCode) {
        Optional<KeyCode> code = KeyCode.parse(rawCode);
        if (code.isEmpty()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT stream_key, stream_id FROM xp2p_keys WHERE code = ? AND expires_at > ?")) {
            ps.setString(1, code.get().value());
            ps.setLong(2, clock.millis());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Found(rs.getBytes(1), rs.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new KeyStoreUnavailableException("cannot look up code " + code.get() + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Deletes at most {@code limit} rows that expired by now; bounded so one run never holds a long
     * transaction or lock on a busy table.
     *
     * @return rows deleted
     */
    public int purgeExpired(int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM xp2p_keys WHERE code IN "
                     + "(SELECT code FROM xp2p_keys WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)")) {
            ps.setLong(1, clock.millis());
            ps.setInt(2, limit);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new KeyStoreUnavailableException("cannot purge expired keys (" + e.getMessage() + ")", e);
        }
    }
}
