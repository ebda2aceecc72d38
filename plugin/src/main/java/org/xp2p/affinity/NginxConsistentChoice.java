package org.xp2p.affinity;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The owner that nginx's {@code hash $key consistent;} would pick, so that an nginx access layer
 * and the plugin agree and a request routed by nginx is never redirected.
 *
 * <p>nginx builds a ketama ring: for each upstream server named {@code host:port} it places 160
 * points (weight 1) whose hashes are CRC32 of {@code host, 0x00, port, previous point hash
 * (4 bytes little-endian, starting at 0)}; a key maps to the first point whose hash is greater than
 * or equal to CRC32 of the key, wrapping around; among equal point hashes the first one after
 * sorting wins. Members are named by {@link ClusterNode#upstreamName()}, so the upstream
 * {@code server} lines must be written exactly as the authority of each node's base URL.
 *
 * <p>The ring is rebuilt only when the member list changes (a one-entry cache), so a lookup is a
 * CRC32 and a binary search.
 */
public final class NginxConsistentChoice implements OwnerChoice {
    static final int POINTS_PER_SERVER = 160;

    private record Ring(List<ClusterNode> members, long[] hashes, ClusterNode[] servers) {
    }

    private volatile Ring ring = new Ring(List.of(), new long[0], new ClusterNode[0]);

    @Override
    public Optional<ClusterNode> owner(String key, List<ClusterNode> members) {
        if (members.isEmpty()) {
            return Optional.empty();
        }
        Ring r = ring;
        if (!r.members().equals(members)) {
            r = build(members);
            ring = r;
        }
        long hash = crc32(key.getBytes(StandardCharsets.UTF_8));
        int i = firstAtLeast(r.hashes(), hash);
        return Optional.of(r.servers()[i % r.hashes().length]);
    }

    private static int firstAtLeast(long[] hashes, long hash) {
        int lo = 0;
        int hi = hashes.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (hashes[mid] < hash) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static Ring build(List<ClusterNode> members) {
        int n = members.size() * POINTS_PER_SERVER;
        long[][] points = new long[n][];
        int p = 0;
        for (int s = 0; s < members.size(); s++) {
            String name = members.get(s).upstreamName();
            int colon = name.lastIndexOf(':');
            byte[] host = (colon < 0 ? name : name.substring(0, colon)).getBytes(StandardCharsets.UTF_8);
            byte[] port = (colon < 0 ? "" : name.substring(colon + 1)).getBytes(StandardCharsets.UTF_8);
            long prev = 0;
            for (int j = 0; j < POINTS_PER_SERVER; j++) {
                CRC32 crc = new CRC32();
                crc.update(host);
                crc.update(0);
                crc.update(port);
                crc.update(new byte[] {(byte) prev, (byte) (prev >>> 8), (byte) (prev >>> 16), (byte) (prev >>> 24)});
                prev = crc.getValue();
                points[p++] = new long[] {prev, s};
            }
        }
        // nginx sorts by hash only (qsort, not stable); the member order breaks ties here, which
        // only matters for a 1-in-2^32 collision
        Arrays.sort(points, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long[] hashes = new long[n];
        ClusterNode[] servers = new ClusterNode[n];
        int unique = 0;
        for (long[] point : points) {
            if (unique > 0 && hashes[unique - 1] == point[0]) {
                continue;
            }
            hashes[unique] = point[0];
            servers[unique] = members.get((int) point[1]);
            unique++;
        }
        return new Ring(List.copyOf(members), Arrays.copyOf(hashes, unique), Arrays.copyOf(servers, unique));
    }

    private static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
