package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.sql.ParameterSlots;
import dev.edgelog.sqllog.sql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open prepared statements by SQL text, least recently used evicted (and closed) beyond a bound.
 * Each holds what the applier needs per text, computed once: SQLite's parameter slots and whether
 * the statement inserts. Confined to the applier's thread.
 */
final class StatementCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatementCache.class);

    /** Statements that would end or nest the applier's own transaction. */
    private static final Set<String> TRANSACTION_CONTROL =
            Set.of("BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE");

    /** One prepared SQL text and the facts about it. */
    static final class Cached {
        final String sql;
        /** Null when {@link #refusal} is set. */
        final PreparedStatement statement;
        final ParameterSlots slots;
        final boolean insert;
        /** Why the text is refused without running it (deterministic on every replica), or null. */
        final String refusal;
        private Map<String, int[]> namedSlots;

        Cached(String sql, PreparedStatement statement, ParameterSlots slots, boolean insert, String refusal) {
            this.sql = sql;
            this.statement = statement;
            this.slots = slots;
            this.insert = insert;
            this.refusal = refusal;
        }

        /** The slots {@code name} binds (empty when none), memoized per text. */
        int[] slotsOf(String name) {
            if (namedSlots == null) {
                namedSlots = new HashMap<>(4);
            }
            return namedSlots.computeIfAbsent(name, slots::indicesOf);
        }
    }

    private final Connection connection;
    private final int capacity;
    private final LinkedHashMap<String, Cached> entries;
    private long hits;
    private long misses;
    private long evictions;

    StatementCache(Connection connection, int capacity) {
        this.connection = connection;
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, true);
    }

    /**
     * The prepared statement for {@code sql}, preparing it on a miss. Texts that SQLite refuses to
     * prepare are not cached.
     *
     * @throws SQLException when SQLite refuses to prepare it (a syntax error, no such table …)
     */
    Cached get(String sql) throws SQLException {
        Cached c = entries.get(sql);
        if (c != null) {
            hits++;
            return c;
        }
        misses++;
        c = prepare(sql);
        entries.put(sql, c);
        if (entries.size() > capacity) {
            evictEldest();
        }
        return c;
    }

    private Cached prepare(String sql) throws SQLException {
        String verb = SqlText.mainVerb(sql);
        if (TRANSACTION_CONTROL.contains(verb)) {
            return new Cached(sql, null, ParameterSlots.NONE, false,
                    "transaction control (" + verb + ") is not allowed in a SQL-log entry");
        }
        ParameterSlots slots = SqlText.parameters(sql);
        PreparedStatement ps = connection.prepareStatement(sql);
        int sqliteCount = ps.getParameterMetaData().getParameterCount();
        if (sqliteCount != slots.count()) {
            ps.close();
            return new Cached(sql, null, ParameterSlots.NONE, false, "cannot bind parameters: SQLite counts "
                    + sqliteCount + " parameter slots, the SQL text parser " + slots.count());
        }
        return new Cached(sql, ps, slots, SqlText.isInsert(sql), null);
    }

    private void evictEldest() {
        Iterator<Cached> it = entries.values().iterator();
        Cached eldest = it.next();
        it.remove();
        evictions++;
        closeQuietly(eldest);
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    long evictions() {
        return evictions;
    }

    int size() {
        return entries.size();
    }

    /** Closes every statement (on close, and before a restore swaps the schema under them). */
    @Override
    public void close() {
        for (Cached c : entries.values()) {
            closeQuietly(c);
        }
        entries.clear();
    }

    private static void closeQuietly(Cached c) {
        if (c.statement == null) {
            return;
        }
        try {
            c.statement.close();
        } catch (SQLException e) {
            LOG.warn("closing a cached statement failed: {}", e.getMessage());
        }
    }
}
