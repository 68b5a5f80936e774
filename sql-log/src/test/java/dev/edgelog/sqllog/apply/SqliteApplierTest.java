package dev.edgelog.sqllog.apply;

import static dev.edgelog.sqllog.apply.Entries.column;
import static dev.edgelog.sqllog.apply.Entries.entry;
import static dev.edgelog.sqllog.apply.Entries.queryLong;
import static dev.edgelog.sqllog.apply.Entries.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.SqlValue;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteApplierTest {

    private static final String LOG = "log-a";

    @TempDir
    Path dir;
    Path db;
    SqliteApplier applier;

    @BeforeEach
    void open() {
        db = dir.resolve("edge.db");
        applier = SqliteApplier.open(db, ApplierConfig.forLog(LOG)
                .withClock(Clock.fixed(Instant.ofEpochMilli(42_000), ZoneOffset.UTC)));
        applier.apply(List.of(sql(1, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)")));
    }

    @AfterEach
    void close() {
        applier.close();
    }

    @Test
    void when_transactionStatementFails_then_wholeEntryRollsBack() throws Exception {
        Entry e = entry(2, true,
                Statement.of("INSERT INTO t(v) VALUES('a')"),
                Statement.of("INSERT INTO t(v) VALUES('a')"),
                Statement.of("INSERT INTO t(v) VALUES('c')"));

        ApplyResult r = applier.apply(List.of(e));

        assertEquals(List.of(Outcome.executed(1, 1), Outcome.failed("UNIQUE constraint failed: t.v")),
                r.applied().get(0).outcomes());
        assertEquals(0, queryLong(db, "SELECT count(*) FROM t"));
        assertEquals(2, applier.appliedIndex());
    }

    @Test
    void when_nonTransactionStatementFails_then_onlyThatStatementIsUndone() throws Exception {
        Entry e = entry(2, false,
                Statement.of("INSERT INTO t(v) VALUES('a')"),
                Statement.of("INSERT INTO t(v) VALUES('a'), ('b')"),
                Statement.of("INSERT INTO t(v) VALUES('c')"));

        ApplyResult r = applier.apply(List.of(e));

        assertEquals(List.of(Outcome.executed(1, 1), Outcome.failed("UNIQUE constraint failed: t.v"),
                Outcome.executed(1, 2)), r.applied().get(0).outcomes());
        assertEquals(List.of("a", "c"), column(db, "SELECT v FROM t ORDER BY id"));
    }

    @Test
    void when_singleStatementTransactionFails_then_batchGoesOn() throws Exception {
        ApplyResult r = applier.apply(List.of(
                entry(2, true, Statement.of("INSERT INTO t(v) VALUES('a')")),
                entry(3, true, Statement.of("INSERT INTO t(v) VALUES('a')")),
                entry(4, true, Statement.of("INSERT INTO t(v) VALUES('b')"))));

        assertEquals(List.of(Outcome.failed("UNIQUE constraint failed: t.v")), r.applied().get(1).outcomes());
        assertEquals(List.of("a", "b"), column(db, "SELECT v FROM t ORDER BY id"));
    }

    @Test
    void when_oneEntryFails_then_otherEntriesInBatchKeepTheirEffects() throws Exception {
        ApplyResult r = applier.apply(List.of(
                entry(2, true, Statement.of("INSERT INTO t(v) VALUES('x')"), Statement.of("INSERT INTO t(v) VALUES('y')")),
                entry(3, true, Statement.of("INSERT INTO t(v) VALUES('z')"), Statement.of("INSERT INTO nope VALUES(1)")),
                entry(4, false, Statement.of("UPDATE t SET v = v || '!' WHERE v = 'x'"))));

        assertEquals(4, r.appliedIndex());
        assertEquals(List.of(Outcome.executed(1, 1), Outcome.executed(1, 2)), r.applied().get(0).outcomes());
        assertEquals(List.of(Outcome.executed(1, 3), Outcome.failed("no such table: nope")),
                r.applied().get(1).outcomes());
        assertEquals(List.of(Outcome.executed(1, 0)), r.applied().get(2).outcomes());
        assertEquals(List.of("x!", "y"), column(db, "SELECT v FROM t ORDER BY id"));
    }

    @Test
    void when_entriesAlreadyApplied_then_theyAreSkipped() throws Exception {
        applier.apply(List.of(sql(2, "INSERT INTO t(v) VALUES('a')")));

        ApplyResult r = applier.apply(List.of(
                sql(1, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)"),
                sql(2, "INSERT INTO t(v) VALUES('a')"),
                sql(3, "INSERT INTO t(v) VALUES('b')")));

        assertEquals(2, r.skipped());
        assertEquals(1, r.applied().size());
        assertEquals(3, r.appliedIndex());
        assertEquals(List.of("a", "b"), column(db, "SELECT v FROM t ORDER BY id"));
    }

    @Test
    void when_batchHasGap_then_refusedAndNothingApplied() throws Exception {
        IndexGapException e = assertThrows(IndexGapException.class, () -> applier.apply(List.of(
                sql(3, "INSERT INTO t(v) VALUES('a')"))));
        assertEquals(3, e.foundIndex());

        assertThrows(IndexGapException.class, () -> applier.apply(List.of(
                sql(2, "INSERT INTO t(v) VALUES('a')"),
                sql(4, "INSERT INTO t(v) VALUES('b')"))));

        assertEquals(1, applier.appliedIndex());
        assertEquals(0, queryLong(db, "SELECT count(*) FROM t"));
        assertEquals(1, queryLong(db, "SELECT applied_index FROM _edgelog_state"));
    }

    @Test
    void when_batchCommits_then_stateRowShowsIndexCommitTimeAndClock() throws Exception {
        applier.apply(List.of(sql(2, "INSERT INTO t(v) VALUES('a')")),
                new UpstreamContact("https://mirror-1:8443", 99L, 41_000L));

        ApplierState s = applier.state();
        assertEquals(new ApplierState(LOG, 2, 1, 12, Entries.COMMIT_TIME + 2, 42_000, "https://mirror-1:8443", 99L,
                41_000L), s);
        assertEquals(Entries.COMMIT_TIME + 2, queryLong(db, "SELECT last_commit_time FROM _edgelog_state"));
        assertEquals(99, queryLong(db, "SELECT upstream_commit_index FROM _edgelog_state"));
        assertEquals(1, queryLong(db, "SELECT count(*) FROM _edgelog_state"));
    }

    @Test
    void when_onlyContactGiven_then_stateRowUpdatedWithoutEntries() throws Exception {
        ApplyResult r = applier.apply(List.of(), new UpstreamContact("up", 7L, 40_000L));

        assertEquals(1, r.appliedIndex());
        assertEquals(40_000, queryLong(db, "SELECT last_contact FROM _edgelog_state"));
    }

    @Test
    void when_databaseHoldsAnotherLogId_then_openIsRefused() {
        applier.close();

        LogIdMismatchException e = assertThrows(LogIdMismatchException.class,
                () -> SqliteApplier.open(db, ApplierConfig.forLog("log-b")));

        assertEquals("log-a", e.found());
        assertTrue(e.getMessage().contains("log-b"));
        applier = SqliteApplier.open(db, ApplierConfig.forLog(LOG));
        assertEquals(1, applier.appliedIndex());
    }

    @Test
    void when_reopened_then_appliedIndexIsRead() {
        applier.apply(List.of(sql(2, "INSERT INTO t(v) VALUES('a')")));
        applier.close();

        applier = SqliteApplier.open(db, ApplierConfig.forLog(LOG));

        assertEquals(2, applier.appliedIndex());
        assertEquals(Entries.COMMIT_TIME + 2, applier.state().lastCommitTimeMillis());
    }

    @Test
    void when_createTableFollowsInsert_then_rowsAffectedIsZero() {
        ApplyResult r = applier.apply(List.of(sql(2,
                "INSERT INTO t(v) VALUES('a'), ('b')",
                "CREATE TABLE u(x)",
                "SELECT * FROM t",
                "UPDATE t SET v = v || '1'",
                "DELETE FROM t WHERE v = 'zzz'",
                "DROP TABLE u")));

        assertEquals(List.of(Outcome.executed(2, 2), Outcome.executed(0, 0), Outcome.executed(0, 0),
                Outcome.executed(2, 0), Outcome.executed(0, 0), Outcome.executed(0, 0)),
                r.applied().get(0).outcomes());
    }

    @Test
    void when_dmlHasReturningClause_then_rowsAffectedCounted() {
        ApplyResult r = applier.apply(List.of(sql(2,
                "INSERT INTO t(v) VALUES('a'), ('b') RETURNING id",
                "UPDATE t SET v = v || '?' RETURNING v")));

        assertEquals(List.of(Outcome.executed(2, 2), Outcome.executed(2, 0)), r.applied().get(0).outcomes());
    }

    @Test
    void when_questionMarkOrColonInsideLiteral_then_onlyRealSlotsBind() throws Exception {
        applier.apply(List.of(entry(2, false,
                Statement.of("INSERT INTO t(id, v) VALUES(?, '?:x' || ?)", SqlValue.of(4), SqlValue.of("y")))));

        assertEquals(List.of("?:xy"), column(db, "SELECT v FROM t WHERE id = 4"));
    }

    @Test
    void when_insertSelectsNothing_then_lastInsertIdIsZero() {
        ApplyResult r = applier.apply(List.of(sql(2,
                "INSERT INTO t(v) VALUES('a')",
                "INSERT INTO t(v) SELECT v FROM t WHERE 0",
                "WITH x(v) AS (SELECT 'w') INSERT INTO t(v) SELECT v FROM x",
                "REPLACE INTO t(id, v) VALUES (10, 'r')")));

        assertEquals(List.of(Outcome.executed(1, 1), Outcome.executed(0, 0), Outcome.executed(1, 2),
                Outcome.executed(1, 10)), r.applied().get(0).outcomes());
    }

    @Test
    void when_positionalParameters_then_boundInOrder() throws Exception {
        applier.apply(List.of(sql(2, "CREATE TABLE p(a, b, c, d, e)"),
                entry(3, false, Statement.of("INSERT INTO p VALUES(?, ?, ?, ?, ?)", SqlValue.of(7),
                        SqlValue.of(2.5), SqlValue.of("s"), SqlValue.of(new byte[] {1, 2}), SqlValue.NULL))));

        assertEquals(List.of("integer|real|text|blob|null"),
                column(db, "SELECT typeof(a)||'|'||typeof(b)||'|'||typeof(c)||'|'||typeof(d)||'|'||typeof(e) FROM p"));
        assertEquals(7, queryLong(db, "SELECT a FROM p"));
    }

    @Test
    void when_namedParameters_then_boundByNameWithAnyPrefix() throws Exception {
        Statement named = new Statement("INSERT INTO t(id, v) VALUES(:id, @v || $v)", List.of(
                dev.edgelog.sqllog.Parameter.named("v", SqlValue.of("x")),
                dev.edgelog.sqllog.Parameter.named("id", SqlValue.of(5))));

        ApplyResult r = applier.apply(List.of(entry(2, false, named)));

        assertEquals(List.of(Outcome.executed(1, 5)), r.applied().get(0).outcomes());
        assertEquals(List.of("xx"), column(db, "SELECT v FROM t WHERE id = 5"));
    }

    @Test
    void when_parametersDoNotFit_then_failedOutcomeNotException() throws Exception {
        Statement unknownName = new Statement("INSERT INTO t(v) VALUES(:v)", List.of(
                dev.edgelog.sqllog.Parameter.named("w", SqlValue.of("x"))));
        Statement tooMany = Statement.of("INSERT INTO t(v) VALUES(?)", SqlValue.of("a"), SqlValue.of("b"));
        Statement fewer = Statement.of("INSERT INTO t(id, v) VALUES(?, ?)", SqlValue.of(3));

        ApplyResult r = applier.apply(List.of(entry(2, false, unknownName, tooMany, fewer)));

        List<Outcome> o = r.applied().get(0).outcomes();
        assertTrue(((Outcome.Failed) o.get(0)).error().contains("no parameter named 'w'"), o.get(0).toString());
        assertTrue(((Outcome.Failed) o.get(1)).error().contains("too many positional parameters"), o.get(1).toString());
        assertEquals(Outcome.executed(1, 3), o.get(2));
        assertEquals(List.of("3:null"), column(db, "SELECT id || ':' || typeof(v) FROM t"));
    }

    @Test
    void when_statementRepeatsWithFewerValues_then_earlierBindingsDoNotLeak() throws Exception {
        String insert = "INSERT INTO t(id, v) VALUES(?, ?)";
        applier.apply(List.of(entry(2, false,
                Statement.of(insert, SqlValue.of(1), SqlValue.of("one")),
                Statement.of(insert, SqlValue.of(2)))));

        assertEquals(List.of("1:one", "2:"), column(db, "SELECT id || ':' || ifnull(v, '') FROM t ORDER BY id"));
    }

    @Test
    void when_transactionControlStatement_then_failedOutcome() {
        ApplyResult r = applier.apply(List.of(sql(2, "COMMIT", "INSERT INTO t(v) VALUES('a')")));

        List<Outcome> o = r.applied().get(0).outcomes();
        assertInstanceOf(Outcome.Failed.class, o.get(0));
        assertEquals(Outcome.executed(1, 1), o.get(1));
    }

    @Test
    void when_sameSqlRepeats_then_preparedStatementReused() {
        long[] before = applier.cacheStats();
        Statement insert = Statement.of("INSERT INTO t(v) VALUES(?)", SqlValue.of("a"));
        applier.apply(List.of(entry(2, false, insert), entry(3, false, insert), entry(4, false, insert)));

        long[] after = applier.cacheStats();
        assertEquals(1, after[1] - before[1], "misses");
        assertEquals(2, after[0] - before[0], "hits");
    }

    @Test
    void when_moreDistinctTextsThanCapacity_then_eldestEvictedAndStillCorrect() throws Exception {
        applier.close();
        applier = SqliteApplier.open(db, ApplierConfig.forLog(LOG).withStatementCacheSize(2));
        List<Entry> batch = List.of(
                entry(2, false, Statement.of("INSERT INTO t(v) VALUES(?)", SqlValue.of("a"))),
                entry(3, false, Statement.of("INSERT INTO t(v) VALUES(?) -- b", SqlValue.of("b"))),
                entry(4, false, Statement.of("INSERT INTO t(v) VALUES(?) -- c", SqlValue.of("c"))),
                entry(5, false, Statement.of("UPDATE t SET v = upper(v) WHERE v = ?", SqlValue.of("a"))));

        applier.apply(batch);

        long[] stats = applier.cacheStats();
        assertEquals(2, stats[2], "evictions");
        assertEquals(2, stats[3], "size");
        assertEquals(List.of("A", "b", "c"), column(db, "SELECT v FROM t ORDER BY id"));
    }

    @Test
    void when_closed_then_applyRefused() {
        applier.close();

        assertThrows(ApplyException.class, () -> applier.apply(List.of(sql(2, "SELECT 1"))));
        assertFalse(applier.state().logId().isEmpty());
    }
}
