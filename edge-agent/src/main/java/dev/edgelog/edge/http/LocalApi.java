package dev.edgelog.edge.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.edge.EdgeConfig;
import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.follow.FollowerStatus;
import dev.edgelog.sqllog.follow.Upstreams;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.function.ToDoubleFunction;

/**
 * The local status API, on 127.0.0.1 by default: {@code /status} (JSON), {@code /readyz} (200 once
 * bootstrapped with fewer than {@code ready_max_lag} entries unapplied, else 503 with the reason)
 * and {@code /metrics} (Prometheus).
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
        gauge("edgelog_edge_applied_index", "last applied SQL-log index", FollowerStatus::appliedIndex);
        gauge("edgelog_edge_upstream_commit_index", "the upstream's commit index at last contact",
                FollowerStatus::upstreamCommitIndex);
        gauge("edgelog_edge_lag_entries", "entries the upstream has that are not applied here",
                FollowerStatus::lagEntries);
        gauge("edgelog_edge_contact_age_seconds", "seconds since an upstream last answered",
                s -> s.lastContactMillis() == 0 ? Double.NaN : (clock.millis() - s.lastContactMillis()) / 1000.0);
        gauge("edgelog_edge_bootstraps", "snapshot bootstraps since start", FollowerStatus::bootstraps);
        gauge("edgelog_edge_failovers", "upstream changes since start", FollowerStatus::failovers);
        gauge("edgelog_edge_rejected_batches", "upstream answers refused since start", FollowerStatus::rejectedBatches);
        new JvmMemoryMetrics().bindTo(registry);
        this.server = Undertow.builder()
                .addHttpListener(config.httpPort(), config.httpHost())
                .setIoThreads(1)
                .setWorkerThreads(2)
                .setHandler(Handlers.routing()
                        .get("/status", ex -> dispatch(ex, this::status))
                        .get("/readyz", ex -> dispatch(ex, this::readyz))
                        .get("/metrics", ex -> dispatch(ex, this::metrics))
                        .setFallbackHandler(ex -> text(ex, 404, "no such endpoint: " + ex.getRequestPath())))
                .build();
        server.start();
    }

    private void gauge(String name, String help, ToDoubleFunction<FollowerStatus> f) {
        Gauge.builder(name, follower, fl -> f.applyAsDouble(fl.status())).description(help).register(registry);
    }

    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    @FunctionalInterface
    private interface Endpoint {
        void handle(HttpServerExchange ex) throws IOException;
    }

    /** Runs {@code e} on a worker thread with blocking I/O (routes are called on the IO thread). */
    private static void dispatch(HttpServerExchange ex, Endpoint e) {
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
    }

    private void status(HttpServerExchange ex) throws IOException {
        FollowerStatus s = follower.status();
        ObjectNode out = JSON.createObjectNode();
        out.put("node", config.nodeName());
        out.put("database", config.databaseFile().toString());
        out.put("log_id", s.logId());
        out.put("bootstrapped", s.bootstrapped());
        out.put("applied_index", s.appliedIndex());
        out.put("last_commit_time", s.lastCommitTimeMillis());
        out.put("upstream", s.upstream());
        out.put("upstream_commit_index", s.upstreamCommitIndex());
        out.put("lag_entries", s.lagEntries());
        out.put("last_contact", s.lastContactMillis());
        out.put("last_error", s.lastError());
        out.put("bootstraps", s.bootstraps());
        out.put("failovers", s.failovers());
        out.put("rejected_batches", s.rejectedBatches());
        ArrayNode ups = out.putArray("upstreams");
        for (Upstreams.Upstream u : follower.upstreams().all()) {
            ups.addObject().put("url", u.uri().toString()).put("breaker", u.state().name().toLowerCase());
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getOutputStream().write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
    }

    private void readyz(HttpServerExchange ex) {
        FollowerStatus s = follower.status();
        if (!s.bootstrapped()) {
            text(ex, 503, "not bootstrapped yet");
        } else if (s.lastContactMillis() == 0) {
            text(ex, 503, "no upstream contact yet");
        } else if (s.lagEntries() > config.readyMaxLag()) {
            text(ex, 503, s.lagEntries() + " entries behind (ready_max_lag " + config.readyMaxLag() + ")");
        } else {
            text(ex, 200, "ready: applied " + s.appliedIndex() + ", " + s.lagEntries() + " behind");
        }
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
