package dev.edgelog.sqllog.apply;

import static dev.edgelog.sqllog.apply.Entries.column;
import static dev.edgelog.sqllog.apply.Entries.entry;
import static dev.edgelog.sqllog.apply.Entries.queryLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Followers: entries carrying the primary's outcomes are verified, and a mismatch is a divergence. */
class ApplierVerifyTest {

    @TempDir
    Path dir;

    /** The primary's entries 1..4, applied on a primary database, with their computed outcomes. */
    private List<Entry> primaryLog() {
        try (SqliteApplier primary = SqliteApplier.open(dir.resolve("primary.db"), ApplierConfig.forLog("L"))) {
            return primary.apply(List.of(
                    entry(1, false, Statement.of("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)")),
                    entry(2, false, Statement.of("INSERT INTO t(v) VALUES(?), (?)", SqlValue.of("a"), SqlValue.of("b"))),
                    entry(3, true, Statement.of("UPDATE t SET v = 'c' WHERE v = 'a'"),
                            Statement.of("INSERT INTO t(v) VALUES('b')")),
                    entry(4, false, Statement.of("DELETE FROM t WHERE v = 'b'")))).applied();
        }
    }

    @Test
    void when_recordedOutcomesMatch_then_followerAppliesWithoutDivergence() throws Exception {
        List<Entry> log = primaryLog();
        Path edge = dir.resolve("edge.db");

        try (SqliteApplier follower = SqliteApplier.open(edge, ApplierConfig.forLog("L").withVerifyLastInsertId(true))) {
            ApplyResult r = follower.apply(log);

            assertFalse(r.diverged());
            assertEquals(log, r.applied());
            assertEquals(4, r.appliedIndex());
        }
        assertEquals(List.of("a"), column(edge, "SELECT v FROM t"));
    }

    @Test
    void when_entriesCarryReads_then_aFollowerRunsThemWithoutDivergence() throws Exception {
        // a mixed /db/request logs its reads among its writes; the primary read their rows, edges do not
        List<Entry> log;
        try (SqliteApplier primary = SqliteApplier.open(dir.resolve("primary.db"), ApplierConfig.forLog("L"))) {
            log = primary.apply(List.of(
                    entry(1, false, Statement.of("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")),
                    entry(2, true, Statement.of("SELECT count(*) FROM t"), Statement.of("INSERT INTO t(v) VALUES('a')"),
                            Statement.of("SELECT v FROM t"), Statement.of("SELECT nope FROM t"))),
                    null, BeforeCommit.NONE, (index, statement, rows) -> { }).applied();
        }
        try (SqliteApplier follower = SqliteApplier.open(dir.resolve("edge.db"),
                ApplierConfig.forLog("L").withVerifyLastInsertId(true))) {
            ApplyResult r = follower.apply(log);
            assertFalse(r.diverged());
            assertEquals(log, r.applied());
        }
        assertEquals(List.of(Outcome.executed(0, 0), Outcome.executed(1, 1), Outcome.executed(0, 0),
                Outcome.failed("no such column: nope")), log.get(1).outcomes());
        assertEquals(List.of(), column(dir.resolve("edge.db"), "SELECT v FROM t"), "the failed read undid the transaction");
    }

    @Test
    void when_recordedOutcomeTampered_then_divergenceNamesIndexAndStatement_andEarlierEntriesCommitted()
            throws Exception {
        List<Entry> log = new ArrayList<>(primaryLog());
        Entry third = log.get(2);
        log.set(2, third.withOutcomes(List.of(Outcome.executed(7, 0), third.outcomes().get(1))));
        Path edge = dir.resolve("edge.db");

        try (SqliteApplier follower = SqliteApplier.open(edge, ApplierConfig.forLog("L"))) {
            ApplyResult r = follower.apply(log);

            Divergence d = r.divergence().orElseThrow();
            assertEquals(3, d.index());
            assertEquals(0, d.position());
            assertEquals("UPDATE t SET v = 'c' WHERE v = 'a'", d.sql());
            assertEquals(Outcome.executed(7, 0), d.expected());
            assertEquals(Outcome.executed(1, 0), d.actual());
            assertEquals(2, r.appliedIndex());
            assertEquals(log.subList(0, 2), r.applied());
            assertEquals(2, follower.appliedIndex());
        }
        assertEquals(List.of("a", "b"), column(edge, "SELECT v FROM t ORDER BY id"));
        assertEquals(2, queryLong(edge, "SELECT applied_index FROM _edgelog_state"));
    }

    @Test
    void when_recordedFailureButStatementSucceeds_then_divergence() {
        Entry e = Entries.recorded(1, false, List.of(Outcome.failed("no such table: t")),
                Statement.of("CREATE TABLE t(x)"));

        try (SqliteApplier follower = SqliteApplier.open(dir.resolve("edge.db"), ApplierConfig.forLog("L"))) {
            ApplyResult r = follower.apply(List.of(e));

            assertTrue(r.diverged());
            assertEquals(0, r.appliedIndex());
        }
    }

    @Test
    void when_outcomeCountDiffers_then_divergenceAtFirstMissingPosition() {
        Entry e = Entries.recorded(1, false, List.of(Outcome.executed(0, 0)),
                Statement.of("CREATE TABLE t(x)"), Statement.of("INSERT INTO t VALUES(1)"));

        try (SqliteApplier follower = SqliteApplier.open(dir.resolve("edge.db"), ApplierConfig.forLog("L"))) {
            Divergence d = follower.apply(List.of(e)).divergence().orElseThrow();

            assertEquals(1, d.position());
            assertEquals(null, d.expected());
        }
    }

    @Test
    void when_errorTextDiffers_then_noDivergence() {
        Entry e = Entries.recorded(1, false, List.of(Outcome.failed("some other wording")),
                Statement.of("INSERT INTO missing VALUES(1)"));

        try (SqliteApplier follower = SqliteApplier.open(dir.resolve("edge.db"), ApplierConfig.forLog("L"))) {
            ApplyResult r = follower.apply(List.of(e));

            assertFalse(r.diverged());
            assertEquals(1, r.appliedIndex());
        }
    }

    @Test
    void when_divergencePolicyLogAndContinue_then_batchCompletes() throws Exception {
        List<Entry> log = new ArrayList<>(primaryLog());
        log.set(1, log.get(1).withOutcomes(List.of(Outcome.executed(5, 2))));
        Path edge = dir.resolve("edge.db");

        try (SqliteApplier follower = SqliteApplier.open(edge,
                ApplierConfig.forLog("L").withDivergencePolicy(DivergencePolicy.LOG_AND_CONTINUE))) {
            ApplyResult r = follower.apply(log);

            assertEquals(2, r.divergence().orElseThrow().index());
            assertEquals(4, r.appliedIndex());
        }
        assertEquals(List.of("a"), column(edge, "SELECT v FROM t"));
    }

    @Test
    void when_lastInsertIdVerificationOnAndIdDiffers_then_divergence() {
        List<Entry> log = new ArrayList<>(primaryLog());
        log.set(1, log.get(1).withOutcomes(List.of(Outcome.executed(2, 99))));

        try (SqliteApplier lenient = SqliteApplier.open(dir.resolve("a.db"), ApplierConfig.forLog("L"))) {
            assertFalse(lenient.apply(log).diverged());
        }
        try (SqliteApplier strict = SqliteApplier.open(dir.resolve("b.db"),
                ApplierConfig.forLog("L").withVerifyLastInsertId(true))) {
            assertEquals(2, strict.apply(log).divergence().orElseThrow().index());
        }
    }
}
