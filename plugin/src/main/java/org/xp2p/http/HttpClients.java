package org.xp2p.http;

import java.lang.reflect.Method;
import java.net.http.HttpClient;

/**
 * JDK HttpClients that do not pin the webapp's class loader after undeploy.
 *
 * <p>A JDK HttpClient runs a selector thread that lives until the client is garbage-collected (Java
 * 17 has no way to stop it; Java 21 added {@code shutdownNow()}). That thread inherits the context
 * class loader of the thread that built the client, which in a container is the webapp's, so a
 * redeploy would leave a live thread holding the old webapp (Tomcat reports it as a memory leak).
 * Here the client is built with the JDK's own class loader as context loader, and
 * {@link #shutdown(HttpClient)} stops it where the JDK can.
 */
public final class HttpClients {
    private HttpClients() {
    }

    public static HttpClient build(HttpClient.Builder builder) {
        Thread current = Thread.currentThread();
        ClassLoader before = current.getContextClassLoader();
        current.setContextClassLoader(HttpClient.class.getClassLoader());
        try {
            return builder.build();
        } finally {
            current.setContextClassLoader(before);
        }
    }

    /** Java 21+: {@code shutdownNow()}; before that the selector thread ends once the client is unreachable. */
    public static void shutdown(HttpClient client) {
        try {
            Method m = HttpClient.class.getMethod("shutdownNow");
            m.invoke(client);
        } catch (NoSuchMethodException e) {
            // Java 17: nothing to call
        } catch (ReflectiveOperationException | RuntimeException e) {
            // best effort on undeploy
        }
    }
}
