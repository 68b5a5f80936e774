package dev.edgelog.sqllog.sql;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What {@link SqlRewriter} substitutes: the entry's commit time and the random source for the
 * literals it writes into the text.
 *
 * @param commitTimeMillis  the commit time of the entry, ms since the epoch (what {@code 'now'} means)
 * @param random            the source of {@code RANDOM()} and {@code RANDOMBLOB(n)} literals
 * @param strict            refuse ({@link RejectedSqlException}) what nothing can make deterministic
 * @param randomToLiterals  rewrite {@code RANDOM()} outside {@code ORDER BY} into a literal, as
 *                          rqlite does. A literal is evaluated once per statement, so in a per-row
 *                          position ({@code UPDATE t SET r = RANDOM()}, {@code WHERE RANDOM() % 2})
 *                          every row sees the same value. With {@code false} every {@code RANDOM()}
 *                          is left to {@link ReplayFunctions}, which keeps per-row values and is
 *                          equally deterministic
 */
public record RewriteContext(long commitTimeMillis, RandomGenerator random, boolean strict, boolean randomToLiterals) {

    public RewriteContext {
        Objects.requireNonNull(random, "random");
    }

    /** rqlite-like defaults: not strict, {@code RANDOM()} into literals. */
    public static RewriteContext of(long commitTimeMillis, RandomGenerator random) {
        return new RewriteContext(commitTimeMillis, random, false, true);
    }

    /** This context in strict mode. */
    public RewriteContext strictly() {
        return new RewriteContext(commitTimeMillis, random, true, randomToLiterals);
    }
}
