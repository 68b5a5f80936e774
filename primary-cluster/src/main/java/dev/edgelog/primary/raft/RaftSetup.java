package dev.edgelog.primary.raft;

import dev.edgelog.primary.PrimaryConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** Ratis settings for a primary node, in one place, each with the reason it is set. */
public final class RaftSetup {

    private RaftSetup() {
    }

    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    /**
     * Makes {@code CompletableFuture}'s {@code *Async} methods without an executor run on the common
     * ForkJoin pool. With fewer than 3 cores that pool's parallelism is 1, and then the JDK starts a
     * <em>new thread per task</em> instead; Ratis's follower append path calls
     * {@code thenComposeAsync} without an executor, so every AppendEntries on a 2-core machine
     * started a thread (about 700 a second at a single writer, measured with JFR's thread-start
     * events). The JDK reads the setting once, when {@code CompletableFuture} is first used, so a
     * main calls this before anything else; an explicit {@code -D} setting wins.
     */
    public static void pooledAsyncCompletions() {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM,
                    Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
    }

    /** Whether {@link #pooledAsyncCompletions} took effect (false: a thread per async task). */
    public static boolean asyncCompletionsPooled() {
        return java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() > 1;
    }

    /** The Raft group: its id derives from the cluster name, so every node computes the same one. */
    public static RaftGroup group(PrimaryConfig config) {
        List<RaftPeer> peers = config.peers().stream()
                .map(p -> peer(p.id(), p.raftAddress(), p.httpAddress(), false))
                .toList();
        return RaftGroup.valueOf(groupId(config), peers);
    }

    public static RaftGroupId groupId(PrimaryConfig config) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
                ("edgelog-cluster:" + config.clusterName()).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A member as the Raft configuration records it. Its HTTP API address travels in
     * {@code dataStreamAddress}, a field Ratis uses only for its DataStream API, which edgelog does
     * not enable: so the member directory that followers need to forward writes to the leader is
     * part of the replicated Raft configuration, and survives restarts, snapshots and membership
     * changes without a mechanism of its own.
     */
    public static RaftPeer peer(String id, String raftAddress, String httpAddress, boolean listener) {
        RaftPeer.Builder b = RaftPeer.newBuilder().setId(id).setAddress(raftAddress).setDataStreamAddress(httpAddress);
        if (listener) {
            b.setStartupRole(org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER);
        }
        return b.build();
    }

    /** Ratis's RPC type for the config's transport ({@link PrimaryConfig.RaftTransport}). */
    static SupportedRpcType rpcType(PrimaryConfig config) {
        return config.transport() == PrimaryConfig.RaftTransport.NETTY ? SupportedRpcType.NETTY : SupportedRpcType.GRPC;
    }

    public static RaftProperties serverProperties(PrimaryConfig config) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(new File(config.dataDir().resolve("raft").toString())));
        RaftConfigKeys.Rpc.setType(p, rpcType(config));
        // the default port 0 would pick a random one, unlike the address the peers dial
        GrpcConfigKeys.Server.setPort(p, config.self().raftPort());
        NettyConfigKeys.Server.setPort(p, config.self().raftPort());
        // on raft_address's host, as the HTTP API listens on http_address's (Ratis's default is every interface)
        GrpcConfigKeys.Server.setHost(p, config.self().raftHost());
        NettyConfigKeys.Server.setHost(p, config.self().raftHost());
        // elections: the configured timeout (heartbeats at half of it); Ratis's 150-300 ms default
        // lost the leader to a single 300 ms stall of a loaded JVM. A new cluster's first election
        // keeps the short default, so a fresh cluster still elects its leader at once.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(config.electionTimeoutMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * config.electionTimeoutMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(150, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        // 1 ms between AppendEntries rounds (the documented default of 10 ms costs commit latency)
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.valueOf(1, TimeUnit.MILLISECONDS));
        // no Raft log entry recording each commit index advance: Ratis appends one after every commit,
        // which doubles the entries each node appends, fsyncs and replicates; it only lets a restarted
        // node apply up to the old commit index before it hears from a leader
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        // snapshots bound the Raft log; the SQL log keeps its own retention in the segments
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        // every snapshot may purge (Ratis's default gap of 1024 entries would skip most with a small
        // threshold); only closed segments go, so the segment size bounds the log kept past a snapshot
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(config.snapshotThreshold(), Integer.MAX_VALUE));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.raftSegmentBytes()));
        // followers answer linearizable reads through ReadIndex
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        return p;
    }

    /**
     * Ratis parameters: with {@code tls}, the Raft port speaks mutual TLS from the same PEM files as
     * the HTTP API — a node presents its certificate and accepts only peers (and clients) whose
     * certificates chain to {@code ca_file}.
     */
    public static Parameters parameters(PrimaryConfig config) {
        Parameters params = new Parameters();
        PrimaryConfig.TlsFiles tls = config.tls();
        if (tls != null) {
            if (rpcType(config) != SupportedRpcType.GRPC) { // PrimaryConfig refuses this already
                throw new IllegalArgumentException("tls on the Raft port needs the gRPC transport");
            }
            GrpcTlsConfig conf = new GrpcTlsConfig(tls.keyFile().toFile(), tls.certFile().toFile(),
                    tls.caFile().toFile(), true);
            GrpcConfigKeys.TLS.setConf(params, conf);
            GrpcConfigKeys.Server.setTlsConf(params, conf);
            GrpcConfigKeys.Client.setTlsConf(params, conf);
            GrpcConfigKeys.Admin.setTlsConf(params, conf);
        }
        return params;
    }

    public static RaftProperties clientProperties(PrimaryConfig config) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, rpcType(config));
        return p;
    }

    /** The client's default retries forever without sleeping; this gives up after about 30 s. */
    public static RetryPolicy clientRetryPolicy() {
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(300, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS));
    }
}
