package org.xp2p.bench.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a server message (docs/PROTOCOL.md 6.4) that the simulated peers act on, read
 * with a streaming parser on the WebSocket thread so the model thread only sees values. Field
 * order is not relied on.
 */
record Msg(String type, String room, String peer, String parent, int depth, String from, long seq, long size,
           boolean keyframe, int heartbeatSeconds, boolean hasStream, long lastSeq, List<String> children,
           String code, String ref) {
    private static final JsonFactory JSON = new JsonFactory();

    static Msg parse(String text) {
        String type = null, room = null, peer = null, parent = null, from = null, code = null, ref = null;
        int depth = 0, heartbeat = 0;
        long seq = -1, size = 0, lastSeq = -1;
        boolean keyframe = false, hasStream = false;
        List<String> children = null;
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "type" -> type = p.getText();
                    case "room" -> room = p.getText();
                    case "peer" -> peer = p.getText();
                    case "parent" -> parent = p.getText();
                    case "from" -> from = p.getText();
                    case "code" -> code = p.getText();
                    case "ref" -> ref = p.getText();
                    case "depth" -> depth = p.getIntValue();
                    case "heartbeatSeconds" -> heartbeat = p.getIntValue();
                    case "seq" -> seq = p.getLongValue();
                    case "size" -> size = p.getLongValue();
                    case "keyframe" -> keyframe = t == JsonToken.VALUE_TRUE;
                    case "children" -> {
                        children = new ArrayList<>();
                        while (p.nextToken() == JsonToken.VALUE_STRING) {
                            children.add(p.getText());
                        }
                    }
                    case "stream" -> {
                        if (t == JsonToken.START_OBJECT) {
                            hasStream = true;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String f = p.currentName();
                                JsonToken v = p.nextToken();
                                if (f.equals("lastSeq") && v == JsonToken.VALUE_NUMBER_INT) {
                                    lastSeq = p.getLongValue();
                                } else {
                                    p.skipChildren();
                                }
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return new Msg(type, room, peer, parent, depth, from, seq, size, keyframe, heartbeat, hasStream, lastSeq,
                children, code, ref);
    }
}
