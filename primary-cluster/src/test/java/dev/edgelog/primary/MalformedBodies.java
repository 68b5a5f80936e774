package dev.edgelog.primary;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Seeded malformed write bodies for {@link MalformedWritesIT}, in nine categories, each with the
 * status and the message fragment its refusal must carry. Body {@code i} comes from its own
 * {@link Random}, so one index replays alone. Category 10 holds inputs this test found accepted
 * at first (JSON followed by more content, unpaired surrogates, NUL in SQL text, a blank statement
 * with parameters, numbers beyond a double, a text/plain body that is not UTF-8), refused since.
 * UTF-16 bodies are still accepted (Jackson detects the encoding) and are not generated.
 */
final class MalformedBodies {

    /** Bodies over this many bytes are refused with 413; the node under test is configured with it. */
    static final int MAX_BODY = 64 * 1024;

    private MalformedBodies() {
    }

    /**
     * One malformed request and what its answer must be.
     *
     * @param category the generator's category, for counts and failure messages
     * @param status   the status the node must answer
     * @param says     what the answer's {@code error} must contain (found anywhere in it)
     */
    record Bad(String category, String path, String contentType, boolean chunked, byte[] body, int status,
               Pattern says) {
    }

    /** Body {@code index} of the run seeded with {@code seed}. */
    static Bad generate(long seed, int index) {
        long z = seed + index * 0x9E3779B97F4A7C15L; // splitmix64 finaliser: unrelated streams for adjacent indices
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        Random r = new Random(z ^ (z >>> 31));
        boolean request = r.nextInt(10) == 0;
        String path = (request ? "/db/request" : "/db/execute")
                + new String[] {"", "?transaction", "?raft_index", "?transaction&timings"}[r.nextInt(4)];
        int pick = r.nextInt(100);
        if (pick < 13) {
            byte[] b = validBody(r).getBytes(StandardCharsets.UTF_8);
            return json("1 cut JSON", path, Arrays.copyOf(b, 1 + r.nextInt(b.length - 1)), "invalid JSON body");
        } else if (pick < 25) {
            return nonJson(path, r);
        } else if (pick < 33) {
            return wrongTopLevel(path, r);
        } else if (pick < 45) {
            return wrongStatement(path, r);
        } else if (pick < 63) {
            return forbidden(path, request, r);
        } else if (pick < 71) {
            return deep(path, r);
        } else if (pick < 76) {
            return huge(path, r);
        } else if (pick < 93) {
            return badParameter(path, r);
        } else if (pick < 97) {
            return onceAccepted(path, r);
        }
        boolean plain = r.nextBoolean();
        String body = new String[] {"", " ", "\n", "\r\n\t  "}[r.nextInt(4)];
        return new Bad("9 empty body", path, plain ? "text/plain" : r.nextBoolean() ? "application/json" : null, false,
                body.getBytes(StandardCharsets.UTF_8), 400,
                Pattern.compile(plain ? "no statements" : "must be a JSON array"));
    }

    private static Bad json(String category, String path, byte[] body, String says) {
        return new Bad(category, path, "application/json", false, body, 400, Pattern.compile(says, Pattern.DOTALL));
    }

    private static Bad json(String category, String path, String body, String says) {
        return json(category, path, body.getBytes(StandardCharsets.UTF_8), says);
    }

    private static Bad onceAccepted(String path, Random r) {
        String insert = "INSERT INTO t(name, n) VALUES(?, ?)";
        return switch (r.nextInt(7)) {
            case 0 -> json("10 once accepted", path, validBody(r) + new String[] {" trailing", "][", "]", " {", " 1",
                    " /", " \"", " " + validBody(r)}[r.nextInt(8)], "invalid JSON body");
            case 1 -> json("10 once accepted", path, "[[" + q(insert) + ", \"\\ud800\", 1]]", "unpaired surrogate");
            case 2 -> json("10 once accepted", path, "[" + q("INSERT INTO t(name, n) VALUES('a', 1) -- ")
                    .replaceFirst("\"$", "\\\\udc00x\"") + "]", "unpaired surrogate");
            case 3 -> json("10 once accepted", path, "[" + q("INSERT INTO t(name, n) VALUES('a', 1)")
                    .replaceFirst("\"$", "\\\\u0000 garbage\"") + "]", "NUL");
            case 4 -> json("10 once accepted", path, "[[\"\", 1], " + q("INSERT INTO t(name, n) VALUES('b', 2)") + "]",
                    "has parameters but no SQL");
            case 5 -> json("10 once accepted", path, "[[" + q(insert) + ", \"x\", " + (r.nextBoolean() ? "" : "-")
                    + "1e999]]", "beyond the range");
            default -> new Bad("10 once accepted", path, "text/plain", false,
                    new byte[] {'I', 'N', 'S', 'E', 'R', 'T', ' ', (byte) 0xC3, (byte) 0x28}, 400,
                    Pattern.compile("not valid UTF-8"));
        };
    }

