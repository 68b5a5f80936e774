package dev.edgelog.mirror.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.mirror.MirrorConfig;
import dev.edgelog.mirror.relay.FleetReporter;
import dev.edgelog.sqllog.auth.Tls;
import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.follow.FollowerMetrics;
import dev.edgelog.sqllog.follow.FollowerRoutes;
import dev.edgelog.sqllog.pull.PullService;
import dev.edgelog.sqllog.segment.SegmentStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.xnio.Options;

/**
 * The mirror's HTTP server: the pull API exactly as a primary node serves it ({@code /v1/log},
 * {@code /v1/snapshot}, {@code /v1/status}, {@code /v1/fleet}), plus {@code /status} (the mirror's
 * own follower state), {@code /readyz} (200 once bootstrapped and at most {@code ready_max_lag}
 * behind its upstream) and {@code /metrics} (Prometheus), those three under the {@code status}
 * scope.
 */
public final class MirrorHttpApi implements AutoCloseable {

    private final MirrorConfig config;
    private final PullService pull;
    private final SegmentStore segments;
    private final FleetReporter reporter;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Undertow server;

    public MirrorHttpApi(MirrorConfig config, Follower follower, PullService pull, SegmentStore segments,
                         FleetReporter reporter, Clock clock) throws IOException {
        this.config = config;
        this.pull = pull;
        this.segments = segments;
        this.reporter = reporter;
        FollowerMetrics.bind(registry, "edgelog_mirror", follower, clock);
        Gauge.builder("edgelog_mirror_waiting_pulls", pull, PullService::waitingPulls)
                .description("long polls parked for the next entry").register(registry);
        Gauge.builder("edgelog_mirror_followers", pull, p -> p.followers().direct().size())
                .description("nodes pulling from this mirror (seen within a day)").register(registry);
        Gauge.builder("edgelog_mirror_snapshots_served", pull, PullService::snapshotsServed)
                .description("snapshots sent to bootstrapping followers").register(registry);
        Gauge.builder("edgelog_mirror_segment_bytes", segments, SegmentStore::totalBytes)
                .description("bytes of log this mirror retains").register(registry);
        Gauge.builder("edgelog_mirror_first_index", segments, SegmentStore::firstIndex)
                .description("oldest index retained").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        HttpHandler routes = FollowerRoutes.addTo(pull.addTo(Handlers.routing()), config.follow().credentials(), follower,
                config.follow().readyMaxLag(), registry::scrape, this::status);
        Undertow.Builder b = Undertow.builder()
                .setWorkerThreads(config.workerThreads())
                .setSocketOption(Options.BACKLOG, 8192)
                .setSocketOption(Options.TCP_NODELAY, true)
                .setServerOption(UndertowOptions.ENABLE_STATISTICS, false)
                .setHandler(routes);
        if (config.tls() == null) {
            b.addHttpListener(config.follow().httpPort(), config.follow().httpHost());
        } else {
            b.addHttpsListener(config.follow().httpPort(), config.follow().httpHost(),
                    Tls.server(config.tls().certFile(), config.tls().keyFile()));
        }
        this.server = b.build();
        server.start();
    }

    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    private void status(ObjectNode out) {
        out.put("node", config.follow().nodeName());
        out.put("role", "mirror");
        out.put("database", config.databaseFile().toString());
        out.put("first_index", segments.firstIndex());
        out.put("last_index", segments.lastIndex());
        out.put("segment_bytes", segments.totalBytes());
        out.put("waiting_pulls", pull.waitingPulls());
        out.put("followers", pull.followers().direct().size());
        out.put("snapshots_served", pull.snapshotsServed());
        out.put("fleet_reports_sent", reporter.reportsSent());
    }

    @Override
    public void close() {
        server.stop();
        registry.close();
    }
}
