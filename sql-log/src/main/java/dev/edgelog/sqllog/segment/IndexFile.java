package dev.edgelog.sqllog.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The {@code .idx} file of a sealed segment: its sparse index, written once when the segment is
 * sealed. Big-endian:
 *
 * <pre>
 * magic:u32 "EIDX"  version:u32 = 1  logBytes:u64  count:u32
 * count × { relativeIndex:u32 position:u32 }
 * crc32c:u32 over everything before it
 * </pre>
 *
 * {@code logBytes} is the size of the {@code .log} it describes; an index whose size, checksum or
 * entries do not fit is ignored and rebuilt by scanning.
 */
final class IndexFile {

    private static final int MAGIC = 0x45494458;
    private static final int VERSION = 1;
    private static final int HEADER = 20;

    /** A loaded index, or why it was not usable ({@code reason} non-null). */
    record Loaded(int[] rel, int[] pos, int count, String reason) {
    }

    private IndexFile() {
    }

    static void write(Path file, long logBytes, int[] rel, int[] pos, int count) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER + count * 8 + 4);
        b.putInt(MAGIC).putInt(VERSION).putLong(logBytes).putInt(count);
        for (int i = 0; i < count; i++) {
            b.putInt(rel[i]).putInt(pos[i]);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    static Loaded read(Path file, long logBytes) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return unusable("it is missing");
        }
        if (bytes.length < HEADER + 4) {
            return unusable("it has only " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != b.getInt(bytes.length - 4)) {
            return unusable("its checksum does not match");
        }
        if (b.getInt() != MAGIC || b.getInt() != VERSION) {
            return unusable("its magic or version is unknown");
        }
        long covered = b.getLong();
        if (covered != logBytes) {
            return unusable("it describes " + covered + " log bytes, the log has " + logBytes);
        }
        int count = b.getInt();
        if (count < 1 || bytes.length != HEADER + count * 8L + 4) {
            return unusable("its entry count " + count + " does not fit its size");
        }
        int[] rel = new int[count];
        int[] pos = new int[count];
        for (int i = 0; i < count; i++) {
            rel[i] = b.getInt();
            pos[i] = b.getInt();
            boolean ordered = i == 0 ? rel[0] == 0 && pos[0] == 0 : rel[i] > rel[i - 1] && pos[i] > pos[i - 1];
            if (!ordered || pos[i] >= logBytes) {
                return unusable("entry " + i + " is out of order or out of bounds");
            }
        }
        return new Loaded(rel, pos, count, null);
    }

    private static Loaded unusable(String reason) {
        return new Loaded(null, null, 0, reason);
    }
}
