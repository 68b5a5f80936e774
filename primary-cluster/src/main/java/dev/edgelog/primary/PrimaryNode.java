package dev.edgelog.primary;

import dev.edgelog.primary.commit.GroupCommitter;
import dev.edgelog.primary.http.SqlHttpApi;
import dev.edgelog.primary.query.ReadPool;
import dev.edgelog.primary.raft.Proposals;
import dev.edgelog.primary.raft.RaftSetup;
import dev.edgelog.primary.raft.SqlStateMachine;
import dev.edgelog.sqllog.Entry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * One node of the primary cluster: a Ratis server running {@link SqlStateMachine}, a Raft client
 * for proposals and reads, the group committer, read connections and the HTTP API. Start with
 * {@link #start}, stop with {@link #close}.
 */
public final class PrimaryNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrimaryNode.class);
    private static final int READ_INDEX_TIMEOUT_SECONDS = 10;

    private final PrimaryConfig config;
    private final RaftGroup group;
    private final SqlStateMachine stateMachine;
    private final RaftServer server;
    private final RaftClient client;
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong localCallIds = new AtomicLong();
    private final GroupCommitter committer;
    private final ReadPool reads;
    private final SqlHttpApi http;
    private final NodeMetrics metrics;
    private final Thread bootstrap;
    private volatile boolean closed;

    private PrimaryNode(PrimaryConfig config) throws IOException {
        this.config = config;
        this.group = RaftSetup.group(config);
        Clock clock = Clock.systemUTC();
        this.stateMachine = new SqlStateMachine(config.nodeId(), config.dataDir(), config.segments(), clock);
        this.server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(config.nodeId()))
                // a joining node starts with an empty group of the same id; the leader adds it
                .setGroup(config.join() ? RaftGroup.valueOf(group.getGroupId()) : group)
                .setStateMachine(stateMachine)
                .setProperties(RaftSetup.serverProperties(config))
                .setParameters(RaftSetup.parameters(config))
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        try {
            server.start();
            this.client = RaftClient.newBuilder()
                    .setProperties(RaftSetup.clientProperties(config))
                    .setParameters(RaftSetup.parameters(config))
                    .setRaftGroup(group)
                    .setRetryPolicy(RaftSetup.clientRetryPolicy())
                    .build();
            this.committer = new GroupCommitter(config.nodeId(), config.groupCommit(), this::propose,
                    Proposals::replyEntries, clock);
            this.reads = new ReadPool(stateMachine.databaseFile(), 8);
            this.metrics = new NodeMetrics(this);
            stateMachine.observeApplies((requests, statements, nanos) -> {
                metrics.committed(requests, statements);
                metrics.applyLatency().record(nanos, TimeUnit.NANOSECONDS);
            });
            this.http = startHttp();
        } catch (IOException | RuntimeException e) {
            // e.g. a port is taken: the Raft server's threads would keep the JVM alive
            closeStarted(e);
            throw e;
        }
        this.bootstrap = new Thread(this::ensureLogId, config.nodeId() + "-bootstrap");
        bootstrap.setDaemon(true);
        bootstrap.start();
        LOG.info("{}: primary node up: raft {}, http {}", config.nodeId(), config.self().raftAddress(),
                config.self().httpAddress());
    }

    /** The SQL endpoint; a taken port is a {@link BindException} that names {@code http_address}. */
    private SqlHttpApi startHttp() throws IOException {
        try {
            return SqlHttpApi.start(this);
        } catch (RuntimeException e) {
            if (!(e.getCause() instanceof BindException cause)) {
                throw e;
            }
            throw portTaken(config, "http_address", config.self().httpAddress(), config.self().httpPort(), e, cause);
        }
    }

    /** After a failed start: closes what the constructor started, in {@link #close}'s order. */
    private void closeStarted(Exception failure) {
        AutoCloseable[] started = {this.committer, this.client, this.server, this.reads};
        for (AutoCloseable c : started) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /** Starts a node; on a new data directory it joins (or, with its peers, forms) the cluster. */
    public static PrimaryNode start(PrimaryConfig config) throws IOException {
        routeJavaUtilLogging();
        if (!RaftSetup.asyncCompletionsPooled()) {
            LOG.warn("{}: the common ForkJoin pool has parallelism 1, so Ratis starts a thread per AppendEntries;"
                    + " start the JVM with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2", config.nodeId());
        }
        checkRaftPortFree(config);
        return new PrimaryNode(config);
    }

    /**
     * Refuses to start when the Raft port is taken. Ratis would find out only after starting the
     * node's Raft division, and cannot close it then: a failed start puts its server back to NEW,
     * from which {@code close()} skips the division, whose threads keep the JVM alive.
     */
    private static void checkRaftPortFree(PrimaryConfig config) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(config.self().raftHost(), config.self().raftPort()));
        } catch (BindException e) {
            throw portTaken(config, "raft_address", config.self().raftAddress(), config.self().raftPort(), e, e);
        }
    }

    /** A refusal to start that names the config key and address whose port is taken. */
    private static BindException portTaken(PrimaryConfig config, String key, String address, int port,
                                           Exception failure, BindException bind) {
        BindException taken = new BindException(config.nodeId() + ": " + key + " " + address + ": port " + port
                + " is taken (" + bind.getMessage() + ")");
        taken.initCause(failure);
        return taken;
    }

    /** Shaded gRPC logs through java.util.logging; send it to SLF4J like everything else. */
    private static synchronized void routeJavaUtilLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /**
     * Hands a batch to the Raft server in this JVM. Followers forward writes to the leader over
     * HTTP, so the group committer runs on the leader, and going through a Raft client would add a
     * network round trip to itself. Each proposal has its own call id, so Ratis's retry cache keeps
     * its usual meaning; a node that lost leadership meanwhile answers NotLeader, and the writer
     * gets a 503 to retry.
     */
    private CompletableFuture<ByteBuffer> propose(List<Entry> unplaced) {
        RaftClientRequest request = localRequest(Message.valueOf(ByteString.copyFrom(Proposals.batch(unplaced))),
                RaftClientRequest.writeRequestType());
        try {
            return server.submitClientRequestAsync(request).thenApply(PrimaryNode::content);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A request to the Raft server in this JVM, as from a client of it: its own call id, so Ratis's
     * retry cache keeps its usual meaning.
     */
    private RaftClientRequest localRequest(Message message, RaftClientRequest.Type type) {
        return RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(server.getId())
                .setGroupId(group.getGroupId())
                .setCallId(localCallIds.incrementAndGet())
                .setMessage(message)
                .setType(type)
                .build();
    }

    private static ByteBuffer content(RaftClientReply reply) {
        try {
            check(reply, "Raft proposal");
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return reply.getMessage().getContent().asReadOnlyByteBuffer();
    }

    /** The first leader of a new cluster fixes the log id with the cluster's first entry. */
    private void ensureLogId() {
        while (!closed && stateMachine.logId() == null) {
            try {
                if (isLeader()) {
                    RaftClientReply r = client.io().send(Message.valueOf(
                            ByteString.copyFrom(Proposals.init(UUID.randomUUID()))));
                    if (!r.isSuccess()) {
                        LOG.warn("{}: proposing the log id failed: {}", config.nodeId(), r.getException());
                    }
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                LOG.debug("{}: log id not proposed yet: {}", config.nodeId(), e.toString());
            }
        }
    }

    /**
     * On the leader, blocks until it has applied everything committed before the call: Raft
     * ReadIndex (a heartbeat round confirms the leadership, then the apply catches up with the
     * commit index), handed to the Raft server in this JVM. Followers forward linearizable reads
     * instead: Ratis's follower ReadIndex needs its asynchronous server protocol, which the Netty
     * transport does not implement (a follower there never answers the read).
     *
     * @throws IllegalStateException when this node is not (or no longer) the leader
     */
    public void linearizableBarrier() throws IOException, InterruptedException {
        if (!isLeader()) {
            throw new IllegalStateException(config.nodeId() + " is not the leader");
        }
        RaftClientRequest request = localRequest(Message.EMPTY, RaftClientRequest.readRequestType());
        RaftClientReply reply;
        try {
            reply = server.submitClientRequestAsync(request).get(READ_INDEX_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (UnsupportedOperationException e) {
            // lost the leadership meanwhile, on a transport without follower ReadIndex
            throw new IllegalStateException(config.nodeId() + " lost the leadership during the read");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("linearizable read failed: " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("linearizable read: no read index within " + READ_INDEX_TIMEOUT_SECONDS + " s");
        }
        check(reply, "linearizable read");
    }

    public PrimaryConfig config() {
        return config;
    }

    public GroupCommitter committer() {
        return committer;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    public ReadPool reads() {
        return reads;
    }

    public SqlStateMachine stateMachine() {
        return stateMachine;
    }

    /** The port the HTTP API listens on. */
    public int httpPort() {
        return http.port();
    }

    private RaftServer.Division division() throws IOException {
        return server.getDivision(group.getGroupId());
    }

    /** Reads something of this node's Raft division. */
    @FunctionalInterface
    private interface DivisionRead<T> {
        T read(RaftServer.Division d) throws IOException;
    }

    /** {@code read} of the division, or {@code absent} while it is not there (starting, closed). */
    private <T> T fromDivision(DivisionRead<T> read, T absent) {
        try {
            return read.read(division());
        } catch (IOException e) {
            return absent;
        }
    }

    public boolean isLeader() {
        return fromDivision(d -> d.getInfo().isLeader() && d.getInfo().isLeaderReady(), false);
    }

    /** The current leader's id, or null when none is known. */
    public String leaderId() {
        return fromDivision(d -> {
            RaftPeerId id = d.getInfo().getLeaderId();
            return id == null ? null : id.toString();
        }, null);
    }

    /**
     * How long ago this node last heard from the leader, in ms: 0 on the leader, -1 when it knows
     * of none. What {@code freshness} bounds on a {@code level=none} read.
     */
    public long leaderContactAgeMillis() {
        return fromDivision(d -> {
            if (d.getInfo().isLeader()) {
                return 0L;
            }
            if (d.getInfo().getLeaderId() == null) {
                // a follower that lost its leader returns to FOLLOWER after each failed (pre-)vote,
                // which resets Ratis's last-RPC timer: without a known leader it is never fresh
                return -1L;
            }
            var role = d.getInfo().getRoleInfoProto();
            if (!role.hasFollowerInfo() || !role.getFollowerInfo().hasLeaderInfo()) {
                return -1L;
            }
            return role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
        }, -1L);
    }

    /** The members as the current Raft configuration has them (voters and listeners). */
    public Collection<RaftPeer> members() {
        return fromDivision(d -> d.getRaftConf().getAllPeers(), List.of());
    }

    /** Whether {@code id} is a non-voting listener in the current configuration. */
    public boolean isListener(String id) {
        return fromDivision(d -> d.getRaftConf().getAllPeers(RaftPeerRole.LISTENER).stream()
                .anyMatch(p -> p.getId().toString().equals(id)), false);
    }

    /**
     * The HTTP API address of member {@code id}: from the Raft configuration (which carries it for
     * members added at run time), else from this node's config; null when unknown.
     */
    public String httpAddressOf(String id) {
        for (RaftPeer p : members()) {
            if (p.getId().toString().equals(id) && p.getDataStreamAddress() != null) {
                return p.getDataStreamAddress();
            }
        }
        PrimaryConfig.Peer p = config.peer(id);
        return p == null ? null : p.httpAddress();
    }

    /** Adds a voter or listener (this node must lead). */
    public void addMember(String id, String raftAddress, String httpAddress, boolean listener) throws IOException {
        RaftPeer peer = RaftSetup.peer(id, raftAddress, httpAddress, listener);
        SetConfigurationRequest.Arguments.Builder b = SetConfigurationRequest.Arguments.newBuilder()
                .setMode(SetConfigurationRequest.Mode.ADD);
        if (listener) {
            b.setServersInNewConf(List.of()).setListenersInNewConf(List.of(peer));
        } else {
            b.setServersInNewConf(List.of(peer)).setListenersInNewConf(List.of());
        }
        check(client.admin().setConfiguration(b.build()), "adding " + id);
    }

    /** Removes a member (this node must lead), comparing against the configuration it read. */
    public void removeMember(String id) throws IOException {
        RaftConfiguration conf = division().getRaftConf();
        List<RaftPeer> servers = List.copyOf(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
        List<RaftPeer> listeners = List.copyOf(conf.getCurrentPeers(RaftPeerRole.LISTENER));
        Predicate<RaftPeer> leaving = p -> p.getId().toString().equals(id);
        if (servers.stream().noneMatch(leaving) && listeners.stream().noneMatch(leaving)) {
            throw new IllegalArgumentException("no member " + id);
        }
        check(client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                .setServersInCurrentConf(servers).setListenersInCurrentConf(listeners)
                .setServersInNewConf(servers.stream().filter(leaving.negate()).toList())
                .setListenersInNewConf(listeners.stream().filter(leaving.negate()).toList())
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build()),
                "removing " + id);
    }

    /** Hands leadership to voter {@code id}. */
    public void transferLeadership(String id) throws IOException {
        check(client.admin().transferLeadership(RaftPeerId.valueOf(id), 20_000), "transferring leadership to " + id);
    }

    private static void check(RaftClientReply r, String what) throws IOException {
        if (!r.isSuccess()) {
            throw new IOException(what + " failed: " + r.getException());
        }
    }

    public long term() {
        return fromDivision(d -> d.getInfo().getCurrentTerm(), 0L);
    }

    public long raftCommitIndex() {
        return fromDivision(d -> d.getRaftLog().getLastCommittedIndex(), 0L);
    }

    public long raftAppliedIndex() {
        return fromDivision(d -> d.getInfo().getLastAppliedIndex(), 0L);
    }

    @Override
    public void close() throws Exception {
        closed = true;
        bootstrap.interrupt();
        http.close();
        committer.close();
        client.close();
        server.close();
        reads.close();
        LOG.info("{}: primary node stopped", config.nodeId());
    }
}
