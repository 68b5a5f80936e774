package dev.edgelog.mirror;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.config.TlsSection;
import dev.edgelog.sqllog.config.YamlConfig;
import dev.edgelog.sqllog.follow.FollowerSettings;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One mirror's settings; immutable once it runs.
 *
 * @param nodeName       this mirror's name: sent upstream, shown in paths and the fleet table; must be
 *                       unique in the fleet (a chain that names it twice is a loop)
 * @param dataDir        holds the replica ({@code mirror.db}), the segments ({@code log/}) and
 *                       snapshots served downstream
 * @param upstreams      primary nodes or other mirrors, most preferred first
 * @param token          bearer token with the {@code pull} scope, presented upstream; null for none
 * @param caFile         CA bundle for {@code https} upstreams; null for the JVM's default trust
 * @param httpAddress    where the pull API is served downstream
 * @param credentials    who may pull from this mirror; null only for an explicitly insecure mirror
 * @param tls            certificate and key for serving HTTPS downstream; null for plain HTTP
 * @param maxBatchBytes  bytes asked per pull upstream
 * @param pollWait       how long a pull waits upstream for new entries
 * @param stallTimeout   silence inside an upstream's answer after which it counts as stalled
 * @param readyMaxLag    {@code /readyz} fails when more entries than this are unapplied
 * @param backoffInitial first retry delay after a failure
 * @param backoffMax     longest retry delay
 * @param breakerOpen    how long a failing upstream is skipped
 * @param segments       the mirror's own segment size and retention
 * @param fleetReport    how often the nodes below are reported upstream
 * @param workerThreads  threads that send answers (long polls wait without one)
 */
public record MirrorConfig(
        String nodeName,
        Path dataDir,
        List<URI> upstreams,
        String token,
        Path caFile,
        String httpAddress,
        Credentials credentials,
        TlsSection.Files tls,
        int maxBatchBytes,
        Duration pollWait,
        Duration stallTimeout,
        long readyMaxLag,
        Duration backoffInitial,
        Duration backoffMax,
        Duration breakerOpen,
        SegmentStoreConfig segments,
        Duration fleetReport,
        int workerThreads) {

    public static final String DEFAULT_HTTP_ADDRESS = "0.0.0.0:4201";
    public static final int DEFAULT_MAX_BATCH_BYTES = 4 << 20;
    public static final Duration DEFAULT_POLL_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_READY_MAX_LAG = 1_000;
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BREAKER_OPEN = Duration.ofSeconds(15);
    public static final Duration DEFAULT_FLEET_REPORT = Duration.ofSeconds(5);
    public static final int DEFAULT_WORKER_THREADS = 16;

    public MirrorConfig {
        Objects.requireNonNull(nodeName, "node_name");
        if (nodeName.isBlank() || nodeName.contains(",")) {
            throw new IllegalArgumentException("node_name must be non-empty without commas, was '" + nodeName + "'");
        }
        Objects.requireNonNull(dataDir, "data_dir");
        Objects.requireNonNull(segments, "segments");
        upstreams = List.copyOf(upstreams);
        new FollowerSettings(nodeName, dataDir, upstreams, maxBatchBytes, pollWait, backoffInitial, backoffMax,
                breakerOpen); // checks those keys
        YamlConfig.hostPort(httpAddress, "http_address");
        if (stallTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("stall_timeout_ms cannot be less than 100, was " + stallTimeout.toMillis());
        }
        if (readyMaxLag < 0) {
            throw new IllegalArgumentException("ready_max_lag cannot be negative, was " + readyMaxLag);
        }
        if (fleetReport.toMillis() < 100) {
            throw new IllegalArgumentException("fleet_report_ms cannot be less than 100, was " + fleetReport.toMillis());
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("worker_threads must be at least 1, was " + workerThreads);
        }
    }

    /** Defaults for everything but identity, data and upstreams; open (no credentials). */
    public static MirrorConfig of(String nodeName, Path dataDir, List<URI> upstreams) {
        return new MirrorConfig(nodeName, dataDir, upstreams, null, null, DEFAULT_HTTP_ADDRESS, null, null,
                DEFAULT_MAX_BATCH_BYTES, DEFAULT_POLL_WAIT, DEFAULT_STALL_TIMEOUT, DEFAULT_READY_MAX_LAG,
                DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX, DEFAULT_BREAKER_OPEN, SegmentStoreConfig.defaults(),
                DEFAULT_FLEET_REPORT, DEFAULT_WORKER_THREADS);
    }

    public MirrorConfig withHttpAddress(String value) {
        return new MirrorConfig(nodeName, dataDir, upstreams, token, caFile, value, credentials, tls, maxBatchBytes,
                pollWait, stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen, segments, fleetReport,
                workerThreads);
    }

    public MirrorConfig withTiming(Duration poll, Duration stall, Duration initialBackoff, Duration maxBackoff,
                                   Duration open, Duration report) {
        return new MirrorConfig(nodeName, dataDir, upstreams, token, caFile, httpAddress, credentials, tls,
                maxBatchBytes, poll, stall, readyMaxLag, initialBackoff, maxBackoff, open, segments, report,
                workerThreads);
    }

    public MirrorConfig withSecurity(String upstreamToken, Path upstreamCa, Credentials downstream,
                                     TlsSection.Files serverTls) {
        return new MirrorConfig(nodeName, dataDir, upstreams, upstreamToken, upstreamCa, httpAddress, downstream,
                serverTls, maxBatchBytes, pollWait, stallTimeout, readyMaxLag, backoffInitial, backoffMax,
                breakerOpen, segments, fleetReport, workerThreads);
    }

    public MirrorConfig withSegments(SegmentStoreConfig value) {
        return new MirrorConfig(nodeName, dataDir, upstreams, token, caFile, httpAddress, credentials, tls,
                maxBatchBytes, pollWait, stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen, value,
                fleetReport, workerThreads);
    }

    /** The follower's part of this configuration. */
    public FollowerSettings followerSettings() {
        return new FollowerSettings(nodeName, databaseFile(), upstreams, maxBatchBytes, pollWait, backoffInitial,
                backoffMax, breakerOpen);
    }

    /** The replica the mirror cuts snapshots from. */
    public Path databaseFile() {
        return dataDir.resolve("mirror.db");
    }

    public String httpHost() {
        return httpAddress.substring(0, httpAddress.lastIndexOf(':'));
    }

    public int httpPort() {
        return Integer.parseInt(httpAddress.substring(httpAddress.lastIndexOf(':') + 1));
    }
}
