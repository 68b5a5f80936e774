package dev.edgelog.benchmarks;

import dev.edgelog.primary.PrimaryConfig;
import dev.edgelog.primary.PrimaryNode;
import dev.edgelog.primary.commit.GroupCommitSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Commit throughput and latency of a 3-node primary cluster through the HTTP endpoint
 * ({@code POST /db/execute} to the leader) with 1, 16 and 100 concurrent writers of one INSERT each
 * and with bulk requests of 100 INSERTs; then the same load as puts against a local 3-member etcd
 * cluster when {@code etcd} is installed, and the ratio at 100 writers. All nodes run on this
 * machine on 127.0.0.1 (edgelog's three in this JVM, etcd's as processes).
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

    static void run(Path dir, Duration perRun, Duration warmup) throws Exception {
        new CommitBenchmark().runAll(dir, perRun, warmup);
    }

    private void runAll(Path dir, Duration perRun, Duration warmup) throws Exception {
        SegmentBenchmark.deleteTree(dir); // a killed earlier run leaves its nodes' data, whose rows collide
        System.out.printf(Locale.ROOT, "commit path: 3 nodes on 127.0.0.1, %s per run after %s of warm-up, Raft over %s, %s%n",
                perRun, warmup, transport() == PrimaryConfig.RaftTransport.AUTO ? "auto (Netty without TLS)" : transport(),
                groupCommit());
        Map<String, HttpLoad.Result> edgelog = runEdgelog(dir.resolve("edgelog"), perRun, warmup);
        Map<String, HttpLoad.Result> etcd = runEtcd(dir.resolve("etcd"), perRun);
        System.out.println();
        System.out.println("| load | edgelog statements/s | p50 / p99 | etcd puts/s | p50 / p99 | edgelog / etcd |");
        System.out.println("|---|---:|---|---:|---|---:|");
        for (Map.Entry<String, HttpLoad.Result> e : edgelog.entrySet()) {
            HttpLoad.Result r = e.getValue();
            HttpLoad.Result ref = etcd.get(e.getKey());
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f / %.2f ms | %s | %s | %s |%n", e.getKey(),
                    r.statementsPerSec(), r.percentileMs(0.5), r.percentileMs(0.99),
                    ref == null ? "—" : String.format(Locale.ROOT, "%,.0f", ref.statementsPerSec()),
                    ref == null ? "—" : String.format(Locale.ROOT, "%.2f / %.2f ms", ref.percentileMs(0.5), ref.percentileMs(0.99)),
                    ref == null ? "—" : String.format(Locale.ROOT, "**%.2f**", r.statementsPerSec() / ref.statementsPerSec()));
        }
    }

    private Map<String, HttpLoad.Result> runEdgelog(Path dir, Duration perRun, Duration warmup) throws Exception {
        List<PrimaryConfig.Peer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(new PrimaryConfig.Peer("n" + i, "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort()));
        }
        List<PrimaryNode> nodes = new ArrayList<>();
        Map<String, HttpLoad.Result> results = new LinkedHashMap<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(PrimaryNode.start(PrimaryConfig.of("n" + i, dir.resolve("n" + i), peers)
                        .withSnapshotThreshold(1_000_000).withGroupCommit(groupCommit()).withRaftTransport(transport())));
            }
            PrimaryNode leaderNode = awaitLeader(nodes);
            InetSocketAddress leader = parse(leaderNode.config().self().httpAddress());
            HttpLoad.Check ok = (status, body) -> status == 200 && !body.contains("\"error\"");
            HttpLoad.run(leader, "/db/execute", 1, 1, Duration.ofSeconds(5),
                    () -> "[\"CREATE TABLE IF NOT EXISTS ads(id INTEGER PRIMARY KEY, campaign INTEGER, name TEXT, bid REAL)\"]",
                    (status, body) -> true);
            // every load shape once before anything is measured, then each again right before its
            // measurement: on two cores the JIT's compiler threads otherwise take a quarter of the CPU
            // during the first minute, and code compiled under one shape recompiles under the next
            for (int writers : WRITERS) {
                HttpLoad.run(leader, "/db/execute", writers, 1, warmup.dividedBy(8), () -> inserts(1), ok);
            }
            if (MEASURE_BULK) {
                HttpLoad.run(leader, "/db/execute", BULK_WRITERS, BULK, warmup.dividedBy(8), () -> inserts(BULK), ok);
            }
            for (int writers : WRITERS) {
                String name = writers + (writers == 1 ? " writer" : " writers") + ", 1 statement/request";
                HttpLoad.run(leader, "/db/execute", writers, 1, warmup.dividedBy(8), () -> inserts(1), ok);
                results.put(name, withCpu("edgelog " + name, leaderNode,
                        () -> HttpLoad.run(leader, "/db/execute", writers, 1, perRun, () -> inserts(1), ok)));
            }
            if (MEASURE_BULK) {
                String bulk = BULK_WRITERS + " writers, " + BULK + " statements/request";
                HttpLoad.run(leader, "/db/execute", BULK_WRITERS, BULK, warmup.dividedBy(8), () -> inserts(BULK), ok);
                results.put(bulk, withCpu("edgelog " + bulk, leaderNode,
                        () -> HttpLoad.run(leader, "/db/execute", BULK_WRITERS, BULK, perRun, () -> inserts(BULK), ok)));
            }
        } finally {
            for (PrimaryNode n : nodes) {
                n.close();
            }
        }
        return results;
    }

    private Map<String, HttpLoad.Result> runEtcd(Path dir, Duration perRun) throws Exception {
        Map<String, HttpLoad.Result> results = new LinkedHashMap<>();
        Path etcd = EtcdCluster.binary();
        if (etcd == null) {
            System.out.println("etcd comparison skipped: no `etcd` on the PATH (Debian: apt-get install etcd-server)");
            return results;
        }
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ports.add(freePort());
        }
        try (EtcdCluster cluster = new EtcdCluster(etcd, dir, ports)) {
            InetSocketAddress leader = cluster.awaitLeader(Duration.ofSeconds(60));
            HttpLoad.Check ok = (status, body) -> status == 200 && body.contains("\"header\"");
            HttpLoad.run(leader, "/v3/kv/put", 16, 1, Duration.ofSeconds(5), this::put, ok);
            for (int writers : WRITERS) {
                String name = writers + (writers == 1 ? " writer" : " writers") + ", 1 statement/request";
                results.put(name, report("etcd " + name, HttpLoad.run(leader, "/v3/kv/put", writers, 1, perRun, this::put, ok)));
            }
            if (MEASURE_BULK) {
                String bulk = BULK_WRITERS + " writers, " + BULK + " statements/request";
                results.put(bulk, report("etcd " + bulk + " (txn)",
                        HttpLoad.run(leader, "/v3/kv/txn", BULK_WRITERS, BULK, perRun, this::txn, ok)));
            }
        }
        return results;
    }

    /** The configured default ({@code auto}: Netty without TLS), or {@code -Dedgelog.raft.rpc=grpc|netty}. */
    private static PrimaryConfig.RaftTransport transport() {
        String rpc = System.getProperty("edgelog.raft.rpc");
        return rpc == null ? PrimaryConfig.RaftTransport.AUTO : PrimaryConfig.RaftTransport.valueOf(rpc.toUpperCase(Locale.ROOT));
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

    private static HttpLoad.Result report(String name, HttpLoad.Result r) {
        System.out.println(r.line(name));
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

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
