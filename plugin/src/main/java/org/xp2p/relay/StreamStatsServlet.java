package org.xp2p.relay;

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
            Optional<LiveStream> s = relay.stream(id);
            if (s.isEmpty()) {
                StreamServlet.sendError(resp, 404, "stream " + id + " is not relayed on this node");
                return;
            }
            body = json(s.get());
        } else {
            List<LiveStream> all = relay.streams();
            all.sort(Comparator.comparing(LiveStream::id));
            StringBuilder b = new StringBuilder("{\"streams\":[");
            for (int i = 0; i < all.size(); i++) {
                b.append(i == 0 ? "" : ",").append(json(all.get(i)));
            }
            body = b.append("]}").toString();
        }
        JsonResponse.send(resp, 200, body);
    }

    static String json(LiveStream s) {
        StreamPosition p = s.position();
        return "{\"id\":" + JsonResponse.quote(s.id())
                + ",\"path\":" + JsonResponse.quote(s.address.path())
                + ",\"live\":" + s.live()
                + ",\"viewers\":" + s.viewerCount()
                + ",\"viewersServed\":" + s.viewersServed.get()
                + ",\"bytesIn\":" + s.bytesIn.get()
                + ",\"bytesOut\":" + s.bytesOutTotal()
                + ",\"chunks\":" + s.chunks.get()
                + ",\"epoch\":" + p.epoch()
                + ",\"epochs\":" + s.epochs.get()
                + ",\"firstSeq\":" + p.firstSeq()
                + ",\"lastSeq\":" + p.lastSeq()
                + ",\"originReconnects\":" + s.reconnects.get()
                + ",\"droppedViewers\":" + s.droppedViewers.get()
                + ",\"skippedViewers\":" + s.skippedViewers.get()
                + ",\"chunkBytesOut\":" + s.chunkBytesOut.get()
                + ",\"chunkRequests\":" + s.chunkRequests.get()
                + ",\"holds\":" + s.holdCount() + "}";
    }
}
