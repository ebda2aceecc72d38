package org.xp2p.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.xp2p.flv.FlvTag;

/**
 * An origin HTTP client in memory: every request the relay sends is kept as an {@link Exchange}
 * that the test answers (status, FLV bytes, error, end), so failover runs without sockets.
 */
final class FakeOriginClient extends HttpClient {
    /** One request the relay sent and the test has yet to answer, or is streaming. */
    static final class Exchange {
        final URI uri;
        final HttpResponse.BodyHandler<?> handler;
        final CompletableFuture<HttpResponse<Object>> future = new CompletableFuture<>();
        private HttpResponse.BodySubscriber<?> body;

        Exchange(URI uri, HttpResponse.BodyHandler<?> handler) {
            this.uri = uri;
            this.handler = handler;
        }

        /** Fails before any response, like a refused connection. */
        void refuse() {
            future.completeExceptionally(new IOException("connection refused"));
        }

        /** Answers with {@code status} and no body. */
        void status(int status) {
            head(status);
            body.onComplete();
        }

        /** Answers 200 and sends {@code bytes} as the first read. */
        void stream(byte[] bytes) {
            head(200);
            send(bytes);
        }

        /** One more read of the body. */
        void send(byte[] bytes) {
            body.onNext(List.of(ByteBuffer.wrap(bytes)));
        }

        /** The connection breaks mid-body. */
        void breakOff() {
            body.onError(new IOException("connection reset"));
        }

        private void head(int status) {
            body = handler.apply(new HttpResponse.ResponseInfo() {
                @Override
                public int statusCode() {
                    return status;
                }

                @Override
                public HttpHeaders headers() {
                    return HttpHeaders.of(Map.of(), (a, b) -> true);
                }

                @Override
                public Version version() {
                    return Version.HTTP_1_1;
                }
            });
            body.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
        }
    }

    final List<Exchange> exchanges = new ArrayList<>();

    /** A small valid FLV stream: header, AVC sequence header, then keyframes every 40 ms from {@code ts}. */
    static byte[] flv(long ts, int keyframes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0});
        byte[] sps = {0x67, 0x42, (byte) 0xC0, 0x1E, (byte) 0xDA, 0x02, (byte) 0x80};
        byte[] pps = {0x68, (byte) 0xCE, 0x3C, (byte) 0x80};
        ByteArrayOutputStream config = new ByteArrayOutputStream();
        config.writeBytes(new byte[] {0x17, 0, 0, 0, 0, 1, 0x42, (byte) 0xC0, 0x1E, (byte) 0xFF, (byte) 0xE1, 0,
                (byte) sps.length});
        config.writeBytes(sps);
        config.writeBytes(new byte[] {1, 0, (byte) pps.length});
        config.writeBytes(pps);
        byte[] c = config.toByteArray();
        out.writeBytes(FlvTag.serialize(FlvTag.VIDEO, ts, c, 0, c.length));
        out.writeBytes(keyframes(ts, keyframes));
        return out.toByteArray();
    }

    /** More of the stream: keyframe tags every 40 ms from {@code ts}, no header. */
    static byte[] keyframes(long ts, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            byte[] idr = {0x17, 1, 0, 0, 0, 0, 0, 0, 6, 0x65, (byte) 0x88, (byte) 0x84, 0x00, 0x33, (byte) 0xFF};
            out.writeBytes(FlvTag.serialize(FlvTag.VIDEO, ts + i * 40L, idr, 0, idr.length));
        }
        return out.toByteArray();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        Exchange e = new Exchange(request.uri(), handler);
        exchanges.add(e);
        return (CompletableFuture<HttpResponse<T>>) (CompletableFuture<?>) e.future;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
            HttpResponse.PushPromiseHandler<T> push) {
        return sendAsync(request, handler);
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        throw new UnsupportedOperationException("the relay only sends asynchronously");
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return Optional.empty();
    }

    @Override
    public Redirect followRedirects() {
        return Redirect.NEVER;
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return Optional.empty();
    }

    @Override
    public SSLContext sslContext() {
        return null;
    }

    @Override
    public SSLParameters sslParameters() {
        return null;
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return Optional.empty();
    }

    @Override
    public Version version() {
        return Version.HTTP_1_1;
    }

    @Override
    public Optional<Executor> executor() {
        return Optional.empty();
    }
}
