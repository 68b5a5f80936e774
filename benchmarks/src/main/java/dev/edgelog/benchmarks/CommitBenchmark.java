package dev.edgelog.benchmarks;

import dev.edgelog.primary.PrimaryConfig;
import dev.edgelog.primary.PrimaryNode;
import dev.edgelog.primary.commit.GroupCommitSettings;
import dev.edgelog.sqllog.config.RoleProcess;
import dev.edgelog.sqllog.config.SegmentsSection;
import dev.edgelog.sqllog.segment.FsyncPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;

/**
 * Commit throughput and latency of a 3-node primary cluster through the HTTP endpoint
 * ({@code POST /db/execute} to the leader) with 1, 16 and 100 concurrent writers of one INSERT each
 * and with bulk requests of 100 INSERTs, against the same load as puts on a local 3-member etcd
 * cluster when {@code etcd} is installed (skipped with a message otherwise), with the ratio of each
 * load. All nodes run on this machine on 127.0.0.1 (edgelog's three in this JVM, etcd's as
 * processes), both clusters for the whole run, measured in alternating rounds; each etcd round
 * waits until the edgelog JVM is quiet.
 */
final class CommitBenchmark {

    private static final String INSERT = "INSERT INTO ads(id, campaign, name, bid) VALUES(?, ?, ?, ?)";
    /** The loads measured; {@code -Dedgelog.bench.loads=1,100,bulk} picks a subset (for experiments). */
    private static final List<String> LOADS = List.of(System.getProperty("edgelog.bench.loads", "1,16,100,bulk").split(","));
    /** The writer counts of the single-statement loads among {@link #LOADS}. */
    private static final int[] WRITERS = LOADS.stream().filter(l -> !l.equals("bulk")).mapToInt(Integer::parseInt).toArray();
    private static final boolean MEASURE_BULK = LOADS.contains("bulk");
    private static final int BULK = 100;
    private static final int BULK_WRITERS = 16;

    private final AtomicLong ids = new AtomicLong();

    private CommitBenchmark() {
    }

    static void run(Path dir, Duration perRun, Duration warmup, int rounds) throws Exception {
        new CommitBenchmark().runAll(dir, perRun, warmup, rounds);
    }

    /** One system under test: where its leader listens and what a request of each shape is. */
    private record Target(String name, InetSocketAddress leader, String path, String bulkPath,
                          IntFunction<String> body, HttpLoad.Check ok) {
        HttpLoad.Result run(int writers, int perRequest, Duration duration) throws InterruptedException {
            return HttpLoad.run(leader, perRequest == 1 ? path : bulkPath, writers, perRequest, duration,
                    () -> body.apply(perRequest), ok);
        }
    }

    /** A load shape and the rounds measured of it on each system. */
    private record Load(String name, int writers, int perRequest, List<HttpLoad.Result> edgelog, List<HttpLoad.Result> etcd) {
        Load(String name, int writers, int perRequest) {
            this(name, writers, perRequest, new ArrayList<>(), new ArrayList<>());
        }
    }

