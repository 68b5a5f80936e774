package dev.edgelog.sqllog.sql;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Results computed from an SQL text alone (validation, parameter slots, whether the determinism
 * rewrite changes it), remembered for texts seen again: writers send the same few parameterized
 * texts over and over, and tokenizing each one again was the largest CPU cost of a bulk write.
 * Bounded: at most {@code maxEntries} texts of at most {@code maxTextLength} chars; when full it is
 * emptied and starts over, which keeps a stream of distinct texts (values written inline) cheap.
 * A computation that throws is not remembered. Safe for concurrent use.
 */
public final class TextMemo<V> {

    private final int maxEntries;
    private final int maxTextLength;
    private final ConcurrentHashMap<String, V> map = new ConcurrentHashMap<>();

    public TextMemo(int maxEntries, int maxTextLength) {
        if (maxEntries < 1 || maxTextLength < 1) {
            throw new IllegalArgumentException("maxEntries and maxTextLength must be positive");
        }
        this.maxEntries = maxEntries;
        this.maxTextLength = maxTextLength;
    }

    /** The remembered result for {@code text}, else {@code compute}'s (remembered when it returns). */
    public V get(String text, Function<String, V> compute) {
        V v = map.get(text);
        if (v == null) {
            v = compute.apply(text);
            remember(text, v);
        }
        return v;
    }

    /** The remembered result for {@code text}, or null. */
    public V get(String text) {
        return map.get(text);
    }

    /** Remembers {@code value} for {@code text} (unless the text is too long to keep). */
    public void remember(String text, V value) {
        if (text.length() > maxTextLength) {
            return;
        }
        if (map.size() >= maxEntries) {
            map.clear();
        }
        map.put(text, value);
    }

    /** Texts remembered now. */
    public int size() {
        return map.size();
    }
}
