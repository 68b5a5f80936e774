package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.codec.CorruptFrameException;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the segments of a directory and recovers them (Kafka's {@code LogSegment.recover} model).
 *
 * <p>Sealed segments were forced to disk before the next one was created, so they are never torn:
 * their {@code .idx} is trusted when it fits (else rebuilt by scanning), and the frames from the
 * last sparse-index entry to the end are checked to learn the last index and commit time. The
 * active (last) segment is scanned whole. A bad frame before the recovery point (in a sealed
 * segment, or in the active one before the checkpointed position) is corruption and fails the open;
 * a bad frame after it is a torn tail and is cut, with a WARN.
 */
final class SegmentLoader {

    private static final Logger log = LoggerFactory.getLogger(SegmentLoader.class);
    private static final Pattern LOG_NAME = Pattern.compile("(\\d{20})\\.log");
    private static final Pattern IDX_NAME = Pattern.compile("(\\d{20})\\.idx");
    private static final int SCAN_CHUNK = 1 << 20;

    /** The outcome of a load: the segments in index order and the report. */
    record Loaded(List<Segment> segments, RecoveryReport report) {
    }

    /** A frame that failed: where and why. */
    private record Bad(long offset, String reason) {
    }

    private final Path dir;
    private final SegmentStoreConfig config;
    private final FrameMeta meta = new FrameMeta();
    private final List<Path> rebuilt = new ArrayList<>();
    private long scanned;

    private SegmentLoader(Path dir, SegmentStoreConfig config) {
        this.dir = dir;
        this.config = config;
    }

    static Loaded load(Path dir, SegmentStoreConfig config) throws IOException {
        return new SegmentLoader(dir, config).load();
    }

    /** The segment files of {@code dir} by first index. */
    static TreeMap<Long, Path> listLogs(Path dir) throws IOException {
        TreeMap<Long, Path> logs = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Matcher m = LOG_NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    logs.put(Long.parseLong(m.group(1)), p);
                }
            }
        }
        return logs;
    }

    private Loaded load() throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(RecoveryPoint.TEMP_NAME));
        TreeMap<Long, Path> logs = listLogs(dir);
        deleteOrphanIndexes(logs);
        if (logs.isEmpty()) {
            Segment s = Segment.open(dir, 1, config.indexIntervalBytes(), true);
            RecoveryPoint.syncDirectory(dir);
            new RecoveryPoint(1, 0).write(dir);
            log.info("{}: created an empty segment store", dir);
            return new Loaded(List.of(s), new RecoveryReport(true, 1, 0, 1, 0, null, List.of()));
        }
        long lastBase = logs.lastKey();
        RecoveryPoint cp = RecoveryPoint.read(dir);
        if (cp != null && cp.segmentBase() > lastBase) {
            throw new SegmentCorruptException(dir.resolve(Segment.logName(cp.segmentBase())), cp.position(),
                    "the recovery point names this segment, but it is missing");
        }
        long cpPos = cp != null && cp.segmentBase() == lastBase ? cp.position() : 0;
        List<Segment> segments = new ArrayList<>();
        RecoveryReport.TornTail torn = null;
        try {
            for (long base : logs.keySet()) {
                Segment s = Segment.open(dir, base, config.indexIntervalBytes(), false);
                segments.add(s);
                checkContinuity(segments, s);
                if (base == lastBase) {
                    torn = recoverActive(s, cpPos);
                } else {
                    loadSealed(s);
                }
                s.publish();
            }
        } catch (IOException | RuntimeException e) {
            segments.forEach(Segment::release);
            throw e;
        }
        Segment active = segments.get(segments.size() - 1);
        Files.deleteIfExists(active.idxFile);
        active.channel.force(true);
        new RecoveryPoint(active.base, active.end()).write(dir);
        RecoveryReport report = new RecoveryReport(false, segments.get(0).base, active.lastIndex(),
                segments.size(), scanned, torn, rebuilt);
        log.info("{}: opened {} segment(s), entries {}..{}, checked {} bytes, cut {} bytes, rebuilt {} index file(s)",
                dir, segments.size(), report.firstIndex(), report.lastIndex(), scanned, report.bytesCut(),
                rebuilt.size());
        return new Loaded(segments, report);
    }

    private void deleteOrphanIndexes(TreeMap<Long, Path> logs) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Matcher m = IDX_NAME.matcher(p.getFileName().toString());
                if (m.matches() && !logs.containsKey(Long.parseLong(m.group(1)))) {
                    log.info("{}: deleting an index file without its log", p);
                    Files.delete(p);
                }
            }
        }
    }

    private static void checkContinuity(List<Segment> segments, Segment s) {
        if (segments.size() > 1) {
            Segment prev = segments.get(segments.size() - 2);
            if (prev.lastIndex() + 1 != s.base) {
                throw new SegmentCorruptException(s.logFile, 0, "segment starts at index " + s.base
                        + " but the previous segment " + prev + " ends at index " + prev.lastIndex());
            }
        }
    }

    private void loadSealed(Segment s) throws IOException {
        long size = s.channel.size();
        if (size == 0) {
            return;
        }
        IndexFile.Loaded idx = IndexFile.read(s.idxFile, size);
        long from = 0;
        long expect = s.base;
        if (idx.reason() == null) {
            s.loadIndex(idx.rel(), idx.pos(), idx.count());
            long[] lastEntry = s.lastIndexEntry();
            expect = lastEntry[0];
            from = lastEntry[1];
        } else {
            log.info("{}: rebuilding the sparse index by scanning, because {}", s.idxFile, idx.reason());
        }
        Bad bad = scan(s, from, size, expect, Long.MAX_VALUE);
        if (bad != null) {
            throw new SegmentCorruptException(s.logFile, bad.offset(), "bad frame in a sealed segment: " + bad.reason());
        }
        if (idx.reason() != null) {
            s.writeIndexFile();
            rebuilt.add(s.idxFile);
        }
    }

    private RecoveryReport.TornTail recoverActive(Segment s, long cpPos) throws IOException {
        long size = s.channel.size();
        if (size < cpPos) {
            throw new SegmentCorruptException(s.logFile, size, "the file has " + size
                    + " bytes, fewer than its recovery point " + cpPos + ": synced data is missing");
        }
        Bad bad = scan(s, 0, size, s.base, cpPos);
        if (bad == null) {
            return null;
        }
        if (bad.offset() < cpPos) {
            throw new SegmentCorruptException(s.logFile, bad.offset(),
                    "bad frame before the recovery point " + cpPos + ": " + bad.reason());
        }
        long cut = size - bad.offset();
        s.channel.truncate(bad.offset());
        s.channel.force(true);
        log.warn("{}: torn tail at offset {}: cut {} bytes after the last whole frame (index {}); {}",
                s.logFile, bad.offset(), cut, s.lastIndex(), bad.reason());
        return new RecoveryReport.TornTail(s.logFile, bad.offset(), cut, bad.reason());
    }

    /**
     * Checks the frames of {@code s} in [from, end), expecting indices from {@code expect}, and
     * indexes them; frames at or after {@code decodeFrom} are decoded whole. Returns the first bad
     * frame, or null.
     */
    private Bad scan(Segment s, long from, long end, long expect, long decodeFrom) throws IOException {
        FrameScanner sc = new FrameScanner(s.channel, from, end, config.maxFramePayloadBytes(), SCAN_CHUNK);
        long index = expect;
        while (true) {
            long at = sc.position();
            int len;
            try {
                len = sc.next(true);
                if (len < 0) {
                    scanned += end - from;
                    return null;
                }
                ByteBuffer b = sc.buffer();
                meta.read(b, sc.frameOffset(), len);
                if (at >= decodeFrom) {
                    EntryCodec.decodePayload(b.duplicate().position(sc.frameOffset() + EntryCodec.HEADER_BYTES)
                            .limit(sc.frameOffset() + len));
                }
            } catch (CorruptFrameException e) {
                scanned += at - from;
                return new Bad(at, e.kind() + ": " + e.getMessage());
            }
            if (meta.index != index) {
                scanned += at - from;
                return new Bad(at, "expected index " + index + ", the frame holds " + meta.index);
            }
            s.indexFrame(at, len, index, meta.commitTimeMillis);
            sc.advance(len);
            index++;
        }
    }

    /** Checks every frame of every segment in {@code dir} without changing anything. */
    static VerifyResult verify(Path dir, int maxPayload) throws IOException {
        TreeMap<Long, Path> logs = listLogs(dir);
        long expect = logs.isEmpty() ? 1 : logs.firstKey();
        long first = expect;
        long bytes = 0;
        FrameMeta m = new FrameMeta();
        for (var e : logs.entrySet()) {
            if (e.getKey() != expect) {
                throw new SegmentCorruptException(e.getValue(), 0, "segment starts at index " + e.getKey()
                        + " but the previous one ends at index " + (expect - 1));
            }
            try (FileChannel ch = FileChannel.open(e.getValue(), StandardOpenOption.READ)) {
                long size = ch.size();
                FrameScanner sc = new FrameScanner(ch, 0, size, maxPayload, SCAN_CHUNK);
                try {
                    for (int len; (len = sc.next(true)) >= 0; sc.advance(len), expect++) {
                        ByteBuffer b = sc.buffer();
                        m.read(b, sc.frameOffset(), len);
                        EntryCodec.decodePayload(b.duplicate().position(sc.frameOffset() + EntryCodec.HEADER_BYTES)
                                .limit(sc.frameOffset() + len));
                        if (m.index != expect) {
                            throw new SegmentCorruptException(e.getValue(), sc.position(),
                                    "expected index " + expect + ", the frame holds " + m.index);
                        }
                    }
                } catch (CorruptFrameException x) {
                    throw new SegmentCorruptException(e.getValue(), sc.position(), x.kind() + ": " + x.getMessage(), x);
                }
                bytes += size;
            }
        }
        return new VerifyResult(first, expect - 1, logs.size(), bytes);
    }
}
