package dev.edgelog.sqllog.apply;

import static dev.edgelog.sqllog.apply.Entries.queryLong;
import static dev.edgelog.sqllog.apply.Entries.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgelog.sqllog.Outcome;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parameterless text seen for the first time runs once without being cached; seen again, it is
 * prepared and cached. Both paths must give exactly the same outcome, or a replica that sees a text
 * for the first time would diverge from one that has it cached.
 */
class StatementPathsTest {

    @TempDir
    Path dir;
    SqliteApplier applier;

    @BeforeEach
    void open() {
        applier = SqliteApplier.open(dir.resolve("db"), ApplierConfig.forLog("log"));
        applier.apply(List.of(sql(1,
                "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)",
                "CREATE TABLE audit(v TEXT)",
                "CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN INSERT INTO audit VALUES(new.v); END")));
    }

    @AfterEach
    void close() {
        applier.close();
    }

    private Outcome run(long index, String sql) {
        return applier.apply(List.of(sql(index, sql))).applied().get(0).outcomes().get(0);
    }

    @Test
    void when_textRunsOnceThenCached_then_outcomesAreTheSameOnBothPaths() throws Exception {
        String insert = "INSERT INTO t(id, v) VALUES(1, 'a')";
        long oneShotsBefore = applier.cacheStats()[4];

        Outcome firstSighting = run(2, insert);
        run(3, "DELETE FROM t");
        Outcome cached = run(4, insert);

        assertEquals(oneShotsBefore + 2, applier.cacheStats()[4], "first sightings ran once");
        assertEquals(Outcome.executed(1, 1), firstSighting, "a trigger's insert is not counted, on either path");
        assertEquals(firstSighting, cached);
        assertEquals(2, queryLong(dir.resolve("db"), "SELECT count(*) FROM audit"));
    }

    @Test
    void when_textFailsOnEitherPath_then_theErrorIsTheSame() {
        run(2, "INSERT INTO t(id, v) VALUES(1, 'a')");
        String conflicting = "INSERT INTO t(id, v) VALUES(2, 'a')";

        Outcome firstSighting = run(3, conflicting);
        Outcome cached = run(4, conflicting);

        assertEquals(Outcome.failed("UNIQUE constraint failed: t.v"), firstSighting);
        assertEquals(firstSighting, cached);
    }

    @Test
    void when_ddlFollowsAnInsert_then_itReportsNoRowsOnEitherPath() {
        run(2, "INSERT INTO t(id, v) VALUES(1, 'a')");
        assertEquals(Outcome.executed(0, 0), run(3, "CREATE TABLE x(a)"));
        assertEquals(Outcome.executed(0, 0), run(4, "DROP TABLE x"));
        assertEquals(Outcome.executed(0, 0), run(5, "CREATE TABLE x(a)"));
    }

    @Test
    void when_textHoldsTwoStatements_then_neitherPathRunsTheSecond() throws Exception {
        String two = "INSERT INTO t(id, v) VALUES(7, 'x'); INSERT INTO t(id, v) VALUES(8, 'y')";
        long oneShotsBefore = applier.cacheStats()[4];

        run(2, two);

        assertEquals(oneShotsBefore, applier.cacheStats()[4], "a text with two statements is prepared");
        assertEquals(1, queryLong(dir.resolve("db"), "SELECT count(*) FROM t"));
    }
}
