package org.xp2p.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Logging for the host. Jetty and the WAR both log through SLF4J to java.util.logging (the WAR
 * carries slf4j-jdk14 so that it logs in any container), so configuring JUL here catches every
 * line: the console (standard error) always, a rotating file under {@code -d DIR}, DEBUG (JUL
 * FINE) for {@code org.xp2p} with {@code -v}.
 *
 * <p>Without {@code -v} the console holds its lines until startup ends: they are printed once the
 * host listens, and dropped when startup fails, so that a bad invocation prints only the one line
 * {@link Main} writes (the log file, if any, still gets everything, stack traces included).
 */
final class HostLogging {
    /** The file the host writes under {@code -d DIR}; JUL rotates it to xp2p.1.log ... xp2p.4.log. */
    static final String LOG_FILE = "xp2p.0.log";
    static final int LOG_FILES = 5;
    static final int LOG_FILE_BYTES = 50_000_000;

    /** A strong reference: JUL keeps loggers weakly, and a collected one forgets its level. */
    private static final Logger XP2P = Logger.getLogger("org.xp2p");
    private static HeldConsole console;

    private HostLogging() {
    }

    /** Thrown when {@code -d DIR} cannot be written. */
    static final class LogDirException extends Exception {
        LogDirException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static void configure(Path logDir, boolean verbose) throws LogDirException {
        System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1$tF %1$tT.%1$tL %4$-7s [%3$s] %5$s%6$s%n");
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Level level = verbose ? Level.FINE : Level.INFO;
        root.setLevel(Level.INFO);
        XP2P.setLevel(level);
        ConsoleHandler out = new ConsoleHandler();
        out.setLevel(level);
        out.setFormatter(new SimpleFormatter());
        console = new HeldConsole(out, !verbose);
        console.setLevel(level);
        root.addHandler(console);
        if (logDir != null) {
            try {
                Files.createDirectories(logDir);
                FileHandler file = new FileHandler(logDir.resolve("xp2p.%g.log").toString(), LOG_FILE_BYTES, LOG_FILES, true);
                file.setLevel(level);
                file.setFormatter(new SimpleFormatter());
                root.addHandler(file);
            } catch (IOException | RuntimeException e) {
                console.release();
                throw new LogDirException("cannot write " + logDir.resolve(LOG_FILE) + " (" + Main.rootMessage(e) + ")", e);
            }
        }
    }

    /** Startup succeeded: print the held console lines and stop holding. */
    static void startupDone() {
        if (console != null) {
            console.release();
        }
    }

    /** Startup failed: drop the held console lines (they are in the log file, if any). */
    static void startupFailed() {
        if (console != null) {
            console.discard();
        }
    }

    /** A console handler that may hold records until startup ends. */
    private static final class HeldConsole extends Handler {
        private final Handler out;
        private List<LogRecord> held;

        HeldConsole(Handler out, boolean hold) {
            this.out = out;
            this.held = hold ? new ArrayList<>() : null;
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            synchronized (this) {
                if (held != null) {
                    held.add(record);
                    return;
                }
            }
            out.publish(record);
        }

        synchronized void release() {
            List<LogRecord> records = held;
            held = null;
            if (records != null) {
                records.forEach(out::publish);
                out.flush();
            }
        }

        synchronized void discard() {
            held = null;
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.close();
        }
    }
}
