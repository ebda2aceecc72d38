package org.xp2p.bench.sim;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Prints the variants side by side (one Markdown table, rows = figures) and the targets
 * with a verdict for each, so a run's output can go into docs/benchmarks.md as it is.
 */
final class SimReport {
    private final PrintStream out;
    private final Scenario scenario;
    private final List<Figures> runs;
    private final int maxDepth;
    private final double silenceMs;

    SimReport(PrintStream out, Scenario scenario, List<Figures> runs, int maxDepth, double silenceMs) {
        this.silenceMs = silenceMs;
        this.out = out;
        this.scenario = scenario;
        this.runs = runs;
        this.maxDepth = maxDepth;
    }

    void print() {
        out.println();
        StringBuilder head = new StringBuilder("| |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Figures f : runs) {
            head.append(' ').append(f.name).append(" |");
            rule.append("---|");
        }
        out.println(head);
        out.println(rule);
        row("offload p2p/(p2p+cdn), window", f -> fmt("%.4f", f.offload()));
        row("ideal ceiling 1 − serverChildren/N", f -> f.name.startsWith("tree") ? fmt("%.4f", f.ceiling()) : "—");
        row("offload / ceiling", f -> f.name.startsWith("tree") ? fmt("%.4f", f.offload() / f.ceiling()) : "—");
        if (scenario.rooms() > 1) {
            row("rooms: offload/ceiling min / p10 / median", this::roomSpread);
            row("rooms with offload ≥ 0.97 × ceiling", f -> f.name.startsWith("tree") ? roomsMeeting(f) : "—");
            row("rooms: offload min / median", this::roomOffloads);
        }
        row("node /stat offload (cumulative) vs simulator's", f -> f.name.startsWith("tree")
                ? fmt("%.4f", f.serverOffload) + " vs " + fmt("%.4f", f.serverSimOffload) : "—");
        row("CDN bytes: of which startup", f -> fmt("%.1f MB", f.cdnBytes / 1e6) + ": " + fmt("%.1f MB", f.bootstrapCdnBytes / 1e6));
        row("chunks (after digest) / late > " + (int) scenario.model().lateMs() + " ms", f -> f.chunks + " / "
                + f.lateChunks + " (" + fmt("%.3f %%", 100.0 * f.lateChunks / Math.max(1, f.chunks)) + ")");
        row("late: via HTTP / from a parent (mean ms until the parent queued it, in its uplink, after; uploads ahead)",
                f -> f.lateFallbacks + " / " + f.lateFromPeer + (f.lateFromPeer == 0 ? "" : " (" + fmt("%.0f", f.lateUntilQueuedMs / f.lateFromPeer)
                        + ", " + fmt("%.0f", f.lateInUplinkMs / f.lateFromPeer) + ", " + fmt("%.0f", f.lateTailMs / f.lateFromPeer)
                        + "; " + fmt("%.1f", (double) f.lateQueuedBehind / f.lateFromPeer) + ")"));
        row("max chunk delay (digest → complete)", f -> fmt("%.0f ms", f.maxLatenessMs)
                + (f.maxLatenessWhy.isEmpty() ? "" : " (" + f.maxLatenessWhy + ")"));
        row("delay p50 / p99, all", f -> fmt("%.0f", f.delay.quantile(0.5)) + " / " + fmt("%.0f ms", f.delay.quantile(0.99)));
        int deepest = runs.stream().flatMap(f -> f.delayByDepth.keySet().stream()).max(Integer::compare).orElse(0);
        for (int d = 1; d <= deepest; d++) {
            int depth = d;
            row("delay p50 / p99, depth " + d, f -> {
                Histogram h = f.delayByDepth.get(depth);
                return h == null || h.count() == 0 || !f.name.startsWith("tree") ? "—"
                        : fmt("%.0f", h.quantile(0.5)) + " / " + fmt("%.0f ms", h.quantile(0.99)) + " (" + h.count() + ")";
            });
        }
        row("deadline fallbacks to HTTP / missing", f -> f.cdnFallbacks + " / " + f.missing);
        row("startup p50 / p99 / max (joins)", f -> fmt("%.0f", f.startup.quantile(0.5)) + " / "
                + fmt("%.0f", f.startup.quantile(0.99)) + " / " + fmt("%.0f ms", f.startup.max()) + " (" + f.startups + ")");
        row("playback stalls (per 1000 chunks played), stalled time", f -> f.stalls + " ("
                + fmt("%.2f", 1000.0 * f.stalls / Math.max(1, f.playbackChunks)) + "), " + fmt("%.1f s", f.stallMs / 1000));
        row("stall reports stalled (deadline ended < 2 s after the digest; parent had not got the chunk itself) / unreachable; early misses not reported", f -> f.name.startsWith("tree")
                ? f.stallReports + " (" + f.earlyReports + "; " + f.stallReportsParentLate + ") / " + f.unreachableReports + "; " + f.excusedLate : "—");
        row("parent messages / s; moves (new parent) / s", f -> f.name.startsWith("tree")
                ? fmt("%.1f", f.parentMessages / f.seconds()) + "; " + fmt("%.1f", f.moves / f.seconds()) : "—");
        row("offers sent / answered", f -> f.name.startsWith("tree") ? f.offers + " / " + f.answered : "—");
        row("max depth seen / node tree depth / maxDepth", f -> f.name.startsWith("tree")
                ? f.maxDepth + " / " + (f.nodeDepth < 0 ? "—" : f.nodeDepth) + " / " + maxDepth : "—");
        if (scenario.rooms() == 1) {
            row("node server children / peers at the end", f -> f.name.startsWith("tree")
                    ? fmt("%.0f", f.nodeServerChildren) + " / " + f.nodePeers : "—");
            row("uploaders the node gives no slot (measured too weak, or demoted by stall strikes)", f -> f.name.startsWith("tree") && f.demoted >= 0
                    ? f.demoted + " of " + f.offeringSlots : "—");
            row("slots the uplinks could feed vs the node gives them, at the end", f -> f.name.startsWith("tree") && !f.slotGap.isEmpty()
                    ? f.slotGap : "—");
            row("node tree at the end, per depth: peers/slots/free slots", f -> f.name.startsWith("tree")
                    ? f.freeSlotsByDepth : "—");
        }
        row("joins / leaves in window", f -> f.joins + " / " + f.leaves);
        row("frozen (with children)", f -> f.frozen + " (" + f.frozenWithChildren + ")");
        row("frozen parent: children re-homed p50 / max (not re-homed; of which frozen < heartbeat × silentBeats + 1 s before the end)",
                f -> f.name.startsWith("tree")
                ? fmt("%.1f", pct(f.frozenReplaced, 0.5) / 1000) + " / " + fmt("%.1f s", pct(f.frozenReplaced, 1) / 1000)
                + " (" + f.frozenNotReplaced + "; " + (f.frozenNotReplaced - overdue(f)) + ")" : "—");
        row("frozen peer closed by node p50 / max", f -> f.name.startsWith("tree")
                ? fmt("%.1f", pct(f.frozenRemoved, 0.5) / 1000) + " / " + fmt("%.1f s", pct(f.frozenRemoved, 1) / 1000)
                + " (" + f.frozenRemoved.size() + ")" : "—");
        row("node CPU s in window (% of one core)", f -> Double.isNaN(f.serverCpuSeconds) ? "—"
                : fmt("%.1f", f.serverCpuSeconds) + " (" + fmt("%.0f %%", 100 * f.serverCpuSeconds / f.seconds()) + ")");
        row("node heap after GC: empty → with peers; RSS", f -> Double.isNaN(f.serverHeapMiB) ? "—"
                : fmt("%.0f", f.serverHeapBeforeMiB) + " → " + fmt("%.0f MiB", f.serverHeapMiB) + "; " + fmt("%.0f MiB", f.serverRssMiB));
        row("simulator + origin CPU s in window", f -> Double.isNaN(f.clientCpuSeconds) ? "—" : fmt("%.1f", f.clientCpuSeconds));
        row("errors from the node; closed by node", f -> f.name.startsWith("tree") ? errors(f.errors) + "; " + f.closedByServer : "—");
        row("note", f -> f.note);
        out.println();
        targets();
    }

