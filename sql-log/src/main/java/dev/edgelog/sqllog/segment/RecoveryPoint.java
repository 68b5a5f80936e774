package dev.edgelog.sqllog.segment;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery point (as in Kafka): the bytes before {@code position} of the segment starting at
 * {@code segmentBase}, and every segment before it, are known to be on disk. Stored in the file
 * {@value #FILE_NAME} as one text line {@code v1 <segmentBase> <position>}, replaced atomically
 * (temp file, fsync, rename, fsync of the directory).
 */
record RecoveryPoint(long segmentBase, long position) {

    static final String FILE_NAME = "recovery-point";
    static final String TEMP_NAME = FILE_NAME + ".tmp";

    private static final Logger log = LoggerFactory.getLogger(RecoveryPoint.class);

    /** The stored point, or null when there is none or it cannot be read (then nothing is trusted). */
    static RecoveryPoint read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return null;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        String[] parts = text.split(" ");
        try {
            if (parts.length == 3 && parts[0].equals("v1")) {
                return new RecoveryPoint(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        log.warn("{}: unreadable recovery point '{}'; every frame of the active segment will be treated as unsynced",
                file, text);
        return null;
    }

    void write(Path dir) throws IOException {
        Path tmp = dir.resolve(TEMP_NAME);
        byte[] line = ("v1 " + segmentBase + " " + position + "\n").getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(line));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    /** fsync of a directory, so that created, renamed and deleted names are durable (a no-op where unsupported). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (UnsupportedOperationException | java.nio.file.AccessDeniedException e) {
            log.debug("directory fsync not supported for {}", dir);
        }
    }
}
