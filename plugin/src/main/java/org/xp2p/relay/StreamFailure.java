package org.xp2p.relay;

/**
 * Why a stream could not be relayed, in the terms of the HTTP answer a viewer would get
 * (docs/PROTOCOL.md section 2.3), so that swarm members learn exactly what an http-flv viewer
 * would have been told.
 *
 * @param streamId the stream (room) id
 * @param status   the HTTP status: 404, 502, 503 or 504
 * @param error    the relay's error code for that status ({@link #errorCode(int)})
 * @param message  human-readable reason, safe to show a client
 */
public record StreamFailure(String streamId, int status, String error, String message) {

    public static StreamFailure of(String streamId, int status, String message) {
        return new StreamFailure(streamId, status, errorCode(status), message);
    }

    /** The relay's error code for an HTTP status; one table for HTTP answers and swarm messages. */
    public static String errorCode(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 425 -> "not_yet";
            case 502 -> "bad_origin";
            case 504 -> "origin_timeout";
            default -> "unavailable";
        };
    }
}
