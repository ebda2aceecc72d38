package org.xp2p.affinity;

import java.net.URI;
import java.util.Locale;
import org.xp2p.config.Settings;

/**
 * One member of the cluster, identified by its public base URL (scheme, host, port and context
 * path, no trailing slash). The id is what every node hashes, so all nodes must spell a member the
 * same way: {@link #parse} normalises case and the trailing slash so that small spelling
 * differences in configuration do not split the cluster's view of who owns a stream.
 *
 * @param id      the normalised base URL, e.g. {@code http://10.0.0.5:8080/xp2p}
 * @param baseUrl the same as a URI; redirects and proxied requests go to {@code baseUrl + path}
 */
public record ClusterNode(String id, URI baseUrl) {

    /** Parses and normalises one public base URL read from configuration key {@code key}. */
    public static ClusterNode parse(String key, String value) {
        URI uri = Settings.parseHttpUrl(key, value.trim());
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String authority = uri.getRawAuthority().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String id = scheme + "://" + authority + path;
        return new ClusterNode(id, URI.create(id));
    }

    /**
     * The name nginx gives this node in {@code hash ... consistent}: the {@code server} address as
     * written in the upstream block, i.e. {@code host:port} of the base URL.
     */
    public String upstreamName() {
        return baseUrl.getRawAuthority();
    }

    /** The absolute URL of {@code rawPath} (inside the context) plus an optional raw query on this node. */
    public String urlFor(String rawPath, String rawQuery) {
        return id + rawPath + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
    }

    @Override
    public String toString() {
        return id;
    }
}
