package dev.edgelog.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out through one mirror (issue 5): three primary processes and one mirror process from the
 * packaged jars, and {@link SimulatedFollowers} long-polling the mirror from this JVM. Measures the
 * time for a new entry to reach every follower (p50, p99 over all followers and rounds) with 10,000
 * followers against the same with one follower (the reference), the mirror's RSS, the bytes sent
 * per follower per entry, and the primary processes' CPU under the same paced write load with no
 * follower and with 10,000 behind the mirror.
 */
final class FanoutBenchmark {

    private static final Path PRIMARY_JAR = Path.of("primary-cluster", "target", "edgelog-primary.jar");
    private static final Path MIRROR_JAR = Path.of("mirror", "target", "edgelog-mirror.jar");
    /** The mirror's JVM: a fixed small heap, so that RSS shows what a fleet costs. */
    static final List<String> MIRROR_JVM = List.of("-Xms64m", "-Xmx160m", "-XX:+UseSerialGC", "-Xss512k",
            "-XX:MaxDirectMemorySize=64m");
    private static final int WRITES_PER_SECOND = 200;

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final String[] primaryHttp = new String[3];
    private InetSocketAddress leader;
    private InetSocketAddress mirror;
    private Process mirrorProcess;

    private FanoutBenchmark(Path dir) {
        this.dir = dir;
    }

    static void run(Path dir, int followers, int rounds, Duration cpuWindow) throws Exception {
        if (!Files.exists(PRIMARY_JAR) || !Files.exists(MIRROR_JAR)) {
            System.out.println("fan-out: skipped, build the jars first (mvn -B -q package -DskipTests) and run from the"
                    + " repository root");
            return;
        }
        Files.createDirectories(dir);
        FanoutBenchmark b = new FanoutBenchmark(dir);
        try {
            b.measure(followers, rounds, cpuWindow);
        } finally {
            b.stop();
        }
    }

    private void measure(int followers, int rounds, Duration cpuWindow) throws Exception {
        startPrimaries();
        startMirror();
        HttpLoad.Connection writer = new HttpLoad.Connection(leader);
        System.out.printf(Locale.ROOT, "fan-out: 3 primary processes, 1 mirror process (JVM %s), %,d simulated followers"
                + " in this JVM, %d rounds of one entry each%n", String.join(" ", MIRROR_JVM), followers, rounds);

        long[] reference;
        try (SimulatedFollowers one = SimulatedFollowers.start(SimulatedFollowers.Options.of(mirror, 1)
                .withNamePrefix("ref").withStartAfter(commitIndex()))) {
            awaitParked(one);
            rounds(one, writer, rounds / 3); // warm-up of the mirror's and this JVM's code paths
            reference = rounds(one, writer, rounds);
        }
        primaryCpu(cpuWindow); // warm-up: the writers' and the primaries' code paths get compiled first
        double idleCpu = primaryCpu(cpuWindow);

        try (SimulatedFollowers fleet = SimulatedFollowers.start(SimulatedFollowers.Options.of(mirror, followers)
                .withStartAfter(commitIndex()))) {
            long setup = System.nanoTime();
            awaitParked(fleet);
            System.out.printf(Locale.ROOT, "  %,d followers connected and parked in %.1f s%n", followers,
                    (System.nanoTime() - setup) / 1e9);
            rounds(fleet, writer, rounds / 3);
            SimulatedFollowers.Stats before = fleet.stats();
            long[] all = rounds(fleet, writer, rounds);
            SimulatedFollowers.Stats after = fleet.stats();
            long rss = EdgeBenchmark.rssKb(mirrorProcess.pid());
            double fleetCpu = primaryCpu(cpuWindow);
            long delivered = (after.ok() - before.ok());
            double bytesPerEntry = (after.headBytes() - before.headBytes() + after.bodyBytes() - before.bodyBytes())
                    / (double) Math.max(1, after.frames() - before.frames());
            double bodyPerEntry = (after.bodyBytes() - before.bodyBytes())
                    / (double) Math.max(1, after.frames() - before.frames());
            System.out.println("  " + after.line());
            System.out.println();
            System.out.println("| measure | 1 follower (reference) | " + String.format(Locale.ROOT, "%,d", followers)
                    + " followers | ratio | target |");
            System.out.println("|---|---:|---:|---:|---|");
            System.out.printf(Locale.ROOT, "| entry reaches every follower, p50 | %.1f ms | %.1f ms | %.0f | |%n",
                    pct(reference, 0.5), pct(all, 0.5), pct(all, 0.5) / pct(reference, 0.5));
            System.out.printf(Locale.ROOT, "| entry reaches every follower, p99 | %.1f ms | %.1f ms | %.0f | ≤ 1,000 ms |%n",
                    pct(reference, 0.99), pct(all, 0.99), pct(all, 0.99) / pct(reference, 0.99));
            System.out.printf(Locale.ROOT, "| slowest follower, worst round | %.1f ms | %.1f ms | | |%n",
                    pct(reference, 1.0), pct(all, 1.0));
            System.out.printf(Locale.ROOT, "| mirror RSS | | %.0f MB | | ≤ 256 MB |%n", rss / 1024.0);
            System.out.printf(Locale.ROOT, "| bytes sent per follower per entry (body) | | %.0f (%.0f) | | |%n",
                    bytesPerEntry, bodyPerEntry);
            System.out.printf(Locale.ROOT, "| primary CPU at %d writes/s (3 processes, %% of one core) | %.1f %% (0 followers)"
                            + " | %.1f %% | %.2f | flat |%n", WRITES_PER_SECOND, idleCpu * 100, fleetCpu * 100,
                    fleetCpu / idleCpu);
            System.out.printf(Locale.ROOT, "(%,d answers with entries during the measured rounds)%n", delivered);
        }
        writer.close();
    }

