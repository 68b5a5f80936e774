package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.sql.ParameterSlots;
import dev.edgelog.sqllog.sql.SqlText;
import dev.edgelog.sqllog.sql.SqlTokenizer;
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
import org.sqlite.core.CoreStatement;

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
        /** Whether running it yields rows (a SELECT, or DML with RETURNING): run with execute(). */
        final boolean returnsRows;
        /** Whether it is INSERT/UPDATE/DELETE/REPLACE, whose changes() is its own rows affected. */
        final boolean dml;
        private int insert = -1;
        private Map<String, int[]> namedSlots;

        Cached(String sql, PreparedStatement statement, ParameterSlots slots, String refusal, boolean returnsRows,
               boolean dml) {
            this.sql = sql;
            this.statement = statement;
            this.slots = slots;
            this.refusal = refusal;
            this.returnsRows = returnsRows;
            this.dml = dml;
        }

        static Cached refused(String sql, String refusal) {
            return new Cached(sql, null, ParameterSlots.NONE, refusal, false, false);
        }

        /** A text to run once without preparing and caching it ({@link #statement} is null). */
        static Cached oneShot(String sql, String keyword) {
            Cached c = new Cached(sql, null, ParameterSlots.NONE, null, false, DML.contains(keyword));
            // one-shot keywords never start a WITH clause, so the leading keyword is the main verb
            c.insert = keyword.equals("INSERT") || keyword.equals("REPLACE") ? 1 : 0;
            return c;
        }

        boolean isOneShot() {
            return statement == null && refusal == null;
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

    /** Keywords whose parameterless, single-statement text may run once without being cached. */
    private static final Set<String> ONE_SHOT = Set.of("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP",
            "ALTER");
    private static final int SEEN_SLOTS = 4096;

    private final Connection connection;
    private final int capacity;
    /** Hashes of parameterless texts seen once; a second sighting admits the text to the cache. */
    private final int[] seen = new int[SEEN_SLOTS];
    private final LinkedHashMap<String, Cached> entries;
    private long hits;
    private long misses;
    private long evictions;
    private long oneShots;

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
    Cached get(String sql, boolean hasParameters) throws SQLException {
        Cached c = entries.get(sql);
        if (c != null) {
            hits++;
            return c;
        }
        misses++;
        String keyword = leadingKeyword(sql);
        if (!hasParameters) {
            Cached once = admitOrRunOnce(sql, keyword);
            if (once != null) {
                return once;
            }
        }
        c = prepare(sql, keyword);
        entries.put(sql, c);
        if (entries.size() > capacity) {
            evictEldest();
        }
        return c;
    }

    /**
     * Admission: a workload where every statement has its own text (values inlined) would prepare,
     * cache and evict a statement per row, for nothing. A parameterless text seen for the first
     * time is run once instead, as raw JDBC would ({@code Statement.executeUpdate}); seen again, it
     * is cached. Only plain DML/DDL with a single statement (no {@code ;} but at the end) and no
     * {@code RETURNING} qualifies, so that both paths give exactly the same outcome.
     *
     * @return the one-shot handle, or null to prepare and cache the text
     */
    private Cached admitOrRunOnce(String sql, String keyword) {
        int h = sql.hashCode();
        int slot = (h ^ (h >>> 16)) & (SEEN_SLOTS - 1);
        if (seen[slot] == h) {
            return null;
        }
        if (!ONE_SHOT.contains(keyword) || !singleStatementWithoutReturning(sql)) {
            return null;
        }
        seen[slot] = h;
        oneShots++;
        return Cached.oneShot(sql, keyword);
    }

    static boolean singleStatementWithoutReturning(String sql) {
        int semicolon = sql.indexOf(';');
        if (semicolon >= 0) {
            for (int i = semicolon; i < sql.length(); i++) {
                char ch = sql.charAt(i);
                if (ch != ';' && !SqlTokenizer.isSqliteSpace(ch)) {
                    return false;
                }
            }
        }
        return !containsIgnoreCase(sql, "RETURNING");
    }

    /** {@code word} is upper-case ASCII; a first-letter filter keeps this a plain scan. */
    private static boolean containsIgnoreCase(String s, String word) {
        char first = word.charAt(0);
        char firstLower = Character.toLowerCase(first);
        for (int i = 0, n = s.length() - word.length(); i <= n; i++) {
            char ch = s.charAt(i);
            if ((ch == first || ch == firstLower) && s.regionMatches(true, i, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }

    private Cached prepare(String sql, String keyword) throws SQLException {
        if (TRANSACTION_CONTROL.contains(keyword)) {
            return Cached.refused(sql, "transaction control (" + keyword + ") is not allowed in a SQL-log entry");
        }
        PreparedStatement ps = connection.prepareStatement(sql);
        int sqliteCount = ps.getParameterMetaData().getParameterCount();
        ParameterSlots slots = onlyPlainPlaceholders(sql) ? plain(sqliteCount) : SqlText.parameters(sql);
        if (sqliteCount != slots.count()) {
            ps.close();
            return Cached.refused(sql, "cannot bind parameters: SQLite counts "
                    + sqliteCount + " parameter slots, the SQL text parser " + slots.count());
        }
        // sqlite3_column_count: getMetaData() would throw for a statement without columns
        boolean returnsRows = ((CoreStatement) ps).pointer.safeRunInt((db, stmt) -> db.column_count(stmt)) > 0;
        return new Cached(sql, ps, slots, null, returnsRows, isDml(keyword, sql));
    }

    private static final Set<String> DML = Set.of("INSERT", "UPDATE", "DELETE", "REPLACE");

    /** Whether the statement's main verb changes rows (looking past a WITH clause only when there is one). */
    static boolean isDml(String keyword, String sql) {
        if (keyword.equals("WITH")) {
            return DML.contains(SqlText.mainVerb(sql).toUpperCase(Locale.ROOT));
        }
        return DML.contains(keyword);
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
            if (SqlTokenizer.isSqliteSpace(c) || c == ';') {
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

    long oneShots() {
        return oneShots;
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
