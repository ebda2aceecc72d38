package org.xp2p.swarm;

import org.xp2p.common.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.xp2p.http.JsonResponse;

/**
 * {@code GET /stat?xresid=R}: the client SDK's statistics query, answering the room's traffic as
 * its peers reported it. Shape kept from the original system ({@code {"flow":{"p2pBytes":N,
 * "cdnBytes":M}}}) with more fields after it; 404 with a JSON error when the room is unknown.
 */
final class StatServlet extends HttpServlet {
    private final SwarmHub hub;

    StatServlet(SwarmHub hub) {
        this.hub = hub;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String room = req.getParameter("xresid");
        if (room == null || room.isEmpty()) {
            JsonResponse.error(resp, 400, "bad_request", "query parameter xresid (the stream id) is required");
            return;
        }
        try {
            SwarmHub.checkRoom(room);
        } catch (SignalMessage.BadMessage e) {
            JsonResponse.error(resp, 400, "bad_room", e.getMessage());
            return;
        }
        Optional<Flow> flow = hub.roomFlow(room);
        if (flow.isEmpty()) {
            JsonResponse.error(resp, 404, "unknown_room", "no channel " + room + " on this node");
            return;
        }
        Json json = Json.object().put("xresid", room);
        flow.get().writeTo(json);
        JsonResponse.send(resp, 200, json.end());
    }
}
