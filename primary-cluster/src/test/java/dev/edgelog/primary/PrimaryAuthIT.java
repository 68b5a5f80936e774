package dev.edgelog.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.auth.Scope;
import dev.edgelog.sqllog.testing.Await;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of a primary node's HTTP listener (the SQL API, status, membership and the pull API
 * mounted on it) refuses missing and wrong credentials (401 with a challenge) and credentials
 * without the route's scope (403), on the leader and on a follower, and nothing a refused request
 * asked for happens.
 */
class PrimaryAuthIT {

    /** A credential and the scopes it holds. */
    private record Cred(String authorization, Set<Scope> scopes) {
        @Override
        public String toString() {
            return authorization;
        }
    }

    /** A route of the listener, a request to it, and the scopes that request needs. */
    private record Route(String method, String path, String body, Set<Scope> needs) {
        @Override
        public String toString() {
            return method + " " + path + (body.isEmpty() ? "" : " " + body);
        }
    }

    private static final List<Cred> CREDENTIALS = List.of(
            new Cred(basic("writer", "w"), EnumSet.of(Scope.WRITE, Scope.READ)),
            new Cred(basic("reader", "r"), EnumSet.of(Scope.READ)),
            new Cred("Bearer svc-token", EnumSet.of(Scope.WRITE, Scope.READ, Scope.STATUS)),
            new Cred("Bearer scribe-token", EnumSet.of(Scope.WRITE)),
            new Cred("Bearer puller-token", EnumSet.of(Scope.PULL)),
            new Cred("Bearer ops-token", EnumSet.of(Scope.STATUS)));

    private static final List<String> WRONG = List.of(basic("writer", "nope"), basic("nobody", "w"),
            "Bearer not-a-token", "Bearer svc-tokenx", "Basic !!!", "Token svc-token");

    private static final String FLEET_REPORT = "{\"reporter\": \"mirror-x\", \"nodes\": []}";

    /** Every route SqlHttpApi and PullService register; /db/request needs read too for a read or a mix. */
    private static final List<Route> ROUTES = List.of(
            new Route("POST", "/db/execute", "[\"INSERT INTO t VALUES(99)\"]", EnumSet.of(Scope.WRITE)),
            new Route("GET", "/db/query?q=SELECT%20count(*)%20FROM%20t", "", EnumSet.of(Scope.READ)),
            new Route("POST", "/db/query", "[\"SELECT count(*) FROM t\"]", EnumSet.of(Scope.READ)),
            new Route("POST", "/db/request", "[\"INSERT INTO t VALUES(99)\"]", EnumSet.of(Scope.WRITE)),
            new Route("POST", "/db/request", "[\"SELECT count(*) FROM t\"]", EnumSet.of(Scope.WRITE, Scope.READ)),
            new Route("POST", "/db/request", "[\"INSERT INTO t VALUES(98)\", \"SELECT count(*) FROM t\"]",
                    EnumSet.of(Scope.WRITE, Scope.READ)),
            new Route("GET", "/status", "", EnumSet.of(Scope.STATUS)),
            new Route("GET", "/readyz", "", EnumSet.of(Scope.STATUS)),
            new Route("GET", "/nodes", "", EnumSet.of(Scope.STATUS)),
            new Route("GET", "/metrics", "", EnumSet.of(Scope.STATUS)),
            new Route("POST", "/admin/members",
                    "{\"id\": \"n9\", \"raft_address\": \"127.0.0.1:1\", \"http_address\": \"127.0.0.1:2\"}",
                    EnumSet.of(Scope.ADMIN)),
            new Route("DELETE", "/admin/members/n2", "", EnumSet.of(Scope.ADMIN)),
            new Route("POST", "/admin/leader", "{\"id\": \"n0\"}", EnumSet.of(Scope.ADMIN)),
            new Route("GET", "/v1/log?after=0", "", EnumSet.of(Scope.PULL)),
            new Route("GET", "/v1/snapshot", "", EnumSet.of(Scope.PULL)),
            new Route("GET", "/v1/status", "", EnumSet.of(Scope.PULL)),
            new Route("GET", "/v1/fleet", "", EnumSet.of(Scope.PULL)),
            new Route("POST", "/v1/fleet", FLEET_REPORT, EnumSet.of(Scope.PULL)));

    @TempDir
    Path dir;

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String token(String name, String token, String... scopes) {
        return "{\"name\": \"" + name + "\", \"sha256\": \"" + Credentials.sha256(token) + "\", \"scopes\": [\""
                + String.join("\", \"", scopes) + "\"]}";
    }

