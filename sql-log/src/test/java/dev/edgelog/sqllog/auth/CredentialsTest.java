package dev.edgelog.sqllog.auth;

import static dev.edgelog.sqllog.auth.Credentials.Verdict.ALLOWED;
import static dev.edgelog.sqllog.auth.Credentials.Verdict.FORBIDDEN;
import static dev.edgelog.sqllog.auth.Credentials.Verdict.UNAUTHENTICATED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {

    @TempDir
    Path dir;

    private Credentials load(String users, String tokens) throws Exception {
        Path u = null;
        Path t = null;
        if (users != null) {
            u = Files.writeString(dir.resolve("users.json"), users);
        }
        if (tokens != null) {
            t = Files.writeString(dir.resolve("tokens.json"), tokens);
        }
        return Credentials.load(u, t);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void when_basicCredentialsAreRight_then_onlyTheirPermissionsAreAllowed() throws Exception {
        Credentials c = load("[{\"username\": \"writer\", \"password\": \"s3cret\", \"perms\": [\"execute\", \"query\"]},"
                + " {\"username\": \"root\", \"password\": \"r\", \"perms\": [\"all\"]}]", null);

        assertEquals(ALLOWED, c.check(basic("writer", "s3cret"), Scope.WRITE));
        assertEquals(ALLOWED, c.check(basic("writer", "s3cret"), Scope.READ));
        assertEquals(FORBIDDEN, c.check(basic("writer", "s3cret"), Scope.ADMIN));
        assertEquals(UNAUTHENTICATED, c.check(basic("writer", "wrong"), Scope.READ));
        assertEquals(UNAUTHENTICATED, c.check(basic("nobody", "s3cret"), Scope.READ));
        assertEquals(UNAUTHENTICATED, c.check(null, Scope.READ));
        assertEquals(UNAUTHENTICATED, c.check("Basic !!!", Scope.READ));
        assertEquals(ALLOWED, c.check(basic("root", "r"), Scope.PULL));
    }

    @Test
    void when_aBearerTokenIsPresented_then_itsHashDecidesItsScopes() throws Exception {
        String hash = Credentials.sha256("edge-fleet-token");
        Credentials c = load(null, "[{\"name\": \"edges\", \"sha256\": \"" + hash + "\", \"scopes\": [\"pull\"]}]");

        assertEquals(ALLOWED, c.check("Bearer edge-fleet-token", Scope.PULL));
        assertEquals(FORBIDDEN, c.check("Bearer edge-fleet-token", Scope.WRITE));
        assertEquals(UNAUTHENTICATED, c.check("Bearer other", Scope.PULL));
        assertEquals(UNAUTHENTICATED, c.check("Token edge-fleet-token", Scope.PULL));
    }

    @Test
    void when_theStarUserHasPermissions_then_anonymousRequestsGetThem() throws Exception {
        Credentials c = load("[{\"username\": \"*\", \"perms\": [\"status\"]}]", null);

        assertEquals(ALLOWED, c.check(null, Scope.STATUS));
        assertEquals(UNAUTHENTICATED, c.check(null, Scope.WRITE));
        assertEquals(UNAUTHENTICATED, c.check(basic("*", ""), Scope.WRITE));
    }

    @Test
    void when_aFileIsBad_then_theMessageNamesFileAndProblem() {
        IllegalArgumentException perm = assertThrows(IllegalArgumentException.class,
                () -> load("[{\"username\": \"u\", \"password\": \"p\", \"perms\": [\"everything\"]}]", null));
        assertTrue(perm.getMessage().contains("users.json") && perm.getMessage().contains("everything"), perm.getMessage());
        IllegalArgumentException hash = assertThrows(IllegalArgumentException.class,
                () -> load(null, "[{\"name\": \"t\", \"sha256\": \"abc\", \"scopes\": [\"pull\"]}]"));
        assertTrue(hash.getMessage().contains("64 hex"), hash.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> load("[{\"username\": \"u\", \"pass\": \"p\"}]", null));
        assertTrue(key.getMessage().contains("pass"), key.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Credentials.load(null, null));
    }
}
