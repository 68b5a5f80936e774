package dev.edgelog.reader;

import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.Optional;

/**
 * The staleness guard refused a connection: the edge data is older than
 * {@link ReaderConfig#maxStaleness()}, its age is unknown (no upstream contact recorded yet), or the
 * agent has not bootstrapped the database. The message says which, with the measured staleness and
 * the limit.
 *
 * <p>A {@link java.sql.SQLException} (transient: the same call succeeds once the agent reaches its
 * upstream again), because it is thrown by {@link javax.sql.DataSource#getConnection()}, where JDBC
 * code and frameworks expect one (Spring maps it to a transient, retryable data-access error).
 * Retrying is harmless: nothing was read. Serving a fallback (cached or default content) is usually
 * better than retrying in a request path.
 */
public class StaleDataException extends SQLTransientException {

    private static final long serialVersionUID = 1L;

    /** Null when unknown. */
    private final Duration staleness;
    private final Duration limit;

    public StaleDataException(String message, Duration staleness, Duration limit) {
        super(message);
        this.staleness = staleness;
        this.limit = limit;
    }

    /** How old the data was measured to be; empty when unknown (not bootstrapped, never contacted). */
    public Optional<Duration> staleness() {
        return Optional.ofNullable(staleness);
    }

    /** The configured {@link ReaderConfig#maxStaleness()}. */
    public Duration limit() {
        return limit;
    }

    /** {@code 850 ms}, {@code 42.3 s}, {@code 12.0 min}: how people read a staleness. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1_000) {
            return ms + " ms";
        }
        if (ms < 120_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1_000.0);
        }
        return String.format(java.util.Locale.ROOT, "%.1f min", ms / 60_000.0);
    }
}
