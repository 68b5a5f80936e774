package dev.edgelog.sqllog.segment;

import static dev.edgelog.sqllog.segment.TestEntries.entries;
import static dev.edgelog.sqllog.segment.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Recovery on real files: torn tails are cut, bad bytes before the recovery point fail the open. */
class SegmentRecoveryTest {

    private static final Clock FIXED = Clock.fixed(Instant.ofEpochMilli(TestEntries.EPOCH), ZoneOffset.UTC);
    private static final SegmentStoreConfig SMALL = SegmentStoreConfig.defaults()
            .withSegmentBytes(4096).withIndexIntervalBytes(256).withFsyncPolicy(FsyncPolicy.never());
    private static final long N = 200;

    @TempDir
    Path tmp;

    /**
     * A store with entries 1..N, appended one per batch, copied while still open: what a
     * crash leaves. The clock never moves, so the recovery point stays at the start of the active segment.
     */
    private Path crashImage() throws IOException {
        Path live = tmp.resolve("live");
        try (SegmentStore store = SegmentStore.open(live, SMALL, FIXED)) {
            for (long i = 1; i <= N; i++) {
                store.append(List.of(entry(i)));
            }
            return TestEntries.copyDir(live, tmp.resolve("image"));
        }
    }

    private static long activeBase(Path dir) throws IOException {
        List<Path> logs = TestEntries.logFiles(dir);
        return Long.parseLong(logs.get(logs.size() - 1).getFileName().toString().replace(".log", ""));
    }

    /** Start offsets in the active segment of frames base..N, plus its end. */
    private static long[] boundaries(long base) {
        long[] pos = new long[(int) (N - base + 2)];
        for (long i = base; i <= N; i++) {
            pos[(int) (i - base + 1)] = pos[(int) (i - base)] + EntryCodec.encode(entry(i)).length;
        }
        return pos;
    }

    @Test
    void when_tailIsTornAtAnyOffset_then_recoveryCutsOnlyTheTornFrame() throws Exception {
        Path image = crashImage();
        long base = activeBase(image);
        long[] pos = boundaries(base);
        assertTrue(pos.length >= 4, "the active segment holds at least 3 frames");
        long from = pos[pos.length - 4];
        long end = pos[pos.length - 1];
        assertEquals(end, Files.size(TestEntries.logFile(image, base)));
        TreeSet<Long> offsets = new TreeSet<>();
        for (int k = pos.length - 4; k < pos.length - 1; k++) {
            for (int d : new int[] {0, 1, 4, 7, 8, 9}) {
                offsets.add(pos[k] + d);
            }
            offsets.add(pos[k + 1] - 1);
        }
        Random rnd = new Random(42);
        for (int i = 0; i < 20; i++) {
            offsets.add(from + rnd.nextInt((int) (end - from)));
        }
        int run = 0;
        for (long offset : offsets) {
            Path dir = TestEntries.copyDir(image, tmp.resolve("torn-" + run++));
            truncate(TestEntries.logFile(dir, base), offset);
            int whole = 0;
            while (whole + 1 < pos.length && pos[whole + 1] <= offset) {
                whole++;
            }
            long last = base + whole - 1;
            try (SegmentStore store = SegmentStore.open(dir, SMALL, FIXED)) {
                assertEquals(last, store.lastIndex(), "cut at " + offset);
                assertEquals(offset - pos[whole], store.recoveryReport().bytesCut(), "cut at " + offset);
                assertEquals(entries(1, last), store.readEntries(1, (int) N));
                store.append(List.of(entry(last + 1)));
            }
            assertEquals(last + 1, SegmentStore.verify(dir, EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES).lastIndex());
        }
    }

    @Test
    void when_byteIsFlippedInTheLastFrame_then_itIsCutWithAWarning() throws Exception {
        Path dir = crashImage();
        long base = activeBase(dir);
        long[] pos = boundaries(base);
        long lastStart = pos[pos.length - 2];
        flip(TestEntries.logFile(dir, base), lastStart + 20);
        ListAppender<ILoggingEvent> logs = capture(SegmentLoader.class);
        try (SegmentStore store = SegmentStore.open(dir, SMALL, FIXED)) {
            assertEquals(N - 1, store.lastIndex());
            RecoveryReport.TornTail torn = store.recoveryReport().tornTail();
            assertEquals(TestEntries.logFile(dir, base), torn.file());
            assertEquals(lastStart, torn.offset());
            assertEquals(pos[pos.length - 1] - lastStart, torn.bytesCut());
            assertTrue(torn.reason().contains("BAD_CHECKSUM"), torn.reason());
        } finally {
            release(SegmentLoader.class, logs);
        }
        ILoggingEvent warn = logs.list.stream().filter(e -> e.getLevel() == Level.WARN).findFirst().orElseThrow();
        String msg = warn.getFormattedMessage();
        assertTrue(msg.contains(TestEntries.logFile(dir, base).toString()) && msg.contains("offset " + lastStart)
                && msg.contains("cut " + (pos[pos.length - 1] - lastStart) + " bytes"), msg);
    }

