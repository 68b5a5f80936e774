package dev.edgelog.sqllog.sql;

import dev.edgelog.sqllog.SqlLogException;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.Function;

/**
 * Application-defined SQL functions that make replay deterministic where the SQL text could not be
 * rewritten: {@code random()} and {@code randomblob(n)} (overriding SQLite's built-ins on this
 * connection) draw from a generator seeded by the entry, and {@code edgelog_now()} returns the
 * entry's commit time (what {@link SqlRewriter} substitutes for {@code 'now'} and
 * {@code CURRENT_TIMESTAMP} in column defaults and trigger bodies).
 *
 * <p>Use: {@link #install} once per writing connection, then {@link #enterEntry} before each
 * entry's statements and (recommended) {@link #enterStatement} before each statement. With only
 * {@code enterEntry}, the statements of an entry share one stream in execution order; with
 * {@code enterStatement}, each statement gets its own stream seeded by (index, commit time,
 * position), so a statement's values do not depend on how many values earlier statements drew.
 * Either way the same entry gives the same values on every replica, whatever ran before on the
 * connection. The order in which SQLite calls the function within one statement follows its query
 * plan, so replicas must run the same SQLite version (they share the sqlite-jdbc artifact).
 *
 * <p>Calling a function before any {@code enterEntry} is an SQL error. Not thread-safe: one
 * instance belongs to one connection and its applier thread.
 */
public final class ReplayFunctions {

    /** The name of the function returning the entry's commit time as a SQLite time value. */
    public static final String NOW_FUNCTION = "edgelog_now";

    /** SQLITE_INNOCUOUS: allowed in schema (DEFAULT, triggers) even with trusted_schema=OFF. */
    static final int SQLITE_INNOCUOUS = 0x200000;

    /** Larger {@code randomblob(n)} requests fail, identically on every replica. */
    public static final int MAX_RANDOMBLOB = 1 << 24;

    private long entryIndex;
    private long commitTimeMillis;
    private boolean entered;
    private long state;
    private int position;
    private boolean seeded;
    private String nowValue;

    private ReplayFunctions() {
    }

    /**
     * Registers {@code random()}, {@code randomblob(n)} and {@code edgelog_now()} on {@code c}
     * (an sqlite-jdbc connection) and returns the handle that seeds them.
     *
     * @throws SqlLogException when the functions cannot be registered
     */
    public static ReplayFunctions install(Connection c) {
        ReplayFunctions f = new ReplayFunctions();
        try {
            Function.create(c, "random", f.new Random(), 0, SQLITE_INNOCUOUS);
            Function.create(c, "randomblob", f.new RandomBlob(), 1, SQLITE_INNOCUOUS);
            Function.create(c, NOW_FUNCTION, f.new Now(), 0, SQLITE_INNOCUOUS);
        } catch (SQLException e) {
            throw new SqlLogException("cannot register replay functions: " + e.getMessage(), e);
        }
        return f;
    }

    /** Seeds the functions for the entry about to be applied; its statements share one stream. */
    public void enterEntry(long index, long commitTimeMillis) {
        this.entryIndex = index;
        this.commitTimeMillis = commitTimeMillis;
        this.entered = true;
        this.nowValue = null; // formatted on first use: most entries never ask for it
        this.position = -1;
        this.seeded = false; // seeded on first use, for the same reason
    }

    /**
     * Reseeds for the statement at {@code position} (0-based) of the current entry, so that its
     * values do not depend on earlier statements.
     */
    public void enterStatement(int position) {
        requireEntered();
        this.position = position;
        this.seeded = false;
    }

    private String now() {
        if (nowValue == null) {
            nowValue = CommitTime.timeValue(commitTimeMillis);
        }
        return nowValue;
    }

    /** The next value {@code random()} returns (exposed for tests and the rewriter's own use). */
    long nextRandom() {
        return CommitTime.sqliteRandom(nextRaw());
    }

    private static long seed(long index, long commitTime, int position) {
        long s = mix(index ^ 0x6564_6765_6C6F_6721L);
        s = mix(s ^ commitTime);
        return mix(s ^ position);
    }

    /** SplitMix64, written out so that the stream never depends on the JDK's implementation. */
    private long nextRaw() {
        if (!seeded) {
            state = seed(entryIndex, commitTimeMillis, position);
            seeded = true;
        }
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private void requireEntered() {
        if (!entered) {
            throw new IllegalStateException("enterEntry was not called");
        }
    }

    private final class Random extends Function {
        @Override
        protected void xFunc() throws SQLException {
            if (!entered) {
                error("edgelog: random() called outside an entry");
                return;
            }
            result(nextRandom());
        }
    }

    private final class RandomBlob extends Function {
        @Override
        protected void xFunc() throws SQLException {
            if (!entered) {
                error("edgelog: randomblob() called outside an entry");
                return;
            }
            long n = Math.max(1, value_long(0));
            if (n > MAX_RANDOMBLOB) {
                error("string or blob too big");
                return;
            }
            byte[] out = new byte[(int) n];
            for (int i = 0; i < out.length; i += 8) {
                long r = nextRaw();
                for (int b = 0; b < 8 && i + b < out.length; b++) {
                    out[i + b] = (byte) (r >>> (8 * b));
                }
            }
            result(out);
        }
    }

    private final class Now extends Function {
        @Override
        protected void xFunc() throws SQLException {
            if (!entered) {
                error("edgelog: " + NOW_FUNCTION + "() called outside an entry");
                return;
            }
            result(now());
        }
    }
}
