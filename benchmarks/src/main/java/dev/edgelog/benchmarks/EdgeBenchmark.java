package dev.edgelog.benchmarks;

import dev.edgelog.edge.EdgeAgent;
import dev.edgelog.edge.EdgeConfig;
import dev.edgelog.primary.PrimaryConfig;
import dev.edgelog.primary.PrimaryNode;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.SqliteApplier;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.pull.LogSource;
import dev.edgelog.sqllog.pull.PullProtocol;
import dev.edgelog.sqllog.pull.PullService;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import dev.edgelog.sqllog.snapshot.Snapshots;
import io.undertow.Handlers;
import io.undertow.Undertow;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Issue 4's figures: an edge catching up 1M entries (entries/s, and against raw sqlite-jdbc end to
 * end: the same pulls, decoded by the codec and written through plain JDBC), commit→visible latency at an edge under 1k writes/s to a 3-node
 * primary, and an idle edge agent process's RSS and CPU.
 */
final class EdgeBenchmark {

    private static final int FRAMES_PER_PULL = 1_000;
    private static final Entry SCHEMA_ENTRY = ApplierBenchmark.entry(1, Statement.of(ApplierBenchmark.SCHEMA), List.of());

    private EdgeBenchmark() {
    }

    static void run(Path dir, int entries, Duration visibilityRun) throws Exception {
        Files.createDirectories(dir);
        try (Upstream up = new Upstream(dir.resolve("upstream"), entries)) {
            catchUp(dir, up);
            idle(dir, up);
        }
        visibility(dir.resolve("visibility"), visibilityRun);
    }

    // ---- catch-up ----

    /**
     * Best of three alternating rounds of the agent and of the reference, each catching up a fresh
     * database (holding the schema) to the upstream's last index.
     */
    private static void catchUp(Path dir, Upstream up) throws Exception {
        double best = 0;
        double bestRaw = 0;
        for (int round = 0; round < 3; round++) {
            best = Math.max(best, agentCatchUp(dir.resolve("edge-" + round), up));
            bestRaw = Math.max(bestRaw, rawCatchUp(dir, up));
        }
        System.out.printf(Locale.ROOT, "catch-up of %,d entries over HTTP (%d entries per pull): edge agent %,.0f entries/s,"
                + " raw sqlite-jdbc end to end %,.0f entries/s, ratio %.2f (targets: ≥ 100,000/s; ≥ 0.9)%n",
                up.lastIndex() - 1, FRAMES_PER_PULL, best, bestRaw, best / bestRaw);
    }

