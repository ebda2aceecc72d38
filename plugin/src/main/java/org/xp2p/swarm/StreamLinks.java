package org.xp2p.swarm;

import org.xp2p.common.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.xp2p.relay.StreamPosition;

/**
 * Writes the {@code stream} object peers use to fetch the init segment and chunks over HTTP: the
 * same object in {@code joined} and in {@code stream} messages, so a client parses it one way.
 *
 * <p>The URLs name the stream by its path; when the room id is not the id the path implies, they
 * carry {@code xresid} too, or they would reach another (unpulled) stream. {@code xresid} is
 * percent-encoded because the relay decodes query values ({@code +} would turn into a space).
 */
final class StreamLinks {
    private final String contextPath;

    StreamLinks(String contextPath) {
        this.contextPath = contextPath;
    }

    /** {@code {"path":..,"epoch":..,"lastSeq":..,"firstSeq":..,"init":..,"chunk":..}}. */
    String json(StreamPosition p) {
        String path = contextPath + p.path();
        String derivedId = p.path().substring(1, p.path().length() - ".flv".length());
        String xresid = derivedId.equals(p.streamId()) ? ""
                : "&xresid=" + URLEncoder.encode(p.streamId(), StandardCharsets.UTF_8);
        return Json.object().put("path", path).put("epoch", p.epoch()).put("lastSeq", p.lastSeq())
                .put("firstSeq", p.firstSeq()).put("init", path + "?xp2p=init" + xresid)
                .put("chunk", path + "?xp2p=chunk&seq={seq}" + xresid).end();
    }
}
