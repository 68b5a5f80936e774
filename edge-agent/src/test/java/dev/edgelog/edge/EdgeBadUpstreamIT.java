package dev.edgelog.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.SqliteApplier;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.pull.PullProtocol;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.DbFiles;
import dev.edgelog.sqllog.testing.FakeUpstream;
import dev.edgelog.sqllog.testing.TestPorts;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        java.nio.file.Files.createDirectories(config.follow().dataDir());
        try (SqliteApplier a = SqliteApplier.open(config.databaseFile(), ApplierConfig.forLog(LOG))) {
            a.apply(log.subList(0, 10));
        }
        String before = content(config.databaseFile());

        try (FakeUpstream up = FakeUpstream.start(frames(log.subList(10, 15), LOG, b -> b))) {
            String local = "127.0.0.1:" + TestPorts.free();
            EdgeConfig c = EdgeConfig.of(config.follow().nodeName(), config.follow().dataDir(), List.of(up.uri()))
                    .with(f -> f.withHttpAddress(local).withMaxBatchBytes(1 << 20)
                            .withTiming(Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofMillis(5),
                                    Duration.ofMillis(50), Duration.ofMillis(50)));
            List<FakeUpstream.Reply> bad = List.of(
                    answer("200 OK", List.of("Content-Type: text/html"), "<html><body>502 Bad Gateway</body></html>"
                            .getBytes(StandardCharsets.UTF_8)),
                    frames(log.subList(10, 15), LOG, b -> java.util.Arrays.copyOf(b, b.length - 7)),
                    frames(log.subList(10, 15), LOG, b -> flip(b, b.length - 3)),
                    frames(List.of(log.get(10), log.get(11), log.get(13)), LOG, b -> b),
                    frames(log.subList(11, 15), LOG, b -> b),
                    frames(log.subList(10, 15), OTHER_LOG, b -> b),
                    answer("200 OK", List.of("Content-Type: " + PullProtocol.FRAMES_TYPE), encode(log.subList(10, 12))),
                    answer("503 Service Unavailable", List.of("Content-Type: text/plain"),
                            "overloaded".getBytes(StandardCharsets.UTF_8)),
                    stall(log.subList(10, 15)));
            up.answer(bad.get(0));
            try (EdgeAgent agent = EdgeAgent.start(c)) {
                for (FakeUpstream.Reply s : bad) {
                    int seen = up.requests().size();
                    up.answer(s);
                    // one pull may still be answered the old way; three more meet this answer
                    Await.until("three refused pulls", Duration.ofSeconds(30), () -> up.requests().size() - seen >= 4);
                    assertEquals(before, content(config.databaseFile()), "the database changed");
                    assertEquals(10, agent.status().appliedIndex());
                    assertNotNull(agent.status().lastError());
                }
                up.answer(frames(log.subList(10, 30), LOG, b -> b));
                Await.until("the good answer applied", Duration.ofSeconds(30), () -> agent.status().appliedIndex() == 30);
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

    /** A whole answer with a correct Content-Length. */
    private static FakeUpstream.Reply answer(String status, List<String> headers, byte[] body) {
        List<String> all = new ArrayList<>(headers);
        all.add("Content-Length: " + body.length);
        return FakeUpstream.bytes(FakeUpstream.http(status, all, body));
    }

    private static FakeUpstream.Reply frames(List<Entry> entries, String logId,
                                             java.util.function.UnaryOperator<byte[]> damage) {
        return answer("200 OK", headers(logId), damage.apply(encode(entries)));
    }

    private static List<String> headers(String logId) {
        return List.of("Content-Type: " + PullProtocol.FRAMES_TYPE, PullProtocol.LOG_ID_HEADER + ": " + logId,
                PullProtocol.COMMIT_INDEX_HEADER + ": 30", PullProtocol.FIRST_INDEX_HEADER + ": 1");
    }

    /** Headers and half the body, then silence until the client gives up. */
    private static FakeUpstream.Reply stall(List<Entry> entries) {
        return (out, upstream) -> {
            byte[] b = encode(entries);
            List<String> h = new ArrayList<>(headers(LOG));
            h.add("Content-Length: " + b.length);
            byte[] whole = FakeUpstream.http("200 OK", h, b);
            out.write(whole, 0, whole.length - b.length / 2);
            out.flush();
            Thread.sleep(2_000);
        };
    }

    private static String content(Path db) throws Exception {
        return DbFiles.value(db, "SELECT (SELECT group_concat(x) FROM t) || '@' || "
                + "(SELECT applied_index FROM _edgelog_state)");
    }
}
