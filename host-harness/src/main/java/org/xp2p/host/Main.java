package org.xp2p.host;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar xp2p-host.jar}: the embedded host with the original server's flags
 * ({@code -u -k -p -t -d -v -h}). Every flag is only a shorthand for an {@code xp2p.*} key, so the
 * same settings work when the WAR runs in another container.
 */
@Command(name = "xp2p-host", mixinStandardHelpOptions = false, sortOptions = false,
        description = "Runs the xp2p plugin WAR in an embedded Jetty 12 server.")
public final class Main implements Callable<Integer> {
    @Option(names = "-h", usageHelp = true, description = "show this help and exit")
    boolean help;

    @Option(names = "-u", paramLabel = "URL", description = "origin (pull source) base URL(s), comma-separated for failover  [xp2p.origin]")
    String origin;

    @Option(names = "-k", paramLabel = "URL", description = "key lookup base URL, e.g. http://10.0.0.5:10030/code/; default: the plugin's own key store  [xp2p.keyBase]")
    String keyBase;

    @Option(names = "-p", paramLabel = "PORT", description = "listen port (default ${DEFAULT-VALUE})")
    int port = 16080;

    @Option(names = "-t", paramLabel = "SECONDS", description = "idle delay before an origin pull is dropped  [xp2p.idleSeconds]")
    Integer idleSeconds;

    @Option(names = "-d", paramLabel = "DIR", description = "log directory (a rotating xp2p.log is written there)")
    Path logDir;

    @Option(names = "-v", description = "verbose logging")
    boolean verbose;

    @Option(names = "--host", paramLabel = "ADDR", description = "bind address (default ${DEFAULT-VALUE})")
    String bind = "127.0.0.1";

    @Option(names = "--data", paramLabel = "DIR", description = "data directory (embedded database etc.)  [xp2p.data]")
    Path data;

    @Option(names = "--config", paramLabel = "FILE", description = "properties file with xp2p.* keys  [xp2p.config]")
    Path configFile;

    @Option(names = "--war", paramLabel = "FILE", description = "deploy this WAR instead of the embedded one")
    Path war;

    @Option(names = "--context", paramLabel = "PATH", description = "context path (default ${DEFAULT-VALUE})")
    String contextPath = "/";

    @Option(names = "--demo", description = "serve a built-in demo origin (a looping fixture) and point xp2p.origin at it")
    boolean demo;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The host these flags describe: each flag becomes its {@code xp2p.*} key. */
    Host.Builder hostBuilder() {
        return Host.builder().bind(bind).port(port).contextPath(contextPath).war(war)
                .setting("xp2p.origin", origin)
                .setting("xp2p.keyBase", keyBase)
                .setting("xp2p.idleSeconds", idleSeconds)
                .setting("xp2p.data", data == null ? null : data.toAbsolutePath())
                .setting("xp2p.config", configFile == null ? null : configFile.toAbsolutePath());
    }

    @Override
    public Integer call() throws Exception {
        HostLogging.configure(logDir, verbose);
        Host.Builder builder = hostBuilder();
        AutoCloseable demoOrigin = demo ? Demo.start(builder) : null;
        Host host = builder.build();
        try {
            host.start();
        } catch (Exception e) {
            System.err.println("xp2p-host: cannot start: " + rootMessage(e));
            if (demoOrigin != null) {
                demoOrigin.close();
            }
            return 2;
        }
        System.out.println("xp2p-host listening on " + host.baseUri());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                host.stop();
                if (demoOrigin != null) {
                    demoOrigin.close();
                }
            } catch (Exception ignored) {
                // shutting down anyway
            }
        }, "xp2p-shutdown"));
        host.join();
        return 0;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
