package dev.edgelog.sqllog.sql;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How SQLite numbers the parameters of one statement, computed by {@link SqlText#parameters}.
 *
 * <p>Binding rules (the applier's, identical on every replica):
 * <ul>
 *   <li>A <b>named</b> value {@code name} binds every slot in {@link #indicesOf(String)}: the slots
 *       written {@code :name}, {@code @name} or {@code $name} (SQLite keeps these apart; rqlite binds
 *       all three, and so do we). Names compare case-sensitively, as in SQLite.</li>
 *   <li><b>Positional</b> values bind, in order, to {@link #positional()}: the slots that a {@code ?}
 *       or {@code ?NNN} refers to and that carry no name, in ascending slot number. For the usual
 *       statements (only {@code ?}, or {@code ?1 … ?n}) this is slot <i>k</i> for value <i>k</i>,
 *       exactly as rqlite and JDBC bind; it differs only where rqlite's binding is surprising (a
 *       named slot before a {@code ?}, or a {@code ?3} with no {@code ?1}), where it binds the
 *       {@code ?} the writer meant instead of a named or non-existent slot.</li>
 * </ul>
 *
 * @param count      what {@code sqlite3_bind_parameter_count} returns: the largest slot number
 * @param names      element <i>i</i> is the name of slot <i>i</i>+1 as
 *                   {@code sqlite3_bind_parameter_name} gives it ({@code ":a"}, {@code "?3"}), or
 *                   {@code ""} where SQLite gives none (a plain {@code ?}, a slot never mentioned)
 * @param positional the slots positional values bind to, in binding order
 */
public record ParameterSlots(int count, List<String> names, List<Integer> positional) {

    /** No parameters at all. */
    public static final ParameterSlots NONE = new ParameterSlots(0, List.of(), List.of());

    public ParameterSlots {
        names = List.copyOf(names);
        positional = List.copyOf(positional);
        if (names.size() != count) {
            throw new IllegalArgumentException(count + " slots but " + names.size() + " names");
        }
    }

    /**
     * The slot numbers (1-based, ascending) whose name without its {@code :}, {@code @} or
     * {@code $} prefix is {@code name}; empty when the statement has none.
     */
    public int[] indicesOf(String name) {
        List<Integer> found = new ArrayList<>(2);
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n.length() == name.length() + 1 && isNamePrefix(n.charAt(0)) && n.endsWith(name)) {
                found.add(i + 1);
            }
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The names without prefix of the named slots, each once, in slot order. */
    public List<String> parameterNames() {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!n.isEmpty() && isNamePrefix(n.charAt(0)) && !out.contains(n.substring(1))) {
                out.add(n.substring(1));
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static boolean isNamePrefix(char c) {
        return c == ':' || c == '@' || c == '$';
    }
}
