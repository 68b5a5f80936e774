package dev.edgelog.benchmarks;

/** Entry point of the benchmark jar: {@code java -jar benchmarks/target/benchmarks.jar <name>}. */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        System.err.println("usage: java -jar benchmarks/target/benchmarks.jar <benchmark>; see benchmarks/RESULTS.md");
        System.exit(2);
    }
}
