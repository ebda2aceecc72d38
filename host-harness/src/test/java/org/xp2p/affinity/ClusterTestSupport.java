package org.xp2p.affinity;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.xp2p.host.Host;

/** Shared helpers of the cluster tests: ports, hosts, plain HTTP without following redirects. */
final class ClusterTestSupport {
    static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private ClusterTestSupport() {
    }

    /** Free loopback ports, known before the hosts start because every node must list all of them. */
    static List<Integer> freePorts(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            List<Integer> ports = new ArrayList<>();
            for (ServerSocket s : sockets) {
                ports.add(s.getLocalPort());
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    static String base(int port) {
        return "http://127.0.0.1:" + port;
    }

    static Host startHost(int port, Path data, Map<String, String> settings, Map<String, Object> attributes)
            throws Exception {
        Files.createDirectories(data);
        Host.Builder b = Host.builder().port(port).setting("xp2p.data", data.toString()).settings(settings);
        attributes.forEach(b::attribute);
        return b.build().start();
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Status and headers of a GET whose body may be endless (a live stream): the caller closes the body. */
    static HttpResponse<java.io.InputStream> open(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    static void applySchema(DataSource ds, String dialect) throws IOException, SQLException {
        Path script = Path.of(System.getProperty("user.dir")).getParent()
                .resolve("sql").resolve(dialect).resolve("V2__cluster_nodes.sql");
        if (!Files.exists(script)) {
            script = Path.of("sql", dialect, "V2__cluster_nodes.sql");
        }
        String sql = Files.readString(script);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The real data source, except that getConnection fails while {@code cut} is set (a lost database). */
    static DataSource severable(DataSource real, AtomicBoolean cut) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && cut.get()) {
                        throw new SQLException("connection refused (database cut off by the test)");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
