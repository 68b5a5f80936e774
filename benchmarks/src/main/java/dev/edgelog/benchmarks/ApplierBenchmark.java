package dev.edgelog.benchmarks;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.ApplyResult;
import dev.edgelog.sqllog.apply.SqliteApplier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.sqlite.SQLiteConfig;

/**
 * The SQLite applier against raw sqlite-jdbc on the same rows, in the same run (issue 2's target:
 * ratio ≥ 0.9 for each workload):
 * <ol>
 *   <li>(a) N parameterized single-row INSERTs, 1,000 per transaction;</li>
 *   <li>(b) the same rows as N distinct SQL texts (values inlined);</li>
 *   <li>(c) N UPDATEs by primary key in random order over N existing rows.</li>
 * </ol>
 * Each entry holds one statement, and the applier gets 1,000 entries per {@code apply} call (one
 * SQLite transaction), so both sides commit equally often. The reference is raw sqlite-jdbc as a
 * careful engineer would write it: one connection, WAL, {@code synchronous=NORMAL}, no generated
 * keys, a reused PreparedStatement where the SQL repeats. Two applier modes: <em>edge</em> (entries
 * carry the primary's outcomes, which the applier verifies) and <em>primary</em> (the applier
 * computes outcomes, including {@code lastInsertId}).
 */
final class ApplierBenchmark {

    private static final int BATCH = 1_000;
    private static final String LOG_ID = "00000000-0000-4000-8000-00000000bench";
    private static final String SCHEMA =
            "CREATE TABLE ads(id INTEGER PRIMARY KEY, campaign INTEGER NOT NULL, name TEXT NOT NULL, bid REAL NOT NULL)";
    private static final String INSERT = "INSERT INTO ads(id, campaign, name, bid) VALUES(?, ?, ?, ?)";
    private static final String UPDATE = "UPDATE ads SET bid = ? WHERE id = ?";

    private ApplierBenchmark() {
    }

