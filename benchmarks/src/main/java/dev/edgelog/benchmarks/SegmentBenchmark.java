package dev.edgelog.benchmarks;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.segment.FrameRange;
import dev.edgelog.sqllog.segment.FsyncPolicy;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Segment store append and range-read throughput, each beside a raw {@link FileChannel} doing the
 * least work that could give the same result, in the same run:
 * <ul>
 *   <li>append (encode + store) vs encode + one raw write per batch, with fsync never and per batch;</li>
 *   <li>range read sent with {@code transferTo} to a loopback TCP connection (what a pull server does)
 *       vs {@code transferTo} of the whole segment files to the same connection;</li>
 *   <li>decode of stored entries ({@code readEntries}) vs decode of the raw file bytes.</li>
 * </ul>
 */
final class SegmentBenchmark {

    private static final int BATCH = 1_000;

    private SegmentBenchmark() {
    }

    static List<Measure.Comparison> run(Path workDir, int entryCount, int rounds) throws Exception {
        List<Entry> entries = entries(entryCount);
        long bytes = 0;
        for (Entry e : entries) {
            bytes += EntryCodec.encode(e).length;
        }
        System.out.printf(Locale.ROOT, "segment store: %,d entries, %,d bytes (%.1f bytes/entry), batches of %,d%n",
                entryCount, bytes, (double) bytes / entryCount, BATCH);
        List<Measure.Comparison> out = new ArrayList<>();
        for (FsyncPolicy policy : List.of(FsyncPolicy.never(), FsyncPolicy.everyBatch())) {
            String label = policy.mode().name().toLowerCase(Locale.ROOT);
            Measure.Comparison c = Measure.compare("append, fsync " + label + " (entries/s)", rounds,
                    () -> Measure.time(() -> appendStore(workDir.resolve("store"), entries, policy)),
                    () -> Measure.time(() -> appendRaw(workDir.resolve("raw"), entries, policy)));
            printMbps(c, bytes, entryCount);
            out.add(c);
        }
        Path storeDir = workDir.resolve("store");
        appendStore(storeDir, entries, FsyncPolicy.never());
        try (SegmentStore store = SegmentStore.open(storeDir, SegmentStoreConfig.defaults(), Clock.systemUTC());
             LoopbackSink sink = LoopbackSink.open()) {
            Measure.Comparison read = Measure.compare("range read, transferTo TCP 1 MiB (entries/s)", rounds,
                    () -> Measure.time(() -> readRanges(store, sink.channel())),
                    () -> Measure.time(() -> rawTransfer(storeDir, sink.channel(), entryCount)));
            printMbps(read, bytes, entryCount);
            out.add(read);
            out.add(Measure.compare("readEntries, decoded (entries/s)", rounds,
                    () -> Measure.time(() -> readEntries(store)), () -> Measure.time(() -> rawDecode(storeDir))));
        }
        return out;
    }

    private static void printMbps(Measure.Comparison c, long bytes, int entryCount) {
        double perEntry = (double) bytes / entryCount;
        System.out.printf(Locale.ROOT, "%-44s candidate %,10.1f MB/s    reference %,10.1f MB/s%n", "",
                c.candidateOpsPerSec() * perEntry / 1e6, c.referenceOpsPerSec() * perEntry / 1e6);
    }

    static List<Entry> entries(int n) {
        List<Entry> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(new Entry(i, 3, i + 7, 1_732_222_800_000L + i, false,
                    List.of(Statement.of("INSERT INTO ads(id, campaign, name, bid) VALUES(?, ?, ?, ?)",
                            SqlValue.of(i), SqlValue.of(i % 97), SqlValue.of("ad-" + i), SqlValue.of(0.01 * (i % 500)))),
                    List.of(Outcome.executed(1, i))));
        }
        return out;
    }

    private static long appendStore(Path dir, List<Entry> entries, FsyncPolicy policy) throws IOException {
        deleteTree(dir);
        SegmentStoreConfig config = SegmentStoreConfig.defaults().withFsyncPolicy(policy);
        try (SegmentStore store = SegmentStore.open(dir, config, Clock.systemUTC())) {
            for (int i = 0; i < entries.size(); i += BATCH) {
                store.append(entries.subList(i, Math.min(entries.size(), i + BATCH)));
            }
            store.sync();
        }
        return entries.size();
    }

    private static long appendRaw(Path dir, List<Entry> entries, FsyncPolicy policy) throws IOException {
        deleteTree(dir);
        Files.createDirectories(dir);
        ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
        try (FileChannel ch = FileChannel.open(dir.resolve("raw.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < entries.size(); i += BATCH) {
                buf.clear();
                for (Entry e : entries.subList(i, Math.min(entries.size(), i + BATCH))) {
                    buf.put(EntryCodec.encode(e));
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (policy.mode() != FsyncPolicy.Mode.NEVER) {
                    ch.force(false);
                }
            }
            ch.force(false);
        }
        return entries.size();
    }

    private static long readRanges(SegmentStore store, java.nio.channels.WritableByteChannel out) throws IOException {
        long next = store.firstIndex();
        long count = 0;
        while (next <= store.lastIndex()) {
            try (FrameRange r = store.readRange(next, 1 << 20)) {
                r.transferTo(out);
                count += r.frameCount();
                next = r.lastIndex() + 1;
            }
        }
        return count;
    }

    private static long rawTransfer(Path dir, java.nio.channels.WritableByteChannel out, int entryCount) throws IOException {
        for (Path p : logFiles(dir)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                long pos = 0;
                long size = ch.size();
                while (pos < size) {
                    pos += ch.transferTo(pos, Math.min(1 << 20, size - pos), out);
                }
            }
        }
        return entryCount;
    }

    private static long readEntries(SegmentStore store) {
        long next = store.firstIndex();
        long count = 0;
        while (next <= store.lastIndex()) {
            List<Entry> batch = store.readEntries(next, BATCH);
            count += batch.size();
            next = batch.get(batch.size() - 1).index() + 1;
        }
        return count;
    }

    private static long rawDecode(Path dir) throws IOException {
        long count = 0;
        for (Path p : logFiles(dir)) {
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(p));
            while (buf.hasRemaining()) {
                EntryCodec.decode(buf, EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES);
                count++;
            }
        }
        return count;
    }

    private static List<Path> logFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
