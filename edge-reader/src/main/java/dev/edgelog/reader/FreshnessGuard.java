package dev.edgelog.reader;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The max-staleness check run on every {@code getConnection()} of a guarded {@link EdgeReader#dataSource()}.
 *
 * <p>Staleness is {@link Lag#staleness()}: the time since the agent's last successful upstream
 * contact (the agent records one even when there is nothing new), or the time behind when it was
 * catching up and that is larger. Not bootstrapped, and no contact recorded yet, count as stale:
 * the guard exists to stop serving data nobody can vouch for.
 *
 * <p>Cost: a pool borrow is hot (every ad request), so the row is re-read at most every
 * {@link #REREAD_NANOS} and the staleness is computed from the last row at the current time. A row
 * only ages, so between re-reads the check can only err towards refusing, and a refusal is always
 * confirmed with a fresh read first.
 */
final class FreshnessGuard {

    private static final Logger LOG = LoggerFactory.getLogger(FreshnessGuard.class);

    static final long REREAD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A row and when it was read ({@link System#nanoTime()}); row null: not bootstrapped. */
    private record Seen(EdgeState row, long readAtNanos) {
    }

    private final StateReader state;
    private final Duration limit;
    private final Clock clock;
    private final long rereadNanos;
    private final String database;
    private volatile Seen seen;
    private volatile boolean refusing;

    FreshnessGuard(StateReader state, Duration limit, Clock clock, long rereadNanos, String database) {
        this.state = state;
        this.limit = limit;
        this.clock = clock;
        this.rereadNanos = rereadNanos;
        this.database = database;
    }

    /**
     * Returns when the data is within the limit.
     *
     * @throws StaleDataException when it is not, or its age is unknown
     * @throws SQLException       when the state row cannot be read
     */
    void check() throws SQLException {
        Seen s = seen;
        if (s != null && s.row() != null && System.nanoTime() - s.readAtNanos() < rereadNanos
                && within(Lag.of(s.row(), clock.millis()))) {
            return;
        }
        Optional<EdgeState> row;
        try {
            row = state.read();
        } catch (EdgeReaderException | IllegalStateException e) {
            // unreadable, or the reader is closed: JDBC callers get an SQLException either way
            throw new SQLException(e.getMessage(), e);
        }
        seen = new Seen(row.orElse(null), System.nanoTime());
        Lag lag = row.map(r -> Lag.of(r, clock.millis())).orElseGet(Lag::notBootstrapped);
        if (within(lag)) {
            if (refusing) {
                refusing = false;
                LOG.info("{}: edge data fresh again ({} old, limit {}); serving reads", database,
                        StaleDataException.human(lag.staleness().orElseThrow()), StaleDataException.human(limit));
            }
            return;
        }
        StaleDataException e = refusal(lag);
        if (!refusing) {
            refusing = true;
            LOG.warn("{}; refusing reads until it is fresh", e.getMessage());
        }
        throw e;
    }

    private boolean within(Lag lag) {
        return lag.staleness().map(s -> s.compareTo(limit) <= 0).orElse(false);
    }

    private StaleDataException refusal(Lag lag) {
        String max = StaleDataException.human(limit);
        if (!lag.bootstrapped()) {
            return new StaleDataException(database + " is not bootstrapped yet (no " + StateReader.TABLE
                    + " row): no data to serve (max staleness " + max + ")", null, limit);
        }
        Optional<Duration> staleness = lag.staleness();
        if (staleness.isEmpty()) {
            String why = lag.sinceLastContact().isEmpty()
                    ? "the edge agent has recorded no upstream contact yet"
                    : "the edge agent is behind its upstream and has applied nothing yet";
            return new StaleDataException(database + ": edge data age unknown: " + why + " (max staleness "
                    + max + ")", null, limit);
        }
        String detail = "last upstream contact " + StaleDataException.human(lag.sinceLastContact().orElseThrow())
                + " ago";
        if (lag.entriesBehind().orElse(0) > 0) {
            detail += ", " + lag.entriesBehind().getAsLong() + " entries behind, newest applied entry committed "
                    + StaleDataException.human(lag.timeBehind().orElseThrow()) + " ago";
        }
        return new StaleDataException(database + ": edge data is " + StaleDataException.human(staleness.get())
                + " old, over the max staleness of " + max + " (" + detail + ")", staleness.get(), limit);
    }
}
