package dev.edgelog.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs a candidate and its reference alternately, several rounds each, and reports the best round
 * of each (the least disturbed by the machine's other work) and their ratio.
 */
final class Measure {

    /** One timed run; returns how many operations it did. */
    @FunctionalInterface
    interface Run {
        long run() throws Exception;
    }

    /** Both sides' best throughput (ops/s) and the candidate/reference ratio. */
    record Comparison(String name, double candidateOpsPerSec, double referenceOpsPerSec) {
        double ratio() {
            return candidateOpsPerSec / referenceOpsPerSec;
        }

        String line() {
            return String.format(Locale.ROOT, "%-44s candidate %,12.0f ops/s   reference %,12.0f ops/s   ratio %.3f",
                    name, candidateOpsPerSec, referenceOpsPerSec, ratio());
        }
    }

    private Measure() {
    }

    static Comparison compare(String name, int rounds, Run candidate, Run reference) throws Exception {
        double best = 0;
        double bestRef = 0;
        for (int i = 0; i < rounds; i++) {
            bestRef = Math.max(bestRef, opsPerSec(reference));
            best = Math.max(best, opsPerSec(candidate));
        }
        Comparison c = new Comparison(name, best, bestRef);
        System.out.println(c.line());
        return c;
    }

    static double opsPerSec(Run run) throws Exception {
        System.gc();
        long t0 = System.nanoTime();
        long ops = run.run();
        long elapsed = System.nanoTime() - t0;
        return ops * 1e9 / elapsed;
    }

    static List<String> summary(List<Comparison> comparisons, double target) {
        List<String> out = new ArrayList<>();
        for (Comparison c : comparisons) {
            out.add(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %s |", c.name(), c.candidateOpsPerSec(),
                    c.referenceOpsPerSec(), c.ratio(), c.ratio() >= target ? "meets ≥ " + target : "BELOW " + target));
        }
        return out;
    }
}
