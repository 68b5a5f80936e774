package dev.edgelog.reader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What an ad server does, as a {@code main} for {@link ReadOnlyDirectoryTest}'s child JVM: opens an
 * {@link EdgeReader} on the file given as argument and prints {@code key=value} lines — whether this
 * process could write the directory (to prove the test's premise), the applied index, the row count
 * of {@code ads} read through the pool, or {@code error=…}.
 */
public final class ReadProbe {

    private ReadProbe() {
    }

    public static void main(String[] args) {
        List<String> lines = probe(Path.of(args[0]));
        lines.forEach(System.out::println);
        System.out.flush();
        System.exit(lines.stream().anyMatch(l -> l.startsWith("error=")) ? 1 : 0);
    }

    static List<String> probe(Path db) {
        List<String> lines = new ArrayList<>();
        lines.add("dir_writable=" + Files.isWritable(db.getParent()));
        try (EdgeReader reader = EdgeReader.open(db, ReaderConfig.defaults().withPoolSize(1))) {
            lines.add("applied_index=" + reader.appliedIndex());
            try (Connection c = reader.dataSource().getConnection();
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM ads")) {
                rs.next();
                lines.add("rows=" + rs.getLong(1));
            }
        } catch (Exception e) {
            lines.add("error=" + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return lines;
    }
}