    /**
     * Both clusters run for the whole benchmark, and each load is measured in {@code rounds}
     * alternating rounds, edgelog then etcd: the ratio compares the two in the same minutes, so the
     * VM's speed drifting over a run (it does, by tens of percent) moves both sides alike. Each etcd
     * round first waits for the edgelog JVM to go quiet ({@link #awaitQuiet}); idle etcd members
     * use about 0.045 cores during edgelog's rounds.
     */
    private void runAll(Path dir, Duration perRun, Duration warmup, int rounds) throws Exception {
        SegmentBenchmark.deleteTree(dir); // a killed earlier run leaves its nodes' data, whose rows collide
        System.out.printf(Locale.ROOT, "commit path: 3 nodes on 127.0.0.1, %d alternating rounds of %s per load after %s"
                        + " of warm-up, Raft over %s, %s, segment fsync %s%n", rounds, perRun, warmup,
                transport() == PrimaryConfig.RaftTransport.AUTO ? "auto (Netty without TLS)" : transport(), groupCommit(),
                segmentFsync());
        List<Load> loads = new ArrayList<>();
        for (int writers : WRITERS) {
            loads.add(new Load(writers + (writers == 1 ? " writer" : " writers") + ", 1 statement/request", writers, 1));
        }
        if (MEASURE_BULK) {
            loads.add(new Load(BULK_WRITERS + " writers, " + BULK + " statements/request", BULK_WRITERS, BULK));
        }
        List<PrimaryNode> nodes = new ArrayList<>();
        Path etcdBinary = EtcdCluster.binary();
        EtcdCluster etcdCluster = null;
        try {
            PrimaryNode leaderNode = startEdgelog(dir.resolve("edgelog"), nodes);
            Target edgelog = new Target("edgelog", parse(leaderNode.config().self().httpAddress()), "/db/execute",
                    "/db/execute", this::inserts, (status, body) -> status == 200 && !body.contains("\"error\""));
            Target etcd = null;
            if (etcdBinary == null) {
                System.out.println("etcd comparison skipped: no `etcd` on the PATH (Debian: apt-get install etcd-server)");
            } else {
                etcdCluster = new EtcdCluster(etcdBinary, dir.resolve("etcd"), freePorts(6));
                etcd = new Target("etcd", etcdCluster.awaitLeader(Duration.ofSeconds(60)), "/v3/kv/put", "/v3/kv/txn",
                        n -> n == 1 ? put() : txn(), (status, body) -> status == 200 && body.contains("\"header\""));
                etcd.run(16, 1, Duration.ofSeconds(5));
            }
            HttpLoad.run(edgelog.leader(), "/db/execute", 1, 1, Duration.ofSeconds(5),
                    () -> "[\"CREATE TABLE IF NOT EXISTS ads(id INTEGER PRIMARY KEY, campaign INTEGER, name TEXT, bid REAL)\"]",
                    (status, body) -> true);
            // every load shape once before anything is measured, then each again right before its
            // measurement: on two cores the JIT's compiler threads otherwise take a quarter of the CPU
            // during the first minute, and code compiled under one shape recompiles under the next
            for (Load l : loads) {
                edgelog.run(l.writers(), l.perRequest(), warmup.dividedBy(8));
            }
            for (Load l : loads) {
                edgelog.run(l.writers(), l.perRequest(), warmup.dividedBy(8));
                for (int r = 1; r <= rounds; r++) {
                    String round = ", round " + r;
                    l.edgelog().add(withCpu("edgelog " + l.name() + round, leaderNode,
                            () -> edgelog.run(l.writers(), l.perRequest(), perRun)));
                    if (etcd != null) {
                        awaitQuiet(etcdCluster);
                        l.etcd().add(report("etcd " + l.name() + (l.perRequest() > 1 ? " (txn)" : "") + round,
                                etcd.run(l.writers(), l.perRequest(), perRun)));
                    }
                }
            }
        } finally {
            if (etcdCluster != null) {
                etcdCluster.close();
            }
            for (PrimaryNode n : nodes) {
                n.close();
            }
        }
        summary(loads);
    }