    @Test
    void when_tailHoldsZerosOrAStaleFrame_then_itIsCut() throws Exception {
        Path dir = crashImage();
        Path dir2 = TestEntries.copyDir(dir, tmp.resolve("image2"));
        long base = activeBase(dir);
        Path log = TestEntries.logFile(dir, base);
        long size = Files.size(log);
        Files.write(log, new byte[100], StandardOpenOption.APPEND);
        try (SegmentStore store = SegmentStore.open(dir, SMALL, FIXED)) {
            assertEquals(N, store.lastIndex());
            assertEquals(100, store.recoveryReport().bytesCut());
            store.append(List.of(entry(N + 1)));
        }
        // a whole, valid frame whose index repeats one already stored (after the recovery point)
        Path log2 = TestEntries.logFile(dir2, base);
        Files.write(log2, EntryCodec.encode(entry(N - 1)), StandardOpenOption.APPEND);
        try (SegmentStore store = SegmentStore.open(dir2, SMALL, FIXED)) {
            assertEquals(N, store.lastIndex());
            assertTrue(store.recoveryReport().tornTail().reason().contains("expected index " + (N + 1)));
            assertEquals(size, Files.size(log2));
        }
    }

    @Test
    void when_byteIsFlippedBeforeTheRecoveryPoint_then_openFailsNamingFileAndOffset() throws Exception {
        Path dir = tmp.resolve("clean");
        try (SegmentStore store = SegmentStore.open(dir, SMALL, FIXED)) {
            for (long i = 1; i <= N; i++) {
                store.append(List.of(entry(i)));
            }
        }
        long base = activeBase(dir);
        long[] pos = boundaries(base);
        long victim = pos[pos.length - 2];
        flip(TestEntries.logFile(dir, base), victim + 12);
        SegmentCorruptException e = assertThrows(SegmentCorruptException.class,
                () -> SegmentStore.open(dir, SMALL, FIXED));
        assertEquals(TestEntries.logFile(dir, base), e.file());
        assertEquals(victim, e.offset());
        assertTrue(e.getMessage().contains("recovery point"), e.getMessage());
    }

    @Test
    void when_byteIsFlippedInASealedSegment_then_openFailsNamingFileAndOffset() throws Exception {
        Path dir = tmp.resolve("sealed");
        try (SegmentStore store = SegmentStore.open(dir, SMALL, FIXED)) {
            for (long i = 1; i <= N; i++) {
                store.append(List.of(entry(i)));
            }
        }
        List<Path> logs = TestEntries.logFiles(dir);
        Path sealed = logs.get(1);
        long sealedBase = Long.parseLong(sealed.getFileName().toString().replace(".log", ""));
        long nextBase = Long.parseLong(logs.get(2).getFileName().toString().replace(".log", ""));
        long lastStart = Files.size(sealed) - EntryCodec.encode(entry(nextBase - 1)).length;
        flip(sealed, lastStart + 15);
        SegmentCorruptException tail = assertThrows(SegmentCorruptException.class,
                () -> SegmentStore.open(dir, SMALL, FIXED));
        assertEquals(sealed, tail.file());
        assertEquals(lastStart, tail.offset());

        flip(sealed, lastStart + 15);
        flip(sealed, 15);
        Files.delete(TestEntries.idxFile(dir, sealedBase));
        SegmentCorruptException first = assertThrows(SegmentCorruptException.class,
                () -> SegmentStore.open(dir, SMALL, FIXED));
        assertEquals(sealed, first.file());
        assertEquals(0, first.offset());
        assertThrows(SegmentCorruptException.class, () -> SegmentStore.verify(dir, EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES));
    }

    @Test
    void when_aSegmentIsMissing_then_openFailsOnTheGap() throws Exception {
        Path dir = tmp.resolve("gap");
        try (SegmentStore store = SegmentStore.open(dir, SMALL, FIXED)) {
            for (long i = 1; i <= N; i++) {
                store.append(List.of(entry(i)));
            }
        }
        List<Path> logs = TestEntries.logFiles(dir);
        assertTrue(logs.size() >= 3, "segments " + logs.size());
        Files.delete(logs.get(1));
        SegmentCorruptException e = assertThrows(SegmentCorruptException.class,
                () -> SegmentStore.open(dir, SMALL, FIXED));
        assertEquals(logs.get(2), e.file());
        assertEquals(0, e.offset());
    }

    @Test
    void when_storeIsCleanlyReopened_then_theReportShowsNoCut() throws Exception {
        Path dir = crashImage();
        try (SegmentStore store = SegmentStore.open(dir, SMALL, FIXED)) {
            assertNull(store.recoveryReport().tornTail());
            assertEquals(N, store.recoveryReport().lastIndex());
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static void flip(Path file, long offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) offset] ^= 0x10;
        Files.write(file, b);
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> c) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(c)).addAppender(appender);
        return appender;
    }

    private static void release(Class<?> c, ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(c)).detachAppender(appender);
    }
}
