package org.xp2p.host;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The plugin's own setting rules, asked of the WAR this host is about to deploy.
 *
 * <p>Why not call the plugin's classes directly: the runnable jar carries the plugin once, as the
 * embedded WAR, so its classes are not on the host's class path. Loading the few rule classes
 * from the WAR's {@code WEB-INF/classes} keeps one definition of each rule (the flags {@code -u}
 * and {@code -k} are checked exactly as the plugin will check {@code xp2p.origin} and
 * {@code xp2p.keyBase}) and checks them against the very WAR given with {@code --war}.
 */
final class PluginRules {
    private static final String SETTINGS = "org.xp2p.config.Settings";

    private final Path war;

    PluginRules(Path war) {
        this.war = war;
    }

    /**
     * What is wrong with {@code value} as the http(s) URL setting {@code key}, in the plugin's
     * words ("must be an absolute http:// or https:// URL ..."), or empty when it is accepted.
     */
    Optional<String> httpUrlProblem(String key, String value) {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classesOf(war)}, PluginRules.class.getClassLoader())) {
            Method parse = loader.loadClass(SETTINGS).getMethod("parseHttpUrl", String.class, String.class);
            try {
                parse.invoke(null, key, value);
                return Optional.empty();
            } catch (InvocationTargetException e) {
                Throwable refusal = e.getCause();
                // ConfigException.allowed(): what the key accepts, without the key and value again
                return Optional.of(String.valueOf(refusal.getClass().getMethod("allowed").invoke(refusal)));
            }
        } catch (ReflectiveOperationException | java.io.IOException e) {
            throw new IllegalStateException(war + " does not look like an xp2p WAR (no " + SETTINGS + "): " + e, e);
        }
    }

    /** The WAR's own classes directory, read in place (no extraction). */
    private static URL classesOf(Path war) throws MalformedURLException {
        return new URL("jar:" + war.toUri() + "!/WEB-INF/classes/");
    }
}
