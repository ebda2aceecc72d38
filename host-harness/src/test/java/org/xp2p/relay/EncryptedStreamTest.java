package org.xp2p.relay;

import org.xp2p.testkit.FlvStreamReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.IssuedCode;
import org.xp2p.testkit.RealTools;

/** A viewer presenting a code gets AES-256-GCM records (docs/PROTOCOL.md section 5). */
class EncryptedStreamTest {
    @TempDir
    Path data;

    private final RelayFixture fx = new RelayFixture();

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    private String[] newCode() throws Exception {
        IssuedCode c = IssuedCode.issue(RelayFixture.HTTP, fx.uri("/code"));
        return new String[] {c.code(), c.key()};
    }

    /** Captures about {@code bytes} of the encrypted response. */
    private byte[] capture(String code, int bytes) throws Exception {
        HttpResponse<InputStream> r = fx.open("/live/secret.flv?code=" + code);
        assertEquals(200, r.statusCode());
        assertEquals("aes-256-gcm-v1", r.headers().firstValue("x-xp2p-encryption").orElse(""));
        try (InputStream in = r.body()) {
            return in.readNBytes(bytes);
        }
    }

    /** Decrypts with the JDK, following the spec; returns the plaintext of whole records. */
    static byte[] decrypt(byte[] keyBytes, byte[] data) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(data);
        byte[] magic = new byte[4];
        b.get(magic);
        assertEquals("XP2E", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, b.get());
        b.position(8);
        byte[] salt = new byte[4];
        b.get(salt);
        java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
        long index = 0;
        while (b.remaining() >= 4) {
            int len = b.getInt(b.position());
            if (b.remaining() < 4 + len) {
                break;
            }
            byte[] lenBytes = new byte[4];
            b.get(lenBytes);
            byte[] body = new byte[len];
            b.get(body);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] nonce = ByteBuffer.allocate(12).put(salt).putLong(index++).array();
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keyBytes, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(lenBytes);
            plain.write(c.doFinal(body));
        }
        return plain.toByteArray();
    }

    @Test
    void codeGivesAnEncryptedStreamThatDecryptsToFlv() throws Exception {
        fx.start(data, Map.of());
        String[] codeAndKey = newCode();
        byte[] cipherText = capture(codeAndKey[0], 400_000);
        byte[] plain = decrypt(HexFormat.of().parseHex(codeAndKey[1]), cipherText);
        assertTrue(plain.length > 300_000);
        try (FlvStreamReader r = new FlvStreamReader(new ByteArrayInputStream(plain))) {
            int tags = 0;
            while (r.next() != null) {
                tags++;
            }
            assertTrue(tags > 50, "decrypted " + tags + " whole tags");
        } catch (java.io.EOFException e) {
            // the capture ends mid-tag only if a record was cut; records are whole tags, so this
            // must not happen
            throw new AssertionError("decrypted plaintext ends mid-tag", e);
        }
        // a wrong key fails authentication instead of yielding garbage
        byte[] wrong = HexFormat.of().parseHex(codeAndKey[1]);
        wrong[0] ^= 1;
        try {
            decrypt(wrong, cipherText);
            throw new AssertionError("wrong key must not decrypt");
        } catch (javax.crypto.AEADBadTagException expected) {
            // authenticated encryption did its job
        }
    }

    @Test
    @Tag("real")
    void nodeDecryptsTheStreamIndependently() throws Exception {
        Path node = RealTools.require("node");
        Path ffprobe = RealTools.require("ffprobe");
        fx.start(data, Map.of());
        String[] codeAndKey = newCode();
        Path enc = data.resolve("capture.enc");
        Path flv = data.resolve("capture.flv");
        Files.write(enc, capture(codeAndKey[0], 600_000));
        Path script = data.resolve("decrypt-xp2p.js");
        try (InputStream in = getClass().getResourceAsStream("/crypto/decrypt-xp2p.js")) {
            Files.copy(in, script);
        }
        String out = RealTools.run(60, node.toString(), script.toString(), codeAndKey[1], enc.toString(), flv.toString());
        assertTrue(out.contains("records="), out);
        String probe = RealTools.run(60, ffprobe.toString(), "-v", "error", "-show_entries", "stream=codec_name",
                "-of", "csv=p=0", flv.toString());
        assertTrue(probe.contains("h264") && probe.contains("aac"), "ffprobe of node's plaintext: " + probe);
    }
}
