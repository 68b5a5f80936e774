package dev.edgelog.sqllog.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a credential may do. {@link #ADMIN} includes every other scope. */
public enum Scope {
    /** {@code POST /db/execute}. */
    WRITE,
    /** {@code /db/query}. */
    READ,
    /** The pull API ({@code /v1/log}, {@code /v1/snapshot}): followers, mirrors, edges. */
    PULL,
    /** {@code /status}, {@code /nodes}, {@code /readyz}, {@code /metrics}. */
    STATUS,
    /** Membership, leadership and everything above. */
    ADMIN;

    /**
     * A scope by name, or one of rqlite's permission names: {@code all} (every scope),
     * {@code execute} (write), {@code query} (read), {@code status}/{@code ready} (status),
     * {@code join}/{@code remove}/{@code leader-ops} (admin).
     */
    public static Set<Scope> parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "all", "admin", "join", "join-read-only", "remove", "leader-ops", "snapshot" -> EnumSet.allOf(Scope.class);
            case "write", "execute" -> EnumSet.of(WRITE);
            case "read", "query" -> EnumSet.of(READ);
            case "pull", "backup" -> EnumSet.of(PULL);
            case "status", "ready" -> EnumSet.of(STATUS);
            default -> throw new IllegalArgumentException("unknown permission '" + name
                    + "' (scopes: write, read, pull, status, admin; rqlite perms: all, execute, query, status, ready,"
                    + " backup, join, remove, leader-ops)");
        };
    }
}
