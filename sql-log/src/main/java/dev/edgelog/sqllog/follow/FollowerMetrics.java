package dev.edgelog.sqllog.follow;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.ToDoubleFunction;

/**
 * A follower's gauges, under the role's prefix ({@code edgelog_edge}, {@code edgelog_mirror}):
 * applied index, the upstream's commit index, lag, contact age, bootstraps, failovers, refused
 * answers.
 */
public final class FollowerMetrics {

    private FollowerMetrics() {
    }

    public static void bind(MeterRegistry registry, String prefix, Follower follower, Clock clock) {
        gauge(registry, follower, prefix + "_applied_index", "last applied SQL-log index", FollowerStatus::appliedIndex);
        gauge(registry, follower, prefix + "_upstream_commit_index", "the upstream's commit index at last contact",
                FollowerStatus::upstreamCommitIndex);
        gauge(registry, follower, prefix + "_lag_entries", "entries the upstream has that are not applied here",
                FollowerStatus::lagEntries);
        gauge(registry, follower, prefix + "_contact_age_seconds", "seconds since an upstream last answered",
                s -> s.lastContactMillis() == 0 ? Double.NaN : (clock.millis() - s.lastContactMillis()) / 1000.0);
        gauge(registry, follower, prefix + "_bootstraps", "snapshot bootstraps since start", FollowerStatus::bootstraps);
        gauge(registry, follower, prefix + "_failovers", "upstream changes since start", FollowerStatus::failovers);
        gauge(registry, follower, prefix + "_rejected_batches", "upstream answers refused since start",
                FollowerStatus::rejectedBatches);
    }

    private static void gauge(MeterRegistry registry, Follower follower, String name, String help,
                              ToDoubleFunction<FollowerStatus> f) {
        Gauge.builder(name, follower, fl -> f.applyAsDouble(fl.status())).description(help).register(registry);
    }
}
