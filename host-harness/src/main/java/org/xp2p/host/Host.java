package org.xp2p.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An embedded Jetty 12 (ee10) server that deploys the xp2p WAR the way a customer's stack would:
 * a {@link WebAppContext} with annotations, JNDI and Jakarta WebSocket available, settings passed
 * as context init-parameters (the highest-priority configuration source).
 *
 * <p>Used by the command line, the demo, tests and benchmarks alike, so all of them exercise the
 * same deployment path. Start and stop are explicit; {@link #start()} throws when the WAR fails
 * to deploy (for example on an invalid configuration value) instead of serving 503s.
 */
public final class Host implements AutoCloseable {
    private final Builder config;
    private Server server;
    private ServerConnector connector;

    private Host(Builder builder) {
        this.config = builder;
    }

    public static Builder builder() {
        return new Builder();
    }

    public synchronized Host start() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(config.maxThreads, 8);
        threads.setName("xp2p-http");
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost(config.bindAddress);
        connector.setPort(config.port);
        connector.setIdleTimeout(config.idleTimeoutMillis);
        if (config.sendBufferSize > 0) {
            connector.setAcceptedSendBufferSize(config.sendBufferSize);
        }
        server.addConnector(connector);

        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath(config.contextPath);
        webapp.setWar(warPath().toString());
        webapp.setThrowUnavailableOnStartupException(true);
        webapp.setParentLoaderPriority(false);
        config.settings.forEach(webapp::setInitParameter);
        config.attributes.forEach(webapp::setAttribute);
        server.setHandler(webapp);
        server.setStopTimeout(5_000);
        // before the stop timeout starts: the plugin ends its viewers on a tag boundary (xp2p.relay.drainMillis)
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStopping(LifeCycle event) {
                if (webapp.getServletContext().getAttribute("xp2p.shutdown") instanceof Runnable drain) {
                    drain.run();
                }
            }
        });
        try {
            connector.open();   // bind first: a busy port fails before the WAR is deployed
            server.start();
        } catch (Exception e) {
            stop();
            throw e;
        }
        return this;
    }

    private Path warPath() {
        return resolveWar(config.war);
    }

    /**
     * The WAR to deploy: {@code explicit} when given, else the {@code xp2p.war} system property
     * (the build's tests), else the WAR embedded in this jar, extracted to a temp file.
     */
    public static Path resolveWar(Path explicit) {
        if (explicit != null) {
            return explicit;
        }
        String prop = System.getProperty("xp2p.war");
        if (prop != null && Files.isRegularFile(Path.of(prop))) {
            return Path.of(prop);
        }
        return extractEmbeddedWar();
    }

    /** The runnable jar carries the WAR as a resource; Jetty deploys it from a temp file. */
    private static Path extractEmbeddedWar() {
        try (InputStream in = Host.class.getResourceAsStream("/xp2p.war")) {
            if (in == null) {
                throw new IllegalStateException("no embedded xp2p.war on the classpath; pass --war FILE");
            }
            Path tmp = Files.createTempFile("xp2p-", ".war");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the embedded WAR", e);
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Base URI of the deployed context, without a trailing slash. */
    public URI baseUri() {
        String host = config.bindAddress.contains(":") ? "[" + config.bindAddress + "]" : config.bindAddress;
        String path = config.contextPath.equals("/") ? "" : config.contextPath;
        return URI.create("http://" + host + ":" + port() + path);
    }

    public Server server() {
        return server;
    }

    public synchronized void stop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    public void join() throws InterruptedException {
        Server s = server;
        if (s != null) {
            s.join();
        }
    }

    /** Host settings; every {@code xp2p.*} setting goes to the WAR unchanged. */
    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port = 0;
        private String contextPath = "/";
        private Path war;
        private int maxThreads = 200;
        private long idleTimeoutMillis = 30_000;
        private int sendBufferSize = -1;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        public Builder bind(String address) {
            this.bindAddress = Objects.requireNonNull(address);
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder contextPath(String path) {
            this.contextPath = path;
            return this;
        }

        public Builder war(Path war) {
            this.war = war;
            return this;
        }

        public Builder maxThreads(int threads) {
            this.maxThreads = threads;
            return this;
        }

        public Builder idleTimeoutMillis(long millis) {
            this.idleTimeoutMillis = millis;
            return this;
        }

        /** SO_SNDBUF of accepted connections; tests shrink it to make a slow viewer show fast. */
        public Builder sendBufferSize(int bytes) {
            this.sendBufferSize = bytes;
            return this;
        }

        public Builder setting(String key, Object value) {
            if (value != null) {
                settings.put(key, String.valueOf(value));
            }
            return this;
        }

        public Builder settings(Map<String, String> values) {
            settings.putAll(values);
            return this;
        }

        /** A servlet-context attribute, e.g. {@code xp2p.clock} with a test clock. */
        public Builder attribute(String name, Object value) {
            attributes.put(name, value);
            return this;
        }

        /** The settings passed to the WAR so far. */
        public Map<String, String> settings() {
            return Map.copyOf(settings);
        }

        public Host build() {
            return new Host(this);
        }
    }
}
