package org.xp2p.flv;

import java.nio.ByteBuffer;

/**
 * Prints the chunker's throughput on the demo fixture (not a test: run it when you want figures).
 * {@code mvn -q -o test-compile -pl plugin && java -cp plugin/target/classes:plugin/target/test-classes
 * org.xp2p.flv.FlvChunkerBenchmark [rounds]}. Input is fed in 16 KiB pieces, as from a socket.
 */
public final class FlvChunkerBenchmark {
    private FlvChunkerBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        byte[] flv = Fixtures.read(Fixtures.DEMO);
        long[] counts = new long[3];
        ChunkSink sink = new ChunkSink() {
            @Override
            public void initSegment(byte[] init) {
            }

            @Override
            public void chunkStart(long seq, boolean keyframe, long dtsMillis) {
                counts[0]++;
            }

            @Override
            public void tag(byte[] tag, int tagType, long timestampMillis) {
                counts[1]++;
                counts[2] += tag.length;
            }
        };
        for (int warm = 0; warm < Math.min(10, rounds); warm++) {
            run(flv, sink);
        }
        counts[0] = counts[1] = counts[2] = 0;
        long t0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            run(flv, sink);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double mediaSeconds = 10.0 * rounds;
        System.out.printf("chunked %d x %d bytes in %.3f s: %.1f MB/s in, %.0f tags/s, %.0f chunks/s,"
                        + " %.0fx real time for a %.1f Mbit/s stream (one core)%n",
                rounds, flv.length, seconds, rounds * (double) flv.length / seconds / 1e6, counts[1] / seconds,
                counts[0] / seconds, mediaSeconds / seconds, flv.length * 8 / 10.0 / 1e6);
    }

    private static void run(byte[] flv, ChunkSink sink) {
        FlvChunker c = new FlvChunker(ChunkerOptions.of(1, 0), sink);
        for (int off = 0; off < flv.length; off += 16 * 1024) {
            c.feed(ByteBuffer.wrap(flv, off, Math.min(16 * 1024, flv.length - off)));
        }
        c.end();
    }
}