    static List<Measure.Comparison> run(Path dir, int n, int rounds) throws Exception {
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "applier vs raw sqlite-jdbc: %,d rows, %,d per transaction, best of %d rounds%n",
                n, BATCH, rounds);
        List<Measure.Comparison> out = new ArrayList<>();
        int[] order = shuffled(n, 42);
        for (boolean edge : new boolean[] {true, false}) {
            String mode = edge ? "edge" : "primary";
            out.add(Measure.compare("(a) parameterized INSERT, " + mode, rounds,
                    () -> applier(dir, insertEntries(n, false, edge), List.of()),
                    () -> rawInsert(dir, n, false)));
            out.add(Measure.compare("(b) distinct-SQL INSERT, " + mode, rounds,
                    () -> applier(dir, insertEntries(n, true, edge), List.of()),
                    () -> rawInsert(dir, n, true)));
            out.add(Measure.compare("(c) random-order UPDATE by key, " + mode, rounds,
                    () -> applier(dir, updateEntries(n, order, edge), insertEntries(n, false, true)),
                    () -> rawUpdate(dir, n, order)));
        }
        Measure.table(out, 0.9).forEach(System.out::println);
        return out;
    }

    /** Applies {@code setup} untimed, then times {@code measured}; returns statements/s. */
    private static Measure.Timed applier(Path dir, List<Entry> measured, List<Entry> setup) throws Exception {
        Path db = fresh(dir.resolve("applier.db"));
        try (SqliteApplier applier = SqliteApplier.open(db, ApplierConfig.forLog(LOG_ID))) {
            applyAll(applier, List.of(entry(1, Statement.of(SCHEMA), edgeOutcome(true, 0, 0))));
            applyAll(applier, renumber(setup, 2));
            long first = applier.appliedIndex() + 1;
            List<Entry> work = renumber(measured, first);
            return Measure.time(() -> {
                applyAll(applier, work);
                return work.size();
            });
        }
    }

    private static void applyAll(SqliteApplier applier, List<Entry> entries) {
        for (int i = 0; i < entries.size(); i += BATCH) {
            ApplyResult r = applier.apply(entries.subList(i, Math.min(entries.size(), i + BATCH)));
            if (r.diverged()) {
                throw new IllegalStateException("benchmark entries diverged: " + r.divergence().get().describe());
            }
        }
    }

    private static Measure.Timed rawInsert(Path dir, int n, boolean distinct) throws Exception {
        try (Connection c = raw(dir)) {
            return Measure.time(() -> {
                if (distinct) {
                    try (java.sql.Statement s = c.createStatement()) {
                        for (int i = 1; i <= n; i++) {
                            s.executeUpdate(inlined(i));
                            commitEvery(c, i);
                        }
                    }
                } else {
                    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                        for (int i = 1; i <= n; i++) {
                            ps.setLong(1, i);
                            ps.setLong(2, i % 97);
                            ps.setString(3, "ad-" + i);
                            ps.setDouble(4, bid(i));
                            ps.executeUpdate();
                            commitEvery(c, i);
                        }
                    }
                }
                c.commit();
                return n;
            });
        }
    }

    private static Measure.Timed rawUpdate(Path dir, int n, int[] order) throws Exception {
        try (Connection c = raw(dir)) {
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (int i = 1; i <= n; i++) {
                    ps.setLong(1, i);
                    ps.setLong(2, i % 97);
                    ps.setString(3, "ad-" + i);
                    ps.setDouble(4, bid(i));
                    ps.executeUpdate();
                    commitEvery(c, i);
                }
            }
            c.commit();
            return Measure.time(() -> {
                try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
                    for (int k = 0; k < n; k++) {
                        ps.setDouble(1, bid(order[k] + 7));
                        ps.setLong(2, order[k]);
                        ps.executeUpdate();
                        commitEvery(c, k + 1);
                    }
                }
                c.commit();
                return n;
            });
        }
    }

    private static Connection raw(Path dir) throws Exception {
        Path db = fresh(dir.resolve("raw.db"));
        SQLiteConfig sc = new SQLiteConfig();
        sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sc.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        sc.setGetGeneratedKeys(false);
        Connection c = sc.createConnection("jdbc:sqlite:" + db);
        try (java.sql.Statement s = c.createStatement()) {
            s.execute(SCHEMA);
        }
        c.setAutoCommit(false);
        return c;
    }

    private static void commitEvery(Connection c, long i) throws SQLException {
        if (i % BATCH == 0) {
            c.commit();
        }
    }

    private static List<Entry> insertEntries(int n, boolean distinct, boolean withOutcomes) {
        List<Entry> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            Statement s = distinct ? Statement.of(inlined(i))
                    : Statement.of(INSERT, SqlValue.of(i), SqlValue.of(i % 97), SqlValue.of("ad-" + i), SqlValue.of(bid(i)));
            out.add(entry(i, s, edgeOutcome(withOutcomes, 1, i)));
        }
        return out;
    }

    private static List<Entry> updateEntries(int n, int[] order, boolean withOutcomes) {
        List<Entry> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            Statement s = Statement.of(UPDATE, SqlValue.of(bid(order[k] + 7)), SqlValue.of(order[k]));
            out.add(entry(k + 1, s, edgeOutcome(withOutcomes, 1, 0)));
        }
        return out;
    }

    private static List<Outcome> edgeOutcome(boolean withOutcomes, long rows, long lastInsertId) {
        return withOutcomes ? List.of(Outcome.executed(rows, lastInsertId)) : List.of();
    }

    private static Entry entry(long index, Statement s, List<Outcome> outcomes) {
        return new Entry(index, 1, index + 2, 1_732_222_800_000L + index, false, List.of(s), outcomes);
    }

    private static List<Entry> renumber(List<Entry> entries, long first) {
        List<Entry> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            out.add(entries.get(i).withIndex(first + i));
        }
        return out;
    }

    private static String inlined(int i) {
        return "INSERT INTO ads(id, campaign, name, bid) VALUES(" + i + ", " + (i % 97) + ", 'ad-" + i + "', "
                + bid(i) + ")";
    }

    private static double bid(int i) {
        return 0.25 * (i % 400);
    }

    private static int[] shuffled(int n, long seed) {
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            ids.add(i);
        }
        Collections.shuffle(ids, new Random(seed));
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Path fresh(Path db) throws Exception {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
        return db;
    }
}