    /** Frozen parents with a child never moved although they froze longer than the limit before the end. */
    private long overdue(Figures f) {
        double limit = silenceMs + 1_000;
        return f.frozenUnresolvedAgesMs.stream().filter(age -> age > limit).count();
    }

    private void targets() {
        for (Figures f : runs) {
            if (!f.name.startsWith("tree")) {
                continue;
            }
            double lateShare = (double) f.lateChunks / Math.max(1, f.chunks);
            double limit = silenceMs + 1_000;
            double rehomed = pct(f.frozenReplaced, 1);
            String frozen = f.frozenWithChildren == 0 ? "no frozen peer had children"
                    : fmt("%.1f s", rehomed / 1000) + (rehomed <= limit && overdue(f) == 0 ? " MET" : " MISSED")
                    + " (≤ heartbeat × silentBeats + 1 s = " + fmt("%.0f s", limit / 1000) + ")";
            out.printf("targets, %s: offload %.4f %s (≥ 0.97); late %.3f %% %s (≤ 0.1 %%); max delay %.0f ms %s (≤ 5000 ms);"
                            + " max depth %d %s (≤ %d); frozen parent re-homed max %s%n",
                    f.name, f.offload(), verdict(f.offload() >= 0.97), 100 * lateShare, verdict(lateShare <= 0.001),
                    f.maxLatenessMs, verdict(f.maxLatenessMs <= 5_000), f.maxDepth, verdict(f.maxDepth <= maxDepth), maxDepth,
                    frozen);
            if (scenario.rooms() > 1) {
                out.printf("targets, %s, per room: %s rooms reach 0.97 × their own ceiling%n", f.name, roomsMeeting(f));
            }
        }
    }

