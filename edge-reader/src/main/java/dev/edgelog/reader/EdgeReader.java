package dev.edgelog.reader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the SQLite file an edge agent keeps up to date: a read-only connection pool for the
 * application, the replication position ({@link #appliedIndex()}, {@link #lag()}), read-your-writes
 * ({@link #awaitIndex}) and an optional staleness guard. The library an ad server embeds; it depends
 * on sqlite-jdbc, HikariCP and SLF4J only.
 *
 * <pre>{@code
 * EdgeReader reader = EdgeReader.open(Path.of("/var/lib/edgelog/edge.db"),
 *         ReaderConfig.defaults().withMaxStaleness(Duration.ofSeconds(30)));
 * JdbcTemplate jdbc = new JdbcTemplate(reader.dataSource());
 * }</pre>
 *
 * <p>Opening touches nothing: the database may not exist yet (the ad server started before the agent
 * bootstrapped it). Until it does, the reader reports not bootstrapped (applied index 0) and
 * {@code getConnection()} fails at once with a clear message; a read-only open never creates the file.
 *
 * <p>Thread-safe. Close it when the application stops; it closes the pool.
 */
public final class EdgeReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeReader.class);

    /** {@link #awaitIndex} polls after 1 ms, doubling up to 20 ms: one-row reads, microseconds each. */
    static final long FIRST_POLL_MILLIS = 1;
    static final long MAX_POLL_MILLIS = 20;

    private final Path database;
    private final ReaderConfig config;
    private final StateReader state;
    private final ReadPool pool;
    private final EdgeDataSource dataSource;

    private EdgeReader(Path database, ReaderConfig config, long guardRereadNanos) {
        this.database = database;
        this.config = config;
        ReadOnlySqlite sqlite = new ReadOnlySqlite(database, config.busyTimeout());
        this.state = new StateReader(sqlite);
        this.pool = new ReadPool(sqlite, config);
        FreshnessGuard guard = config.maxStaleness() == null ? null
                : new FreshnessGuard(state, config.maxStaleness(), config.clock(), guardRereadNanos,
                        database.toString());
        this.dataSource = new EdgeDataSource(pool, guard);
    }

    /** A reader of {@code dbFile} with {@link ReaderConfig#defaults()}. */
    public static EdgeReader open(Path dbFile) {
        return open(dbFile, ReaderConfig.defaults());
    }

    /**
     * A reader of {@code dbFile}, which need not exist yet.
     *
     * @throws IllegalArgumentException when {@code dbFile} is a directory, or its path contains
     *                                  {@code ?} (sqlite-jdbc would read the rest as URL parameters)
     */
    public static EdgeReader open(Path dbFile, ReaderConfig config) {
        return open(dbFile, config, FreshnessGuard.REREAD_NANOS);
    }

    static EdgeReader open(Path dbFile, ReaderConfig config, long guardRereadNanos) {
        Objects.requireNonNull(config, "config");
        Path database = Objects.requireNonNull(dbFile, "dbFile").toAbsolutePath().normalize();
        if (database.toString().indexOf('?') >= 0) {
            throw new IllegalArgumentException("dbFile must not contain '?', was " + database);
        }
        if (Files.isDirectory(database)) {
            throw new IllegalArgumentException("dbFile is a directory, not a database file: " + database);
        }
        EdgeReader reader = new EdgeReader(database, config, guardRereadNanos);
        LOG.info("{}: edge reader open (pool {}, max staleness {}){}", database, config.poolSize(),
                config.maxStaleness() == null ? "none" : StaleDataException.human(config.maxStaleness()),
                Files.exists(database) ? "" : "; no database yet, not bootstrapped until the edge agent creates it");
        return reader;
    }

    /**
     * The read-only connection pool on the database: every connection is opened
     * {@code SQLITE_OPEN_READONLY} with {@code PRAGMA query_only}, so any write fails. Each
     * transaction sees everything the agent had committed when it started (WAL). The pool belongs to
     * this reader: do not close it, close the reader.
     *
     * <p>With {@link ReaderConfig#maxStaleness()} set, {@code getConnection()} throws
     * {@link StaleDataException} instead of serving data older than the limit, or when the database
     * is not bootstrapped. Without it, {@code getConnection()} fails with a transient
     * {@link java.sql.SQLException} while the database file does not exist.
     */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The {@code _edgelog_state} row as last committed; empty when not bootstrapped yet. */
    public Optional<EdgeState> state() {
        return state.read();
    }

    /** The SQL-log index of the last applied entry; 0 when not bootstrapped yet. */
    public long appliedIndex() {
        return state.read().map(EdgeState::appliedIndex).orElse(0L);
    }

    /** How far this edge is behind, measured now with the configured clock. */
    public Lag lag() {
        return state.read().map(s -> Lag.of(s, config.clock().millis())).orElseGet(Lag::notBootstrapped);
    }

    /**
     * Read-your-writes: waits until the agent has applied {@code index}, the {@code raft_index} the
     * primary's HTTP API returned for a write (the SQL-log index). Polls the state row, first after
     * 1 ms, backing off to every 20 ms. Waits also while the database is not bootstrapped.
     *
     * @return true when applied (at once if it already is), false when {@code timeout} passed first
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    public boolean awaitIndex(long index, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + saturatedNanos(timeout);
        long pause = FIRST_POLL_MILLIS;
        while (appliedIndex() < index) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.min(pause, TimeUnit.NANOSECONDS.toMillis(left) + 1));
            pause = Math.min(pause * 2, MAX_POLL_MILLIS);
        }
        return true;
    }

    private static long saturatedNanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        return d.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 2 : d.toNanos();
    }

    /** The database file, absolute. */
    public Path database() {
        return database;
    }

    public ReaderConfig config() {
        return config;
    }

    /** Closes the pool and the state connection. Connections still borrowed are closed by the pool. */
    @Override
    public void close() {
        pool.close();
        state.close();
        LOG.info("{}: edge reader closed", database);
    }
}
