package dev.edgelog.mirror;

import static dev.edgelog.sqllog.config.YamlConfig.millis;
import static dev.edgelog.sqllog.config.YamlConfig.or;

import dev.edgelog.sqllog.config.AuthSection;
import dev.edgelog.sqllog.config.FollowKeys;
import dev.edgelog.sqllog.config.SegmentsSection;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.config.TlsSection;
import dev.edgelog.sqllog.config.YamlConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The YAML form of {@link MirrorConfig}: the keys every following role shares ({@link FollowKeys})
 * and the mirror's own. Only {@code data_dir} and {@code upstreams} are required;
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

    record File(String nodeName, String dataDir, List<String> upstreams, String tokenFile, String caFile,
                String httpAddress, AuthSection auth, TlsSection tls, SegmentsSection segments,
                Integer maxBatchBytes, Long pollWaitMs, Long stallTimeoutMs, Long readyMaxLag,
                FollowKeys.Backoff backoff, Long breakerOpenMs, Long fleetReportMs, Integer workerThreads)
            implements FollowKeys {
    }

    private MirrorConfigFile() {
    }

    /** Reads and validates {@code path}; non-null overrides (command-line flags) win over its keys. */
    public static MirrorConfig load(Path path, String nodeNameOverride, Path dataDirOverride) throws IOException {
        File f = YamlConfig.read(path, File.class);
        return new MirrorConfig(
                FollowKeys.toConfig(path, f, nodeNameOverride, dataDirOverride, MirrorConfig.DEFAULT_HTTP_ADDRESS),
                TlsSection.resolve(path, f.tls(), false),
                SegmentsSection.toConfig(f.segments(), SegmentStoreConfig.defaults()),
                millis(f.fleetReportMs(), MirrorConfig.DEFAULT_FLEET_REPORT),
                or(f.workerThreads(), MirrorConfig.DEFAULT_WORKER_THREADS));
    }
}
