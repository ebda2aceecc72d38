package org.xp2p.store;

import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the versioned schema scripts {@code <base>/<dialect>/V<n>__<name>.sql} on the class path.
 *
 * <p>Scripts are found by listing, not by an index file, so that a feature adds its table by adding
 * one file per dialect (e.g. {@code V2__cluster_nodes.sql}) and nothing else. In a container the
 * webapp's own listing ({@link ServletContext#getResourcePaths}) is used, which works for packed
 * and unpacked WARs alike; outside one (tests, tools) class-path directories and jars are listed.
 */
public final class SchemaScripts {
    /** Where plugin/pom.xml copies the repository's {@code sql/} directory. */
    public static final String DEFAULT_BASE = "xp2p/sql";

    private static final Pattern NAME = Pattern.compile("V([0-9]{1,9})__([A-Za-z0-9_]+)\\.sql");

    private final String base;
    private final ServletContext ctx;
    private final ClassLoader loader;

    private SchemaScripts(String base, ServletContext ctx, ClassLoader loader) {
        this.base = base;
        this.ctx = ctx;
        this.loader = loader;
    }

    /** The plugin's scripts, listed through the webapp when there is one. */
    public static SchemaScripts inWebapp(ServletContext ctx) {
        return new SchemaScripts(DEFAULT_BASE, ctx, SchemaScripts.class.getClassLoader());
    }

    /** Scripts under another class-path base (tests use fixtures). */
    public static SchemaScripts onClassPath(String base, ClassLoader loader) {
        return new SchemaScripts(base, null, loader);
    }

    /** The dialect's scripts in ascending version order; two scripts with one version are an error. */
    public List<SchemaScript> list(String dialect) {
        String dir = base + "/" + dialect + "/";
        Set<String> names = new TreeSet<>();
        if (ctx != null) {
            Set<String> paths = ctx.getResourcePaths("/WEB-INF/classes/" + dir);
            if (paths != null) {
                for (String p : paths) {
                    names.add(p.substring(p.lastIndexOf('/', p.length() - 2) + 1));
                }
            }
        }
        if (names.isEmpty()) {
            names.addAll(classPathListing(dir));
        }
        List<SchemaScript> scripts = new ArrayList<>();
        for (String name : names) {
            if (name.endsWith("/")) {
                continue;
            }
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                throw new IllegalStateException("xp2p schema: script " + dir + name
                        + " is not named V<version>__<name>.sql; rename it");
            }
            scripts.add(new SchemaScript(Integer.parseInt(m.group(1)), m.group(2), dir + name));
        }
        scripts.sort(null);
        for (int i = 1; i < scripts.size(); i++) {
            if (scripts.get(i).version() == scripts.get(i - 1).version()) {
                throw new IllegalStateException("xp2p schema: two scripts for version " + scripts.get(i).version()
                        + ": " + scripts.get(i - 1).resource() + " and " + scripts.get(i).resource());
            }
        }
        if (scripts.isEmpty()) {
            throw new IllegalStateException("xp2p schema: no scripts found under " + dir
                    + "; the WAR is incomplete");
        }
        return scripts;
    }

    /** The script's text (UTF-8). */
    public String read(SchemaScript script) {
        try (InputStream in = loader.getResourceAsStream(script.resource())) {
            if (in == null) {
                throw new IllegalStateException("xp2p schema: cannot read " + script.resource());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("xp2p schema: cannot read " + script.resource(), e);
        }
    }

    private Set<String> classPathListing(String dir) {
        Set<String> names = new TreeSet<>();
        try {
            for (URL url : Collections.list(loader.getResources(dir))) {
                switch (url.getProtocol()) {
                    case "file" -> {
                        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                            files.forEach(p -> names.add(p.getFileName().toString()));
                        }
                    }
                    case "jar" -> {
                        JarURLConnection conn = (JarURLConnection) url.openConnection();
                        conn.setUseCaches(false);
                        try (JarFile jar = conn.getJarFile()) {
                            jar.stream().map(e -> e.getName())
                                    .filter(n -> n.startsWith(dir) && n.length() > dir.length()
                                            && n.indexOf('/', dir.length()) < 0)
                                    .forEach(n -> names.add(n.substring(dir.length())));
                        }
                    }
                    default -> throw new IllegalStateException("xp2p schema: cannot list scripts at " + url);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("xp2p schema: cannot list " + dir, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("xp2p schema: cannot list " + dir, e);
        }
        return names;
    }

    /** One script: its version, its name part, and its class-path resource. */
    public record SchemaScript(int version, String description, String resource) implements Comparable<SchemaScript> {
        @Override
        public int compareTo(SchemaScript o) {
            return Integer.compare(version, o.version);
        }
    }
}
