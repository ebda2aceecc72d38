package org.xp2p.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Logging for the host. Jetty and the WAR both log through SLF4J to java.util.logging (the WAR
 * carries slf4j-jdk14 so that it logs in any container), so configuring JUL here catches every
 * line: console always, a rotating file under {@code -d DIR}, DEBUG for {@code -v}.
 */
final class HostLogging {
    private HostLogging() {
    }

    static void configure(Path logDir, boolean verbose) {
        System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1$tF %1$tT.%1$tL %4$-7s [%3$s] %5$s%6$s%n");
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Level level = verbose ? Level.FINE : Level.INFO;
        root.setLevel(Level.INFO);
        Logger.getLogger("org.xp2p").setLevel(level);
        Handler console = new ConsoleHandler();
        console.setLevel(level);
        console.setFormatter(new SimpleFormatter());
        root.addHandler(console);
        if (logDir != null) {
            try {
                Files.createDirectories(logDir);
                FileHandler file = new FileHandler(logDir.resolve("xp2p.%g.log").toString(), 50_000_000, 5, true);
                file.setLevel(level);
                file.setFormatter(new SimpleFormatter());
                root.addHandler(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write logs to " + logDir, e);
            }
        }
    }
}
