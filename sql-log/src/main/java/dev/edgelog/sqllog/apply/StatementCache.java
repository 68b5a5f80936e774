package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.sql.ParameterSlots;
import dev.edgelog.sqllog.sql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open prepared statements by SQL text, least recently used evicted (and closed) beyond a bound.
 * Each holds what the applier needs per text, computed once: SQLite's parameter slots and (on first
 * need) whether the statement inserts. A miss costs as little as possible, since a workload where
 * every statement has its own text misses every time. Confined to the applier's thread.
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
        /** Why the text is refused without running it (deterministic on every replica), or null. */
        final String refusal;
        private int insert = -1;
        private Map<String, int[]> namedSlots;

        Cached(String sql, PreparedStatement statement, ParameterSlots slots, String refusal) {
            this.sql = sql;
            this.statement = statement;
            this.slots = slots;
            this.refusal = refusal;
        }

        /** Whether the main verb inserts ({@link SqlText#isInsert}), computed on first need. */
        boolean insert() {
            if (insert < 0) {
                insert = SqlText.isInsert(sql) ? 1 : 0;
            }
            return insert == 1;
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
        String keyword = leadingKeyword(sql);
        if (TRANSACTION_CONTROL.contains(keyword)) {
            return new Cached(sql, null, ParameterSlots.NONE,
                    "transaction control (" + keyword + ") is not allowed in a SQL-log entry");
        }
        PreparedStatement ps = connection.prepareStatement(sql);
        int sqliteCount = ps.getParameterMetaData().getParameterCount();
        ParameterSlots slots = onlyPlainPlaceholders(sql) ? plain(sqliteCount) : SqlText.parameters(sql);
        if (sqliteCount != slots.count()) {
            ps.close();
            return new Cached(sql, null, ParameterSlots.NONE, "cannot bind parameters: SQLite counts "
                    + sqliteCount + " parameter slots, the SQL text parser " + slots.count());
        }
        return new Cached(sql, ps, slots, null);
    }

    /**
     * The first keyword, upper-cased, after whitespace and comments ({@code ""} if none). Enough to
     * spot transaction control, which cannot follow a {@code WITH}; cheaper than tokenizing, which
     * matters when every statement has its own text.
     */
    static String leadingKeyword(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == ';') {
                i++;
            } else if (sql.startsWith("--", i)) {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        int start = i;
        while (i < n && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        return sql.substring(start, i).toUpperCase(Locale.ROOT);
    }

    /**
     * Whether every parameter of {@code sql} is certainly a plain {@code ?}: no character that could
     * start a named parameter and no {@code ?} followed by a digit anywhere (strings and comments
     * included, so a false "no" only costs a full parse). Then SQLite numbers them 1..n in order.
     */
    static boolean onlyPlainPlaceholders(String sql) {
        for (int i = 0, n = sql.length(); i < n; i++) {
            char c = sql.charAt(i);
            if (c == ':' || c == '@' || c == '$' || c == '#'
                    || (c == '?' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                return false;
            }
        }
        return true;
    }

    private static ParameterSlots plain(int count) {
        if (count == 0) {
            return ParameterSlots.NONE;
        }
        List<String> names = new ArrayList<>(count);
        List<Integer> positional = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            names.add("");
            positional.add(i);
        }
        return new ParameterSlots(count, names, positional);
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
