package dev.edgelog.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the benchmark jar:
 * {@code java -jar benchmarks/target/benchmarks.jar <segment|applier|commit|edge|fanout|all> [--dir D] [--rounds N] [--entries N]
 * [--seconds N] [--warmup N] [--followers N]}.
 * Each benchmark prints its figures and a ratio against a reference measured in the same run.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        dev.edgelog.primary.raft.RaftSetup.pooledAsyncCompletions(); // as the primary's main does
        if (args.length == 0) {
            usage();
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        Path dir = Path.of(option(rest, "--dir", System.getProperty("java.io.tmpdir") + "/edgelog-bench"));
        int rounds = Integer.parseInt(option(rest, "--rounds", "3"));
        Files.createDirectories(dir);
        switch (args[0]) {
            case "segment" -> SegmentBenchmark.run(dir.resolve("segment"),
                    Integer.parseInt(option(rest, "--entries", "1000000")), rounds);
            case "applier" -> ApplierBenchmark.run(dir.resolve("applier"),
                    Integer.parseInt(option(rest, "--entries", "200000")), rounds);
            case "commit" -> CommitBenchmark.run(dir.resolve("commit"),
                    java.time.Duration.ofSeconds(Integer.parseInt(option(rest, "--seconds", "10"))),
                    // long: on two cores the JIT keeps compiling for minutes (benchmarks/RESULTS.md)
                    java.time.Duration.ofSeconds(Integer.parseInt(option(rest, "--warmup", "160"))), rounds);
            case "edge" -> EdgeBenchmark.run(dir.resolve("edge"), Integer.parseInt(option(rest, "--entries", "1000000")),
                    java.time.Duration.ofSeconds(Integer.parseInt(option(rest, "--seconds", "20"))));
            case "fanout" -> FanoutBenchmark.run(dir.resolve("fanout"),
                    Integer.parseInt(option(rest, "--followers", "10000")), Integer.parseInt(option(rest, "--rounds", "30")),
                    java.time.Duration.ofSeconds(Integer.parseInt(option(rest, "--seconds", "20"))));
            case "all" -> {
                ApplierBenchmark.run(dir.resolve("applier"), 200_000, rounds);
                SegmentBenchmark.run(dir.resolve("segment"), 1_000_000, rounds);
            }
            default -> usage();
        }
        SegmentBenchmark.deleteTree(dir);
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }

    private static void usage() {
        System.err.println("usage: java -jar benchmarks/target/benchmarks.jar <segment|applier|commit|edge|fanout|all>"
                + " [--dir D] [--rounds N] [--entries N] [--seconds N] [--warmup N] [--followers N]; see benchmarks/RESULTS.md");
        System.exit(2);
    }
}
