package dev.edgelog.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.SqliteApplier;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.pull.PullProtocol;
import dev.edgelog.sqllog.testing.TestPorts;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edge agent following an upstream that answers each kind of bad response (an HTML error
 * page, truncated frames, a bad checksum, an index gap, another log's id, a stall in the middle of
 * the body, a 503): the edge database stays exactly as it was every time, and the agent keeps
 * retrying; once the upstream answers properly the same agent applies the entries (so the
 * unchanged database is not merely an agent that applies nothing).
 */
class EdgeBadUpstreamIT {

    private static final String LOG = "log-under-test";
    private static final String OTHER_LOG = "another-log";

    @TempDir
    Path dir;

    @Test
    void when_theUpstreamAnswersBadly_then_theDatabaseIsUntouchedUntilAGoodAnswer() throws Exception {
        List<Entry> log = entries(30);
        EdgeConfig config = EdgeConfig.of("edge-under-test", dir.resolve("edge"), List.of(URI.create("http://127.0.0.1:1")));
        java.nio.file.Files.createDirectories(config.dataDir());
        try (SqliteApplier a = SqliteApplier.open(config.databaseFile(), ApplierConfig.forLog(LOG))) {
            a.apply(log.subList(0, 10));
        }
        String before = content(config.databaseFile());

        try (FakeUpstream up = new FakeUpstream(frames(log.subList(10, 15), LOG, b -> b))) {
            EdgeConfig c = new EdgeConfig(config.nodeName(), config.dataDir(), List.of(URI.create(up.url())), null, null,
                    "127.0.0.1:" + TestPorts.free(), 1 << 20, Duration.ofMillis(200), Duration.ofMillis(500), 1000,
                    Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(50));
            List<FakeUpstream.Script> bad = List.of(
                    FakeUpstream.answer(200, "Content-Type: text/html\r\n", l -> "<html><body>502 Bad Gateway</body></html>"
                            .getBytes(StandardCharsets.UTF_8)),
                    frames(log.subList(10, 15), LOG, b -> java.util.Arrays.copyOf(b, b.length - 7)),
                    frames(log.subList(10, 15), LOG, b -> flip(b, b.length - 3)),
                    frames(List.of(log.get(10), log.get(11), log.get(13)), LOG, b -> b),
                    frames(log.subList(11, 15), LOG, b -> b),
                    frames(log.subList(10, 15), OTHER_LOG, b -> b),
                    FakeUpstream.answer(200, "Content-Type: " + PullProtocol.FRAMES_TYPE + "\r\n", l -> encode(log.subList(10, 12))),
                    FakeUpstream.answer(503, "Content-Type: text/plain\r\n", l -> "overloaded".getBytes(StandardCharsets.UTF_8)),
                    stall(log.subList(10, 15)));
            up.script(bad.get(0));
            try (EdgeAgent agent = EdgeAgent.start(c)) {
                for (FakeUpstream.Script s : bad) {
                    up.script(s);
                    await("three refused pulls", () -> up.pulls() >= 3);
                    assertEquals(before, content(config.databaseFile()), "the database changed");
                    assertEquals(10, agent.status().appliedIndex());
                    assertNotNull(agent.status().lastError());
                }
                up.script(frames(log.subList(10, 30), LOG, b -> b));
                await("the good answer applied", () -> agent.status().appliedIndex() == 30);
            }
        }
    }

    /** CREATE TABLE, then INSERTs, at indices 1…n, with outcomes computed by a scratch applier. */
    private List<Entry> entries(int n) throws Exception {
        List<Entry> raw = new ArrayList<>();
        raw.add(entry(1, "CREATE TABLE t(x INTEGER)"));
        for (int i = 2; i <= n; i++) {
            raw.add(entry(i, "INSERT INTO t VALUES(" + i + ")"));
        }
        try (SqliteApplier scratch = SqliteApplier.open(dir.resolve("scratch.db"), ApplierConfig.forLog(LOG))) {
            return scratch.apply(raw).applied();
        }
    }

    private static Entry entry(long index, String sql) {
        return new Entry(index, 1, index, 1_700_000_000_000L + index, false, List.of(Statement.of(sql)), List.of());
    }

    private static byte[] encode(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EntryCodec.encodeAll(entries, out);
        return out.toByteArray();
    }

    private static byte[] flip(byte[] b, int at) {
        byte[] c = b.clone();
        c[at] ^= 0x40;
        return c;
    }

    private static FakeUpstream.Script frames(List<Entry> entries, String logId,
                                              java.util.function.UnaryOperator<byte[]> damage) {
        return FakeUpstream.answer(200, "Content-Type: " + PullProtocol.FRAMES_TYPE + "\r\n" + headers(logId),
                l -> damage.apply(encode(entries)));
    }

    private static String headers(String logId) {
        return PullProtocol.LOG_ID_HEADER + ": " + logId + "\r\n" + PullProtocol.COMMIT_INDEX_HEADER + ": 30\r\n"
                + PullProtocol.FIRST_INDEX_HEADER + ": 1\r\n";
    }

    /** Headers and half the body, then silence until the client gives up. */
    private static FakeUpstream.Script stall(List<Entry> entries) {
        return (line, out) -> {
            byte[] b = encode(entries);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + PullProtocol.FRAMES_TYPE + "\r\n" + headers(LOG)
                    + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(b, 0, b.length / 2);
            out.flush();
            Thread.sleep(2_000);
        };
    }

    private static String content(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             java.sql.Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT group_concat(x) FROM t) || '@' || "
                     + "(SELECT applied_index FROM _edgelog_state)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
