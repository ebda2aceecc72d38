package org.xp2p.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The figures of one server's swarm signalling run, filled in as {@link SwarmBench} (xp2p) or
 * {@link TrackerBench} (the WebTorrent tracker) measure them, so both runs of the same command can
 * be printed side by side. A figure that was not measured stays NaN and prints as "-".
 */
final class TrackerBenchFigures {
    final String server;
    double joinAllSeconds = Double.NaN;
    long relayExpected;
    long relayDelivered;
    double relaySeconds = Double.NaN;
    double serverCpuMicrosPerMsg = Double.NaN;
    double joinP50Ms = Double.NaN;
    double joinP99Ms = Double.NaN;
    double rejoinP50Ms = Double.NaN;
    double rejoinP99Ms = Double.NaN;
    /** Java: heap used after GC in the server JVM. Node: V8 heap used after gc(). */
    double heapKiBPerPeer = Double.NaN;
    /** Resident set of the server process (node only: the JVM's RSS is mostly its reserved heap). */
    double rssKiBPerPeer = Double.NaN;

    TrackerBenchFigures(String server) {
        this.server = server;
    }

    double relayedPerSecond() {
        return relayDelivered / relaySeconds;
    }

    /** p50 and p99 in ms of the peers' latest join, with the same rank rule for both servers. */
    static double[] percentilesMs(long[] nanos) {
        long[] lat = nanos.clone();
        Arrays.sort(lat);
        return new double[] {lat[lat.length / 2] / 1e6,
                lat[(int) Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)] / 1e6};
    }

    /** Prints a Markdown table with one column per server. */
    static void printSideBySide(PrintStream out, int peers, int concurrency, List<TrackerBenchFigures> runs) {
        out.println();
        out.printf("side by side, %,d peers (rooms / swarms of the same size, %d joins in flight):%n", peers, concurrency);
        StringBuilder head = new StringBuilder("| |");
        StringBuilder rule = new StringBuilder("|---|");
        for (TrackerBenchFigures f : runs) {
            head.append(' ').append(f.server).append(" |");
            rule.append("---|");
        }
        out.println(head);
        out.println(rule);
        row(out, runs, "connect + join all", f -> fmt("%.1f s", f.joinAllSeconds));
        row(out, runs, "relayed offers (delivered / sent)", f -> f.relayExpected == 0 ? "-"
                : String.format("%,d / %,d in %.2f s", f.relayDelivered, f.relayExpected, f.relaySeconds));
        row(out, runs, "relayed msgs/s", f -> fmt("%,.0f", f.relayedPerSecond()));
        row(out, runs, "server CPU per relayed msg", f -> fmt("%.1f us", f.serverCpuMicrosPerMsg));
        row(out, runs, "join p50 / p99 (cold, connect storm)", f -> fmt("%.2f", f.joinP50Ms) + " / " + fmt("%.2f ms", f.joinP99Ms));
        row(out, runs, "rejoin p50 / p99 (warm)", f -> fmt("%.2f", f.rejoinP50Ms) + " / " + fmt("%.2f ms", f.rejoinP99Ms));
        row(out, runs, "server heap per peer after GC (JVM heap / V8 heap)", f -> fmt("%.1f KiB", f.heapKiBPerPeer));
        row(out, runs, "server process RSS per peer", f -> fmt("%.1f KiB", f.rssKiBPerPeer));
    }

    private static void row(PrintStream out, List<TrackerBenchFigures> runs, String name, Function<TrackerBenchFigures, String> cell) {
        StringBuilder line = new StringBuilder("| ").append(name).append(" |");
        for (TrackerBenchFigures f : runs) {
            line.append(' ').append(cell.apply(f)).append(" |");
        }
        out.println(line);
    }

    private static String fmt(String format, double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" : String.format(format, value);
    }
}
