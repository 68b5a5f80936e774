package dev.edgelog.benchmarks;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Parameter;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * SQLite transaction), so both sides commit equally often. The reference is raw sqlite-jdbc applying
 * the same entries as a careful engineer would write it: one connection, WAL,
 * {@code synchronous=NORMAL}, no generated-keys tracking, a reused PreparedStatement per SQL text. Two applier modes: <em>edge</em> (entries
 * carry the primary's outcomes, which the applier verifies) and <em>primary</em> (the applier
 * computes outcomes, including {@code lastInsertId}).
 */
final class ApplierBenchmark {

    private static final int BATCH = 1_000;
    static final String LOG_ID = "00000000-0000-4000-8000-00000000bench";
    static final String SCHEMA =
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
            // the schema is entry 1 on the applier's side; the reference creates it directly
            List<Entry> inserts = insertEntries(n, false, edge, 2);
            out.add(Measure.compare("(a) parameterized INSERT, " + mode, rounds,
                    () -> applier(dir, inserts, List.of()), () -> raw(dir, inserts, List.of(), false)));
            List<Entry> distinct = insertEntries(n, true, edge, 2);
            out.add(Measure.compare("(b) distinct-SQL INSERT, " + mode, rounds,
                    () -> applier(dir, distinct, List.of()), () -> raw(dir, distinct, List.of(), false)));
            List<Entry> setup = insertEntries(n, false, true, 2);
            List<Entry> updates = updateEntries(n, order, edge, n + 2);
            out.add(Measure.compare("(c) random-order UPDATE by key, " + mode, rounds,
                    () -> applier(dir, updates, setup), () -> raw(dir, updates, setup, false)));
            if (!edge) {
                out.add(Measure.compare("(a) vs raw + last_insert_rowid(), primary", rounds,
                        () -> applier(dir, inserts, List.of()), () -> raw(dir, inserts, List.of(), true)));
                out.add(Measure.compare("(b) vs raw + last_insert_rowid(), primary", rounds,
                        () -> applier(dir, distinct, List.of()), () -> raw(dir, distinct, List.of(), true)));
            }
        }
        Measure.table(out, 0.9).forEach(System.out::println);
        return out;
    }

    /** Applies {@code setup} untimed, then times {@code measured}; returns statements/s. */
    private static Measure.Timed applier(Path dir, List<Entry> measured, List<Entry> setup) throws Exception {
        Path db = fresh(dir.resolve("applier.db"));
        try (SqliteApplier applier = SqliteApplier.open(db, ApplierConfig.forLog(LOG_ID))) {
            applyAll(applier, List.of(entry(1, Statement.of(SCHEMA), edgeOutcome(true, 0, 0))));
            applyAll(applier, setup);
            return Measure.time(() -> {
                applyAll(applier, measured);
                return measured.size();
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

    /**
     * The reference: raw sqlite-jdbc applying the same in-memory entries, as a careful engineer
     * would write it with nothing else to do: a PreparedStatement per SQL text (a plain Statement
     * for parameterless text), positional binding, {@code executeUpdate}, a commit per 1,000.
     * Reading the same objects keeps memory traffic and GC equal on both sides, so the ratio is
     * what the applier adds (outcomes, verification, state row, determinism, cache bounds).
     */
    private static Measure.Timed raw(Path dir, List<Entry> measured, List<Entry> setup, boolean lastInsertId)
            throws Exception {
        try (Connection c = raw(dir)) {
            rawApply(c, setup, false);
            return Measure.time(() -> rawApply(c, measured, lastInsertId));
        }
    }

    /**
     * Applies the entries with plain JDBC; with {@code lastInsertId}, also reads
     * {@code last_insert_rowid()} after each INSERT the way a JDBC user would, which is the work
     * the primary-mode applier does for rqlite's {@code last_insert_id}.
     */
    static long rawApply(Connection c, List<Entry> entries, boolean lastInsertId) throws SQLException {
        Map<String, PreparedStatement> prepared = new HashMap<>();
        try (java.sql.Statement plain = c.createStatement();
             PreparedStatement lastId = c.prepareStatement("SELECT last_insert_rowid()")) {
            int n = 0;
            long sink = 0;
            for (Entry e : entries) {
                for (Statement s : e.statements()) {
                    if (s.parameters().isEmpty()) {
                        plain.executeUpdate(s.sql());
                        sink += lastInsertId && s.sql().startsWith("INSERT") ? lastId(lastId) : 0;
                        continue;
                    }
                    PreparedStatement ps = prepared.get(s.sql());
                    if (ps == null) {
                        ps = c.prepareStatement(s.sql());
                        prepared.put(s.sql(), ps);
                    }
                    List<Parameter> params = s.parameters();
                    for (int i = 0; i < params.size(); i++) {
                        bind(ps, i + 1, params.get(i).value());
                    }
                    ps.executeUpdate();
                    sink += lastInsertId && s.sql().startsWith("INSERT") ? lastId(lastId) : 0;
                }
                commitEvery(c, ++n);
            }
            c.commit();
            return sink >= 0 ? entries.size() : 0;
        } finally {
            for (PreparedStatement ps : prepared.values()) {
                ps.close();
            }
        }
    }

    private static long lastId(PreparedStatement ps) throws SQLException {
        try (java.sql.ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void bind(PreparedStatement ps, int slot, SqlValue v) throws SQLException {
        if (v instanceof SqlValue.Int x) {
            ps.setLong(slot, x.value());
        } else if (v instanceof SqlValue.Text x) {
            ps.setString(slot, x.value());
        } else if (v instanceof SqlValue.Real x) {
            ps.setDouble(slot, x.value());
        } else if (v instanceof SqlValue.Blob x) {
            ps.setBytes(slot, x.value());
        } else {
            ps.setNull(slot, java.sql.Types.NULL);
        }
    }

    static Connection raw(Path dir) throws Exception {
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

    static List<Entry> insertEntries(int n, boolean distinct, boolean withOutcomes, long firstIndex) {
        return insertEntries(1, n, distinct, withOutcomes, firstIndex);
    }

    /** {@code n} single-row INSERT entries of rows {@code firstRow..}, from index {@code firstIndex}. */
    static List<Entry> insertEntries(int firstRow, int n, boolean distinct, boolean withOutcomes, long firstIndex) {
        List<Entry> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int i = firstRow + k;
            Statement s = distinct ? Statement.of(inlined(i))
                    : Statement.of(INSERT, SqlValue.of(i), SqlValue.of(i % 97), SqlValue.of("ad-" + i), SqlValue.of(bid(i)));
            out.add(entry(firstIndex + k, s, edgeOutcome(withOutcomes, 1, i)));
        }
        return out;
    }

    private static List<Entry> updateEntries(int n, int[] order, boolean withOutcomes, long firstIndex) {
        List<Entry> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            Statement s = Statement.of(UPDATE, SqlValue.of(bid(order[k] + 7)), SqlValue.of(order[k]));
            out.add(entry(firstIndex + k, s, edgeOutcome(withOutcomes, 1, 0)));
        }
        return out;
    }

    static List<Outcome> edgeOutcome(boolean withOutcomes, long rows, long lastInsertId) {
        return withOutcomes ? List.of(Outcome.executed(rows, lastInsertId)) : List.of();
    }

    static Entry entry(long index, Statement s, List<Outcome> outcomes) {
        return new Entry(index, 1, index + 2, 1_732_222_800_000L + index, false, List.of(s), outcomes);
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

    static Path fresh(Path db) throws Exception {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
        return db;
    }
}
