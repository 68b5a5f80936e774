package dev.edgelog.sqllog.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who may do what, checked on every listener: HTTP Basic Auth against an rqlite users file
 * ({@code [{"username": "bob", "password": "secret", "perms": ["query", "execute"]}]}; the user
 * {@code *} grants its permissions to every request, anonymous ones included) and bearer tokens
 * ({@code [{"name": "ads-writer", "sha256": "<hex of the token>", "scopes": ["write", "read"]}]}:
 * only the token's SHA-256 is stored, so the file does not hold the secret).
 *
 * <p>Thread-safe and immutable.
 */
public final class Credentials {

    /** The outcome of checking a request's credentials for a scope. */
    public enum Verdict {
        /** Allowed. */
        ALLOWED,
        /** No or wrong credentials: answer 401 with {@code WWW-Authenticate}. */
        UNAUTHENTICATED,
        /** Valid credentials without the scope: answer 403. */
        FORBIDDEN
    }

    record User(String username, String password, List<String> perms) {
    }

    record Token(String name, String sha256, List<String> scopes) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Map<String, User> users;
    private final Map<String, Set<Scope>> userScopes;
    private final Map<String, Set<Scope>> tokenScopes;
    private final Set<Scope> anonymous;

    private Credentials(Map<String, User> users, Map<String, Set<Scope>> userScopes,
                        Map<String, Set<Scope>> tokenScopes) {
        this.users = users;
        this.userScopes = userScopes;
        this.tokenScopes = tokenScopes;
        this.anonymous = userScopes.getOrDefault("*", EnumSet.noneOf(Scope.class));
    }

    /**
     * Loads the users file and/or the tokens file (either may be null, not both).
     *
     * @throws IllegalArgumentException naming the file and the problem
     */
    public static Credentials load(Path usersFile, Path tokensFile) throws IOException {
        if (usersFile == null && tokensFile == null) {
            throw new IllegalArgumentException("auth needs users_file, tokens_file or both");
        }
        Map<String, User> users = new HashMap<>();
        Map<String, Set<Scope>> userScopes = new HashMap<>();
        if (usersFile != null) {
            for (User u : read(usersFile, new TypeReference<List<User>>() { })) {
                if (u.username() == null || u.username().isEmpty()) {
                    throw new IllegalArgumentException(usersFile + ": a user has no username");
                }
                if (users.put(u.username(), u) != null) {
                    throw new IllegalArgumentException(usersFile + ": user " + u.username() + " is listed twice");
                }
                userScopes.put(u.username(), scopes(u.perms(), usersFile + ": user " + u.username()));
            }
        }
        Map<String, Set<Scope>> tokenScopes = new HashMap<>();
        if (tokensFile != null) {
            for (Token t : read(tokensFile, new TypeReference<List<Token>>() { })) {
                String where = tokensFile + ": token " + t.name();
                if (t.sha256() == null || !t.sha256().matches("(?i)[0-9a-f]{64}")) {
                    throw new IllegalArgumentException(where + ": sha256 must be 64 hex digits (sha256sum of the token)");
                }
                tokenScopes.put(t.sha256().toLowerCase(Locale.ROOT), scopes(t.scopes(), where));
            }
        }
        return new Credentials(Map.copyOf(users), Map.copyOf(userScopes), Map.copyOf(tokenScopes));
    }

    private static <T> List<T> read(Path file, TypeReference<List<T>> type) throws IOException {
        try {
            List<T> list = JSON.readValue(Files.readAllBytes(file), type);
            return list == null ? List.of() : list;
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(file + ": " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Set<Scope> scopes(List<String> names, String where) {
        Set<Scope> out = EnumSet.noneOf(Scope.class);
        if (names != null) {
            for (String n : names) {
                try {
                    out.addAll(Scope.parse(n));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** Checks the {@code Authorization} header (null when absent) for {@code scope}. */
    public Verdict check(String authorization, Scope scope) {
        if (authorization == null || authorization.isBlank()) {
            return anonymous.contains(scope) ? Verdict.ALLOWED : Verdict.UNAUTHENTICATED;
        }
        Set<Scope> granted = scopesOf(authorization.trim());
        if (granted == null) {
            return Verdict.UNAUTHENTICATED;
        }
        if (granted.contains(scope) || anonymous.contains(scope)) {
            return Verdict.ALLOWED;
        }
        return Verdict.FORBIDDEN;
    }

    /** The scopes the header's credential has, or null when it is not a valid credential. */
    private Set<Scope> scopesOf(String authorization) {
        int space = authorization.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String kind = authorization.substring(0, space).toLowerCase(Locale.ROOT);
        String value = authorization.substring(space + 1).trim();
        if (kind.equals("bearer")) {
            return tokenScopes.get(sha256(value));
        }
        if (!kind.equals("basic")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        User u = users.get(decoded.substring(0, colon));
        if (u == null || u.password() == null || u.username().equals("*")) {
            return null;
        }
        boolean match = MessageDigest.isEqual(u.password().getBytes(StandardCharsets.UTF_8),
                decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
        return match ? userScopes.get(u.username()) : null;
    }

    /** Hex SHA-256, as {@code sha256sum} prints it. */
    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
