package org.xp2p.flv;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads the committed fixtures (plugin/src/test/resources/fixtures, made by make-fixtures.sh). */
final class Fixtures {
    static final String TINY = "tiny-h264-aac.flv";
    static final String SHORT_GOP = "h264-aac-short-gop.flv";
    static final String LONG_GOP = "h264-aac-long-gop.flv";
    static final String DEMO = "demo-640x360-h264-aac.flv";
    static final String HEVC_LEGACY = "hevc-legacy.flv";
    static final String HEVC_ENHANCED = "hevc-enhanced.flv";

    private Fixtures() {
    }

    static byte[] read(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture " + name + " missing: run plugin/src/test/fixtures/make-fixtures.sh");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
