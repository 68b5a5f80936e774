package dev.edgelog.edge;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The YAML form of {@link EdgeConfig}. Only {@code data_dir} and {@code upstreams} are required; an
 * unknown key is an error naming it.
 *
 * <pre>
 * node_name: edge-fra-017          # default: the host name
 * data_dir: /var/lib/edgelog/edge  # edge.db lives here
 * upstreams: [http://mirror-fra-1:4001, http://mirror-fra-2:4001, http://primary-1:4001]
 * token_file: /etc/edgelog/pull.token   # bearer token with the pull scope
 * ca_file: /etc/edgelog/ca.crt          # for https upstreams
 * http_address: 127.0.0.1:4101          # /status, /readyz, /metrics
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
                String httpAddress, Integer maxBatchBytes, Long pollWaitMs, Long stallTimeoutMs, Long readyMaxLag,
                Backoff backoff, Long breakerOpenMs) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EdgeConfigFile() {
    }

    /** Reads and validates {@code path}; non-null overrides (command-line flags) win over its keys. */
    public static EdgeConfig load(Path path, String nodeNameOverride, Path dataDirOverride) throws IOException {
        File f;
        try {
            f = YAML.readValue(Files.readAllBytes(path), File.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(path + ": unknown key '" + e.getPropertyName() + "'; known keys: "
                    + e.getKnownPropertyIds());
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(path + ": " + e.getOriginalMessage());
        }
        if (f == null) {
            throw new IllegalArgumentException(path + " is empty");
        }
        Path base = path.toAbsolutePath().getParent();
        String dataDir = dataDirOverride != null ? dataDirOverride.toString() : f.dataDir();
        if (dataDir == null) {
            throw new IllegalArgumentException(path + ": data_dir is required");
        }
        if (f.upstreams() == null || f.upstreams().isEmpty()) {
            throw new IllegalArgumentException(path + ": upstreams is required (primary nodes or mirrors, preferred first)");
        }
        List<URI> upstreams = f.upstreams().stream().map(EdgeConfigFile::uri).toList();
        String token = null;
        if (f.tokenFile() != null) {
            token = Files.readString(base.resolve(f.tokenFile()), StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException(path + ": token_file " + f.tokenFile() + " is empty");
            }
        }
        String name = nodeNameOverride != null ? nodeNameOverride
                : f.nodeName() != null ? f.nodeName() : InetAddress.getLocalHost().getHostName();
        EdgeConfig d = EdgeConfig.of(name, base.resolve(dataDir), upstreams);
        Backoff b = f.backoff() == null ? new Backoff(null, null) : f.backoff();
        return new EdgeConfig(name, base.resolve(dataDir), upstreams, token,
                f.caFile() == null ? null : base.resolve(f.caFile()),
                or(f.httpAddress(), d.httpAddress()),
                or(f.maxBatchBytes(), d.maxBatchBytes()),
                millis(f.pollWaitMs(), d.pollWait()),
                millis(f.stallTimeoutMs(), d.stallTimeout()),
                or(f.readyMaxLag(), d.readyMaxLag()),
                millis(b.initialMs(), d.backoffInitial()),
                millis(b.maxMs(), d.backoffMax()),
                millis(f.breakerOpenMs(), d.breakerOpen()));
    }

    private static URI uri(String s) {
        try {
            return URI.create(s.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("upstreams: " + s + " is not a URL");
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static Duration millis(Long value, Duration fallback) {
        return value != null ? Duration.ofMillis(value) : fallback;
    }
}
