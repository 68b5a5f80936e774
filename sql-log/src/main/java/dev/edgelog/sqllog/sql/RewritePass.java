package dev.edgelog.sqllog.sql;

import dev.edgelog.sqllog.sql.SqlToken.Kind;
import dev.edgelog.sqllog.sql.StatementModes.Mode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** One statement's walk for {@link SqlRewriter}: collects the edits and what is left non-deterministic. */
final class RewritePass {

    /** Replace {@code [start, end)} of the source with {@code text}. */
    record Edit(int start, int end, String text) {
    }

    static final Set<String> TIME_FUNCTIONS =
            Set.of("DATE", "TIME", "DATETIME", "JULIANDAY", "UNIXEPOCH", "STRFTIME", "TIMEDIFF");
    private static final Set<String> CONNECTION_FUNCTIONS = Set.of("LAST_INSERT_ROWID", "CHANGES",
            "TOTAL_CHANGES", "SQLITE_VERSION", "SQLITE_SOURCE_ID", "SQLITE_COMPILEOPTION_GET",
            "SQLITE_COMPILEOPTION_USED", "SQLITE_OFFSET");
    private static final Set<String> ORDER_BY_ENDS = Set.of("LIMIT", "ROWS", "RANGE", "GROUPS", "WINDOW",
            "RETURNING", "ON", "UNION", "EXCEPT", "INTERSECT", "SELECT", "VALUES");
    private static final String NOW_CALL = ReplayFunctions.NOW_FUNCTION + "()";

    private final List<SqlToken> sig;
    private final RewriteContext ctx;
    private final Mode[] modes;
    private final List<Edit> edits = new ArrayList<>();
    private final List<String> replayed = new ArrayList<>();
    private final List<String> nonDeterministic = new ArrayList<>();
    private final List<String> timeUses = new ArrayList<>();
    private final boolean[] names;

    RewritePass(List<SqlToken> sig, RewriteContext ctx, Mode[] modes) {
        this.sig = sig;
        this.ctx = ctx;
        this.modes = modes;
        this.names = NamePositions.of(sig);
    }

    /** What in the statement means the current time ({@code 'now'}, {@code CURRENT_DATE} …), as written. */
    List<String> timeUses() {
        return timeUses;
    }

    List<Edit> edits() {
        return edits;
    }

    List<String> replayed() {
        return replayed;
    }

    List<String> nonDeterministic() {
        return nonDeterministic;
    }

    void run() {
        boolean[] orderBy = new boolean[sig.size() + 2];
        int depth = 0;
        for (int k = 0; k < sig.size(); k++) {
            SqlToken t = sig.get(k);
            if (t.isOperator("(")) {
                depth++;
                orderBy[depth] = orderBy[depth - 1];
            } else if (t.isOperator(")")) {
                depth = Math.max(0, depth - 1);
            } else if (t.isWord("ORDER") && k + 1 < sig.size() && sig.get(k + 1).isWord("BY")) {
                orderBy[depth] = true;
            } else if (t.kind() == Kind.WORD && ORDER_BY_ENDS.contains(t.upper())) {
                orderBy[depth] = false;
            }
            if (modes[k] == Mode.LEAVE) {
                continue;
            }
            if (t.kind() == Kind.WORD) {
                visitWord(k, t.upper(), orderBy[depth]);
            } else if (t.kind() == Kind.QUOTED_IDENTIFIER && k + 1 < sig.size() && sig.get(k + 1).isOperator("(")) {
                // SQLite resolves "datetime"('now') and [random]() as the functions themselves
                visitWord(k, SqlToken.asciiUpper(t.identifier()), orderBy[depth]);
            }
        }
    }

    private void visitWord(int k, String name, boolean inOrderBy) {
        boolean later = modes[k] == Mode.LATER;
        if (name.startsWith("CURRENT_") && isCurrentTime(k)) {
            currentKeyword(k, name, later);
            return;
        }
        int close = callClose(k);
        if (close < 0) {
            return;
        }
        List<int[]> args = arguments(k + 1, close);
        if (name.equals("RANDOM") && args.isEmpty()) {
            if (later || inOrderBy || !ctx.randomToLiterals()) {
                replayed.add(later ? "RANDOM() evaluated later (default or trigger)"
                        : inOrderBy ? "ORDER BY RANDOM()" : "RANDOM()");
            } else {
                long r = CommitTime.sqliteRandom(ctx.random().nextLong());
                edits.add(new Edit(sig.get(k).start(), sig.get(close).end(), r < 0 ? "(" + r + ")" : Long.toString(r)));
            }
        } else if (name.equals("RANDOMBLOB") && args.size() == 1) {
            randomBlob(k, close, args.get(0), later);
        } else if (TIME_FUNCTIONS.contains(name)) {
            timeFunction(name, close, args, later);
        } else if (CONNECTION_FUNCTIONS.contains(name)) {
            nonDeterministic.add(name.toLowerCase(Locale.ROOT) + "() depends on the replica's connection or build");
        }
    }

    /** The index of the {@code )} closing a call whose name is at {@code k}, or -1 when it is no call. */
    private int callClose(int k) {
        if (k + 1 >= sig.size() || !sig.get(k + 1).isOperator("(")) {
            return -1;
        }
        if (k > 0 && sig.get(k - 1).isOperator(".")) {
            return -1; // schema.name: a column or table, never a built-in function here
        }
        int end = SqlText.skipParens(sig, k + 1);
        return end <= sig.size() && sig.get(end - 1).isOperator(")") ? end - 1 : -1;
    }

