package dev.edgelog.edge;

import dev.edgelog.sqllog.config.AuthSection;
import dev.edgelog.sqllog.config.FollowKeys;
import dev.edgelog.sqllog.config.YamlConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The YAML form of {@link EdgeConfig}: exactly the keys every following role shares
 * ({@link FollowKeys}). Only {@code data_dir} and {@code upstreams} are required; an unknown key is
 * an error naming it. File paths are relative to the config file.
 *
 * <pre>
 * node_name: edge-fra-017          # default: the host name
 * data_dir: /var/lib/edgelog/edge  # edge.db lives here
 * upstreams: [http://mirror-fra-1:4201, http://mirror-fra-2:4201, http://primary-1:4001]
 * token_file: /etc/edgelog/pull.token   # bearer token with the pull scope
 * ca_file: /etc/edgelog/ca.crt          # for https upstreams
 * http_address: 127.0.0.1:4101          # /status, /readyz, /metrics
 * auth: {tokens_file: /etc/edgelog/tokens.json}   # who may read them (status scope);
 *                                                 # required off loopback unless --insecure
 * max_batch_bytes: 4194304
 * poll_wait_ms: 30000
 * stall_timeout_ms: 10000
 * ready_max_lag: 1000
 * backoff: {initial_ms: 100, max_ms: 10000}
 * breaker_open_ms: 15000
 * </pre>
 */
public final class EdgeConfigFile {

    record File(String nodeName, String dataDir, List<String> upstreams, String tokenFile, String caFile,
                String httpAddress, AuthSection auth, Integer maxBatchBytes, Long pollWaitMs, Long stallTimeoutMs,
                Long readyMaxLag, FollowKeys.Backoff backoff, Long breakerOpenMs) implements FollowKeys {
    }

    private EdgeConfigFile() {
    }

    /** Reads and validates {@code path}; non-null overrides (command-line flags) win over its keys. */
    public static EdgeConfig load(Path path, String nodeNameOverride, Path dataDirOverride) throws IOException {
        File f = YamlConfig.read(path, File.class);
        return new EdgeConfig(FollowKeys.toConfig(path, f, nodeNameOverride, dataDirOverride,
                EdgeConfig.DEFAULT_HTTP_ADDRESS));
    }
}
