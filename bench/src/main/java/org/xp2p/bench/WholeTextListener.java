package org.xp2p.bench;

import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;

/**
 * A benchmark peer's WebSocket listener that sees whole text messages: fragments are joined here
 * once, so each peer only says what a message means to it.
 */
abstract class WholeTextListener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    /** One complete text message. */
    abstract void onMessage(String text);

    @Override
    public final CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (!last || partial.length() > 0) {
            partial.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            data = partial.toString();
            partial.setLength(0);
        }
        onMessage(data.toString());
        webSocket.request(1);
        return null;
    }
}