    /** Writes one entry per round and returns every follower's delay from the write's answer, in nanoseconds. */
    private long[] rounds(SimulatedFollowers followers, HttpLoad.Connection writer, int rounds) throws Exception {
        long[] delays = new long[rounds * followers.size()];
        int n = 0;
        for (int r = 0; r < rounds; r++) {
            long index = commitIndex() + 1;
            followers.expect(index);
            long t0 = System.nanoTime();
            long[] got = {-1};
            writer.post("/db/execute?raft_index", "[[\"INSERT INTO ads(campaign, name) VALUES(?, 'fan-out')\", " + r + "]]",
                    (status, body) -> {
                        int k = body.indexOf("\"raft_index\":");
                        if (status == 200 && k >= 0) {
                            got[0] = Long.parseLong(body.substring(k + 13).replaceAll("[^0-9].*", ""));
                        }
                        return true;
                    });
            long[] arrivals = followers.awaitArrivals(Duration.ofSeconds(30));
            if (got[0] != index) {
                throw new IllegalStateException("the write got index " + got[0] + ", expected " + index);
            }
            for (long a : arrivals) {
                delays[n++] = a == SimulatedFollowers.NOT_REACHED ? Long.MAX_VALUE : a - t0;
            }
            Thread.sleep(100);
        }
        Arrays.sort(delays, 0, n);
        return Arrays.copyOf(delays, n);
    }

    private static double pct(long[] sorted, double p) {
        long v = sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
        return v == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : v / 1e6;
    }

    private static void awaitParked(SimulatedFollowers f) throws InterruptedException {
        if (!f.awaitParked(Duration.ofMinutes(3))) {
            throw new IllegalStateException("followers did not all park: " + f.stats().line());
        }
    }

