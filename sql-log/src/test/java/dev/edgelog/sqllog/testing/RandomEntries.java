package dev.edgelog.sqllog.testing;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Parameter;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random entries covering every field and value type (unicode text, empty and large blobs,
 * extreme numbers, named and positional parameters), for codec and storage tests.
 */
public final class RandomEntries {

    private static final String[] WORDS = {"campaign", "ad", "bid", "é", "日本", "🙂", "'", "\"", "\\", "\n", ""};

    private final Random random;

    public RandomEntries(long seed) {
        this.random = new Random(seed);
    }

    public Entry entry(long index) {
        int n = random.nextInt(4);
        List<Statement> statements = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            statements.add(statement());
        }
        List<Outcome> outcomes = new ArrayList<>();
        int outcomeCount = random.nextBoolean() ? n : random.nextInt(n + 1);
        for (int i = 0; i < outcomeCount; i++) {
            outcomes.add(random.nextInt(4) == 0
                    ? Outcome.failed("UNIQUE constraint failed: t." + text())
                    : Outcome.executed(random.nextInt(1000), random.nextBoolean() ? 0 : random.nextLong()));
        }
        return new Entry(index, random.nextInt(100), index + random.nextInt(100), 1_700_000_000_000L + random.nextInt(),
                random.nextBoolean(), statements, outcomes);
    }

    public List<Entry> entries(long firstIndex, int count) {
        List<Entry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(entry(firstIndex + i));
        }
        return out;
    }

    private Statement statement() {
        List<Parameter> params = new ArrayList<>();
        int p = random.nextInt(5);
        for (int i = 0; i < p; i++) {
            params.add(Parameter.positional(value()));
        }
        int named = random.nextInt(3);
        for (int i = 0; i < named; i++) {
            params.add(Parameter.named("p" + i, value()));
        }
        return new Statement("INSERT INTO t VALUES(" + text() + ")", params);
    }

    private SqlValue value() {
        return switch (random.nextInt(9)) {
            case 0 -> SqlValue.NULL;
            case 1 -> SqlValue.of(random.nextLong());
            case 2 -> SqlValue.of(random.nextInt(3) - 1L);
            case 3 -> SqlValue.of(random.nextDouble() * 1e6);
            case 4 -> SqlValue.of(new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0, Double.MIN_VALUE}[random.nextInt(4)]);
            case 5 -> SqlValue.of(text());
            case 6 -> SqlValue.of(new byte[0]);
            case 7 -> {
                byte[] b = new byte[random.nextInt(random.nextInt(10) == 0 ? 70_000 : 40)];
                random.nextBytes(b);
                yield SqlValue.of(b);
            }
            default -> SqlValue.of(Long.MIN_VALUE);
        };
    }

    private String text() {
        StringBuilder sb = new StringBuilder();
        int words = random.nextInt(5);
        for (int i = 0; i < words; i++) {
            sb.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }
}
