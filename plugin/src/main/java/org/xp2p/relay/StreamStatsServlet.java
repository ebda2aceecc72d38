package org.xp2p.relay;

import org.xp2p.common.StreamId;
import org.xp2p.common.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.xp2p.http.JsonResponse;

/**
 * {@code GET /xp2p/streams}: per-stream relay statistics as JSON, all streams or one with
 * {@code ?xresid=ID} (404 when that stream is not relayed here). Field meanings are in
 * docs/PROTOCOL.md section 2.5.
 */
final class StreamStatsServlet extends HttpServlet {
    private final transient RelayService relay;

    StreamStatsServlet(RelayService relay) {
        this.relay = relay;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String id = req.getParameter("xresid");
        String body;
        if (id != null) {
            if (!StreamId.isValid(id)) {
                StreamServlet.sendError(resp, 400, "xresid must be a stream id: " + StreamId.RULES);
                return;
            }
            Optional<LiveStream> s = relay.stream(id);
            if (s.isEmpty()) {
                StreamServlet.sendError(resp, 404, "stream " + id + " is not relayed on this node");
                return;
            }
            body = json(s.get());
        } else {
            List<LiveStream> all = relay.streams();
            all.sort(Comparator.comparing(LiveStream::id));
            body = Json.object().rawArray("streams", all.stream().map(StreamStatsServlet::json).toList()).end();
        }
        JsonResponse.send(resp, 200, body);
    }

    static String json(LiveStream s) {
        StreamPosition p = s.position();
        return Json.object()
                .put("id", s.id())
                .put("path", s.address.path())
                .put("live", s.live())
                .put("viewers", s.viewerCount())
                .put("viewersServed", s.viewersServed.get())
                .put("bytesIn", s.bytesIn.get())
                .put("bytesOut", s.bytesOutTotal())
                .put("chunks", s.chunks.get())
                .put("epoch", p.epoch())
                .put("epochs", s.epochs.get())
                .put("firstSeq", p.firstSeq())
                .put("lastSeq", p.lastSeq())
                .put("originReconnects", s.reconnects.get())
                .put("droppedViewers", s.droppedViewers.get())
                .put("skippedViewers", s.skippedViewers.get())
                .put("chunkBytesOut", s.chunkBytesOut.get())
                .put("chunkRequests", s.chunkRequests.get())
                .put("holds", s.holdCount())
                .end();
    }
}
