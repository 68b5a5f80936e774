package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Child process of {@link SqliteApplierCrashIT}: feeds deterministic entries 1..last from index 1
 * (the applier skips what is applied) in batches of seeded random size, printing
 * {@code APPLIED <index>} after each commit, until killed.
 *
 * <p>Args: database path, last index, seed.
 */
public final class CrashApplyChild {

    private CrashApplyChild() {
    }

    /** Entry {@code i}: entry 1 also creates the schema; each inserts its event and bumps the counter. */
    static Entry entry(long i) {
        List<Statement> s = new ArrayList<>();
        if (i == 1) {
            s.add(Statement.of("CREATE TABLE events(entry_index INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
            s.add(Statement.of("CREATE TABLE counter(n INTEGER NOT NULL)"));
            s.add(Statement.of("INSERT INTO counter VALUES(0)"));
        }
        s.add(Statement.of("INSERT INTO events(entry_index, v) VALUES(?, ?)", SqlValue.of(i),
                SqlValue.of("event-" + i + "-" + "x".repeat((int) (i % 50)))));
        s.add(Statement.of("UPDATE counter SET n = n + 1"));
        return new Entry(i, 1, i, 1_000_000 + i, i % 2 == 0, s, List.of());
    }

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        long last = Long.parseLong(args[1]);
        Random random = new Random(Long.parseLong(args[2]));
        try (SqliteApplier applier = SqliteApplier.open(db, ApplierConfig.forLog("crash-log"))) {
            long next = 1;
            while (next <= last) {
                int size = 1 + random.nextInt(40);
                List<Entry> batch = new ArrayList<>(size);
                for (int k = 0; k < size && next <= last; k++) {
                    batch.add(entry(next++));
                }
                ApplyResult r = applier.apply(batch);
                if (!r.applied().isEmpty()) {
                    System.out.println("APPLIED " + r.appliedIndex());
                    System.out.flush();
                }
            }
            System.out.println("DONE " + applier.appliedIndex());
            System.out.flush();
        }
    }
}
