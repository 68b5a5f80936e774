package dev.edgelog.sqllog.config;

import static dev.edgelog.sqllog.config.YamlConfig.millis;
import static dev.edgelog.sqllog.config.YamlConfig.or;

import dev.edgelog.sqllog.follow.FollowConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The top-level YAML keys every following role's config file shares. A role's file record (flat,
 * so that unknown keys stay errors) implements this by having components of these names, and
 * {@link #toConfig} turns them into a {@link FollowConfig}:
 *
 * <pre>
 * node_name: edge-fra-017          # default: the host name
 * data_dir: /var/lib/edgelog/edge
 * upstreams: [http://mirror-fra-1:4201, http://primary-1:4001]
 * token_file: /etc/edgelog/pull.token   # bearer token presented upstream (pull scope)
 * ca_file: /etc/edgelog/ca.crt          # trust for https upstreams
 * http_address: 127.0.0.1:4101          # the role's own listener
 * auth: {tokens_file: /etc/edgelog/tokens.json}   # who may use it
 * max_batch_bytes: 4194304
 * poll_wait_ms: 30000
 * stall_timeout_ms: 10000
 * ready_max_lag: 1000
 * backoff: {initial_ms: 100, max_ms: 10000}
 * breaker_open_ms: 15000
 * </pre>
 */
public interface FollowKeys {

    /** {@code backoff: {initial_ms, max_ms}}. */
    record Backoff(Long initialMs, Long maxMs) {
    }

    String nodeName();

    String dataDir();

    List<String> upstreams();

    String tokenFile();

    String caFile();

    String httpAddress();

    AuthSection auth();

    Integer maxBatchBytes();

    Long pollWaitMs();

    Long stallTimeoutMs();

    Long readyMaxLag();

    Backoff backoff();

    Long breakerOpenMs();

    /**
     * The keys of {@code path} as a {@link FollowConfig}; non-null overrides (command-line flags) win,
     * file paths are relative to the config file.
     */
    static FollowConfig toConfig(Path path, FollowKeys f, String nodeNameOverride, Path dataDirOverride,
                                 String defaultHttpAddress) throws IOException {
        Path dataDir = dataDirOverride != null ? dataDirOverride
                : YamlConfig.resolve(path, YamlConfig.require(f.dataDir(), "data_dir"));
        List<URI> upstreams = YamlConfig.upstreams(f.upstreams(), "upstreams");
        String name = nodeNameOverride != null ? nodeNameOverride
                : f.nodeName() != null ? f.nodeName() : InetAddress.getLocalHost().getHostName();
        Backoff b = f.backoff() == null ? new Backoff(null, null) : f.backoff();
        return new FollowConfig(name, dataDir, upstreams, YamlConfig.secret(path, f.tokenFile(), "token_file"),
                YamlConfig.resolve(path, f.caFile()),
                or(f.httpAddress(), defaultHttpAddress),
                AuthSection.load(path, f.auth()),
                or(f.maxBatchBytes(), FollowConfig.DEFAULT_MAX_BATCH_BYTES),
                millis(f.pollWaitMs(), FollowConfig.DEFAULT_POLL_WAIT),
                millis(f.stallTimeoutMs(), FollowConfig.DEFAULT_STALL_TIMEOUT),
                or(f.readyMaxLag(), FollowConfig.DEFAULT_READY_MAX_LAG),
                millis(b.initialMs(), FollowConfig.DEFAULT_BACKOFF_INITIAL),
                millis(b.maxMs(), FollowConfig.DEFAULT_BACKOFF_MAX),
                millis(f.breakerOpenMs(), FollowConfig.DEFAULT_BREAKER_OPEN));
    }
}
