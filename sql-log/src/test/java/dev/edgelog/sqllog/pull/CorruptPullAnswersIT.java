package dev.edgelog.sqllog.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.SqliteApplier;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.segment.FrameRange;
import dev.edgelog.sqllog.testing.DbFiles;
import dev.edgelog.sqllog.testing.FakeUpstream;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand seeded corruptions of one good pull answer (flipped bits, cut and padded bodies,
 * lying lengths, dropped, doubled and swapped frames, foreign log ids, wrong types, error pages,
 * garbage): the client refuses each, or returns only a byte-identical prefix of the good answer,
 * and an edge database that applies only what the client returns is unchanged by the refusals and
 * equal to the source after the good answer.
 */
class CorruptPullAnswersIT {

    private static final String LOG_ID = "corrupt-log";
    private static final int ANSWERS = 10_000;
    private static final long AFTER = 10;

    @TempDir
    Path dir;

    @Test
    void when_answersAreCorrupted_then_noneIsAppliedAndTheGoodOneStillIs() throws Exception {
        Random random = new Random(20261122L);
        try (TestLogSource source = TestLogSource.open(dir.resolve("source"), LOG_ID);
             FakeUpstream fake = FakeUpstream.start(FakeUpstream.bytes(new byte[0]));
             SqliteApplier edge = SqliteApplier.open(dir.resolve("edge.db"), ApplierConfig.forLog(LOG_ID));
             PullClient client = new PullClient(fake.uri(), PullClient.Options.of("edge-under-test")
                     .withStallTimeout(Duration.ofMillis(300)))) {
            source.appendRows(30);
            edge.apply(source.segments().readEntries(1, (int) AFTER));
            List<byte[]> frames = frames(source);
            String before = content(dir.resolve("edge.db"));

            int refused = 0;
            int prefixes = 0;
            for (int i = 0; i < ANSWERS; i++) {
                int kind = random.nextInt(14);
                fake.answer(FakeUpstream.bytes(corrupt(kind, frames, random)));
                PullClient.Batch b;
                try {
                    b = client.pull(AFTER, LOG_ID, 1 << 20, Duration.ZERO);
                } catch (IOException refusedAnswer) {
                    refused++;
                    continue;
                }
                byte[] got = concat(b.frames().stream().map(FrameReader.Frame::bytes).toList());
                byte[] prefix = concat(frames.subList(0, b.frames().size()));
                assertArrayEquals(prefix, got, "corruption " + i + " (kind " + kind + ") was accepted as entries");
                prefixes++;
            }
            assertEquals(AFTER, edge.appliedIndex());
            assertEquals(before, content(dir.resolve("edge.db")), "nothing was applied");
            assertTrue(refused > ANSWERS * 9 / 10, refused + " of " + ANSWERS + " refused, " + prefixes
                    + " accepted as a shorter good answer");

            fake.answer(FakeUpstream.bytes(answer(concat(frames), LOG_ID, "application/x-edgelog-frames", "200 OK")));
            PullClient.Batch good = client.pull(AFTER, LOG_ID, 1 << 20, Duration.ZERO);
            edge.apply(good.frames().stream().map(FrameReader.Frame::entry).toList());
            assertEquals(content(source.databaseFile()), content(dir.resolve("edge.db")), "the good answer applies");
        }
    }

    private static List<byte[]> frames(TestLogSource source) {
        List<byte[]> out = new ArrayList<>();
        for (Entry e : source.segments().readEntries(AFTER + 1, 100)) {
            out.add(EntryCodec.encode(e));
        }
        try (FrameRange r = source.segments().readRange(AFTER + 1, 1 << 20)) {
            assertArrayEquals(r.toBytes(), concat(out), "re-encoding gives the stored bytes");
        }
        return out;
    }

    /** One corrupted answer of kind {@code kind} (0..13). */
    private static byte[] corrupt(int kind, List<byte[]> frames, Random r) {
        byte[] body = concat(frames);
        String type = "application/x-edgelog-frames";
        switch (kind) {
            case 0 -> { // one flipped bit in the body
                body = body.clone();
                int at = r.nextInt(body.length);
                body[at] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> { // the body ends early, the length says more
                return head("200 OK", LOG_ID, type, body.length, Arrays.copyOf(body, r.nextInt(body.length)));
            }
            case 2 -> body = Arrays.copyOf(body, 1 + r.nextInt(body.length - 1)); // cut, length agrees
            case 3 -> { // garbage
                body = new byte[1 + r.nextInt(4096)];
                r.nextBytes(body);
            }
            case 4 -> {
                return answer(body, "another-log", type, "200 OK");
            }
            case 5 -> {
                return answer("<html><body>502 Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8), LOG_ID,
                        "text/html", "200 OK");
            }
            case 6 -> { // a frame twice
                List<byte[]> f = new ArrayList<>(frames);
                int at = r.nextInt(f.size());
                f.add(at, f.get(at));
                body = concat(f);
            }
            case 7 -> { // a frame missing
                List<byte[]> f = new ArrayList<>(frames);
                f.remove(1 + r.nextInt(f.size() - 1));
                body = concat(f);
            }
            case 8 -> { // two frames swapped
                List<byte[]> f = new ArrayList<>(frames);
                int a = r.nextInt(f.size() - 1);
                f.set(a, frames.get(a + 1));
                f.set(a + 1, frames.get(a));
                body = concat(f);
            }
            case 9 -> { // bytes inserted
                byte[] junk = new byte[1 + r.nextInt(16)];
                r.nextBytes(junk);
                int at = r.nextInt(body.length);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(body, 0, at);
                out.writeBytes(junk);
                out.write(body, at, body.length - at);
                body = out.toByteArray();
            }
            case 10 -> {
                String[] statuses = {"500 Internal Server Error", "503 Service Unavailable", "404 Not Found",
                    "302 Found", "400 Bad Request"};
                return answer("no".getBytes(StandardCharsets.UTF_8), LOG_ID, "text/plain",
                        statuses[r.nextInt(statuses.length)]);
            }
            case 11 -> { // not HTTP at all
                byte[] junk = new byte[1 + r.nextInt(200)];
                r.nextBytes(junk);
                return junk;
            }
            case 12 -> body = concat(frames.subList(1 + r.nextInt(frames.size() - 1), frames.size())); // starts late
            default -> { // a frame's length field lies
                body = body.clone();
                int len = ByteBuffer.wrap(body).getInt(0);
                ByteBuffer.wrap(body).putInt(0, len + 1 + r.nextInt(1 << 20));
            }
        }
        return answer(body, LOG_ID, type, "200 OK");
    }

    private static byte[] answer(byte[] body, String logId, String type, String status) {
        return head(status, logId, type, body.length, body);
    }

    private static byte[] head(String status, String logId, String type, int length, byte[] body) {
        return FakeUpstream.http(status, List.of("Content-Type: " + type, "Content-Length: " + length,
                PullProtocol.LOG_ID_HEADER + ": " + logId, PullProtocol.COMMIT_INDEX_HEADER + ": 30",
                PullProtocol.FIRST_INDEX_HEADER + ": 1"), body);
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static String content(Path db) throws Exception {
        return DbFiles.value(db, "SELECT count(*) || ':' || coalesce(group_concat(id || '=' || v, ','), '')"
                + " FROM (SELECT * FROM t ORDER BY id)");
    }
}
