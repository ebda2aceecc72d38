package org.xp2p.bench.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's own figures (docs/PROTOCOL.md 7): {@code /stat?xresid=} and {@code /xp2p/rooms}, read
 * over HTTP to cross-check the simulator's offload against what the peers reported, and the
 * room's tree view for its depth and server children.
 */
final class NodeViews {
    private static final JsonFactory JSON = new JsonFactory();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    NodeViews(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** {@code /stat?xresid=room} as a map, or null. */
    Map<String, Object> stat(String room) {
        return get("/stat?xresid=" + URLEncoder.encode(room, StandardCharsets.UTF_8));
    }

    /** {@code /xp2p/rooms}: node totals and one entry per room. */
    Map<String, Object> rooms() {
        return get("/xp2p/rooms");
    }

    /** {@code /xp2p/rooms?xresid=room}: one room's tree. */
    Map<String, Object> tree(String room) {
        return get("/xp2p/rooms?xresid=" + URLEncoder.encode(room, StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            try (JsonParser p = JSON.createParser(r.body())) {
                p.nextToken();
                return (Map<String, Object>) value(p);
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Object> m = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                m.put(name, value(p));
            }
            return m;
        }
        if (t == JsonToken.START_ARRAY) {
            List<Object> l = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                l.add(value(p));
            }
            return l;
        }
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE;
        }
        return t == JsonToken.VALUE_NULL ? null : p.getText();
    }

    /**
     * From a room's tree view: per depth (index 0 = depth 1), "peers/slots/free" = nodes at that
     * depth, their slots in all, and the slots still free. Explains where the tree ran out of room.
     */
    @SuppressWarnings("unchecked")
    static String freeSlotsByDepth(Map<String, Object> tree) {
        Object nodes = tree.get("nodes");
        if (!(nodes instanceof List)) {
            return "";
        }
        int[][] byDepth = new int[33][3];
        int deepest = 0;
        for (Object o : (List<Object>) nodes) {
            Map<String, Object> n = (Map<String, Object>) o;
            int d = (int) number(n, "depth");
            if (d < 1 || d > 32) {
                continue;
            }
            int slots = (int) number(n, "slots");
            int children = n.get("children") instanceof List<?> c ? c.size() : 0;
            byDepth[d][0]++;
            byDepth[d][1] += slots;
            byDepth[d][2] += Math.max(0, slots - children);
            deepest = Math.max(deepest, d);
        }
        List<String> parts = new ArrayList<>();
        for (int d = 1; d <= deepest; d++) {
            parts.add("d" + d + " " + byDepth[d][0] + "/" + byDepth[d][1] + "/" + byDepth[d][2]);
        }
        return String.join(", ", parts);
    }

    /** One peer's slots in the node's tree view: given now, measured (-1: not yet), demoted. */
    record Slots(int slots, int measured, boolean demoted) {
    }

    /** From a room's tree view: each peer's id and its slots. */
    @SuppressWarnings("unchecked")
    static Map<String, Slots> slots(Map<String, Object> tree) {
        Map<String, Slots> out = new LinkedHashMap<>();
        if (tree.get("nodes") instanceof List<?> nodes) {
            for (Object o : nodes) {
                Map<String, Object> n = (Map<String, Object>) o;
                out.put(String.valueOf(n.get("id")), new Slots((int) number(n, "slots"), (int) number(n, "measuredSlots"),
                        Boolean.TRUE.equals(n.get("demoted"))));
            }
        }
        return out;
    }

    /** A number at a dotted path ("flow.p2pBytes"), NaN when absent. */
    @SuppressWarnings("unchecked")
    static double number(Map<String, Object> m, String path) {
        Object o = m;
        for (String k : path.split("\\.")) {
            if (!(o instanceof Map)) {
                return Double.NaN;
            }
            o = ((Map<String, Object>) o).get(k);
        }
        return o instanceof Double d ? d : Double.NaN;
    }
}
