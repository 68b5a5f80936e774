package dev.edgelog.mirror;

import dev.edgelog.sqllog.config.TlsSection;
import dev.edgelog.sqllog.follow.FollowConfig;
import dev.edgelog.sqllog.follow.FollowerSettings;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One mirror's settings; immutable once it runs.
 *
 * @param follow        whom it follows and how, the token it presents upstream, and its listener: the
 *                      pull API served downstream, whose {@code credentials} say who may pull (null
 *                      only for an explicitly insecure mirror); its data directory holds the replica
 *                      ({@code mirror.db}), the segments ({@code log/}) and snapshots served downstream
 * @param tls           certificate and key for serving HTTPS downstream; null for plain HTTP
 * @param segments      the mirror's own segment size and retention
 * @param fleetReport   how often the nodes below are reported upstream
 * @param workerThreads threads that send answers (long polls wait without one)
 */
public record MirrorConfig(
        FollowConfig follow,
        TlsSection.Files tls,
        SegmentStoreConfig segments,
        Duration fleetReport,
        int workerThreads) {

    public static final String DEFAULT_HTTP_ADDRESS = "0.0.0.0:4201";
    public static final Duration DEFAULT_FLEET_REPORT = Duration.ofSeconds(5);
    public static final int DEFAULT_WORKER_THREADS = 16;

    public MirrorConfig {
        Objects.requireNonNull(follow, "follow");
        Objects.requireNonNull(segments, "segments");
        if (fleetReport.toMillis() < 100) {
            throw new IllegalArgumentException("fleet_report_ms cannot be less than 100, was " + fleetReport.toMillis());
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("worker_threads must be at least 1, was " + workerThreads);
        }
    }

    /** Defaults for everything but identity, data and upstreams; open (no credentials). */
    public static MirrorConfig of(String nodeName, Path dataDir, List<URI> upstreams) {
        return new MirrorConfig(FollowConfig.of(nodeName, dataDir, upstreams, DEFAULT_HTTP_ADDRESS), null,
                SegmentStoreConfig.defaults(), DEFAULT_FLEET_REPORT, DEFAULT_WORKER_THREADS);
    }

    /** This configuration with {@code change} applied to its following part. */
    public MirrorConfig with(UnaryOperator<FollowConfig> change) {
        return new MirrorConfig(change.apply(follow), tls, segments, fleetReport, workerThreads);
    }

    public MirrorConfig withTls(TlsSection.Files value) {
        return new MirrorConfig(follow, value, segments, fleetReport, workerThreads);
    }

    public MirrorConfig withSegments(SegmentStoreConfig value) {
        return new MirrorConfig(follow, tls, value, fleetReport, workerThreads);
    }

    public MirrorConfig withFleetReport(Duration value) {
        return new MirrorConfig(follow, tls, segments, value, workerThreads);
    }

    /** The follower's part of this configuration. */
    public FollowerSettings followerSettings() {
        return follow.settings(databaseFile());
    }

    /** The replica the mirror cuts snapshots from. */
    public Path databaseFile() {
        return follow.dataDir().resolve("mirror.db");
    }
}
