package dev.edgelog.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.auth.Credentials;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrimaryAuthIT {

    @TempDir
    Path dir;

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void when_credentialsAreMissingWrongOrUnderScoped_then_everyEndpointRefusesThem() throws Exception {
        Path users = Files.writeString(dir.resolve("users.json"),
                "[{\"username\": \"writer\", \"password\": \"w\", \"perms\": [\"execute\", \"query\"]},"
                        + " {\"username\": \"reader\", \"password\": \"r\", \"perms\": [\"query\"]}]");
        Path tokens = Files.writeString(dir.resolve("tokens.json"), "[{\"name\": \"svc\", \"sha256\": \""
                + Credentials.sha256("svc-token") + "\", \"scopes\": [\"write\", \"read\", \"status\"]}]");
        try (TestCluster c = new TestCluster(dir, 3, Credentials.load(users, tokens))) {
            c.awaitReady();
            int follower = c.follower();

            for (String path : new String[] {"/db/query?q=SELECT%201", "/status", "/metrics", "/readyz", "/nodes"}) {
                HttpResponse<String> r = c.get(follower, path);
                assertEquals(401, r.statusCode(), path + ": " + r.body());
                assertTrue(r.headers().firstValue("WWW-Authenticate").isPresent(), path);
                assertEquals(401, c.get(follower, path, basic("writer", "nope")).statusCode(), path);
            }
            assertEquals(401, c.post(follower, "/db/execute", "[\"CREATE TABLE t(x)\"]").statusCode());
            HttpResponse<String> underScoped = c.post(follower, "/db/execute", "[\"CREATE TABLE t(x)\"]",
                    basic("reader", "r"));
            assertEquals(403, underScoped.statusCode(), underScoped.body());
            assertTrue(underScoped.body().contains("write"), underScoped.body());

            HttpResponse<String> ok = c.post(follower, "/db/execute", "[\"CREATE TABLE t(x)\", \"INSERT INTO t VALUES(1)\"]",
                    basic("writer", "w"));
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(200, c.post(follower, "/db/execute", "[\"INSERT INTO t VALUES(2)\"]", "Bearer svc-token")
                    .statusCode());
            HttpResponse<String> q = c.get(follower, "/db/query?q=SELECT%20count(*)%20FROM%20t", basic("reader", "r"));
            assertEquals(200, q.statusCode(), q.body());
            assertTrue(q.body().contains("[[2]]"), q.body());
            assertEquals(403, c.get(follower, "/status", basic("reader", "r")).statusCode());
            assertEquals(200, c.get(follower, "/status", "Bearer svc-token").statusCode());
        }
    }
}
