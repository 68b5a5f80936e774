package dev.edgelog.edge.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.edge.EdgeConfig;
import dev.edgelog.sqllog.auth.HttpGuard;
import dev.edgelog.sqllog.auth.Scope;
import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.follow.FollowerMetrics;
import dev.edgelog.sqllog.follow.FollowerStatus;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;

/**
 * The local status API, on 127.0.0.1 by default: {@code /status} (JSON), {@code /readyz} (200 once
 * bootstrapped with fewer than {@code ready_max_lag} entries unapplied, else 503 with the reason)
 * and {@code /metrics} (Prometheus). With {@link EdgeConfig#credentials()} all three need the
 * {@code status} scope (401 with a challenge without valid credentials, 403 without the scope).
 */
public final class LocalApi implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EdgeConfig config;
    private final Follower follower;
    private final Clock clock;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Undertow server;

    public LocalApi(EdgeConfig config, Follower follower, Clock clock) {
        this.config = config;
        this.follower = follower;
        this.clock = clock;
        FollowerMetrics.bind(registry, "edgelog_edge", follower, clock);
        new JvmMemoryMetrics().bindTo(registry);
        this.server = Undertow.builder()
                .addHttpListener(config.httpPort(), config.httpHost())
                .setIoThreads(1)
                .setWorkerThreads(2)
                .setHandler(Handlers.routing()
                        .get("/status", guarded(this::status))
                        .get("/readyz", guarded(this::readyz))
                        .get("/metrics", guarded(this::metrics))
                        .setFallbackHandler(ex -> text(ex, 404, "no such endpoint: " + ex.getRequestPath())))
                .build();
        server.start();
    }

    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    @FunctionalInterface
    private interface Endpoint {
        void handle(HttpServerExchange ex) throws IOException;
    }

    /**
     * Checks the status scope, then runs {@code e} on a worker thread with blocking I/O (routes are
     * called on the IO thread).
     */
    private HttpHandler guarded(Endpoint e) {
        return ex -> {
            HttpGuard.Refusal r = HttpGuard.check(config.credentials(), ex, Scope.STATUS);
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

    private void status(HttpServerExchange ex) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("node", config.nodeName());
        out.put("database", config.databaseFile().toString());
        follower.describeTo(out);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getOutputStream().write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
    }

    private void readyz(HttpServerExchange ex) {
        FollowerStatus.Readiness r = follower.status().readiness(config.readyMaxLag());
        text(ex, r.ready() ? 200 : 503, r.message());
    }

    private void metrics(HttpServerExchange ex) throws IOException {
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        ex.getOutputStream().write(registry.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void text(HttpServerExchange ex, int status, String message) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        ex.getResponseSender().send(message + "\n");
    }

    @Override
    public void close() {
        server.stop();
        registry.close();
    }
}
