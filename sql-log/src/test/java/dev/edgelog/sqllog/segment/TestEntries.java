package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A deterministic entry generator (the same index always gives the same entry) and file helpers. */
final class TestEntries {

    static final long EPOCH = 1_700_000_000_000L;

    private TestEntries() {
    }

    /** Entry {@code index}, committed at {@code EPOCH + index}; sizes vary with the index (about 60..400 bytes). */
    static Entry entry(long index) {
        return entry(index, EPOCH + index);
    }

    static Entry entry(long index, long commitMillis) {
        int pad = (int) ((index * 7919) % 331);
        String text = "v" + index + "-" + "x".repeat(pad);
        List<Statement> statements = List.of(
                Statement.of("INSERT INTO t(id, v) VALUES (?, ?)", new SqlValue.Int(index), new SqlValue.Text(text)));
        List<Outcome> outcomes = index % 5 == 0 ? List.of() : List.of(Outcome.executed(1, index));
        return new Entry(index, 1 + index / 1000, index + 10, commitMillis, index % 3 == 0, statements, outcomes);
    }

    static List<Entry> entries(long from, long toInclusive) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            out.add(entry(i));
        }
        return out;
    }

    static Path logFile(Path dir, long base) {
        return dir.resolve(String.format("%020d.log", base));
    }

    static Path idxFile(Path dir, long base) {
        return dir.resolve(String.format("%020d.idx", base));
    }

    /** The segment files, oldest first. */
    static List<Path> logFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    /** Copies every file of {@code from} into a new directory {@code to}: what a crash would leave. */
    static Path copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return to;
    }
}
