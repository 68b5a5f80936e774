package dev.edgelog.sqllog.apply;

import static dev.edgelog.sqllog.apply.Entries.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outcomes must not depend on what the connection ran before: a replica may have restarted. */
class ApplierDeterminismTest {

    @TempDir
    Path dir;

    private final List<Entry> log = List.of(
            sql(1, "CREATE TABLE u(k TEXT PRIMARY KEY, v INT)", "CREATE TABLE r(x)",
                    "CREATE TABLE w(k TEXT PRIMARY KEY, v INT) WITHOUT ROWID", "INSERT INTO u VALUES('a', 1)"),
            sql(2, "INSERT INTO r VALUES(1)", "INSERT INTO r VALUES(2)", "INSERT INTO r VALUES(3)"),
            sql(3, "INSERT INTO u VALUES('a', 9) ON CONFLICT(k) DO UPDATE SET v = excluded.v"),
            sql(4, "INSERT INTO w VALUES('z', 1)"),
            sql(5, "INSERT INTO r VALUES(4);\u3000"),
            sql(6, "INSERT INTO r VALUES(4);\u3000"));

    private List<Outcome> applyAll(Path db, int reopenBefore) {
        List<Outcome> out = new ArrayList<>();
        SqliteApplier a = SqliteApplier.open(db, ApplierConfig.forLog("log"));
        try {
            for (Entry e : log) {
                if (e.index() == reopenBefore) {
                    a.close();
                    a = SqliteApplier.open(db, ApplierConfig.forLog("log"));
                }
                out.addAll(a.apply(List.of(e)).applied().get(0).outcomes());
            }
        } finally {
            a.close();
        }
        return out;
    }

    @Test
    void when_aReplicaRestartsBetweenEntries_then_itsOutcomesAreTheSame() {
        List<Outcome> steady = applyAll(dir.resolve("steady.db"), -1);
        for (int reopen = 2; reopen <= log.size(); reopen++) {
            assertEquals(steady, applyAll(dir.resolve("restarted-" + reopen + ".db"), reopen),
                    "reopened before entry " + reopen);
        }
        assertEquals(Outcome.executed(1, 0), steady.get(7), "an upsert that updated inserted no row");
        assertEquals(Outcome.executed(1, 0), steady.get(8), "a WITHOUT ROWID table has no rowid");
        assertEquals(Outcome.executed(1, 4), steady.get(9), "first sighting: one-shot path, first statement only");
        assertEquals(Outcome.executed(1, 5), steady.get(10), "second sighting: prepared path, alike");
    }
}
