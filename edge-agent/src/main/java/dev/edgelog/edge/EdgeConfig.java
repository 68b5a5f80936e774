package dev.edgelog.edge;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.config.YamlConfig;
import dev.edgelog.sqllog.follow.FollowerSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One edge agent's settings; immutable once it runs.
 *
 * @param nodeName          this edge's name, sent to upstreams (they list their followers by it)
 * @param dataDir           holds {@code edge.db} (the database ad servers read) and download space
 * @param upstreams         primary nodes or mirrors, most preferred first
 * @param token             bearer token with the {@code pull} scope; null when upstreams are open
 * @param caFile            CA bundle for {@code https} upstreams; null for the JVM's default trust
 * @param httpAddress       the local status API ({@code /status}, {@code /readyz}, {@code /metrics})
 * @param credentials       who may read the local API ({@code status} scope); null for an open API,
 *                          which the command allows on a loopback {@code httpAddress} only (or with
 *                          {@code --insecure})
 * @param maxBatchBytes     bytes asked per pull; one pull is applied in one SQLite transaction
 * @param pollWait          how long a pull waits upstream for new entries (long poll)
 * @param stallTimeout      silence inside an answer after which the upstream counts as stalled
 * @param readyMaxLag       {@code /readyz} fails when more entries than this are unapplied
 * @param backoffInitial    first retry delay after a failure (grows ×2 with jitter)
 * @param backoffMax        longest retry delay
 * @param breakerOpen       how long a failing upstream is skipped before it is tried again
 */
public record EdgeConfig(
        String nodeName,
        Path dataDir,
        List<URI> upstreams,
        String token,
        Path caFile,
        String httpAddress,
        Credentials credentials,
        int maxBatchBytes,
        Duration pollWait,
        Duration stallTimeout,
        long readyMaxLag,
        Duration backoffInitial,
        Duration backoffMax,
        Duration breakerOpen) {

    public static final String DEFAULT_HTTP_ADDRESS = "127.0.0.1:4101";
    public static final int DEFAULT_MAX_BATCH_BYTES = 4 << 20;
    public static final Duration DEFAULT_POLL_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_READY_MAX_LAG = 1_000;
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BREAKER_OPEN = Duration.ofSeconds(15);

    public EdgeConfig {
        Objects.requireNonNull(nodeName, "node_name");
        Objects.requireNonNull(dataDir, "data_dir");
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
    }

    /** Defaults for everything but identity, data and upstreams; an open local API. */
    public static EdgeConfig of(String nodeName, Path dataDir, List<URI> upstreams) {
        return new EdgeConfig(nodeName, dataDir, upstreams, null, null, DEFAULT_HTTP_ADDRESS, null,
                DEFAULT_MAX_BATCH_BYTES, DEFAULT_POLL_WAIT, DEFAULT_STALL_TIMEOUT, DEFAULT_READY_MAX_LAG,
                DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX, DEFAULT_BREAKER_OPEN);
    }

    public EdgeConfig withHttpAddress(String value) {
        return new EdgeConfig(nodeName, dataDir, upstreams, token, caFile, value, credentials, maxBatchBytes, pollWait,
                stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen);
    }

    public EdgeConfig withTiming(Duration poll, Duration stall, Duration initialBackoff, Duration maxBackoff,
                                 Duration open) {
        return new EdgeConfig(nodeName, dataDir, upstreams, token, caFile, httpAddress, credentials, maxBatchBytes,
                poll, stall, readyMaxLag, initialBackoff, maxBackoff, open);
    }

    /** What the agent presents upstream: a bearer token with the {@code pull} scope and a CA bundle. */
    public EdgeConfig withAuth(String bearerToken, Path ca) {
        return new EdgeConfig(nodeName, dataDir, upstreams, bearerToken, ca, httpAddress, credentials, maxBatchBytes,
                pollWait, stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen);
    }

    /** Who may read the local API; null opens it. */
    public EdgeConfig withCredentials(Credentials value) {
        return new EdgeConfig(nodeName, dataDir, upstreams, token, caFile, httpAddress, value, maxBatchBytes, pollWait,
                stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen);
    }

    public EdgeConfig withMaxBatchBytes(int value) {
        return new EdgeConfig(nodeName, dataDir, upstreams, token, caFile, httpAddress, credentials, value, pollWait,
                stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen);
    }

    /** The follower's part of this configuration. */
    public FollowerSettings followerSettings() {
        return new FollowerSettings(nodeName, databaseFile(), upstreams, maxBatchBytes, pollWait, backoffInitial,
                backoffMax, breakerOpen);
    }

    /** The database ad servers read. */
    public Path databaseFile() {
        return dataDir.resolve("edge.db");
    }

    public String httpHost() {
        return httpAddress.substring(0, httpAddress.lastIndexOf(':'));
    }

    public int httpPort() {
        return Integer.parseInt(httpAddress.substring(httpAddress.lastIndexOf(':') + 1));
    }
}