    /** Entries/s of an edge agent started on a database holding only the schema. */
    private static double agentCatchUp(Path edgeDir, Upstream up) throws Exception {
        Files.createDirectories(edgeDir);
        try (SqliteApplier a = SqliteApplier.open(edgeDir.resolve("edge.db"), ApplierConfig.forLog(up.logId()))) {
            a.apply(List.of(SCHEMA_ENTRY)); // the agent catches up the rest
        }
        String local = "127.0.0.1:" + CommitBenchmark.freePort();
        EdgeConfig c = EdgeConfig.of("bench-edge", edgeDir, List.of(URI.create(up.url())))
                .with(f -> f.withHttpAddress(local).withMaxBatchBytes(2 * up.pullBytes())); // a pull asks for half
        CountDownLatch done = new CountDownLatch(1);
        long target = up.lastIndex();
        long[] end = new long[1];
        long t0 = System.nanoTime();
        try (EdgeAgent agent = EdgeAgent.start(c)) {
            agent.follower().onApplied(i -> {
                if (i >= target) {
                    end[0] = System.nanoTime();
                    done.countDown();
                }
            });
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the edge did not catch up within 10 minutes");
            }
        }
        SegmentBenchmark.deleteTree(edgeDir);
        return (target - 1) * 1e9 / (end[0] - t0);
    }

    /**
     * The reference, raw sqlite-jdbc end to end: the same pulls (one keep-alive
     * {@code HttpURLConnection}, the body read whole), frames decoded by the codec, and the rows
     * written the way {@link ApplierBenchmark#rawApply} does (reused prepared statements, WAL,
     * {@code synchronous=NORMAL}, a commit per pull), with no outcome checks, no state row and no
     * continuity or log-id checks. It pulls and applies in turn, as a plain loop does; the agent
     * overlaps the next pull with the apply.
     */
    private static double rawCatchUp(Path dir, Upstream up) throws Exception {
        long target = up.lastIndex();
        try (Connection raw = ApplierBenchmark.raw(dir)) {
            long t0 = System.nanoTime();
            for (long after = 1; after < target; ) {
                HttpURLConnection h = (HttpURLConnection) URI.create(up.url() + PullProtocol.LOG_PATH + "?after=" + after
                        + "&max_bytes=" + up.pullBytes() + "&wait_ms=0").toURL().openConnection();
                h.setRequestProperty(PullProtocol.LOG_ID_HEADER, up.logId());
                h.setRequestProperty("Accept", PullProtocol.FRAMES_TYPE);
                byte[] body;
                try (InputStream in = h.getInputStream()) {
                    body = in.readAllBytes();
                }
                List<Entry> entries = EntryCodec.decodeAll(ByteBuffer.wrap(body), EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES);
                ApplierBenchmark.rawApply(raw, entries, false);
                after = entries.get(entries.size() - 1).index();
            }
            return (target - 1) * 1e9 / (System.nanoTime() - t0);
        }
    }

    // ---- idle agent ----

    /** An agent process with the systemd unit's JVM flags, after it bootstrapped from the upstream's snapshot. */
    private static void idle(Path dir, Upstream up) throws Exception {
        Path jar = Path.of("edge-agent", "target", "edgelog-edge.jar");
        if (!Files.exists(jar)) {
            System.out.println("idle agent: skipped, " + jar + " not built (run from the repository root after package)");
            return;
        }
        Path edgeDir = dir.resolve("idle-edge");
        Files.createDirectories(edgeDir);
        Path config = edgeDir.resolve("edge.yaml");
        Files.writeString(config, "node_name: idle\ndata_dir: " + edgeDir + "\nupstreams: [\"" + up.url() + "\"]\n"
                + "http_address: 127.0.0.1:" + CommitBenchmark.freePort() + "\n");
        List<String> jvm = List.of("-Xms16m", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar.toString(), "edge", "--config", config.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(edgeDir.resolve("out.log").toFile())
                .start();
        try {
            Thread.sleep(20_000); // start, bootstrap, JIT and the first long polls settle
            long cpu0 = cpuTicks(p.pid());
            long t0 = System.nanoTime();
            Thread.sleep(30_000);
            double cpu = (cpuTicks(p.pid()) - cpu0) / 100.0 / ((System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "idle edge agent (JVM flags %s): RSS %.1f MB, CPU %.2f %% of one core over 30 s"
                    + " (targets: ≤ 80 MB, < 1 %%)%n", String.join(" ", jvm), rssKb(p.pid()) / 1024.0, cpu * 100);
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
    }

    static long rssKb(long pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    // ---- commit → visible ----

    private static void visibility(Path dir, Duration run) throws Exception {
        List<PrimaryConfig.Peer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(new PrimaryConfig.Peer("n" + i, "127.0.0.1:" + CommitBenchmark.freePort(), "127.0.0.1:" + CommitBenchmark.freePort()));
        }
        List<PrimaryNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(PrimaryNode.start(PrimaryConfig.of("n" + i, dir.resolve("n" + i), peers)
                        .withSnapshotThreshold(1_000_000)));
            }
            String http = CommitBenchmark.awaitLeader(nodes).config().self().httpAddress();
            InetSocketAddress addr = CommitBenchmark.parse(http);
            HttpLoad.run(addr, "/db/execute", 1, 1, Duration.ofSeconds(2),
                    () -> "[\"CREATE TABLE IF NOT EXISTS ads(id INTEGER PRIMARY KEY, campaign INTEGER, name TEXT, bid REAL)\"]",
                    (s, b) -> true);
            String local = "127.0.0.1:" + CommitBenchmark.freePort();
            EdgeConfig c = EdgeConfig.of("visibility-edge", dir.resolve("edge"), List.of(URI.create("http://" + http)))
                    .with(f -> f.withHttpAddress(local));
            ConcurrentHashMap<Long, Long> acked = new ConcurrentHashMap<>();
            long[] visibleAt = new long[4_000_000];
            AtomicLong seen = new AtomicLong();
            try (EdgeAgent agent = EdgeAgent.start(c)) {
                LongConsumer onApplied = i -> {
                    long now = System.nanoTime();
                    for (long k = seen.get() + 1; k <= i && k < visibleAt.length; k++) {
                        visibleAt[(int) k] = now;
                    }
                    seen.set(i);
                };
                agent.follower().onApplied(onApplied);
                pacedWrites(addr, 1_000, Duration.ofSeconds(10), acked); // warm-up
                acked.clear();
                pacedWrites(addr, 1_000, run, acked);
                Thread.sleep(2_000);
            }
            long[] lat = acked.entrySet().stream().filter(e -> e.getKey() < visibleAt.length && visibleAt[(int) (long) e.getKey()] > 0)
                    .mapToLong(e -> visibleAt[(int) (long) e.getKey()] - e.getValue()).sorted().toArray();
            System.out.printf(Locale.ROOT, "commit→visible at an edge, %,d writes at 1,000/s (from the primary's answer"
                    + " to the edge's commit): p50 %.2f ms, p99 %.2f ms (targets 5 / 25 ms)%n", lat.length,
                    lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6);
        } finally {
            for (PrimaryNode n : nodes) {
                n.close();
            }
        }
    }

    /** {@code perSecond} single-INSERT writes, open loop over 16 connections; records each index's answer time. */
    static void pacedWrites(InetSocketAddress addr, int perSecond, Duration run, ConcurrentHashMap<Long, Long> acked)
            throws Exception {
        int writers = 16;
        long intervalNanos = 1_000_000_000L * writers / perSecond;
        long end = System.nanoTime() + run.toNanos();
        AtomicLong ids = new AtomicLong(System.nanoTime());
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            long offset = intervalNanos * w / writers;
            Thread t = new Thread(() -> {
                try (HttpLoad.Connection conn = new HttpLoad.Connection(addr)) {
                    long next = System.nanoTime() + offset;
                    while (next < end) {
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) {
                            TimeUnit.NANOSECONDS.sleep(sleep);
                        }
                        long id = ids.incrementAndGet();
                        long[] index = {-1};
                        conn.post("/db/execute?raft_index", "[[\"INSERT INTO ads(id, campaign, name, bid) VALUES(?, 1, 'x', 0.5)\", "
                                + id + "]]", (s, b) -> {
                                    int k = b.indexOf("\"raft_index\":");
                                    if (s == 200 && k >= 0) {
                                        index[0] = Long.parseLong(b.substring(k + 13).replaceAll("[^0-9].*", ""));
                                    }
                                    return true;
                                });
                        if (index[0] > 0) {
                            acked.put(index[0], System.nanoTime());
                        }
                        next += intervalNanos;
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    // ---- a local upstream holding the whole log ----

    /**
     * A pull server over a segment store and database holding the schema and {@code entries}
     * single-row INSERTs, applied as a primary would; built in chunks so that the benchmark's heap
     * holds no copy of the log while the agent runs.
     */
    private static final class Upstream implements AutoCloseable, LogSource {
        private final SqliteApplier applier;
        private final SegmentStore segments;
        private final PullService pull;
        private final Undertow server;
        private final int port;
        private final Path db;

        Upstream(Path dir, int entries) throws Exception {
            SegmentBenchmark.deleteTree(dir); // a killed earlier run may have left its files
            Files.createDirectories(dir);
            db = dir.resolve("up.db");
            applier = SqliteApplier.open(db, ApplierConfig.forLog(ApplierBenchmark.LOG_ID));
            segments = SegmentStore.open(dir.resolve("log"), SegmentStoreConfig.defaults(), Clock.systemUTC());
            applier.apply(List.of(SCHEMA_ENTRY), null, segments::append);
            for (int i = 0; i < entries; i += 10_000) {
                applier.apply(ApplierBenchmark.insertEntries(i + 1, Math.min(entries - i, 10_000), false, false, i + 2), null,
                        segments::append);
            }
            pull = new PullService("bench-upstream", this, null, dir.resolve("snapshots"), Clock.systemUTC());
            port = CommitBenchmark.freePort();
            server = Undertow.builder().setSocketOption(org.xnio.Options.TCP_NODELAY, true).addHttpListener(port, "127.0.0.1").setHandler(pull.addTo(Handlers.routing())).build();
            server.start();
        }

        long lastIndex() {
            return segments.lastIndex();
        }

        /** {@code max_bytes} of a pull of about {@link #FRAMES_PER_PULL} entries. */
        int pullBytes() {
            return (int) (FRAMES_PER_PULL * segments.totalBytes() / Math.max(1, segments.lastIndex()));
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public String logId() {
            return ApplierBenchmark.LOG_ID;
        }

        @Override
        public SegmentStore segments() {
            return segments;
        }

        @Override
        public long commitIndex() {
            return applier.appliedIndex();
        }

        @Override
        public void onCommit(LongConsumer listener) {
            // the log is complete before anyone pulls
        }

        @Override
        public SnapshotInfo snapshot(Path target) {
            return Snapshots.create(db, target);
        }

        @Override
        public void close() {
            server.stop();
            pull.close();
            segments.close();
            applier.close();
        }
    }
}
