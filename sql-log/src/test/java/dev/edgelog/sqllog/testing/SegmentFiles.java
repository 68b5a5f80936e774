package dev.edgelog.sqllog.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What an operating-system crash does to a segment directory whose writer is gone (killed): the
 * bytes a store has not forced to disk can vanish. A store's {@code recovery-point} file
 * ({@code v1 <segmentBase> <position>}) says how far the active segment {@code <segmentBase>.log}
 * is known to be on disk.
 */
public final class SegmentFiles {

    private SegmentFiles() {
    }

    /** Bytes of the active segment after its recovery point: what a crash of the machine may lose. */
    public static long unsyncedBytes(Path dir) throws IOException {
        Point p = Point.read(dir);
        return Files.size(p.file()) - p.position();
    }

    /** Cuts the active segment back to its recovery point, as a crash that lost every unsynced byte; returns the bytes cut. */
    public static long loseUnsyncedTail(Path dir) throws IOException {
        Point p = Point.read(dir);
        try (FileChannel ch = FileChannel.open(p.file(), StandardOpenOption.WRITE)) {
            long cut = ch.size() - p.position();
            ch.truncate(p.position());
            ch.force(true);
            return cut;
        }
    }

    private record Point(Path file, long position) {
        static Point read(Path dir) throws IOException {
            String[] parts = Files.readString(dir.resolve("recovery-point"), StandardCharsets.US_ASCII).trim().split(" ");
            if (parts.length != 3 || !parts[0].equals("v1")) {
                throw new IOException("unexpected recovery point in " + dir + ": " + String.join(" ", parts));
            }
            return new Point(dir.resolve(String.format("%020d.log", Long.parseLong(parts[1]))), Long.parseLong(parts[2]));
        }
    }
}