    private static String verdict(boolean met) {
        return met ? "MET" : "MISSED";
    }

    private void row(String label, Function<Figures, String> cell) {
        StringBuilder b = new StringBuilder("| ").append(label).append(" |");
        for (Figures f : runs) {
            b.append(' ').append(cell.apply(f)).append(" |");
        }
        out.println(b);
    }

    private String roomSpread(Figures f) {
        if (!f.name.startsWith("tree")) {
            return "—";
        }
        double[] v = new double[f.rooms];
        for (int r = 0; r < f.rooms; r++) {
            v[r] = f.roomOffload(r) / f.roomCeiling(r);
        }
        Arrays.sort(v);
        return fmt("%.3f", v[0]) + " / " + fmt("%.3f", v[f.rooms / 10]) + " / " + fmt("%.3f", v[f.rooms / 2]);
    }

    private String roomOffloads(Figures f) {
        double[] v = new double[f.rooms];
        for (int r = 0; r < f.rooms; r++) {
            v[r] = f.roomOffload(r);
        }
        Arrays.sort(v);
        return fmt("%.3f", v[0]) + " / " + fmt("%.3f", v[f.rooms / 2]);
    }

    private String roomsMeeting(Figures f) {
        int n = 0;
        for (int r = 0; r < f.rooms; r++) {
            if (f.roomOffload(r) >= 0.97 * f.roomCeiling(r)) {
                n++;
            }
        }
        return n + " of " + f.rooms;
    }

    private static String errors(Map<String, Long> errors) {
        if (errors.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        errors.forEach((k, v) -> parts.add(k + " ×" + v));
        return String.join(", ", parts);
    }

    static double pct(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v[Math.min(v.length - 1, Math.max(0, (int) Math.ceil(q * v.length) - 1))];
    }

    static String fmt(String pattern, double v) {
        return Double.isNaN(v) ? "—" : String.format(pattern, v);
    }
}
