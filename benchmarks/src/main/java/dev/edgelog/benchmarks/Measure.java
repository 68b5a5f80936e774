package dev.edgelog.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs a candidate and its reference alternately, several rounds each, and reports the best round
 * of each (the least disturbed by the machine's other work) and their ratio.
 */
final class Measure {

    /** One run: sets itself up, then times only its measured part. */
    @FunctionalInterface
    interface Run {
        Timed run() throws Exception;
    }

    /** Something that did {@code ops} operations in {@code nanos}. */
    record Timed(long ops, long nanos) {
        double opsPerSec() {
            return ops * 1e9 / nanos;
        }
    }

    /** A measured part of a run. */
    @FunctionalInterface
    interface Body {
        long run() throws Exception;
    }

    /** Times {@code body}, which returns how many operations it did. */
    static Timed time(Body body) throws Exception {
        long t0 = System.nanoTime();
        long ops = body.run();
        return new Timed(ops, System.nanoTime() - t0);
    }

    /** Both sides' best throughput (ops/s) and the candidate/reference ratio. */
    record Comparison(String name, double candidateOpsPerSec, double referenceOpsPerSec) {
        double ratio() {
            return candidateOpsPerSec / referenceOpsPerSec;
        }

        String line() {
            return String.format(Locale.ROOT, "%-46s candidate %,12.0f ops/s   reference %,12.0f ops/s   ratio %.3f",
                    name, candidateOpsPerSec, referenceOpsPerSec, ratio());
        }
    }

    private Measure() {
    }

    static Comparison compare(String name, int rounds, Run candidate, Run reference) throws Exception {
        double best = 0;
        double bestRef = 0;
        for (int i = 0; i < rounds; i++) {
            // alternate which side goes first so neither always inherits the other's dirty pages
            if (i % 2 == 0) {
                bestRef = Math.max(bestRef, once(reference));
                best = Math.max(best, once(candidate));
            } else {
                best = Math.max(best, once(candidate));
                bestRef = Math.max(bestRef, once(reference));
            }
        }
        Comparison c = new Comparison(name, best, bestRef);
        System.out.println(c.line());
        return c;
    }

    private static double once(Run run) throws Exception {
        System.gc();
        return run.run().opsPerSec();
    }

    static List<String> table(List<Comparison> comparisons, double target) {
        List<String> out = new ArrayList<>();
        out.add("| benchmark | candidate ops/s | reference ops/s | ratio | target |");
        out.add("|---|---:|---:|---:|---|");
        for (Comparison c : comparisons) {
            out.add(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %s |", c.name(), c.candidateOpsPerSec(),
                    c.referenceOpsPerSec(), c.ratio(), target <= 0 ? "—" : (c.ratio() >= target ? "≥ " + target + " met" : "BELOW " + target)));
        }
        return out;
    }
}
