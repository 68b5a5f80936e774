package dev.edgelog.sqllog.apply;

import static dev.edgelog.sqllog.apply.Entries.queryLong;
import static dev.edgelog.sqllog.apply.Entries.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplierBeforeCommitTest {

    @TempDir
    Path dir;

    @Test
    void when_batchIsApplied_then_theStepSeesEntriesWithOutcomesBeforeCommit() throws Exception {
        Path db = dir.resolve("db");
        List<Entry> seen = new ArrayList<>();
        try (SqliteApplier a = SqliteApplier.open(db, ApplierConfig.forLog("log"))) {
            a.apply(List.of(sql(1, "CREATE TABLE t(x)"), sql(2, "INSERT INTO t VALUES(1)", "INSERT INTO nope VALUES(1)")),
                    null, applied -> {
                        seen.addAll(applied);
                        // the step runs inside the transaction: another connection does not see it yet
                        assertEquals(0, queryLong(db, "SELECT applied_index FROM _edgelog_state"));
                    });
            assertEquals(2, a.appliedIndex());
            assertEquals(12, a.state().appliedRaftIndex());
        }
        assertEquals(2, seen.size());
        assertEquals(List.of(Outcome.executed(1, 1), Outcome.failed("no such table: nope")), seen.get(1).outcomes());
        assertEquals(12, queryLong(db, "SELECT applied_raft_index FROM _edgelog_state"));
    }

    @Test
    void when_theStepFails_then_nothingIsApplied() throws Exception {
        Path db = dir.resolve("db");
        try (SqliteApplier a = SqliteApplier.open(db, ApplierConfig.forLog("log"))) {
            a.apply(List.of(sql(1, "CREATE TABLE t(x)")));

            ApplyException ex = assertThrows(ApplyException.class, () -> a.apply(List.of(sql(2, "INSERT INTO t VALUES(1)")),
                    null, applied -> {
                        throw new IOException("disk full");
                    }));

            assertTrue(ex.getMessage().contains("disk full"), ex.getMessage());
            assertEquals(1, a.appliedIndex());
            a.apply(List.of(sql(2, "INSERT INTO t VALUES(2)")));
        }
        assertEquals(2, queryLong(db, "SELECT x FROM t"));
        assertEquals(2, queryLong(db, "SELECT applied_index FROM _edgelog_state"));
    }

    @Test
    void when_aRowSinkIsGiven_then_eachRowReturningStatementHandsItTheRowsAtItsPlace() throws Exception {
        List<Entry> batch = List.of(sql(1, "CREATE TABLE t(x INTEGER UNIQUE)"),
                sql(2, "INSERT INTO t VALUES(1)", "SELECT group_concat(x) FROM t", "INSERT INTO t VALUES(2) RETURNING x * 10"),
                sql(3, "SELECT count(*) FROM t", "INSERT INTO t VALUES(1)", "SELECT count(*) FROM t"));
        List<String> seen = new ArrayList<>();
        List<Entry> withSink;
        try (SqliteApplier a = SqliteApplier.open(dir.resolve("with"), ApplierConfig.forLog("log"))) {
            withSink = a.apply(batch, null, BeforeCommit.NONE, (index, statement, rows) -> {
                try {
                    StringBuilder b = new StringBuilder(index + "." + statement + ":");
                    while (rows.next()) {
                        b.append(' ').append(rows.getString(1));
                    }
                    seen.add(b.toString());
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }).applied();
        }
        // each read sees the entries and statements before it, and no later ones
        assertEquals(List.of("2.1: 1", "2.2: 20", "3.0: 2", "3.2: 2"), seen);
        List<Entry> without;
        try (SqliteApplier a = SqliteApplier.open(dir.resolve("without"), ApplierConfig.forLog("log"))) {
            without = a.apply(batch).applied();
        }
        assertEquals(without, withSink, "reading the rows changes no outcome");
        assertEquals(List.of(Outcome.executed(1, 1), Outcome.executed(0, 0), Outcome.executed(1, 2)),
                withSink.get(1).outcomes());

        // a sink that throws is ignored: the batch applies as without it
        try (SqliteApplier a = SqliteApplier.open(dir.resolve("throwing"), ApplierConfig.forLog("log"))) {
            List<Entry> thrown = a.apply(batch, null, BeforeCommit.NONE, (index, statement, rows) -> {
                throw new IllegalStateException("sink broke");
            }).applied();
            assertEquals(without, thrown);
            assertEquals(3, a.appliedIndex());
        }
        assertEquals(2, queryLong(dir.resolve("throwing"), "SELECT count(*) FROM t"));
    }

    @Test
    void when_stateTableLacksTheRaftIndexColumn_then_itIsAdded() throws Exception {
        Path db = dir.resolve("old.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE _edgelog_state (log_id TEXT NOT NULL, applied_index INTEGER NOT NULL, "
                    + "applied_term INTEGER NOT NULL, last_commit_time INTEGER NOT NULL, updated_at INTEGER NOT NULL, "
                    + "upstream TEXT NULL, upstream_commit_index INTEGER NULL, last_contact INTEGER NULL)");
            s.execute("INSERT INTO _edgelog_state VALUES ('log', 0, 0, 0, 0, NULL, NULL, NULL)");
        }
        try (SqliteApplier a = SqliteApplier.open(db, ApplierConfig.forLog("log"))) {
            a.apply(List.of(sql(1, "CREATE TABLE t(x)")));
            assertEquals(11, a.state().appliedRaftIndex());
        }
    }
}