    /** CPU of the three primary processes (fraction of one core) during paced writes for {@code window}. */
    private double primaryCpu(Duration window) throws Exception {
        long before = 0;
        for (int i = 0; i < 3; i++) {
            before += EdgeBenchmark.cpuTicks(processes.get(i).pid());
        }
        long t0 = System.nanoTime();
        EdgeBenchmark.pacedWrites(leader, WRITES_PER_SECOND, window, new ConcurrentHashMap<>());
        long after = 0;
        for (int i = 0; i < 3; i++) {
            after += EdgeBenchmark.cpuTicks(processes.get(i).pid());
        }
        return (after - before) / 100.0 / ((System.nanoTime() - t0) / 1e9);
    }

    private long commitIndex() throws IOException {
        long[] commit = {-1};
        try (HttpLoad.Connection c = new HttpLoad.Connection(leader)) {
            c.get("/v1/status", (status, body) -> {
                int k = body.indexOf("\"commit_index\" : ");
                commit[0] = Long.parseLong(body.substring(k + 17).replaceAll("[^0-9].*", ""));
                return true;
            });
        }
        return commit[0];
    }

    // ---- processes ----

    private void startPrimaries() throws Exception {
        StringBuilder peers = new StringBuilder("peers:\n");
        for (int i = 0; i < 3; i++) {
            primaryHttp[i] = "127.0.0.1:" + CommitBenchmark.freePort();
            peers.append("  - {id: n").append(i).append(", raft_address: \"127.0.0.1:").append(CommitBenchmark.freePort())
                    .append("\", http_address: \"").append(primaryHttp[i]).append("\"}\n");
        }
        for (int i = 0; i < 3; i++) {
            Path config = dir.resolve("n" + i + ".yaml");
            Files.writeString(config, "node_id: n" + i + "\ndata_dir: " + dir.resolve("n" + i) + "\n" + peers);
            start(List.of(), PRIMARY_JAR, "n" + i, "primary", "--config", config.toString(), "--insecure");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (leader == null && System.nanoTime() < deadline) {
            for (String h : primaryHttp) {
                try (HttpLoad.Connection c = new HttpLoad.Connection(CommitBenchmark.parse(h))) {
                    boolean[] isLeader = {false};
                    c.get("/status", (s, body) -> isLeader[0] = body.contains("\"is_leader\":true"));
                    if (isLeader[0]) {
                        leader = CommitBenchmark.parse(h);
                    }
                } catch (IOException e) {
                    // not up yet
                }
            }
            Thread.sleep(200);
        }
        if (leader == null) {
            throw new IllegalStateException("no leader within 60 s");
        }
        try (HttpLoad.Connection c = new HttpLoad.Connection(leader)) {
            c.post("/db/execute", "[\"CREATE TABLE ads(id INTEGER PRIMARY KEY, campaign INTEGER, name TEXT, bid REAL)\"]",
                    (s, b) -> true);
        }
    }

    private void startMirror() throws Exception {
        String http = "127.0.0.1:" + CommitBenchmark.freePort();
        Path config = dir.resolve("mirror.yaml");
        Files.writeString(config, "node_name: mirror-1\ndata_dir: " + dir.resolve("mirror") + "\n"
                + "upstreams: [\"http://" + primaryHttp[0] + "\", \"http://" + primaryHttp[1] + "\", \"http://"
                + primaryHttp[2] + "\"]\nhttp_address: " + http + "\nworker_threads: 8\n");
        mirrorProcess = start(MIRROR_JVM, MIRROR_JAR, "mirror", "mirror", "--config", config.toString(), "--insecure");
        mirror = CommitBenchmark.parse(http);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (HttpLoad.Connection c = new HttpLoad.Connection(mirror)) {
                boolean[] ready = {false};
                c.get("/readyz", (s, b) -> ready[0] = s == 200);
                if (ready[0]) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the mirror was not ready within 60 s");
    }

    /** Starts a role from its jar and waits for its READY line. */
    private Process start(List<String> jvm, Path jar, String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve(name + ".stderr").toFile()).start();
        processes.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("READY")) {
                return p;
            }
        }
        throw new IllegalStateException(name + " exited before READY; see " + dir.resolve(name + ".stderr"));
    }

    private void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