    private static Bad nonJson(String path, Random r) {
        String valid = validBody(r);
        byte[] body = switch (r.nextInt(7)) {
            case 0, 1 -> {
                byte[] b = new byte[1 + r.nextInt(2000)];
                r.nextBytes(b);
                yield b;
            }
            case 2 -> { // printable ASCII that does not open an array
                StringBuilder s = new StringBuilder();
                s.append((char) ('!' + r.nextInt(58))); // '!'..'Z', never '['
                for (int n = r.nextInt(400); n > 0; n--) {
                    s.append((char) (' ' + r.nextInt(95)));
                }
                yield s.toString().getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> ("INSERT INTO t(name, n) VALUES('" + word(r) + "', " + r.nextInt(99) + ")")
                    .getBytes(StandardCharsets.UTF_8);
            case 4 -> new String[] {"q=INSERT+INTO+t(n)+VALUES(1)", "<statements><sql>DELETE FROM t</sql></statements>",
                    "- INSERT INTO t(n) VALUES(1)\n- DELETE FROM t\n", "sql,n\nINSERT INTO t(n) VALUES(1),1\n",
                    "(\"INSERT INTO t(n) VALUES(1)\")"}[r.nextInt(5)].getBytes(StandardCharsets.UTF_8);
            case 5 -> valid.replace("INSERT", "INSERT\n").replace("?", "?\t") // raw control characters in strings
                    .replaceFirst("\"", "\"\u0001").getBytes(StandardCharsets.UTF_8);
            default -> ("[\"INSERT INTO t(name) VALUES('" + word(r) + "é')\"]")
                    .getBytes(StandardCharsets.ISO_8859_1); // Latin-1, not UTF-8
        };
        return json("2 non-JSON", path, body, "JSON|statement");
    }

    private static Bad wrongTopLevel(String path, Random r) {
        String pad = r.nextBoolean() ? "" : " \n";
        String body = switch (r.nextInt(8)) {
            case 0 -> "{}";
            case 1 -> "{\"statements\": " + validBody(r) + "}";
            case 2 -> "{" + q("sql") + ": " + q("INSERT INTO t(name) VALUES('" + word(r) + "')") + "}";
            case 3 -> q("INSERT INTO t(name) VALUES('" + word(r) + "')");
            case 4 -> number(r);
            case 5 -> "null";
            case 6 -> r.nextBoolean() ? "true" : "false";
            default -> q(word(r));
        };
        return json("3 wrong top-level type", path, pad + body + pad, "must be a JSON array of statements");
    }

    private static Bad wrongStatement(String path, Random r) {
        int kind = r.nextInt(4); // a read among writes is fine on /db/request too: the whole request is logged
        if (kind == 0) {
            String body = new String[] {"[]", "[\"\"]", "[\"   \"]", "[[\" \", 1]]", "[\"\", \"\\n\"]"}[r.nextInt(5)];
            return json("4 wrong statement types", path, body, "no statements|parameters but no SQL");
        }
        List<String> items = fillers(r);
        int at = r.nextInt(items.size() + 1);
        if (kind == 1) {
            items.add(at, q(new String[] {"-- only a comment", ";", "/* c */", " ; ;"}[r.nextInt(4)]));
            return json("4 wrong statement types", path, array(items), "statement " + at + ": empty statement");
        }
        String[] wrong = {"42", "-1.5", "null", "true", "false", "[]", "[42, 1]", "[null]", "[true, \"x\"]",
                "[[\"INSERT INTO t(n) VALUES(1)\"]]", "{\"sql\": \"INSERT INTO t(n) VALUES(1)\"}", "{}",
                "[{\"sql\": 1}]",
                "[{\"name\": \"x\"}, \"INSERT INTO t(name) VALUES(:name)\"]"};
        items.add(at, wrong[r.nextInt(wrong.length)]);
        return json("4 wrong statement types", path, array(items),
                "statement " + at + " must be a string or an array starting with the SQL string");
    }

    /** A statement the log's validator refuses, what the refusal must name, and whether it reads. */
    private record Forbidden(String sql, String names, boolean read) {
        Forbidden(String sql, String names) {
            this(sql, names, false);
        }
    }

    private static final List<Forbidden> FORBIDDEN = List.of(
            new Forbidden("ATTACH DATABASE 'other.db' AS o", "ATTACH"), new Forbidden("attach 'x.db' as x", "ATTACH"),
            new Forbidden("DETACH o", "DETACH"), new Forbidden("BEGIN", "BEGIN"),
            new Forbidden("BEGIN IMMEDIATE TRANSACTION", "BEGIN"), new Forbidden("COMMIT", "COMMIT"),
            new Forbidden("END TRANSACTION", "END"), new Forbidden("ROLLBACK", "ROLLBACK"),
            new Forbidden("ROLLBACK TO s", "ROLLBACK"), new Forbidden("SAVEPOINT s", "SAVEPOINT"),
            new Forbidden("RELEASE SAVEPOINT s", "RELEASE"), new Forbidden("VACUUM", "VACUUM"),
            new Forbidden("VACUUM INTO 'copy.db'", "VACUUM"),
            new Forbidden("PRAGMA writable_schema = 1", "PRAGMA writable_schema"),
            new Forbidden("PRAGMA journal_mode = DELETE", "PRAGMA journal_mode"),
            new Forbidden("PRAGMA main.user_version = 7", "PRAGMA user_version"),
            new Forbidden("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys"),
            new Forbidden("PRAGMA synchronous = FULL", "PRAGMA synchronous"),
            new Forbidden("PRAGMA user_version(3)", "PRAGMA user_version"),
            new Forbidden("PRAGMA optimize", "PRAGMA optimize"),
            new Forbidden("PRAGMA shrink_memory", "PRAGMA shrink_memory"),
            new Forbidden("PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA wal_checkpoint"),
            new Forbidden("PRAGMA table_info = t", "PRAGMA table_info"),
            new Forbidden("SELECT load_extension('x')", "load_extension", true),
            new Forbidden("INSERT INTO t(name) VALUES(load_extension('/tmp/x.so'))", "load_extension"),
            new Forbidden("INSERT INTO t(name) SELECT \"load_extension\"('x')", "load_extension"),
            new Forbidden("INSERT OR ROLLBACK INTO t(name) VALUES('x')", "OR ROLLBACK"),
            new Forbidden("UPDATE OR ROLLBACK t SET n = 1", "OR ROLLBACK"),
            new Forbidden("CREATE TABLE u(a UNIQUE ON CONFLICT ROLLBACK)", "ON CONFLICT ROLLBACK"),
            new Forbidden("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT RAISE(ROLLBACK, 'no'); END",
                    "RAISE\\(ROLLBACK"),
            new Forbidden("CREATE TEMP TABLE x(a)", "CREATE TEMP TABLE"),
            new Forbidden("CREATE TEMPORARY VIEW v AS SELECT 1", "CREATE TEMPORARY VIEW"),
            new Forbidden("INSERT INTO temp.x VALUES(1)", "temp\\."),
            new Forbidden("DELETE FROM sqlite_temp_master", "sqlite_temp_master"),
            new Forbidden("INSERT INTO _edgelog_state VALUES(1)", "_edgelog_state"),
            new Forbidden("UPDATE _edgelog_state SET applied_index = 0", "_edgelog_state"),
            new Forbidden("DROP TABLE _edgelog_state", "_edgelog_state"),
            new Forbidden("DELETE FROM edgelog_canary", "edgelog_canary"),
            new Forbidden("INSERT INTO t(n) SELECT count(*) FROM dbstat", "dbstat"),
            new Forbidden("SELECT * FROM dbstat", "dbstat", true),
            new Forbidden("INSERT INTO t(n) SELECT page_count FROM pragma_page_count()", "pragma_page_count"),
            new Forbidden("INSERT INTO t(n) SELECT * FROM pragma_freelist_count", "pragma_freelist_count"),
            new Forbidden("CREATE VIEW v AS SELECT datetime('now')", "current time"),
            new Forbidden("CREATE VIEW v AS SELECT CURRENT_TIMESTAMP", "current time"),
            new Forbidden("INSERT INTO t(name) VALUES('a'); INSERT INTO t(name) VALUES('b')", "2 statements|found 2"),
            new Forbidden("DELETE FROM t; DROP TABLE t", "2 statements|found 2"));

    private static Bad forbidden(String path, boolean request, Random r) {
        Forbidden f;
        do {
            f = FORBIDDEN.get(r.nextInt(FORBIDDEN.size()));
        } while (request && f.read()); // on /db/request a read is a query, not a write
        String sql = (r.nextInt(4) == 0 ? new String[] {"/* why */ ", "-- note\n", "\n  "}[r.nextInt(3)] : "")
                + (r.nextInt(3) == 0 ? f.sql().toLowerCase(Locale.ROOT) : f.sql()) + (r.nextInt(4) == 0 ? ";" : "");
        boolean plain = r.nextInt(6) == 0;
        List<String> items = plain ? new ArrayList<>() : fillers(r);
        int at = r.nextInt(items.size() + 1);
        items.add(at, q(sql));
        return new Bad("5 forbidden statement", path, plain ? "text/plain" : "application/json", false,
                (plain ? sql : array(items)).getBytes(StandardCharsets.UTF_8), 400,
                Pattern.compile("statement " + at + ": .*(" + f.names() + ")",
                        Pattern.CASE_INSENSITIVE | Pattern.DOTALL));
    }

    private static Bad deep(String path, Random r) {
        int depth = 65 + r.nextInt(r.nextBoolean() ? 100 : 6000);
        String body = switch (r.nextInt(5)) {
            case 0 -> "[".repeat(depth) + "]".repeat(depth);
            case 1 -> "[".repeat(depth);
            case 2 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            case 3 -> "[[\"INSERT INTO t(name) VALUES(?)\", " + "[".repeat(depth) + "]".repeat(depth) + "]]";
            default -> "[" + "{\"a\":[".repeat(depth / 2) + "]}".repeat(depth / 2) + "]";
        };
        return json("6 deep nesting", path, body, "nesting depth");
    }

    private static Bad huge(String path, Random r) {
        int size = MAX_BODY + 1 + (r.nextBoolean() ? r.nextInt(16) : r.nextInt(MAX_BODY));
        String body = switch (r.nextInt(4)) {
            case 0 -> "[[\"INSERT INTO t(name) VALUES(?)\", \"" + "x".repeat(size) + "\"]]";
            case 1 -> "[\"INSERT INTO t(name) VALUES('" + "y".repeat(size) + "')\"]";
            case 2 -> "[[\"INSERT INTO t(name) VALUES(?)\", [" + "7,".repeat(size / 2) + "7]]]";
            default -> { // a valid body padded with whitespace to just over the limit
                String valid = validBody(r);
                yield "[" + " ".repeat(Math.max(0, size - valid.length())) + valid.substring(1);
            }
        };
        return new Bad("7 huge body", path, "application/json", r.nextBoolean(), body.getBytes(StandardCharsets.UTF_8),
                413, Pattern.compile("max_body_bytes " + MAX_BODY));
    }

    private static Bad badParameter(String path, Random r) {
        List<String> items = fillers(r);
        int at = r.nextInt(items.size() + 1);
        String two = q("INSERT INTO t(name, n) VALUES(?, ?)");
        String named = q("INSERT INTO t(name, n) VALUES(:name, :n)");
        String item;
        String says;
        switch (r.nextInt(9)) {
            case 0 -> {
                List<String> bytes = new ArrayList<>(List.of(byteArray(r).replaceAll("[\\[\\]]", "").split(",")));
                bytes.removeIf(String::isBlank);
                String[] wrong = {"[2]", "256", "-1", "1.5", "\"a\"", "null", "true", "{}", "1e3"};
                bytes.add(r.nextInt(bytes.size() + 1), wrong[r.nextInt(wrong.length)]);
                item = "[" + two + ", [" + String.join(",", bytes) + "], 1]";
                says = "in a byte array";
            }
            case 1 -> {
                int d = 2 + r.nextInt(40);
                item = "[" + two + ", " + "[".repeat(d) + "1" + "]".repeat(d) + ", 1]";
                says = "in a byte array";
            }
            case 2 -> {
                item = "[" + named + ", {\"name\": " + new String[] {"{\"b\": 1}", "{}", "{\"v\": [1]}"}[r.nextInt(3)]
                        + ", \"n\": 1}]";
                says = "unsupported parameter value";
            }
            case 3 -> {
                item = "[" + named + ", {\"name\": \"x\", " + q(new String[] {"nope", "n2", "NAME2", "?"}[r.nextInt(4)])
                        + ": 1}]";
                says = "unknown parameter";
            }
            case 4 -> {
                item = "[" + named + ", {" + q(new String[] {"", ":", "@", "$"}[r.nextInt(4)]) + ": 1}]";
                says = "a parameter name is empty";
            }
            case 5 -> {
                item = "[" + two + ", " + q(word(r)) + ", 1" + ", 2".repeat(1 + r.nextInt(3)) + "]";
                says = "positional values for 2 placeholders";
            }
            case 6 -> {
                item = "[" + named + ", {\"name\": \"x\"}, {\"n\": 1}, {\"name\": \"y\"}]";
                says = "parameter 'name' is given twice";
            }
            case 7 -> {
                item = "[" + named + ", {\"name\": \"x\", \"n\": 1, \"name\": \"y\"}]";
                return json("8 bad parameters", path, array(insert(items, at, item)),
                        "invalid JSON body: Duplicate field");
            }
            default -> {
                String[] notJson = {"NaN", "Infinity", "-Infinity", "+1", "01", ".5", "0x10", "1.", "'x'", "\"\\x\"",
                        "\"\\u12\"", "undefined"};
                item = "[" + two + ", " + q(word(r)) + ", " + notJson[r.nextInt(notJson.length)] + "]";
                return json("8 bad parameters", path, array(insert(items, at, item)), "invalid JSON body");
            }
        }
        return json("8 bad parameters", path, array(insert(items, at, item)), "statement " + at + ": .*" + says);
    }

    // ---- valid pieces the malformed bodies are built around ----

    private static String validBody(Random r) {
        List<String> items = fillers(r);
        items.add(validStatement(r));
        return array(items);
    }

    /** Zero to three statements the log accepts. */
    private static List<String> fillers(Random r) {
        List<String> out = new ArrayList<>();
        for (int n = r.nextInt(4); n > 0; n--) {
            out.add(validStatement(r));
        }
        return out;
    }

    /** One statement the log accepts, as JSON (a string, or an array of the SQL and its parameters). */
    static String validStatement(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> q("INSERT INTO t(name, n) VALUES('" + word(r).replace("'", "''") + "', " + r.nextInt(1000) + ")");
            case 1 -> "[" + q("INSERT INTO t(name, n) VALUES(?, ?)") + ", " + q(word(r)) + ", " + number(r) + "]";
            case 2 -> "[" + q("UPDATE t SET n = n + 1 WHERE id = :id") + ", {\"id\": " + r.nextInt(5) + "}]";
            case 3 -> "[" + q("DELETE FROM t WHERE name = $name OR n = @n") + ", {\"$name\": " + q(word(r))
                    + ", \"@n\": " + r.nextInt(9) + "}]";
            case 4 -> "[" + q("INSERT INTO t(name, n) VALUES(?, ?)") + ", " + byteArray(r) + ", null]";
            default -> q("INSERT INTO t(name, n) VALUES(x'00ff', " + r.nextInt(1000) + ".5)");
        };
    }

    private static final String[] WORDS = {"ad", "héllo", "✓ ok", "😀", "O'Brien", "tab\there", "two\nlines",
            "say \"hi\"", "back\\slash", "100%", "", "null", "x'00'", "日本語"};

    private static String word(Random r) {
        return WORDS[r.nextInt(WORDS.length)] + (r.nextBoolean() ? "" : String.valueOf(r.nextInt(100)));
    }

    private static String number(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> String.valueOf(r.nextInt());
            case 1 -> String.valueOf(r.nextLong());
            case 2 -> String.valueOf(r.nextDouble() * 1e6 - 5e5);
            default -> (r.nextInt(9) + 1) + "e" + r.nextInt(20);
        };
    }

    private static String byteArray(Random r) {
        StringBuilder s = new StringBuilder("[");
        for (int n = r.nextInt(9); n > 0; n--) {
            s.append(r.nextInt(256)).append(n > 1 ? "," : "");
        }
        return s.append(']').toString();
    }

    private static String q(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    private static String array(List<String> items) {
        return "[" + String.join(", ", items) + "]";
    }

    private static List<String> insert(List<String> items, int at, String item) {
        items.add(at, item);
        return items;
    }
}
