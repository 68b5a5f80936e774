package dev.edgelog.reader;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link EdgeReader}. Start from {@link #defaults()} and change what you need with the
 * {@code with…} methods; each value is checked here, so a bad one fails at open with its name.
 *
 * @param poolSize          read connections in the pool behind {@link EdgeReader#dataSource()}; they
 *                          stay open (a fixed-size pool, as HikariCP recommends)
 * @param maxStaleness      when set, {@link EdgeReader#dataSource()} refuses connections while the data
 *                          is older than this ({@link StaleDataException}); null (the default): no guard
 * @param busyTimeout       how long a read waits on SQLite's busy handler. A WAL reader is almost never
 *                          busy; it can be during WAL recovery after an agent crash, or while the last
 *                          writer closes and checkpoints
 * @param connectionTimeout how long {@code getConnection()} waits for a free pooled connection
 * @param clock             the clock that staleness and lag are measured with
 */
public record ReaderConfig(int poolSize, Duration maxStaleness, Duration busyTimeout, Duration connectionTimeout,
        Clock clock) {

    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);
    /** HikariCP's own default. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);
    /** HikariCP refuses less. */
    static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

    public ReaderConfig {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize cannot be less than 1, was " + poolSize);
        }
        if (maxStaleness != null && (maxStaleness.isNegative() || maxStaleness.isZero())) {
            throw new IllegalArgumentException("maxStaleness must be positive (or null for no guard), was "
                    + maxStaleness);
        }
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("busyTimeout must be between 0 and " + Integer.MAX_VALUE
                    + " ms, was " + busyTimeout);
        }
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        if (connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new IllegalArgumentException("connectionTimeout cannot be less than 250 ms, was "
                    + connectionTimeout);
        }
        Objects.requireNonNull(clock, "clock");
    }

    /** Pool of 4, no staleness guard, busy timeout 5 s, connection timeout 30 s, system clock. */
    public static ReaderConfig defaults() {
        return new ReaderConfig(DEFAULT_POOL_SIZE, null, DEFAULT_BUSY_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT,
                Clock.systemUTC());
    }

    public ReaderConfig withPoolSize(int value) {
        return new ReaderConfig(value, maxStaleness, busyTimeout, connectionTimeout, clock);
    }

    /** Turns the staleness guard on ({@code null} turns it off). */
    public ReaderConfig withMaxStaleness(Duration value) {
        return new ReaderConfig(poolSize, value, busyTimeout, connectionTimeout, clock);
    }

    public ReaderConfig withBusyTimeout(Duration value) {
        return new ReaderConfig(poolSize, maxStaleness, value, connectionTimeout, clock);
    }

    public ReaderConfig withConnectionTimeout(Duration value) {
        return new ReaderConfig(poolSize, maxStaleness, busyTimeout, value, clock);
    }

    public ReaderConfig withClock(Clock value) {
        return new ReaderConfig(poolSize, maxStaleness, busyTimeout, connectionTimeout, value);
    }
}
