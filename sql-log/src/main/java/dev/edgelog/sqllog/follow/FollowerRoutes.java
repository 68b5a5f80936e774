package dev.edgelog.sqllog.follow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.auth.HttpGuard;
import dev.edgelog.sqllog.auth.Scope;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The routes every following role (edge agent, mirror) serves about itself, all under the
 * {@code status} scope when credentials are configured (401 with a challenge, 403 without the
 * scope): {@code /status} (JSON: what the role writes, then the follower's state), {@code /readyz}
 * (200 once bootstrapped and at most {@code readyMaxLag} behind, else 503 with the reason) and
 * {@code /metrics} (Prometheus). Unknown paths get 404.
 */
public final class FollowerRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FollowerRoutes() {
    }

    /**
     * Adds the three routes and the 404 fallback to {@code routes}.
     *
     * @param credentials who may read them; null for an open listener
     * @param metrics     the Prometheus text exposition (a registry's {@code scrape})
     * @param status      writes the role's own fields of {@code /status} (the follower's are added)
     */
    public static RoutingHandler addTo(RoutingHandler routes, Credentials credentials, Follower follower,
                                       long readyMaxLag, Supplier<String> metrics, Consumer<ObjectNode> status) {
        return routes
                .get("/status", guarded(credentials, ex -> {
                    ObjectNode out = JSON.createObjectNode();
                    status.accept(out);
                    follower.describeTo(out);
                    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                    ex.getOutputStream().write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
                }))
                .get("/readyz", guarded(credentials, ex -> {
                    FollowerStatus.Readiness r = follower.status().readiness(readyMaxLag);
                    text(ex, r.ready() ? 200 : 503, r.message());
                }))
                .get("/metrics", guarded(credentials, ex -> {
                    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    ex.getOutputStream().write(metrics.get().getBytes(StandardCharsets.UTF_8));
                }))
                .setFallbackHandler(ex -> text(ex, 404, "no such endpoint: " + ex.getRequestPath()));
    }

    @FunctionalInterface
    private interface Endpoint {
        void handle(HttpServerExchange ex) throws IOException;
    }

    /**
     * Checks the status scope, then runs {@code e} on a worker thread with blocking I/O (routes are
     * called on the IO thread).
     */
    private static HttpHandler guarded(Credentials credentials, Endpoint e) {
        return ex -> {
            HttpGuard.Refusal r = HttpGuard.check(credentials, ex, Scope.STATUS);
            if (r != null) {
                text(ex, r.status(), r.message());
                return;
            }
            ex.dispatch(() -> {
                try {
                    ex.startBlocking();
                    e.handle(ex);
                } catch (IOException io) {
                    text(ex, 500, io.toString());
                } finally {
                    ex.endExchange();
                }
            });
        };
    }

    private static void text(HttpServerExchange ex, int status, String message) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        ex.getResponseSender().send(message + "\n");
    }
}
