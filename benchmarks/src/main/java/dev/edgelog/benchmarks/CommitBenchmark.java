package dev.edgelog.benchmarks;

import dev.edgelog.primary.PrimaryConfig;
import dev.edgelog.primary.PrimaryNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Commit throughput and latency of a 3-node primary cluster through the HTTP endpoint
 * ({@code POST /db/execute} to the leader), with 1, 16 and 100 concurrent writers of one INSERT
 * each, and with bulk requests of 100 INSERTs. All three nodes run in this JVM on 127.0.0.1 (a
 * 2-core machine runs them and the load generator together).
 */
final class CommitBenchmark {

    private CommitBenchmark() {
    }

    static void run(Path dir, Duration perRun) throws Exception {
        List<PrimaryConfig.Peer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(new PrimaryConfig.Peer("n" + i, "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort()));
        }
        List<PrimaryNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(PrimaryNode.start(PrimaryConfig.of("n" + i, dir.resolve("n" + i), peers)
                        .withSnapshotThreshold(100_000)));
            }
            PrimaryNode leader = awaitLeader(nodes);
            String url = "http://" + leader.config().self().httpAddress() + "/db/execute";
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            send(http, url, "[\"CREATE TABLE ads(id INTEGER PRIMARY KEY, campaign INTEGER, name TEXT, bid REAL)\"]");
            System.out.printf(Locale.ROOT, "primary commit path: 3 nodes in one JVM, %s per run%n", perRun);
            AtomicLong ids = new AtomicLong();
            load(http, url, 1, 1, perRun, ids);
            for (int writers : new int[] {1, 16, 100}) {
                report("1 statement/request, " + writers + " writers", load(http, url, writers, 1, perRun, ids));
            }
            report("100 statements/request, 16 writers", load(http, url, 16, 100, perRun, ids));
        } finally {
            for (PrimaryNode n : nodes) {
                n.close();
            }
        }
    }

    record Result(long statements, long requests, long errors, double seconds, long[] latenciesNanos) {
    }

    private static Result load(HttpClient http, String url, int writers, int perRequest, Duration duration,
                               AtomicLong ids) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        List<long[]> perThread = new ArrayList<>();
        long[] counts = new long[writers * 2];
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            long[] lat = new long[2_000_000 / writers];
            perThread.add(lat);
            int slot = w;
            Thread t = new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < end) {
                    StringBuilder body = new StringBuilder("[");
                    for (int i = 0; i < perRequest; i++) {
                        long id = ids.incrementAndGet();
                        body.append(i == 0 ? "" : ",").append("[\"INSERT INTO ads(id, campaign, name, bid) VALUES(?, ?, ?, ?)\", ")
                                .append(id).append(", ").append(id % 97).append(", \"ad-").append(id).append("\", 0.25]");
                    }
                    body.append(']');
                    long t0 = System.nanoTime();
                    boolean ok = send(http, url, body.toString());
                    if (n < lat.length) {
                        lat[n] = System.nanoTime() - t0;
                    }
                    n++;
                    counts[slot * 2] += ok ? 1 : 0;
                    counts[slot * 2 + 1] += ok ? 0 : 1;
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long requests = 0;
        long errors = 0;
        for (int w = 0; w < writers; w++) {
            requests += counts[w * 2];
            errors += counts[w * 2 + 1];
        }
        long[] all = perThread.stream().flatMapToLong(a -> Arrays.stream(a).filter(x -> x > 0)).sorted().toArray();
        return new Result(requests * perRequest, requests, errors, seconds, all);
    }

    private static boolean send(HttpClient http, String url, String body) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && !r.body().contains("\"error\"");
        } catch (Exception e) {
            return false;
        }
    }

    private static void report(String name, Result r) {
        long[] l = r.latenciesNanos();
        System.out.printf(Locale.ROOT, "%-40s %,10.0f statements/s  %,8.0f requests/s  p50 %6.2f ms  p99 %7.2f ms  errors %d%n",
                name, r.statements() / r.seconds(), r.requests() / r.seconds(),
                l.length == 0 ? 0 : l[l.length / 2] / 1e6, l.length == 0 ? 0 : l[(int) (l.length * 0.99)] / 1e6,
                r.errors());
    }

    private static PrimaryNode awaitLeader(List<PrimaryNode> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (PrimaryNode n : nodes) {
                if (n.isLeader() && n.stateMachine().logId() != null) {
                    return n;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no leader within 60 s");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
