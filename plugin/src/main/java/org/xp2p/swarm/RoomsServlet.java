package org.xp2p.swarm;

import org.xp2p.common.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xp2p.http.JsonResponse;

/**
 * The dashboard's view of the swarm. {@code GET /xp2p/rooms}: node totals and one line per room;
 * {@code GET /xp2p/rooms/{room}} or {@code GET /xp2p/rooms?xresid={room}}: that room's peers, tree
 * edges, depths and offload ratio (room ids may contain slashes, hence the query form).
 */
final class RoomsServlet extends HttpServlet {
    private final SwarmHub hub;

    RoomsServlet(SwarmHub hub) {
        this.hub = hub;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String room = req.getParameter("xresid");
        String info = req.getPathInfo();
        if (room == null && info != null && info.length() > 1) {
            room = info.substring(1);
        }
        if (room == null) {
            Json json = Json.object();
            hub.nodeFlow().writeTo(json);
            json.put("connections", (long) hub.connections());
            List<String> rooms = new ArrayList<>();
            for (Map.Entry<String, Flow> e : hub.roomFlows().entrySet()) {
                Json r = Json.object().put("room", e.getKey());
                e.getValue().writeTo(r);
                rooms.add(r.end());
            }
            json.rawArray("rooms", rooms);
            JsonResponse.send(resp, 200, json.end());
            return;
        }
        Optional<String> view = hub.roomView(room);
        if (view.isEmpty()) {
            JsonResponse.error(resp, 404, "unknown_room", "no peers in room " + room + " on this node");
            return;
        }
        JsonResponse.send(resp, 200, view.get());
    }
}
