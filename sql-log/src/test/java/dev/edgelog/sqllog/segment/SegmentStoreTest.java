package dev.edgelog.sqllog.segment;

import static dev.edgelog.sqllog.segment.TestEntries.entries;
import static dev.edgelog.sqllog.segment.TestEntries.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlLogException;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentStoreTest {

    private static final Clock FIXED = Clock.fixed(Instant.ofEpochMilli(TestEntries.EPOCH), ZoneOffset.UTC);
    private static final SegmentStoreConfig SMALL = SegmentStoreConfig.defaults()
            .withSegmentBytes(4096).withIndexIntervalBytes(256);

    @TempDir
    Path dir;

    private SegmentStore open(SegmentStoreConfig config) {
        return SegmentStore.open(dir, config, FIXED);
    }

    private static void appendInBatches(SegmentStore store, long from, long to, long seed) {
        Random rnd = new Random(seed);
        long next = from;
        while (next <= to) {
            long end = Math.min(to, next + rnd.nextInt(40));
            store.append(entries(next, end));
            next = end + 1;
        }
    }

    @Test
    void when_storeIsNew_then_itIsEmptyAtBaseZero() {
        try (SegmentStore store = open(SMALL)) {
            assertEquals(0, store.lastIndex());
            assertEquals(1, store.firstIndex());
            assertTrue(store.recoveryReport().created());
            assertTrue(store.readRange(1, 1000).isEmpty());
            assertEquals(List.of(), store.readEntries(1, 10));
        }
    }

    @Test
    void when_entriesAppendedAcrossManyRolls_then_everyEntryReadsBack() {
        try (SegmentStore store = open(SMALL)) {
            appendInBatches(store, 1, 2000, 1);
            assertEquals(2000, store.lastIndex());
            assertTrue(store.segmentCount() > 20, "rolled " + store.segmentCount());
            assertEquals(entries(1, 2000), store.readEntries(1, 5000));
            Random rnd = new Random(2);
            for (int i = 0; i < 200; i++) {
                long from = 1 + rnd.nextInt(2000);
                int count = 1 + rnd.nextInt(100);
                assertEquals(entries(from, Math.min(2000, from + count - 1)), store.readEntries(from, count));
            }
        }
        VerifyResult v = SegmentStore.verify(dir, EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES);
        assertEquals(1, v.firstIndex());
        assertEquals(2000, v.lastIndex());
    }

    @Test
    void when_indexIsNotNext_then_appendIsRefusedAndNothingIsWritten() throws Exception {
        try (SegmentStore store = open(SMALL)) {
            store.append(entries(1, 5));
            long bytes = store.totalBytes();
            NonConsecutiveIndexException gap = assertThrows(NonConsecutiveIndexException.class,
                    () -> store.append(List.of(entry(6), entry(8))));
            assertEquals(7, gap.expectedIndex());
            assertEquals(8, gap.givenIndex());
            assertTrue(gap.getMessage().contains("expected index 7") && gap.getMessage().contains("given 8"));
            NonConsecutiveIndexException old = assertThrows(NonConsecutiveIndexException.class,
                    () -> store.appendFrames(List.of(EntryCodec.encode(entry(5)))));
            assertEquals(6, old.expectedIndex());
            assertThrows(NonConsecutiveIndexException.class,
                    () -> store.appendFrames(ByteBuffer.wrap(EntryCodec.encode(entry(7)))));
            assertEquals(5, store.lastIndex());
            assertEquals(bytes, store.totalBytes());
            assertEquals(bytes, Files.size(TestEntries.logFile(dir, 1)));
            store.append(entries(6, 8));
            assertEquals(entries(1, 8), store.readEntries(1, 100));
        }
    }

    @Test
    void when_rawFrameIsCorrupt_then_appendFramesIsRefused() {
        try (SegmentStore store = open(SMALL)) {
            byte[] good = EntryCodec.encode(entry(1));
            byte[] bad = EntryCodec.encode(entry(2));
            bad[bad.length - 1] ^= 1;
            SqlLogException e = assertThrows(SqlLogException.class, () -> store.appendFrames(List.of(good, bad)));
            assertTrue(e.getMessage().contains("index 2"), e.getMessage());
            assertEquals(0, store.lastIndex());
            assertEquals(0, store.totalBytes());
        }
    }

    @Test
    void when_framesAreAppendedRaw_then_storedBytesAreTheSame() {
        try (SegmentStore store = open(SMALL)) {
            List<byte[]> frames = new ArrayList<>();
            ByteArrayOutputStream concat = new ByteArrayOutputStream();
            for (long i = 1; i <= 300; i++) {
                byte[] f = EntryCodec.encode(entry(i));
                if (i <= 150) {
                    frames.add(f);
                } else {
                    concat.writeBytes(f);
                }
            }
            store.appendFrames(frames);
            store.appendFrames(ByteBuffer.wrap(concat.toByteArray()));
            assertEquals(entries(1, 300), store.readEntries(1, 1000));
        }
    }

    @Test
    void when_rangeIsRead_then_itHoldsWholeConsecutiveFramesWithinMaxBytes() {
        try (SegmentStore store = open(SMALL)) {
            appendInBatches(store, 1, 1000, 3);
            Random rnd = new Random(4);
            for (int i = 0; i < 500; i++) {
                long from = 1 + rnd.nextInt(1000);
                int maxBytes = 1 + rnd.nextInt(5000);
                try (FrameRange r = store.readRange(from, maxBytes)) {
                    assertEquals(from, r.firstIndex());
                    assertTrue(r.frameCount() >= 1);
                    assertTrue(r.byteCount() <= maxBytes || r.frameCount() == 1, r + " for maxBytes " + maxBytes);
                    assertEquals(entries(from, r.lastIndex()), r.decode());
                    assertEquals(expectedBytes(from, r.lastIndex()).length, r.byteCount());
                }
            }
        }
    }

    @Test
    void when_rangeIsLimitedBySegment_then_nextReadContinuesInTheNextSegment() {
        try (SegmentStore store = open(SMALL)) {
            appendInBatches(store, 1, 500, 5);
            long next = 1;
            List<Entry> all = new ArrayList<>();
            while (next <= 500) {
                try (FrameRange r = store.readRange(next, 1 << 20)) {
                    all.addAll(r.decode());
                    next = r.lastIndex() + 1;
                }
            }
            assertEquals(entries(1, 500), all);
            assertTrue(store.readRange(501, 100).isEmpty());
        }
    }

    @Test
    void when_rangeIsTransferred_then_bytesEqualTheEncodedFrames() throws Exception {
        try (SegmentStore store = open(SMALL)) {
            appendInBatches(store, 1, 300, 6);
            try (FrameRange r = store.readRange(17, 3000)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                long sent = r.transferTo(Channels.newChannel(out));
                assertEquals(r.byteCount(), sent);
                byte[] expected = expectedBytes(17, r.lastIndex());
                assertArrayEquals(expected, out.toByteArray());
                assertArrayEquals(expected, r.toBytes());
            }
        }
    }

    @Test
    void when_oneFrameIsLargerThanMaxBytes_then_rangeHoldsExactlyThatFrame() {
        try (SegmentStore store = open(SMALL)) {
            store.append(entries(1, 10));
            try (FrameRange r = store.readRange(4, 5)) {
                assertEquals(4, r.lastIndex());
                assertEquals(EntryCodec.encode(entry(4)).length, r.byteCount());
            }
        }
    }

    @Test
    void when_readBelowFirstIndex_then_IndexGoneNamesTheFirstIndex() {
        try (SegmentStore store = open(SMALL)) {
            store.resetTo(100);
            store.append(entries(101, 110));
            IndexGoneException e = assertThrows(IndexGoneException.class, () -> store.readRange(100, 1000));
            assertEquals(101, e.firstIndex());
            assertEquals(100, e.requestedIndex());
            assertThrows(IndexGoneException.class, () -> store.readEntries(5, 10));
        }
    }

    @Test
    void when_truncatedAfter_then_laterEntriesAreGoneAndAppendsContinue() {
        try (SegmentStore store = open(SMALL)) {
            appendInBatches(store, 1, 600, 7);
            int segments = store.segmentCount();
            store.truncateAfter(250);
            assertEquals(250, store.lastIndex());
            assertTrue(store.segmentCount() < segments);
            assertEquals(entries(1, 250), store.readEntries(1, 1000));
            store.append(entries(251, 400));
        }
        try (SegmentStore store = open(SMALL)) {
            assertEquals(0, store.recoveryReport().bytesCut());
            assertEquals(entries(1, 400), store.readEntries(1, 1000));
            store.truncateAfter(0);
            assertEquals(0, store.lastIndex());
            assertEquals(1, store.firstIndex());
            store.append(entries(1, 3));
            assertEquals(entries(1, 3), store.readEntries(1, 10));
        }
    }

    @Test
    void when_resetTo_then_theBaseSurvivesReopen() {
        try (SegmentStore store = open(SMALL)) {
            appendInBatches(store, 1, 300, 8);
            store.resetTo(5000);
            assertEquals(5000, store.lastIndex());
            assertEquals(5001, store.firstIndex());
            assertEquals(1, store.segmentCount());
        }
        try (SegmentStore store = open(SMALL)) {
            assertEquals(5000, store.lastIndex());
            assertEquals(5001, store.firstIndex());
            assertThrows(NonConsecutiveIndexException.class, () -> store.append(List.of(entry(301))));
            store.append(entries(5001, 5100));
        }
        try (SegmentStore store = open(SMALL)) {
            assertEquals(entries(5001, 5100), store.readEntries(5001, 1000));
        }
    }

    @Test
    void when_retentionBySize_then_oldestSealedSegmentsDropAndTheActiveStays() {
        try (SegmentStore store = open(SMALL.withRetentionBytes(20_000))) {
            appendInBatches(store, 1, 1000, 9);
            long before = store.totalBytes();
            List<DroppedSegment> dropped = store.applyRetention();
            assertFalse(dropped.isEmpty());
            assertTrue(store.totalBytes() <= 20_000, "total " + store.totalBytes() + " of " + before);
            assertEquals(dropped.get(dropped.size() - 1).lastIndex() + 1, store.firstIndex());
            assertEquals(1000, store.lastIndex());
            assertEquals(entries(store.firstIndex(), 1000), store.readEntries(store.firstIndex(), 2000));
            assertFalse(Files.exists(dropped.get(0).file()));
            assertEquals(List.of(), store.applyRetention());
        }
        try (SegmentStore store = open(SMALL.withRetentionBytes(1))) {
            store.applyRetention();
            assertEquals(1, store.segmentCount());
            assertEquals(1000, store.lastIndex());
            assertTrue(store.readEntries(1000, 1).size() == 1);
        }
    }

    @Test
    void when_retentionByAge_then_onlySegmentsWhoseLastEntryIsOldDrop() {
        MutableClock clock = new MutableClock(TestEntries.EPOCH);
        try (SegmentStore store = SegmentStore.open(dir, SMALL.withRetentionMillis(60_000), clock)) {
            for (long i = 1; i <= 400; i++) {
                store.append(List.of(entry(i, TestEntries.EPOCH + i * 1000)));
            }
            clock.set(TestEntries.EPOCH + 400_000);
            List<DroppedSegment> dropped = store.applyRetention();
            assertFalse(dropped.isEmpty());
            for (DroppedSegment d : dropped) {
                assertTrue(TestEntries.EPOCH + d.lastIndex() * 1000 < clock.millis() - 60_000, d.toString());
                assertEquals("age", d.reason());
            }
            long first = store.firstIndex();
            assertTrue(first <= 340, "kept entries younger than 60 s, first " + first);
            clock.set(TestEntries.EPOCH + 10_000_000);
            store.applyRetention();
            assertEquals(1, store.segmentCount());
            assertEquals(400, store.lastIndex());
        }
    }

    @Test
    void when_readerHoldsARangeDuringRetention_then_itStillReadsTheDroppedSegment() throws Exception {
        try (SegmentStore store = open(SMALL.withRetentionBytes(1))) {
            appendInBatches(store, 1, 300, 10);
            try (FrameRange held = store.readRange(1, 2000)) {
                assertFalse(store.applyRetention().isEmpty());
                assertFalse(Files.exists(TestEntries.logFile(dir, 1)));
                assertEquals(entries(1, held.lastIndex()), held.decode());
            }
            assertThrows(IndexGoneException.class, () -> store.readRange(1, 2000));
        }
    }

    @Test
    void when_reopenedAfterCleanClose_then_everythingReadsAndNothingIsCut() {
        try (SegmentStore store = open(SMALL.withFsyncPolicy(FsyncPolicy.never()))) {
            appendInBatches(store, 1, 700, 11);
        }
        try (SegmentStore store = open(SMALL)) {
            RecoveryReport r = store.recoveryReport();
            assertEquals(0, r.bytesCut());
            assertEquals(List.of(), r.rebuiltIndexes());
            assertEquals(700, r.lastIndex());
            assertEquals(entries(1, 700), store.readEntries(1, 1000));
            store.append(entries(701, 720));
            assertEquals(entry(720), store.readEntries(720, 1).get(0));
        }
    }

    @Test
    void when_idxIsMissingOrCorrupt_then_itIsRebuiltAndReadsWork() throws Exception {
        try (SegmentStore store = open(SMALL)) {
            appendInBatches(store, 1, 500, 12);
        }
        List<Path> logs = TestEntries.logFiles(dir);
        Path idx1 = logs.get(1).resolveSibling(logs.get(1).getFileName().toString().replace(".log", ".idx"));
        Path idx2 = logs.get(2).resolveSibling(logs.get(2).getFileName().toString().replace(".log", ".idx"));
        Files.delete(idx1);
        byte[] b = Files.readAllBytes(idx2);
        b[b.length / 2] ^= 0x40;
        Files.write(idx2, b);
        try (SegmentStore store = open(SMALL)) {
            assertEquals(List.of(idx1, idx2), store.recoveryReport().rebuiltIndexes());
            assertEquals(entries(1, 500), store.readEntries(1, 1000));
        }
        try (SegmentStore store = open(SMALL)) {
            assertEquals(List.of(), store.recoveryReport().rebuiltIndexes());
        }
    }

    @Test
    void when_readersRunDuringAppends_then_theyOnlySeeWholeConsecutiveEntries() throws Exception {
        try (SegmentStore store = open(SMALL)) {
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread writer = new Thread(() -> appendInBatches(store, 1, 3000, 13));
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                long seed = t;
                readers.add(new Thread(() -> {
                    try {
                        Random rnd = new Random(seed);
                        long next = 1;
                        while (next <= 3000) {
                            try (FrameRange r = store.readRange(next, 1 + rnd.nextInt(8000))) {
                                List<Entry> got = r.decode();
                                assertEquals(entries(next, r.lastIndex()), got);
                                next = r.lastIndex() + 1;
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            writer.start();
            readers.forEach(Thread::start);
            writer.join();
            for (Thread r : readers) {
                r.join();
            }
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void when_configIsInvalid_then_theMessageNamesTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SegmentStoreConfig.defaults().withSegmentBytes(10));
        assertTrue(e.getMessage().startsWith("segmentBytes must be"), e.getMessage());
        assertTrue(e.getMessage().endsWith("was 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SegmentStoreConfig.defaults().withIndexIntervalBytes(1));
        assertThrows(IllegalArgumentException.class, () -> FsyncPolicy.interval(java.time.Duration.ZERO));
    }

    private static byte[] expectedBytes(long from, long to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long i = from; i <= to; i++) {
            out.writeBytes(EntryCodec.encode(entry(i)));
        }
        return out.toByteArray();
    }
}
