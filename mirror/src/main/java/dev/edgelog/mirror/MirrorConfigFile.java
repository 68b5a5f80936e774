package dev.edgelog.mirror;

import static dev.edgelog.sqllog.config.YamlConfig.millis;
import static dev.edgelog.sqllog.config.YamlConfig.or;

import dev.edgelog.sqllog.config.AuthSection;
import dev.edgelog.sqllog.config.SegmentsSection;
import dev.edgelog.sqllog.config.TlsSection;
import dev.edgelog.sqllog.config.YamlConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The YAML form of {@link MirrorConfig}. Only {@code data_dir} and {@code upstreams} are required;
 * an unknown key is an error naming it. File paths are relative to the config file.
 *
 * <pre>
 * node_name: mirror-fra-1                 # default: the host name; unique in the fleet
 * data_dir: /var/lib/edgelog/mirror
 * upstreams: [http://primary-1:4001, http://primary-2:4001, http://primary-3:4001]
 * token_file: /etc/edgelog/pull.token     # presented upstream (pull scope)
 * ca_file: /etc/edgelog/ca.crt            # trust for https upstreams
 * http_address: 0.0.0.0:4201              # the pull API served downstream
 * auth: {tokens_file: /etc/edgelog/tokens.json}   # who may pull from this mirror
 * tls: {cert_file: mirror.crt, key_file: mirror.key}
 * segments: {segment_bytes: 67108864, retention_bytes: 0, retention_ms: 0, fsync: every_batch}
 * max_batch_bytes: 4194304
 * poll_wait_ms: 30000
 * stall_timeout_ms: 10000
 * ready_max_lag: 1000
 * backoff: {initial_ms: 100, max_ms: 10000}
 * breaker_open_ms: 15000
 * fleet_report_ms: 5000
 * worker_threads: 16
 * </pre>
 */
public final class MirrorConfigFile {

    record Backoff(Long initialMs, Long maxMs) {
    }

    record File(String nodeName, String dataDir, List<String> upstreams, String tokenFile, String caFile,
                String httpAddress, AuthSection auth, TlsSection tls, SegmentsSection segments,
                Integer maxBatchBytes, Long pollWaitMs, Long stallTimeoutMs, Long readyMaxLag, Backoff backoff,
                Long breakerOpenMs, Long fleetReportMs, Integer workerThreads) {
    }

    private MirrorConfigFile() {
    }

    /** Reads and validates {@code path}; non-null overrides (command-line flags) win over its keys. */
    public static MirrorConfig load(Path path, String nodeNameOverride, Path dataDirOverride) throws IOException {
        File f = YamlConfig.read(path, File.class);
        Path dataDir = dataDirOverride != null ? dataDirOverride
                : YamlConfig.resolve(path, YamlConfig.require(f.dataDir(), "data_dir"));
        List<URI> upstreams = YamlConfig.upstreams(f.upstreams(), "upstreams");
        String name = nodeNameOverride != null ? nodeNameOverride
                : f.nodeName() != null ? f.nodeName() : InetAddress.getLocalHost().getHostName();
        MirrorConfig d = MirrorConfig.of(name, dataDir, upstreams);
        Backoff b = f.backoff() == null ? new Backoff(null, null) : f.backoff();
        return new MirrorConfig(name, dataDir, upstreams, YamlConfig.secret(path, f.tokenFile(), "token_file"),
                YamlConfig.resolve(path, f.caFile()),
                or(f.httpAddress(), d.httpAddress()),
                AuthSection.load(path, f.auth()),
                TlsSection.resolve(path, f.tls(), false),
                or(f.maxBatchBytes(), d.maxBatchBytes()),
                millis(f.pollWaitMs(), d.pollWait()),
                millis(f.stallTimeoutMs(), d.stallTimeout()),
                or(f.readyMaxLag(), d.readyMaxLag()),
                millis(b.initialMs(), d.backoffInitial()),
                millis(b.maxMs(), d.backoffMax()),
                millis(f.breakerOpenMs(), d.breakerOpen()),
                SegmentsSection.toConfig(f.segments()),
                millis(f.fleetReportMs(), d.fleetReport()),
                or(f.workerThreads(), d.workerThreads()));
    }
}
