package dev.edgelog.edge.http;

import dev.edgelog.edge.EdgeConfig;
import dev.edgelog.sqllog.follow.FollowConfig;
import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.follow.FollowerMetrics;
import dev.edgelog.sqllog.follow.FollowerRoutes;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Handlers;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.time.Clock;

/**
 * The local status API, on 127.0.0.1 by default: {@code /status} (JSON), {@code /readyz} (200 once
 * bootstrapped with fewer than {@code ready_max_lag} entries unapplied, else 503 with the reason)
 * and {@code /metrics} (Prometheus). With credentials configured all three need the
 * {@code status} scope (401 with a challenge without valid credentials, 403 without the scope).
 */
public final class LocalApi implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Undertow server;

    public LocalApi(EdgeConfig config, Follower follower, Clock clock) {
        FollowerMetrics.bind(registry, "edgelog_edge", follower, clock);
        new JvmMemoryMetrics().bindTo(registry);
        FollowConfig f = config.follow();
        this.server = Undertow.builder()
                .addHttpListener(f.httpPort(), f.httpHost())
                .setIoThreads(1)
                .setWorkerThreads(2)
                .setHandler(FollowerRoutes.addTo(Handlers.routing(), f.credentials(), follower,
                        f.readyMaxLag(), registry::scrape, out -> {
                            out.put("node", f.nodeName());
                            out.put("database", config.databaseFile().toString());
                        }))
                .build();
        server.start();
    }

    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Override
    public void close() {
        server.stop();
        registry.close();
    }
}