    /** The arguments between {@code open} and {@code close}, each as [from, to) significant indices. */
    private List<int[]> arguments(int open, int close) {
        List<int[]> args = new ArrayList<>();
        if (close == open + 1) {
            return args;
        }
        int depth = 0;
        int from = open + 1;
        for (int i = open + 1; i < close; i++) {
            SqlToken t = sig.get(i);
            if (t.isOperator("(")) {
                depth++;
            } else if (t.isOperator(")")) {
                depth--;
            } else if (depth == 0 && t.isOperator(",")) {
                args.add(new int[] {from, i});
                from = i + 1;
            }
        }
        args.add(new int[] {from, close});
        return args;
    }

    /**
     * Whether the {@code CURRENT_…} word or quoted call at {@code k} means the current time: the
     * bare keyword where SQLite reads an expression (not a column or table name, see
     * {@link NamePositions}; followed by {@code (} it is a syntax error and is left), or a call of
     * the function of that name, which only a quoted name makes ({@code "current_date"()}).
     */
    private boolean isCurrentTime(int k) {
        SqlToken t = sig.get(k);
        boolean call = k + 1 < sig.size() && sig.get(k + 1).isOperator("(");
        if (t.kind() == Kind.WORD) {
            return !call && !names[k];
        }
        return call && k + 2 < sig.size() && sig.get(k + 2).isOperator(")") && !(k > 0 && sig.get(k - 1).isOperator("."));
    }

    private void currentKeyword(int k, String name, boolean later) {
        String function = switch (name) {
            case "CURRENT_TIMESTAMP" -> "datetime";
            case "CURRENT_DATE" -> "date";
            case "CURRENT_TIME" -> "time";
            default -> null;
        };
        if (function == null) {
            return;
        }
        timeUses.add(sig.get(k).text());
        int end = sig.get(k).kind() == Kind.WORD ? k : k + 2;
        String text;
        if (later) {
            text = "(" + function + "(" + NOW_CALL + "))";
            replayed.add(name + " evaluated later (default or trigger)");
        } else {
            long ms = ctx.commitTimeMillis();
            text = quote(switch (function) {
                case "datetime" -> CommitTime.timestamp(ms);
                case "date" -> CommitTime.date(ms);
                default -> CommitTime.time(ms);
            });
        }
        edits.add(new Edit(sig.get(k).start(), sig.get(end).end(), text));
    }

    private void randomBlob(int k, int close, int[] arg, boolean later) {
        SqlToken n = sig.get(arg[0]);
        boolean literal = arg[1] == arg[0] + 1 && n.kind() == Kind.NUMBER && n.text().matches("[0-9]{1,9}");
        if (later || !literal || Integer.parseInt(n.text()) > MAX_BLOB_LITERAL) {
            replayed.add(later ? "RANDOMBLOB() evaluated later (default or trigger)"
                    : "RANDOMBLOB(" + (literal ? n.text() : "expression") + ")");
            return;
        }
        byte[] bytes = new byte[Math.max(1, Integer.parseInt(n.text()))];
        ctx.random().nextBytes(bytes);
        edits.add(new Edit(sig.get(k).start(), sig.get(close).end(), "x'" + HexFormat.of().formatHex(bytes) + "'"));
    }

    private static final int MAX_BLOB_LITERAL = SqlRewriter.MAX_BLOB_LITERAL;

    /** Rewrites the time values meaning now of one date/time call and checks its modifiers. */
    private void timeFunction(String name, int close, List<int[]> args, boolean later) {
        int first = name.equals("STRFTIME") ? 1 : 0;
        int valueCount = name.equals("TIMEDIFF") ? 2 : 1;
        String now = later ? NOW_CALL : quote(CommitTime.timeValue(ctx.commitTimeMillis()));
        if (args.size() <= first) {
            if (valueCount == 2 || (first == 1 && args.isEmpty())) {
                return; // timediff() and strftime() need arguments; SQLite refuses the call
            }
            timeUses.add(name.toLowerCase(Locale.ROOT) + "() without a time value");
            String sep = args.isEmpty() ? "" : ", ";
            int at = sig.get(close).start();
            edits.add(new Edit(at, at, sep + now));
            noteLater(later);
            return;
        }
        boolean valueIsNow = true;
        for (int a = first; a < Math.min(args.size(), first + valueCount); a++) {
            String value = stringArgument(args.get(a));
            SqlToken t = sig.get(args.get(a)[0]);
            if ("now".equalsIgnoreCase(value)) {
                timeUses.add(t.text());
                edits.add(new Edit(t.start(), t.end(), now));
                noteLater(later);
            } else if ("subsec".equalsIgnoreCase(value) || "subsecond".equalsIgnoreCase(value)) {
                timeUses.add(t.text() + " as the time value");
                edits.add(new Edit(t.start(), t.end(), now + ", " + t.text()));
                noteLater(later);
            } else {
                valueIsNow = false;
            }
        }
        for (int a = first + valueCount; a < args.size(); a++) {
            String modifier = stringArgument(args.get(a));
            String m = modifier == null ? "" : modifier.trim().toLowerCase(Locale.ROOT);
            if (m.equals("localtime")) {
                nonDeterministic.add("'localtime' modifier depends on the replica's time zone");
            } else if (m.equals("utc") && !valueIsNow) {
                nonDeterministic.add("'utc' modifier on a local time depends on the replica's time zone");
            }
        }
    }

    private void noteLater(boolean later) {
        if (later) {
            replayed.add("'now' evaluated later (default or trigger) as " + NOW_CALL);
        }
    }

    /** The value of an argument that is one string literal, or null. */
    private String stringArgument(int[] arg) {
        SqlToken t = sig.get(arg[0]);
        if (arg[1] != arg[0] + 1 || t.kind() != Kind.STRING) {
            return null;
        }
        return t.text().substring(1, t.text().length() - 1).replace("''", "'");
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