    @Test
    void when_credentialsAreMissingWrongOrUnderScoped_then_everyEndpointRefusesThem() throws Exception {
        Path users = Files.writeString(dir.resolve("users.json"),
                "[{\"username\": \"writer\", \"password\": \"w\", \"perms\": [\"execute\", \"query\"]},"
                        + " {\"username\": \"reader\", \"password\": \"r\", \"perms\": [\"query\"]}]");
        Path tokens = Files.writeString(dir.resolve("tokens.json"), "[" + token("svc", "svc-token", "write", "read", "status")
                + ", " + token("scribe", "scribe-token", "write") + ", " + token("puller", "puller-token", "pull")
                + ", " + token("ops", "ops-token", "status") + "]");
        try (TestCluster c = new TestCluster(dir, 3, Credentials.load(users, tokens))) {
            c.awaitReady();
            int follower = c.follower();
            int leader = c.leader();

            HttpResponse<String> ok = firstAnswer(() -> c.post(follower, "/db/execute",
                    "[\"CREATE TABLE t(x)\", \"INSERT INTO t VALUES(1)\"]", basic("writer", "w")), PrimaryAuthIT::notForwarded);
            assertEquals(200, ok.statusCode(), ok.body());
            HttpResponse<String> svc = firstAnswer(() -> c.post(follower, "/db/execute", "[\"INSERT INTO t VALUES(2)\"]",
                    "Bearer svc-token"), PrimaryAuthIT::notForwarded);
            assertEquals(200, svc.statusCode(), svc.body());
            HttpResponse<String> underScoped = c.post(follower, "/db/execute", "[\"INSERT INTO t VALUES(3)\"]",
                    basic("reader", "r"));
            assertEquals(403, underScoped.statusCode(), underScoped.body());
            assertTrue(underScoped.body().contains("write"), "the refusal names the missing scope: " + underScoped.body());

            for (int node : new int[] {follower, leader}) {
                for (Route route : ROUTES) {
                    refusesEveryoneWithout(c, node, route);
                }
            }

            HttpResponse<String> q = firstAnswer(() -> c.get(follower,
                    "/db/query?level=linearizable&q=SELECT%20x%20FROM%20t%20ORDER%20BY%20x", basic("reader", "r")),
                    r -> r.statusCode() != 200);
            assertTrue(q.body().contains("[[1],[2]]"), "no refused write reached the log: " + q.body());
            for (int i = 0; i < 3; i++) {
                assertEquals(3, c.nodes[i].members().size(), "no refused membership change happened");
            }
            assertEquals(200, c.get(follower, "/status", "Bearer svc-token").statusCode());
            for (int node : new int[] {follower, leader}) {
                assertEquals(200, c.get(node, "/v1/log?after=0", "Bearer puller-token").statusCode());
                assertEquals(200, c.get(node, "/v1/status", "Bearer puller-token").statusCode());
                assertEquals(200, c.get(node, "/v1/fleet", "Bearer puller-token").statusCode());
                assertEquals(204, c.post(node, "/v1/fleet", FLEET_REPORT, "Bearer puller-token").statusCode());
                assertEquals(200, c.get(node, "/v1/snapshot", "Bearer puller-token").statusCode());
            }
        }
    }

    /** 401 with a challenge without credentials and with wrong ones; 403 to every credential lacking a scope. */
    private static void refusesEveryoneWithout(TestCluster c, int node, Route route) throws Exception {
        String where = "node " + node + ", " + route;
        HttpResponse<String> none = send(c, node, route, null);
        assertEquals(401, none.statusCode(), where + " without credentials: " + none.body());
        assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent(), where);
        for (String wrong : WRONG) {
            HttpResponse<String> r = send(c, node, route, wrong);
            assertEquals(401, r.statusCode(), where + " with " + wrong + ": " + r.body());
            assertTrue(r.headers().firstValue("WWW-Authenticate").isPresent(), where + " with " + wrong);
        }
        int underScoped = 0;
        for (Cred cred : CREDENTIALS) {
            if (!cred.scopes().containsAll(route.needs())) {
                HttpResponse<String> r = send(c, node, route, cred.authorization());
                assertEquals(403, r.statusCode(), where + " with " + cred + ": " + r.body());
                underScoped++;
            }
        }
        assertTrue(underScoped > 0, where + ": no under-scoped credential tried");
    }

    @FunctionalInterface
    private interface Send {
        HttpResponse<String> send() throws Exception;
    }

    /** A follower between leaders refuses a write without forwarding it, so it did nothing. */
    private static boolean notForwarded(HttpResponse<String> r) {
        return r.statusCode() == 503 && r.body().contains("leader not found");
    }

    /**
     * The first answer to {@code send} that is not {@code again}: for answers that did nothing and
     * may come while a loaded cluster elects a leader.
     */
    private static HttpResponse<String> firstAnswer(Send send, Predicate<HttpResponse<String>> again)
            throws InterruptedException {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Await.until("an answer from a node that knows the leader", Duration.ofSeconds(60), () -> {
            try {
                last.set(send.send());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !again.test(last.get());
        });
        return last.get();
    }

    private static HttpResponse<String> send(TestCluster c, int node, Route route, String authorization)
            throws Exception {
        return route.method().equals("GET") ? c.get(node, route.path(), authorization)
                : c.post(node, route.path(), route.body(), route.method(), authorization);
    }
}
