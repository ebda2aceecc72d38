package org.xp2p.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts one viewer's stream with its session key as a sequence of AES-256-GCM records.
 *
 * <p>WeChat mini programs cannot use HTTPS chunked transfer, so the stream travels over plain
 * HTTP; GCM gives confidentiality and integrity with one standard primitive that every platform
 * has (WebCrypto, Node, the JDK). Each record is independent, so a viewer that skips to the next
 * keyframe simply receives fewer records: framing never breaks. See docs/PROTOCOL.md section 5.
 *
 * <p>Wire format: a 12-byte stream header {@code "XP2E" 0x01 0x00 0x00 0x00 salt[4]}, then records
 * {@code UI32 length | ciphertext-and-tag[length]}. The nonce of record {@code i} (0-based) is
 * {@code salt || UI64(i)}; the additional authenticated data is the record's 4-byte length field.
 * A fresh random salt per response keeps nonces unique even when one code is used twice.
 *
 * <p>Not thread-safe: one instance per viewer, used under the viewer's lock.
 */
public final class StreamCipher {
    public static final byte[] MAGIC = {'X', 'P', '2', 'E'};
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    public static final String CONTENT_ENCODING_NAME = "aes-256-gcm-v1";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final byte[] salt = new byte[4];
    private final Cipher cipher;
    private long index;

    public StreamCipher(byte[] sessionKey) {
        this.key = new SecretKeySpec(aesKey(sessionKey), "AES");
        RANDOM.nextBytes(salt);
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JVM", e);
        }
    }

    /** The AES key: the session key itself when it is 32 bytes, else SHA-256 of it. */
    public static byte[] aesKey(byte[] sessionKey) {
        if (sessionKey.length == 32) {
            return sessionKey.clone();
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(sessionKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The 12-byte stream header, sent once before the first record. */
    public byte[] header() {
        byte[] h = new byte[HEADER_LENGTH];
        System.arraycopy(MAGIC, 0, h, 0, 4);
        h[4] = VERSION;
        System.arraycopy(salt, 0, h, 8, 4);
        return h;
    }

    /**
     * A whole response body holding {@code plain} as its only record: the stream header followed
     * by record 0. For init and chunk answers, which a client decrypts in one piece; use a fresh
     * instance (fresh salt) per answer.
     */
    public byte[] sealWhole(byte[] plain) {
        return sealWhole(plain, 0, plain.length);
    }

    /** {@link #sealWhole(byte[])} of a slice, so a shared buffer need not be copied out first. */
    public byte[] sealWhole(byte[] plain, int offset, int length) {
        byte[] header = header();
        byte[] record = seal(plain, offset, length);
        byte[] body = new byte[header.length + record.length];
        System.arraycopy(header, 0, body, 0, header.length);
        System.arraycopy(record, 0, body, header.length, record.length);
        return body;
    }

    /** One record carrying {@code plain}: length prefix plus ciphertext and tag. */
    public byte[] seal(byte[] plain) {
        return seal(plain, 0, plain.length);
    }

    /** One record carrying the slice {@code plain[offset, offset + plainLength)}. */
    public byte[] seal(byte[] plain, int offset, int plainLength) {
        int length = plainLength + TAG_LENGTH;
        byte[] record = new byte[4 + length];
        ByteBuffer.wrap(record).putInt(length);
        byte[] nonce = ByteBuffer.allocate(12).put(salt).putLong(index++).array();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            cipher.updateAAD(record, 0, 4);
            cipher.doFinal(plain, offset, plainLength, record, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return record;
    }
}
