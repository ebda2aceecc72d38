package org.xp2p.affinity;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Rendezvous (highest-random-weight) hashing: each member gets a pseudo-random weight for the key
 * and the heaviest wins. Why this one: it needs no ring or virtual nodes, it is balanced by
 * construction, and when a member joins or leaves only the keys it wins or held move (about 1/N),
 * which is exactly the number of streams that must be re-pulled elsewhere.
 *
 * <p>The weight is a 64-bit FNV-1a hash of each string finished with the MurmurHash3 64-bit
 * finaliser (good avalanche), combined as {@code fmix(fmix(key) ^ fmix(node))}. Because the
 * finaliser is a bijection, two distinct node hashes never tie for the same key.
 */
public final class RendezvousChoice implements OwnerChoice {

    @Override
    public Optional<ClusterNode> owner(String key, List<ClusterNode> members) {
        long keyHash = hash(key);
        ClusterNode best = null;
        long bestWeight = 0;
        for (ClusterNode node : members) {
            long weight = fmix64(keyHash ^ hash(node.id()));
            // unsigned comparison; ties (only possible for equal node ids) go to the smaller id
            if (best == null || Long.compareUnsigned(weight, bestWeight) > 0
                    || (weight == bestWeight && node.id().compareTo(best.id()) < 0)) {
                best = node;
                bestWeight = weight;
            }
        }
        return Optional.ofNullable(best);
    }

    /** 64-bit hash of the UTF-8 bytes of {@code s}. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return fmix64(h);
    }

    /** MurmurHash3's 64-bit finaliser: a bijective mix where every input bit affects every output bit. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
