package dev.edgelog.edge;

import static dev.edgelog.sqllog.config.YamlConfig.millis;
import static dev.edgelog.sqllog.config.YamlConfig.or;

import dev.edgelog.sqllog.config.AuthSection;
import dev.edgelog.sqllog.config.YamlConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The YAML form of {@link EdgeConfig}. Only {@code data_dir} and {@code upstreams} are required; an
 * unknown key is an error naming it. File paths are relative to the config file.
 *
 * <pre>
 * node_name: edge-fra-017          # default: the host name
 * data_dir: /var/lib/edgelog/edge  # edge.db lives here
 * upstreams: [http://mirror-fra-1:4001, http://mirror-fra-2:4001, http://primary-1:4001]
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

    record Backoff(Long initialMs, Long maxMs) {
    }

    record File(String nodeName, String dataDir, List<String> upstreams, String tokenFile, String caFile,
                String httpAddress, AuthSection auth, Integer maxBatchBytes, Long pollWaitMs, Long stallTimeoutMs,
                Long readyMaxLag, Backoff backoff, Long breakerOpenMs) {
    }

    private EdgeConfigFile() {
    }

    /** Reads and validates {@code path}; non-null overrides (command-line flags) win over its keys. */
    public static EdgeConfig load(Path path, String nodeNameOverride, Path dataDirOverride) throws IOException {
        File f = YamlConfig.read(path, File.class);
        Path dataDir = dataDirOverride != null ? dataDirOverride
                : YamlConfig.resolve(path, YamlConfig.require(f.dataDir(), "data_dir"));
        List<URI> upstreams = YamlConfig.upstreams(f.upstreams(), "upstreams");
        String name = nodeNameOverride != null ? nodeNameOverride
                : f.nodeName() != null ? f.nodeName() : InetAddress.getLocalHost().getHostName();
        EdgeConfig d = EdgeConfig.of(name, dataDir, upstreams);
        Backoff b = f.backoff() == null ? new Backoff(null, null) : f.backoff();
        return new EdgeConfig(name, dataDir, upstreams, YamlConfig.secret(path, f.tokenFile(), "token_file"),
                YamlConfig.resolve(path, f.caFile()),
                or(f.httpAddress(), d.httpAddress()),
                AuthSection.load(path, f.auth()),
                or(f.maxBatchBytes(), d.maxBatchBytes()),
                millis(f.pollWaitMs(), d.pollWait()),
                millis(f.stallTimeoutMs(), d.stallTimeout()),
                or(f.readyMaxLag(), d.readyMaxLag()),
                millis(b.initialMs(), d.backoffInitial()),
                millis(b.maxMs(), d.backoffMax()),
                millis(f.breakerOpenMs(), d.breakerOpen()));
    }
}
