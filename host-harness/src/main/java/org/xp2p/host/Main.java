package org.xp2p.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar xp2p-host.jar}: the embedded host with the original server's flags
 * ({@code -u -k -p -t -d -v -h}). Every flag is only a shorthand for an {@code xp2p.*} key, so the
 * same settings work when the WAR runs in another container.
 *
 * <p>A bad invocation (flag, value, file, address, port) prints one line on standard error naming
 * it, what is wrong and what is allowed, and exits with {@link #EXIT_INVALID}; no stack trace
 * unless {@code -v}.
 */
@Command(name = "xp2p-host", mixinStandardHelpOptions = false, sortOptions = false,
        versionProvider = Main.Version.class,
        description = "Runs the xp2p plugin WAR in an embedded Jetty 12 server.",
        footer = {"", "Logs go to standard error; with -d DIR also to DIR/" + HostLogging.LOG_FILE
                + " (rotated to xp2p.1.log ... xp2p.4.log at 50 MB).",
                "Exit status: 0 after -h, --help or --version; 2 when an option, file, address, port or"
                + " configuration value is invalid or the host cannot start."})
public final class Main implements Callable<Integer> {
    /** Exit status of an invalid invocation or a failed startup. */
    public static final int EXIT_INVALID = 2;
    private static final Pattern DOTTED_NUMBERS = Pattern.compile("[0-9.]+");

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "print the version and exit")
    boolean version;

    @Option(names = "-u", paramLabel = "URL", description = "origin (pull source) base URL(s), comma-separated for failover  [xp2p.origin]")
    String origin;

    @Option(names = "-k", paramLabel = "URL", description = "key lookup base URL, e.g. http://10.0.0.5:10030/code/; default: the plugin's own key store  [xp2p.keyBase]")
    String keyBase;

    @Option(names = "-p", paramLabel = "PORT", description = "listen port, 0 to 65535, 0 = any free port (default ${DEFAULT-VALUE})")
    int port = 16080;

    @Option(names = "-t", paramLabel = "SECONDS", description = "idle delay before an origin pull is dropped, 0 to 86400 (default 10)  [xp2p.idleSeconds]")
    Integer idleSeconds;

    @Option(names = "-d", paramLabel = "DIR", description = "log directory: the host writes DIR/" + HostLogging.LOG_FILE
            + " (rotating, " + HostLogging.LOG_FILES + " files); without -d it logs to standard error only")
    Path logDir;

    @Option(names = "-v", description = "verbose: debug logging for org.xp2p, stack traces on errors")
    boolean verbose;

    @Option(names = "--host", paramLabel = "ADDR", description = "bind address, an address of this machine (default ${DEFAULT-VALUE})")
    String bind = "127.0.0.1";

    @Option(names = "--data", paramLabel = "DIR", description = "data directory (embedded database etc.; default ./xp2p-data)  [xp2p.data]")
    Path data;

    @Option(names = "--config", paramLabel = "FILE", description = "properties file with xp2p.* keys  [xp2p.config]")
    Path configFile;

    @Option(names = "--war", paramLabel = "FILE", description = "deploy this WAR instead of the embedded one")
    Path war;
    private Path resolvedWar;

    @Option(names = "--context", paramLabel = "PATH", description = "context path (default ${DEFAULT-VALUE})")
    String contextPath = "/";

    @Option(names = "--demo", description = "serve a built-in demo origin (a looping fixture) and point xp2p.origin at it")
    boolean demo;

    public static void main(String[] args) {
        int code = commandLine(new Main(), System.err).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * The command line with this host's error handling: a parse error or an exception out of
     * {@link #call()} becomes one line on {@code err} and exit status {@link #EXIT_INVALID}.
     */
    static CommandLine commandLine(Main main, PrintStream err) {
        CommandLine cli = new CommandLine(main);
        cli.setParameterExceptionHandler((e, args) -> {
            // a value picocli could not convert (-p abc): say what the option allows, from its help text
            String allowed = e.getArgSpec() instanceof CommandLine.Model.OptionSpec o && o.description().length > 0
                    ? "; allowed: " + o.description()[0].replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValue()))
                    : "";
            err.println("xp2p-host: " + oneLine(e.getMessage()) + allowed + " (see --help)");
            return EXIT_INVALID;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (main.verbose) {
                e.printStackTrace(err);
            }
            String message = e instanceof InvalidInvocation ? e.getMessage() : "cannot start: " + rootMessage(e);
            err.println("xp2p-host: " + oneLine(message));
            return EXIT_INVALID;
        });
        return cli;
    }

    /** A flag, file, address or port that cannot be used; the message names it and what is allowed. */
    static final class InvalidInvocation extends Exception {
        InvalidInvocation(String message, Throwable cause) {
            super(message, cause);
        }

        InvalidInvocation(String message) {
            super(message);
        }
    }

    /** The host these flags describe: each flag becomes its {@code xp2p.*} key. */
    Host.Builder hostBuilder() {
        return Host.builder().bind(bind).port(port).contextPath(contextPath).war(war == null ? resolvedWar : war)
                .setting("xp2p.origin", origin)
                .setting("xp2p.keyBase", keyBase)
                .setting("xp2p.idleSeconds", idleSeconds)
                .setting("xp2p.data", data == null ? null : data.toAbsolutePath())
                .setting("xp2p.config", configFile == null ? null : configFile.toAbsolutePath());
    }

    /** Checks every flag that can be checked before Jetty starts. */
    void validate() throws InvalidInvocation {
        if (port < 0 || port > 65_535) {
            throw new InvalidInvocation("-p " + port + ": not a port; must be a whole number from 0 to 65535 (0 = any free port)");
        }
        if (idleSeconds != null && (idleSeconds < 0 || idleSeconds > 86_400)) {
            throw new InvalidInvocation("-t " + idleSeconds + ": must be a whole number of seconds from 0 to 86400"
                    + " (xp2p.idleSeconds)");
        }
        readableFile("--config", configFile, "a readable properties file with xp2p.* keys");
        readableFile("--war", war, "a readable .war file");
        if (origin != null) {
            for (String url : origin.split(",")) {
                if (!url.isBlank()) {
                    httpUrl("-u", "xp2p.origin", url.trim());
                }
            }
        }
        if (keyBase != null) {
            httpUrl("-k", "xp2p.keyBase", keyBase.trim());
        }
        if (contextPath == null || !contextPath.startsWith("/")) {
            throw new InvalidInvocation("--context " + contextPath + ": must start with / (e.g. / or /xp2p)");
        }
        bindAddress(bind);
    }

    private void httpUrl(String flag, String key, String value) throws InvalidInvocation {
        Optional<String> problem = new PluginRules(warFile()).httpUrlProblem(key, value);
        if (problem.isPresent()) {
            throw new InvalidInvocation(flag + " " + value + ": " + problem.get() + " (" + key + ")");
        }
    }

    /** The WAR to deploy, resolved once (the embedded one is extracted to a temp file). */
    Path warFile() {
        if (resolvedWar == null) {
            resolvedWar = Host.resolveWar(war);
        }
        return resolvedWar;
    }

    private static void readableFile(String flag, Path file, String allowed) throws InvalidInvocation {
        if (file == null) {
            return;
        }
        String what = !Files.exists(file) ? "no such file" : !Files.isRegularFile(file) ? "not a file"
                : !Files.isReadable(file) ? "not readable" : null;
        if (what != null) {
            throw new InvalidInvocation(flag + " " + file + ": " + what + "; must be " + allowed);
        }
    }

    /** The bind address: an IP literal or a name of this machine; no DNS lookup for dotted numbers. */
    static InetAddress bindAddress(String value) throws InvalidInvocation {
        String allowed = "must be an IP address or host name of this machine, e.g. 127.0.0.1, 0.0.0.0 or ::";
        if (value == null || value.isBlank()) {
            throw new InvalidInvocation("--host: empty; " + allowed);
        }
        if (DOTTED_NUMBERS.matcher(value).matches() && !isIpv4(value)) {
            throw new InvalidInvocation("--host " + value + ": not an IPv4 address (four numbers 0 to 255); " + allowed);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(value);
        } catch (UnknownHostException e) {
            throw new InvalidInvocation("--host " + value + ": unknown host; " + allowed);
        }
        boolean local;
        try {
            local = address.isAnyLocalAddress() || address.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            local = true;   // cannot tell: let the bind decide
        }
        if (!local) {
            throw new InvalidInvocation("--host " + value + ": " + address.getHostAddress()
                    + " is not an address of this machine; " + allowed);
        }
        return address;
    }

    private static boolean isIpv4(String value) {
        String[] parts = value.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        try {
            HostLogging.configure(logDir, verbose);
        } catch (HostLogging.LogDirException e) {
            throw new InvalidInvocation("-d " + logDir + ": " + e.getMessage() + "; must be a directory the host can write", e);
        }
        Host.Builder builder = hostBuilder();
        AutoCloseable demoOrigin = null;
        Host host = null;
        try {
            demoOrigin = demo ? Demo.start(builder) : null;
            host = builder.build();
            host.start();
        } catch (Exception e) {
            HostLogging.startupFailed();
            if (demoOrigin != null) {
                demoOrigin.close();
            }
            throw startFailure(e);
        }
        HostLogging.startupDone();
        System.out.println("xp2p-host listening on " + host.baseUri());
        Host running = host;
        AutoCloseable origin = demoOrigin;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.stop();
                if (origin != null) {
                    origin.close();
                }
            } catch (Exception ignored) {
                // shutting down anyway
            }
        }, "xp2p-shutdown"));
        host.join();
        return 0;
    }

    /** A startup failure as one line; a port that cannot be bound names the address and port. */
    private Exception startFailure(Exception e) {
        String where = (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + port;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BindException) {
                String reason = String.valueOf(t.getMessage());
                if (reason.toLowerCase(java.util.Locale.ROOT).contains("in use")) {
                    return new InvalidInvocation("cannot listen on " + where + " (--host " + bind + " -p " + port
                            + "): address already in use; stop the process that listens there or choose another -p", e);
                }
                return new InvalidInvocation("cannot listen on " + where + " (--host " + bind + " -p " + port + "): "
                        + reason + "; --host must be an address of this machine, -p a free port (0 = any)", e);
            }
        }
        return e;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    /** {@code --version}: the project version Maven wrote into the plugin's xp2p-version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        static final String RESOURCE = "/org/xp2p/xp2p-version.properties";

        @Override
        public String[] getVersion() {
            return new String[] {"xp2p-host " + projectVersion()};
        }

        static String projectVersion() {
            try (InputStream in = Main.class.getResourceAsStream(RESOURCE)) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version");
                    if (v != null && !v.isBlank() && !v.startsWith("${")) {
                        return v.trim();
                    }
                }
            } catch (IOException e) {
                // fall through
            }
            return "unknown (no " + RESOURCE + " on the class path)";
        }
    }
}
