package dev.edgelog.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.primary.MalformedBodies.Bad;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand seeded malformed write bodies, sent to a one-node primary over HTTP (a tenth of them
 * to {@code /db/request}, the rest to {@code /db/execute}): JSON cut short, random bytes and bare
 * text, the wrong top-level type, wrong statement types and empty statement lists, statements the
 * log's validator refuses, deep nesting, bodies over {@code max_body_bytes}, bad parameters and
 * empty bodies. Each must be refused with a 4xx whose message names the problem, and none may
 * reach the log: the SQL log's commit index, the schema and the table are unchanged after all of
 * them, and a valid write then commits.
 *
 * <p>Every body comes from its own {@link Random} seeded from {@link #SEED} and its index; a
 * failure names the index and the body, and {@code -Dmalformed.case=<index>} replays only it.
 */
class MalformedWritesIT {

    private static final long SEED = 0x5EEDBAD0L;
    private static final int BODIES = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE = "SELECT id, name, n, typeof(n) FROM t ORDER BY id";
    private static final String SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name";

    @TempDir
    Path dir;

    @Test
    void when_aSmallBodyIsStillOverMaxBodyBytes_then_413AndNothingCommits() throws Exception {
        // max_body_bytes below the size the leader parses on its I/O thread: the limit still holds there
        try (TestCluster c = TestCluster.adjusted(dir, 1, cfg -> cfg.withMaxBodyBytes(1024))) {
            c.awaitReady();
            awaitCommitted(c, write(c, "[\"CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n)\"]"));
            long commitBefore = commitIndex(c);
            HttpResponse<String> r = c.post(0, "/db/execute",
                    "[[\"INSERT INTO t(name) VALUES(?)\", \"" + "x".repeat(2000) + "\"]]");
            assertEquals(413, r.statusCode(), r.body());
            assertTrue(r.body().contains("max_body_bytes 1024"), r.body());
            assertEquals(commitBefore, commitIndex(c));
            assertEquals("{\"results\":[{\"columns\":[\"count(*)\"],\"types\":[\"integer\"],\"values\":[[0]]}]}",
                    c.get(0, "/db/query?level=linearizable&q=SELECT%20count(*)%20FROM%20t").body());
        }
    }

    @Test
    void when_writeBodiesAreMalformed_then_eachIsRefusedWith4xxAndNothingCommits() throws Exception {
        try (TestCluster c = TestCluster.adjusted(dir, 1, cfg -> cfg.withMaxBodyBytes(MalformedBodies.MAX_BODY))) {
            c.awaitReady();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://" + c.configs.get(0).self().httpAddress();
            awaitCommitted(c, write(c, "[\"CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n)\","
                    + " [\"INSERT INTO t(name, n) VALUES(?, ?)\", \"a\", 1],"
                    + " \"INSERT INTO t(name, n) VALUES('b', 2.5)\"]"));
            long commitBefore = commitIndex(c);
            String tableBefore = query(c, TABLE);
            String schemaBefore = query(c, SCHEMA);

            Integer only = Integer.getInteger("malformed.case");
            Map<String, Integer> counts = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = only == null ? 0 : only; i < (only == null ? BODIES : only + 1); i++) {
                Bad bad = MalformedBodies.generate(SEED, i);
                counts.merge(bad.category() + (bad.path().startsWith("/db/request") ? " (request)" : ""), 1,
                        Integer::sum);
                String problem = check(http, base, bad);
                if (problem != null) {
                    failures.add(describe(i, bad) + "\n    " + problem);
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("MalformedWritesIT: " + counts + " in " + millis + " ms");
            assertTrue(failures.isEmpty(), failures.size() + " malformed bodies were not refused as expected"
                    + " (replay one with -Dit.test=MalformedWritesIT -Dmalformed.case=<index>):\n"
                    + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
            assertEquals(commitBefore, commitIndex(c), "the SQL log's commit index after the malformed bodies");
            assertEquals(tableBefore, query(c, TABLE), "the table after the malformed bodies");
            assertEquals(schemaBefore, query(c, SCHEMA), "the schema after the malformed bodies");

            Random r = new Random(SEED);
            String good = "[" + MalformedBodies.validStatement(r) + ", " + MalformedBodies.validStatement(r)
                    + ", \"INSERT INTO t(name, n) VALUES('after', 42)\"]";
            long index = write(c, good);
            assertEquals(commitBefore + 1, index, "the valid write is the next entry");
            awaitCommitted(c, index);
            assertTrue(query(c, TABLE).contains("\"after\",42,\"integer\""), query(c, TABLE));
        }
    }

    /** Sends {@code bad}; null when it was answered as it must be, else what was wrong. */
    private static String check(HttpClient http, String base, Bad bad) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + bad.path())).timeout(Duration.ofSeconds(30))
                .POST(bad.chunked() // no Content-Length: the node finds the size while reading
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bad.body()))
                        : HttpRequest.BodyPublishers.ofByteArray(bad.body()));
        if (bad.contentType() != null) {
            b.header("Content-Type", bad.contentType());
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return "no answer: " + e;
        }
        String error;
        try {
            error = JSON.readTree(resp.body()).path("error").asText("");
        } catch (IOException e) {
            error = "";
        }
        if (resp.statusCode() != bad.status() || error.isBlank() || !bad.says().matcher(error).find()) {
            return "answered " + resp.statusCode() + " " + preview(resp.body().getBytes(StandardCharsets.UTF_8), 400)
                    + "; expected " + bad.status() + " with an error matching /" + bad.says() + "/";
        }
        return null;
    }

    private static String describe(int i, Bad bad) {
        return "body " + i + " (seed " + SEED + ", " + bad.category() + ", POST " + bad.path() + ", "
                + (bad.contentType() == null ? "no Content-Type" : bad.contentType())
                + (bad.chunked() ? ", chunked" : "")
                + ", " + bad.body().length + " bytes): " + preview(bad.body(), 300);
    }

    /** The first {@code max} characters of {@code body}, non-printable bytes as \xNN. */
    private static String preview(byte[] body, int max) {
        StringBuilder s = new StringBuilder();
        String text = new String(body, StandardCharsets.UTF_8);
        for (int i = 0; i < text.length() && s.length() < max; i++) {
            char ch = text.charAt(i);
            s.append(ch >= 0x20 && ch < 0x7f || Character.isLetter(ch) ? String.valueOf(ch)
                    : String.format("\\x%02x", (int) ch));
        }
        return s.length() < text.length() ? s + "… (truncated)" : s.toString();
    }

    // ---- the node's state over HTTP ----

    /** A valid write; returns its SQL-log index. */
    private static long write(TestCluster c, String body) throws Exception {
        HttpResponse<String> w = c.post(0, "/db/execute?raft_index", body);
        assertEquals(200, w.statusCode(), w.body());
        assertFalse(w.body().contains("\"error\""), w.body());
        return JSON.readTree(w.body()).get("raft_index").asLong();
    }

    private static void awaitCommitted(TestCluster c, long index) throws InterruptedException {
        TestCluster.await("commit_index " + index + " in /v1/status", Duration.ofSeconds(30), () -> {
            try {
                return commitIndex(c) == index;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static long commitIndex(TestCluster c) throws Exception {
        HttpResponse<String> s = c.get(0, "/v1/status");
        assertEquals(200, s.statusCode(), s.body());
        JsonNode n = JSON.readTree(s.body()).get("commit_index");
        assertTrue(n != null && n.canConvertToLong(), s.body());
        return n.asLong();
    }

    private static String query(TestCluster c, String sql) throws Exception {
        HttpResponse<String> q = c.get(0, "/db/query?level=strong&q=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
        assertEquals(200, q.statusCode(), q.body());
        return q.body();
    }
}
