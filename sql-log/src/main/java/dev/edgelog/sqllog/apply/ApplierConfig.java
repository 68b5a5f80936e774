package dev.edgelog.sqllog.apply;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link SqliteApplier}. Build with {@link #forLog(String)} and the {@code with…}
 * methods; every other key has a default (the named constants).
 *
 * @param logId              the log this database belongs to; a database holding another log id is
 *                           refused
 * @param synchronous        {@code PRAGMA synchronous}; see {@link Synchronous} for what each loses
 * @param busyTimeout        how long a write waits for a lock held by another connection (a snapshot
 *                           restore, an external tool) before failing the batch
 * @param statementCacheSize how many prepared statements (distinct SQL texts) stay open
 * @param divergencePolicy   what a mismatch between the recorded and the computed outcome does
 * @param verifyLastInsertId whether entries carrying outcomes also compute and compare
 *                           {@code lastInsertId} (one extra query per inserting statement)
 * @param clock              the clock behind {@code updated_at}
 */
public record ApplierConfig(
        String logId,
        Synchronous synchronous,
        Duration busyTimeout,
        int statementCacheSize,
        DivergencePolicy divergencePolicy,
        boolean verifyLastInsertId,
        Clock clock) {

    public static final Synchronous DEFAULT_SYNCHRONOUS = Synchronous.NORMAL;
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_STATEMENT_CACHE_SIZE = 256;
    public static final DivergencePolicy DEFAULT_DIVERGENCE_POLICY = DivergencePolicy.STOP;

    public ApplierConfig {
        Objects.requireNonNull(logId, "logId");
        if (logId.isBlank()) {
            throw new IllegalArgumentException("logId must not be blank");
        }
        Objects.requireNonNull(synchronous, "synchronous");
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("busyTimeout must be between 0 and " + Integer.MAX_VALUE
                    + " ms, was " + busyTimeout);
        }
        if (statementCacheSize < 1) {
            throw new IllegalArgumentException("statementCacheSize cannot be less than 1, was " + statementCacheSize);
        }
        Objects.requireNonNull(divergencePolicy, "divergencePolicy");
        Objects.requireNonNull(clock, "clock");
    }

    /** The defaults for the log {@code logId}. */
    public static ApplierConfig forLog(String logId) {
        return new ApplierConfig(logId, DEFAULT_SYNCHRONOUS, DEFAULT_BUSY_TIMEOUT, DEFAULT_STATEMENT_CACHE_SIZE,
                DEFAULT_DIVERGENCE_POLICY, false, Clock.systemUTC());
    }

    public ApplierConfig withSynchronous(Synchronous value) {
        return new ApplierConfig(logId, value, busyTimeout, statementCacheSize, divergencePolicy,
                verifyLastInsertId, clock);
    }

    public ApplierConfig withBusyTimeout(Duration value) {
        return new ApplierConfig(logId, synchronous, value, statementCacheSize, divergencePolicy,
                verifyLastInsertId, clock);
    }

    public ApplierConfig withStatementCacheSize(int value) {
        return new ApplierConfig(logId, synchronous, busyTimeout, value, divergencePolicy,
                verifyLastInsertId, clock);
    }

    public ApplierConfig withDivergencePolicy(DivergencePolicy value) {
        return new ApplierConfig(logId, synchronous, busyTimeout, statementCacheSize, value,
                verifyLastInsertId, clock);
    }

    public ApplierConfig withVerifyLastInsertId(boolean value) {
        return new ApplierConfig(logId, synchronous, busyTimeout, statementCacheSize, divergencePolicy,
                value, clock);
    }

    public ApplierConfig withClock(Clock value) {
        return new ApplierConfig(logId, synchronous, busyTimeout, statementCacheSize, divergencePolicy,
                verifyLastInsertId, value);
    }
}
