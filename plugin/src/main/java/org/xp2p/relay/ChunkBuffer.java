package org.xp2p.relay;

/**
 * The buffer one open chunk is written into, tag after tag, by the origin thread.
 *
 * <p>Why one buffer per chunk: the serialized tags are copied here once, and from then on every
 * viewer, joiner snapshot and chunk answer shares slices of this array. Bytes once written never
 * change; when the array is full a larger one is allocated and the chunk so far copied over, so
 * slices already handed out stay valid in the old array and the closed chunk still lies in one
 * array. The first capacity comes from the previous chunk's size, so growing is rare.
 *
 * <p>Not thread-safe: one writer. Readers only see bytes through published segments.
 */
final class ChunkBuffer {
    static final int MIN_CAPACITY = 16 * 1024;
    private byte[] array;
    private int size;

    ChunkBuffer(int expectedSize) {
        array = new byte[Math.max(MIN_CAPACITY, expectedSize)];
    }

    /** Appends {@code bytes}; returns the offset where they start in {@link #array()}. */
    int append(byte[] bytes) {
        if (size + bytes.length > array.length) {
            byte[] bigger = new byte[Math.max(array.length * 2, size + bytes.length)];
            System.arraycopy(array, 0, bigger, 0, size);
            array = bigger;
        }
        System.arraycopy(bytes, 0, array, size, bytes.length);
        int at = size;
        size += bytes.length;
        return at;
    }

    /** The current array; it changes when the buffer grows. */
    byte[] array() {
        return array;
    }

    int size() {
        return size;
    }
}