    /**
     * Starts the three nodes on free ports; chooses again (up to 3 times) when one was taken between
     * choosing and binding it, e.g. as the source port of a node's connection to a peer.
     */
    private PrimaryNode startEdgelog(Path dir, List<PrimaryNode> nodes) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Path attemptDir = dir.resolve("try" + attempt);
            List<PrimaryConfig.Peer> peers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                peers.add(new PrimaryConfig.Peer("n" + i, "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort()));
            }
            try {
                for (int i = 0; i < 3; i++) {
                    PrimaryConfig c = PrimaryConfig.of("n" + i, attemptDir.resolve("n" + i), peers);
                    nodes.add(PrimaryNode.start(c.withSnapshotThreshold(1_000_000).withGroupCommit(groupCommit())
                            .withRaftTransport(transport()).withSegments(c.segments().withFsyncPolicy(segmentFsync()))));
                }
                return awaitLeader(nodes);
            } catch (IOException | RuntimeException e) {
                for (PrimaryNode n : nodes) {
                    n.close();
                }
                nodes.clear();
                if (attempt == 3 || RoleProcess.bindFailure(e) == null) {
                    throw e;
                }
                System.out.println("a chosen port was taken (" + e.getMessage() + "); choosing again");
            }
        }
    }

    /**
     * Waits (at most 30 s) until this JVM, with no load running, uses less than 5 % of a core, and
     * prints what it and the idle etcd members used over the last second. Right after a load the
     * JIT still compiles what it queued and G1 may run a cycle (up to half a core, measured), which
     * would otherwise be taken from the etcd round that follows.
     */
    private static void awaitQuiet(EtcdCluster etcd) throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long start = System.nanoTime();
        double jvm;
        double members;
        do {
            long jvm0 = os.getProcessCpuTime();
            long etcd0 = etcd == null ? 0 : etcd.cpuNanos();
            long t0 = System.nanoTime();
            Thread.sleep(1_000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            jvm = (os.getProcessCpuTime() - jvm0) / 1e9 / seconds;
            members = etcd == null ? 0 : (etcd.cpuNanos() - etcd0) / 1e9 / seconds;
        } while (jvm > 0.05 && System.nanoTime() - start < 30_000_000_000L);
        System.out.printf(Locale.ROOT, "    quiet after %.0f s: edgelog's JVM %.3f cores, etcd %.3f cores%n",
                (System.nanoTime() - start) / 1e9, jvm, members);
    }

    private static HttpLoad.Result report(String name, HttpLoad.Result r) {
        System.out.println(r.line(name));
        return r;
    }

    /** Each load's median round on each side and the ratio of the medians, with the spread of the rounds' ratios. */
    private static void summary(List<Load> loads) {
        System.out.println();
        System.out.println("| load | edgelog statements/s | p50 / p99 | etcd puts/s | p50 / p99 | edgelog / etcd (rounds) |");
        System.out.println("|---|---:|---|---:|---|---:|");
        for (Load l : loads) {
            String etcd = "—";
            String etcdLatency = "—";
            String ratio = "—";
            if (!l.etcd().isEmpty()) {
                etcd = String.format(Locale.ROOT, "%,.0f", median(l.etcd(), HttpLoad.Result::statementsPerSec));
                etcdLatency = latencies(l.etcd());
                double lo = Double.MAX_VALUE;
                double hi = 0;
                for (int i = 0; i < l.etcd().size(); i++) {
                    double x = l.edgelog().get(i).statementsPerSec() / l.etcd().get(i).statementsPerSec();
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
                ratio = String.format(Locale.ROOT, "**%.2f** (%.2f–%.2f)", median(l.edgelog(), HttpLoad.Result::statementsPerSec)
                        / median(l.etcd(), HttpLoad.Result::statementsPerSec), lo, hi);
            }
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %s | %s | %s | %s |%n", l.name(),
                    median(l.edgelog(), HttpLoad.Result::statementsPerSec), latencies(l.edgelog()), etcd, etcdLatency, ratio);
        }
    }

    private static String latencies(List<HttpLoad.Result> rounds) {
        return String.format(Locale.ROOT, "%.2f / %.2f ms", median(rounds, r -> r.percentileMs(0.5)),
                median(rounds, r -> r.percentileMs(0.99)));
    }

    private static double median(List<HttpLoad.Result> rounds, ToDoubleFunction<HttpLoad.Result> f) {
        double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The configured default ({@code auto}: Netty without TLS), or {@code -Dedgelog.raft.rpc=grpc|netty}. */
    private static PrimaryConfig.RaftTransport transport() {
        String rpc = System.getProperty("edgelog.raft.rpc");
        return rpc == null ? PrimaryConfig.RaftTransport.AUTO : PrimaryConfig.RaftTransport.valueOf(rpc.toUpperCase(Locale.ROOT));
    }

    /** The primary's default, or {@code -Dedgelog.bench.segment-fsync=every_batch|never|interval:<ms>}. */
    private static FsyncPolicy segmentFsync() {
        String v = System.getProperty("edgelog.bench.segment-fsync");
        return v == null ? PrimaryConfig.DEFAULT_SEGMENTS.fsyncPolicy() : SegmentsSection.fsync(v);
    }

    /** Group-commit defaults, or the settings to try from {@code -Dedgelog.bench.max-in-flight} and {@code .linger-us}. */
    private static GroupCommitSettings groupCommit() {
        GroupCommitSettings d = GroupCommitSettings.defaults();
        return new GroupCommitSettings(d.maxRequests(), d.maxBytes(),
                Duration.ofNanos(1_000L * Long.getLong("edgelog.bench.linger-us", d.linger().toNanos() / 1_000)),
                Integer.getInteger("edgelog.bench.max-in-flight", d.maxInFlight()), d.queueCapacity(), d.strict());
    }

    private String inserts(int count) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            long id = ids.incrementAndGet();
            body.append(i == 0 ? "[\"" : ",[\"").append(INSERT).append("\", ").append(id).append(", ").append(id % 97)
                    .append(", \"ad-").append(id).append("\", 0.25]");
        }
        return body.append(']').toString();
    }

    /** The same row as an etcd key and value. */
    private String putFields() {
        long id = ids.incrementAndGet();
        return "\"key\":\"" + base64("ads/" + id) + "\",\"value\":\""
                + base64("{\"campaign\":" + id % 97 + ",\"name\":\"ad-" + id + "\",\"bid\":0.25}") + "\"";
    }

    private String put() {
        return "{" + putFields() + "}";
    }

    private String txn() {
        StringBuilder body = new StringBuilder("{\"success\":[");
        for (int i = 0; i < BULK; i++) {
            body.append(i == 0 ? "" : ",").append("{\"requestPut\":{").append(putFields()).append("}}");
        }
        return body.append("]}").toString();
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code load} and reports it with the CPU time this JVM (the three nodes and the load
     * generator) spent per statement: steadier than throughput on a shared VM, where neighbours
     * take cores away for whole runs. Also the requests group commit packed into each Raft entry
     * (SQL-log entries over Raft entries applied on the leader), which sets how many fsyncs and
     * Raft rounds a request costs.
     */
    private static HttpLoad.Result withCpu(String name, PrimaryNode leader,
                                           java.util.concurrent.Callable<HttpLoad.Result> load) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long cpu0 = os.getProcessCpuTime();
        long jit0 = jit.getTotalCompilationTime();
        long sql0 = leader.stateMachine().appliedIndex();
        long raft0 = leader.raftAppliedIndex();
        HttpLoad.Result r = load.call();
        double perRaftEntry = (leader.stateMachine().appliedIndex() - sql0)
                / (double) Math.max(1, leader.raftAppliedIndex() - raft0);
        long statements = r.requests() * (long) r.perRequest();
        // the JIT's share says whether the warm-up was long enough: its compiler threads share the cores
        System.out.printf(Locale.ROOT, "%s  CPU %.1f µs/statement, %.1f requests/Raft entry, JIT compiling %d ms%n",
                r.line(name), (os.getProcessCpuTime() - cpu0) / 1e3 / Math.max(1, statements), perRaftEntry,
                jit.getTotalCompilationTime() - jit0);
        return r;
    }

    static PrimaryNode awaitLeader(List<PrimaryNode> nodes) throws InterruptedException {
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

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static List<Integer> freePorts(int n) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ports.add(freePort());
        }
        return ports;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
